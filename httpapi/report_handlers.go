package httpapi

import (
	"net/http"
	"strconv"

	"github.com/enlace-exchange/enlace"
)

func (s *Server) createReport(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	var rep enlace.Report
	if err := decode(w, r, &rep); err != nil {
		return err
	}
	created, err := s.x.CreateReport(r.Context(), u, rep)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/reports/"+created.ID)
	writeJSON(w, http.StatusCreated, created)
	return nil
}

func (s *Server) getReport(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	rep, d, err := s.x.Read(r.Context(), u, r.PathValue("id"), r.Header.Get(PurposeHeader))
	if err != nil {
		if enlace.ErrorCode(err) == enlace.EForbidden && len(d.Reasons) > 0 {
			return &deniedError{err: err, decision: d}
		}
		return err
	}
	hits, err := s.x.ScreeningHits(r.Context(), u, rep.ID, r.Header.Get(PurposeHeader))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"report": rep, "decision": d, "screening_hits": nonNil(hits)})
	return nil
}

func (s *Server) listReports(w http.ResponseWriter, r *http.Request, u enlace.User) error {
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
	page, err := s.x.List(r.Context(), u, r.Header.Get(PurposeHeader), enlace.ReportFilter{
		Originator: q.Get("originator"), Nation: q.Get("nation"), AfterSeq: after, Limit: int(limit),
	})
	if err != nil {
		return err
	}
	body := map[string]any{"reports": nonNil(page.Reports), "more": page.Next != 0}
	if page.Next != 0 {
		body["next"] = strconv.FormatInt(page.Next, 10)
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (s *Server) listReleases(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	q := r.URL.Query()
	f := enlace.ReleaseFilter{ReportID: q.Get("report"), Recipient: q.Get("recipient"), RecipientNation: q.Get("recipient_nation"), Originator: q.Get("originator")}
	if a := q.Get("after"); a != "" {
		t, err := parseTime(a)
		if err != nil {
			return err
		}
		f.After = t
	}
	rs, err := s.x.Releases(r.Context(), u, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"releases": nonNil(rs)})
	return nil
}

func (s *Server) search(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	limit, err := queryInt(r, "limit", 20)
	if err != nil {
		return err
	}
	if limit < 1 || limit > 100 {
		return enlace.Errorf(enlace.EInvalid, "limit must be between 1 and 100")
	}
	q := r.URL.Query().Get("q")
	if q == "" {
		return enlace.Errorf(enlace.EInvalid, "search needs words: ?q=...")
	}
	res, err := s.x.Search(r.Context(), u, r.Header.Get(PurposeHeader), q, int(limit))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": res})
	return nil
}
