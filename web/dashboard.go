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
	s.render(w, r, c, http.StatusOK, "dashboard", "Dashboard", map[string]any{
		"Matrix": layoutMatrix(m), "At": m.At, "Releases": rels, "Pending": pending,
	})
	return nil
}

// answerable reports whether u's side is the one to answer consent k: its
// agency originated the report, or it is that nation's authority. The
// exchange decides whether u's role may actually answer.
func answerable(u enlace.User, k enlace.Consent) bool {
	return k.Originator == u.Agency || (u.Has(enlace.RoleAuthority) && k.Holder != u.Agency && k.Recipient != u.Agency)
}
