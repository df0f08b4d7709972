package httpapi

import (
	"net/http"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/screen"
)

func (s *Server) screen(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	var q screen.Query
	if err := decode(w, r, &q); err != nil {
		return err
	}
	res, err := s.x.Screen(r.Context(), u, q)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) listAlerts(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	after, err := queryInt(r, "after", 0)
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 100)
	if err != nil {
		return err
	}
	if limit < 1 || limit > 1000 {
		return enlace.Errorf(enlace.EInvalid, "limit must be between 1 and 1000")
	}
	q := r.URL.Query()
	as, err := s.x.Alerts(r.Context(), u, enlace.AlertFilter{Kind: q.Get("kind"), ReportID: q.Get("report"), AfterID: after, Limit: int(limit)})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"alerts": nonNil(as)})
	return nil
}
