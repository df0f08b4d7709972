package httpapi

import (
	"net/http"
	"strconv"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/exchange"
)

func (s *Server) declareUse(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	var req exchange.UseRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	use, d, err := s.x.DeclareUse(r.Context(), u, req)
	if err != nil {
		if enlace.ErrorCode(err) == enlace.EForbidden && len(d.Reasons) > 0 {
			return &deniedError{err: err, decision: d}
		}
		return err
	}
	w.Header().Set("Location", "/api/v1/uses/"+strconv.FormatInt(use.ID, 10))
	writeJSON(w, http.StatusCreated, map[string]any{"use": use, "decision": d})
	return nil
}

func (s *Server) listUses(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	after, err := queryInt(r, "after", 0)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	status := q.Get("status")
	if status != "" && status != enlace.UseAccepted && status != enlace.UseRefused {
		return enlace.Errorf(enlace.EInvalid, "status must be accepted or refused")
	}
	us, err := s.x.Uses(r.Context(), u, enlace.UseFilter{Agency: q.Get("agency"), ReportID: q.Get("report"), Status: status, AfterID: after})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"uses": nonNil(us)})
	return nil
}

func (s *Server) getUse(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	use, err := s.x.Use(r.Context(), u, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, use)
	return nil
}

func (s *Server) reportOutcome(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	var req exchange.OutcomeRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	o, alerted, err := s.x.ReportOutcome(r.Context(), u, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"outcome": o, "alerted": nonNil(alerted)})
	return nil
}

func (s *Server) listOutcomes(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	after, err := queryInt(r, "after", 0)
	if err != nil {
		return err
	}
	f := enlace.OutcomeFilter{AfterID: after}
	if q := r.URL.Query().Get("use"); q != "" {
		id, err := strconv.ParseInt(q, 10, 64)
		if err != nil {
			return enlace.Errorf(enlace.EInvalid, "use must be a use id")
		}
		f.UseIDs = []int64{id}
	}
	os, err := s.x.Outcomes(r.Context(), u, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"outcomes": nonNil(os)})
	return nil
}
