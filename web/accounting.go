package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/exchange"
	"github.com/enlace-exchange/enlace/httpapi"
)

// accountingForm is the accounting page's form, as typed. From and To are
// days (YYYY-MM-DD), To included.
type accountingForm struct {
	Consumer string // "nation:US", "task_force:JIATF-South", "agency:DEA"
	From, To string
	Step     string
}

func (f accountingForm) query() string {
	return url.Values{"consumer": {f.Consumer}, "from": {f.From}, "to": {f.To}, "step": {f.Step}}.Encode()
}

// defaultWindow is how far back the page looks when no window is given.
const defaultWindow = 8 * 7 * 24 * time.Hour

// readAccountingForm reads the form, filling what is missing, and parses
// it into a consumer and a window, or says what is wrong.
func (s *server) readAccountingForm(r *http.Request, mine []enlace.Scope) (accountingForm, enlace.Scope, exchange.Window, []string) {
	q := r.URL.Query()
	today := s.now().UTC().Format(time.DateOnly)
	f := accountingForm{Consumer: q.Get("consumer"), From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to")), Step: q.Get("step")}
	if !q.Has("from") && !q.Has("to") {
		f.From, f.To = s.now().Add(-defaultWindow).UTC().Format(time.DateOnly), today
	}
	if f.Consumer == "" && len(mine) > 0 {
		f.Consumer = scopeValue(mine[0])
	}
	if f.Step == "" {
		f.Step = exchange.StepWeek
	}
	var problems []string
	sc := parseScope(f.Consumer)
	if sc.Kind() == "" {
		problems = append(problems, "choose a consumer")
	}
	var w exchange.Window
	var err error
	if w.From, err = time.Parse(time.DateOnly, f.From); err != nil {
		problems = append(problems, "from: a date such as 2026-01-01")
	}
	if w.To, err = time.Parse(time.DateOnly, f.To); err != nil {
		problems = append(problems, "to: a date such as 2026-03-31")
	} else {
		w.To = w.To.Add(24 * time.Hour)
	}
	if len(problems) == 0 && !w.To.After(w.From) {
		problems = append(problems, "to must be on or after from")
	}
	if f.Step != exchange.StepWeek && f.Step != exchange.StepMonth {
		problems = append(problems, "step: week or month")
	}
	return f, sc, w, problems
}

// consumerGroups are the consumer choices: those the user may account
// for (shares and outcomes), then the others (outcomes only: what the
// user's intelligence fed them).
type consumerGroups struct {
	Mine, Others []option
}

func (s *server) consumerChoices(r *http.Request, mine []enlace.Scope) (consumerGroups, error) {
	ctx := r.Context()
	var g consumerGroups
	for _, sc := range mine {
		g.Mine = append(g.Mine, option{scopeValue(sc), sc.Describe()})
	}
	nations, err := s.x.Nations(ctx)
	if err != nil {
		return g, err
	}
	tfs, err := s.x.TaskForces(ctx)
	if err != nil {
		return g, err
	}
	agencies, err := s.x.Agencies(ctx)
	if err != nil {
		return g, err
	}
	var all []enlace.Scope
	for _, n := range nations {
		all = append(all, enlace.NationScope(n.Code))
	}
	for _, tf := range tfs {
		all = append(all, enlace.TaskForceScope(tf.ID))
	}
	for _, a := range agencies {
		all = append(all, enlace.AgencyScope(a.ID))
	}
	for _, sc := range all {
		if !slices.Contains(mine, sc) {
			g.Others = append(g.Others, option{scopeValue(sc), sc.Describe()})
		}
	}
	return g, nil
}

// accounting shows where the intelligence a consumer used came from, how
// that moved over the window, and what intelligence fed, by originator:
// each figure as the exchange computes it for the API, with its counts.
func (s *server) accounting(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	u := c.User()
	mine, err := s.x.AccountableConsumers(ctx, u)
	if err != nil {
		return err
	}
	f, sc, win, problems := s.readAccountingForm(r, mine)
	groups, err := s.consumerChoices(r, mine)
	if err != nil {
		return err
	}
	data := map[string]any{"Form": f, "Consumers": groups, "Steps": []string{exchange.StepWeek, exchange.StepMonth}}
	status := http.StatusOK
	show := func() error {
		s.render(w, r, c, status, "accounting", "Accounting", data)
		return nil
	}
	// fail shows an invalid request as the form's error, keeping what was
	// typed; any other error is the error page's.
	fail := func(err error) error {
		if enlace.ErrorCode(err) != enlace.EInvalid {
			return err
		}
		data["Error"], status = enlace.ErrorMessage(err), http.StatusBadRequest
		return show()
	}
	if len(problems) > 0 {
		data["Error"], status = strings.Join(problems, "; "), http.StatusBadRequest
		return show()
	}
	data["SharesCSV"], data["OutcomesCSV"] = "/accounting.csv?figure=shares&"+f.query(), "/accounting.csv?figure=outcomes&"+f.query()
	sh, err := s.x.Shares(ctx, u, sc, win)
	switch {
	case err == nil:
		series, err := s.x.SharesSeries(ctx, u, sc, win, f.Step)
		if err != nil {
			return fail(err)
		}
		colours := nationColours(sh)
		data["Shares"], data["NationBar"], data["AgencyChart"] = sh, stackOf(sh, colours), agencyChart(sh, colours)
		data["Series"], data["SeriesChart"] = series, seriesChart(series, colours)
	case enlace.ErrorCode(err) == enlace.EForbidden:
		// Not the user's to account for: say so, as the API would, and
		// still show what the user's intelligence fed this consumer.
		data["SharesDenied"] = enlace.ErrorMessage(err)
	default:
		return fail(err)
	}
	of, err := s.x.OutcomesByOriginator(ctx, u, sc, win)
	if err != nil {
		return fail(err)
	}
	totals := outcomeTotals(of)
	data["Outcomes"], data["OutcomeTotals"], data["OutcomeCharts"] = of, totals, outcomeCharts(totals)
	return show()
}

// accountingCSV serves a figure as the API's ?format=csv does, from the
// session: figure=shares or outcomes with the page's form, or
// figure=trail with report=ID.
func (s *server) accountingCSV(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	u := c.User()
	var header []string
	var rows [][]string
	var counts, name string
	switch fig := r.URL.Query().Get("figure"); fig {
	case "shares", "outcomes":
		f, sc, win, problems := s.readAccountingForm(r, nil)
		if len(problems) > 0 {
			return enlace.Errorf(enlace.EInvalid, "%s", strings.Join(problems, "; "))
		}
		name = fig + "-" + sc.ID() + "-" + f.From + "-" + f.To
		if fig == "shares" {
			sh, err := s.x.Shares(ctx, u, sc, win)
			if err != nil {
				return err
			}
			header, rows = httpapi.SharesCSV(sh)
			counts = sh.Counts
		} else {
			of, err := s.x.OutcomesByOriginator(ctx, u, sc, win)
			if err != nil {
				return err
			}
			header, rows = httpapi.OutcomesCSV(of)
			counts = of.Counts
		}
	case "trail":
		t, err := s.x.ReportTrail(ctx, u, r.URL.Query().Get("report"))
		if err != nil {
			return err
		}
		header, rows = httpapi.TrailCSV(t)
		counts, name = t.Counts, "trail-"+t.ReportID
	default:
		return enlace.Errorf(enlace.EInvalid, "figure must be shares, outcomes or trail")
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="enlace-`+fileSafe(name)+`.csv"`)
	return httpapi.WriteCSV(w, header, rows, counts)
}

// fileSafe keeps letters, digits and - . _ of s.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.', r == '_':
			return r
		}
		return '_'
	}, s)
}
