package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/exchange"
)

// consentForm is the consent request form, as typed.
type consentForm struct {
	Report    string
	Recipient string
	Purposes  []string
	Note      string
	Error     string
}

// showConsents renders the consents page with the request form f and,
// if decideErr is set, the error of an answer to consent decided.
func (s *server) showConsents(w http.ResponseWriter, r *http.Request, c *call, status int, f consentForm, decided int64, decideErr string) error {
	ctx := r.Context()
	u := c.User()
	cs, err := s.x.Consents(ctx, u)
	if err != nil {
		return err
	}
	slices.Reverse(cs)
	agencies, err := s.x.Agencies(ctx)
	if err != nil {
		return err
	}
	var recipients []option
	for _, a := range agencies {
		if a.ID != u.Agency {
			recipients = append(recipients, option{a.ID, a.ID + " (" + a.Nation + ")"})
		}
	}
	var mine, theirs []enlace.Consent
	for _, k := range cs {
		if answerable(u, k) {
			mine = append(mine, k)
		} else {
			theirs = append(theirs, k)
		}
	}
	s.render(w, r, c, status, "consents", "Consents", map[string]any{
		"Form": f, "Recipients": recipients, "Purposes": s.x.Vocabulary().Purposes(),
		"ToAnswer": mine, "Asked": theirs, "Decided": decided, "DecideError": decideErr,
	})
	return nil
}

func (s *server) consents(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.showConsents(w, r, c, http.StatusOK, consentForm{Report: r.URL.Query().Get("report")}, 0, "")
}

func (s *server) requestConsent(w http.ResponseWriter, r *http.Request, c *call) error {
	_ = r.ParseForm()
	f := consentForm{
		Report: strings.TrimSpace(r.PostFormValue("report")), Recipient: r.PostFormValue("recipient"),
		Purposes: r.PostForm["purposes"], Note: strings.TrimSpace(r.PostFormValue("note")),
	}
	req := exchange.ConsentRequest{ReportID: f.Report, Recipient: f.Recipient, Note: f.Note}
	for _, p := range f.Purposes {
		req.Purposes = append(req.Purposes, enlace.Purpose(p))
	}
	_, err := s.x.RequestConsent(r.Context(), c.User(), req)
	if err != nil {
		status := http.StatusBadRequest
		msg, st, ok := formError(err)
		switch {
		case ok:
			status = st
		case enlace.ErrorCode(err) == enlace.ENotFound:
			// The same words the API gives: the report is not one this
			// agency holds, whether or not it exists.
			msg, status = enlace.ErrorMessage(err), http.StatusNotFound
		default:
			return err
		}
		f.Error = msg
		return s.showConsents(w, r, c, status, f, 0, "")
	}
	redirect(w, r, "/consents")
	return nil
}

func (s *server) decideConsent(w http.ResponseWriter, r *http.Request, c *call) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return enlace.Errorf(enlace.ENotFound, "no consent %s", r.PathValue("id"))
	}
	_ = r.ParseForm()
	d := enlace.ConsentDecision{Status: r.PostFormValue("status"), Note: strings.TrimSpace(r.PostFormValue("note"))}
	if d.Status == enlace.ConsentGranted {
		for _, p := range r.PostForm["granted"] {
			d.GrantedPurposes = append(d.GrantedPurposes, enlace.Purpose(p))
		}
	}
	if _, err := s.x.DecideConsent(r.Context(), c.User(), id, d); err != nil {
		msg, status, ok := formError(err)
		if !ok {
			return err
		}
		return s.showConsents(w, r, c, status, consentForm{}, id, msg)
	}
	redirect(w, r, "/consents")
	return nil
}
