package httpapi

import (
	"encoding/csv"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/exchange"
)

// wantsCSV reports whether the client asked for CSV: ?format=csv, or an
// Accept header naming text/csv.
func wantsCSV(r *http.Request) bool {
	if f := r.URL.Query().Get("format"); f != "" {
		return f == "csv"
	}
	return strings.Contains(r.Header.Get("Accept"), "text/csv")
}

// accountingParams reads the consumer (agency, task_force or nation) and
// the window (from, to) of an accounting query.
func accountingParams(r *http.Request) (enlace.Scope, exchange.Window, error) {
	q := r.URL.Query()
	s := enlace.Scope{Agency: q.Get("agency"), TaskForce: q.Get("task_force"), Nation: q.Get("nation")}
	var w exchange.Window
	for name, t := range map[string]*time.Time{"from": &w.From, "to": &w.To} {
		if v := q.Get(name); v != "" {
			parsed, err := parseTime(v)
			if err != nil {
				return s, w, err
			}
			*t = parsed
		}
	}
	if !w.From.IsZero() && !w.To.IsZero() && !w.To.After(w.From) {
		return s, w, enlace.Errorf(enlace.EInvalid, "to must be after from")
	}
	return s, w, nil
}

// timeLayout is how CSV cells write times.
const timeLayout = time.RFC3339

// writeCSV writes a figure as CSV (see WriteCSV).
func writeCSV(w http.ResponseWriter, header []string, rows [][]string, counts string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_ = WriteCSV(w, header, rows, counts)
}

// WriteCSV writes a header and rows; the last column, counts, says what
// every row counts, so the file explains itself once detached. The
// command line writes the same files.
func WriteCSV(w io.Writer, header []string, rows [][]string, counts string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(append(header, "counts")); err != nil {
		return err
	}
	for _, row := range rows {
		if err := cw.Write(append(row, counts)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// SharesCSV returns the rows of s as CSV cells: one per agency, then one
// per nation with an empty originator.
func SharesCSV(s exchange.Shares) ([]string, [][]string) {
	var rows [][]string
	for _, l := range append(append([]exchange.ShareLine(nil), s.Agencies...), s.Nations...) {
		rows = append(rows, []string{l.Nation, l.Originator, strconv.Itoa(l.Citations), num(l.Weight), num(l.Share)})
	}
	return []string{"nation", "originator", "citations", "weight", "share"}, rows
}

// OutcomesCSV returns the rows of f as CSV cells.
func OutcomesCSV(f exchange.OutcomeFigures) ([]string, [][]string) {
	var rows [][]string
	for _, r := range f.Rows {
		rows = append(rows, []string{r.Nation, r.Originator, r.Kind, strconv.Itoa(r.Outcomes), num(r.Weighted),
			num(r.QuantityKg), strconv.Itoa(r.PersonsDetained), strconv.Itoa(r.Casualties)})
	}
	return []string{"nation", "originator", "kind", "outcomes", "weighted", "quantity_kg", "persons_detained", "casualties"}, rows
}

// TrailCSV returns t as CSV cells: one row per release, use and outcome.
func TrailCSV(t exchange.Trail) ([]string, [][]string) {
	var rows [][]string
	for _, r := range t.Releases {
		rows = append(rows, []string{"release", strconv.FormatInt(r.ID, 10), r.Recipient, r.RecipientNation, string(r.Purpose),
			r.At.Format(timeLayout), r.AgreementID + " v" + strconv.Itoa(r.AgreementVersion), "", ""})
	}
	for _, u := range t.Uses {
		via := "lineage"
		if u.Direct {
			via = "direct"
		}
		rows = append(rows, []string{"use", strconv.FormatInt(u.Use.ID, 10), u.Use.Agency, u.Use.Nation, string(u.Use.Purpose),
			u.Use.PlannedAt.Format(timeLayout), u.Use.Operation, u.Use.Status + " " + via, num(u.Weight)})
	}
	for _, o := range t.Outcomes {
		state := "superseded"
		if o.Current {
			state = "current"
		}
		rows = append(rows, []string{"outcome", strconv.FormatInt(o.ID, 10), o.Agency, o.Nation, o.Kind,
			o.OccurredAt.Format(timeLayout), "use " + strconv.FormatInt(o.UseID, 10), state,
			"kg=" + num(o.QuantityKg) + " detained=" + strconv.Itoa(o.PersonsDetained) + " casualties=" + strconv.Itoa(o.Casualties)})
	}
	return []string{"record", "id", "agency", "nation", "purpose_or_kind", "at", "detail", "status", "value"}, rows
}

func (s *Server) accountingShares(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	scope, win, err := accountingParams(r)
	if err != nil {
		return err
	}
	sh, err := s.x.Shares(r.Context(), u, scope, win)
	if err != nil {
		return err
	}
	if wantsCSV(r) {
		h, rows := SharesCSV(sh)
		writeCSV(w, h, rows, sh.Counts)
		return nil
	}
	sh.Nations, sh.Agencies = nonNil(sh.Nations), nonNil(sh.Agencies)
	writeJSON(w, http.StatusOK, sh)
	return nil
}

func (s *Server) accountingOutcomes(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	scope, win, err := accountingParams(r)
	if err != nil {
		return err
	}
	f, err := s.x.OutcomesByOriginator(r.Context(), u, scope, win)
	if err != nil {
		return err
	}
	if wantsCSV(r) {
		h, rows := OutcomesCSV(f)
		writeCSV(w, h, rows, f.Counts)
		return nil
	}
	f.Rows = nonNil(f.Rows)
	writeJSON(w, http.StatusOK, f)
	return nil
}

func (s *Server) accountingReport(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	t, err := s.x.ReportTrail(r.Context(), u, r.PathValue("id"))
	if err != nil {
		return err
	}
	if wantsCSV(r) {
		h, rows := TrailCSV(t)
		writeCSV(w, h, rows, t.Counts)
		return nil
	}
	t.Releases, t.Uses, t.Outcomes = nonNil(t.Releases), nonNil(t.Uses), nonNil(t.Outcomes)
	writeJSON(w, http.StatusOK, t)
	return nil
}
