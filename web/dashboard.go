package web

import (
	"net/http"
	"slices"
	"time"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/exchange"
)

// matrixView is the sharing matrix laid out for a table: one row per
// providing nation, each with its agencies' rows to fold out.
type matrixView struct {
	Nations []enlace.Nation
	Rows    []matrixRow
}

type matrixRow struct {
	Nation   enlace.Nation
	Cells    []cellView
	Columns  []enlace.Agency // the other nations' agencies
	Agencies []agencyRow
}

type agencyRow struct {
	Agency enlace.Agency
	Cells  []cellView
}

// cellView is a cell, or the diagonal.
type cellView struct {
	exchange.SharingCell
	Self bool
}

func layoutMatrix(m exchange.SharingMatrix) matrixView {
	v := matrixView{Nations: m.Nations}
	for _, n := range m.Nations {
		row := matrixRow{Nation: n}
		for _, o := range m.Nations {
			if n.Code == o.Code {
				row.Cells = append(row.Cells, cellView{Self: true})
				continue
			}
			row.Cells = append(row.Cells, cellView{SharingCell: m.Cell(enlace.NationScope(n.Code), enlace.NationScope(o.Code))})
		}
		for _, a := range m.Agencies {
			if a.Nation != n.Code {
				row.Columns = append(row.Columns, a)
			}
		}
		for _, a := range m.AgenciesOf(n.Code) {
			ar := agencyRow{Agency: a}
			for _, b := range row.Columns {
				ar.Cells = append(ar.Cells, cellView{SharingCell: m.Cell(enlace.AgencyScope(a.ID), enlace.AgencyScope(b.ID))})
			}
			row.Agencies = append(row.Agencies, ar)
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}

// The dashboard lists the last recentReleases releases of the past
// recentWindow.
const (
	recentReleases = 10
	recentWindow   = 7 * 24 * time.Hour
)

func (s *server) dashboard(w http.ResponseWriter, r *http.Request, c *call) error {
	ctx := r.Context()
	u := c.User()
	m, err := s.x.SharingMatrix(ctx, u)
	if err != nil {
		return err
	}
	rels, err := s.x.Releases(ctx, u, enlace.ReleaseFilter{After: s.now().Add(-recentWindow)})
	if err != nil {
		return err
	}
	if len(rels) > recentReleases {
		rels = rels[len(rels)-recentReleases:]
	}
	slices.Reverse(rels)
	consents, err := s.x.Consents(ctx, u)
	if err != nil {
		return err
	}
	var pending []enlace.Consent
	for _, k := range consents {
		if k.Status == enlace.ConsentRequested && answerable(u, k) {
			pending = append(pending, k)
		}
	}
	alerts, err := s.recentAlerts(r, u)
	if err != nil {
		return err
	}
	s.render(w, r, c, http.StatusOK, "dashboard", "Dashboard", map[string]any{
		"Matrix": layoutMatrix(m), "At": m.At, "Releases": rels, "Pending": pending, "Alerts": alerts,
	})
	return nil
}

// recentAlerts is how many alerts the dashboard shows.
const recentAlerts = 20

// recentAlerts returns the latest alerts u may see (its agency's, or for
// an authority or auditor its nation's, as the exchange decides), newest
// first. The exchange lists alerts oldest first, so it pages to the end.
func (s *server) recentAlerts(r *http.Request, u enlace.User) ([]enlace.Alert, error) {
	const page = 1000
	var last []enlace.Alert
	f := enlace.AlertFilter{Limit: page}
	for {
		as, err := s.x.Alerts(r.Context(), u, f)
		if err != nil {
			return nil, err
		}
		last = append(last, as...)
		if len(last) > recentAlerts {
			last = slices.Clone(last[len(last)-recentAlerts:])
		}
		if len(as) < page {
			break
		}
		f.AfterID = as[len(as)-1].ID
	}
	slices.Reverse(last)
	return last, nil
}

// answerable reports whether u's side is the one to answer consent k: its
// agency originated the report, or it is that nation's authority. The
// exchange decides whether u's role may actually answer.
func answerable(u enlace.User, k enlace.Consent) bool {
	return k.Originator == u.Agency || (u.Has(enlace.RoleAuthority) && k.Holder != u.Agency && k.Recipient != u.Agency)
}
