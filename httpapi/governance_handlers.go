package httpapi

import (
	"net/http"
	"time"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/exchange"
)

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, enlace.Errorf(enlace.EInvalid, "time %q must be RFC 3339, such as 2025-11-10T14:00:00Z", s)
	}
	return t.UTC(), nil
}

// agreementBody is what a client posts to create an agreement or a new
// version of one (with id).
type agreementBody struct {
	ID                 string           `json:"id"`
	Title              string           `json:"title"`
	Provider           enlace.Scope     `json:"provider"`
	Recipient          enlace.Scope     `json:"recipient"`
	AllowedPurposes    []enlace.Purpose `json:"allowed_purposes"`
	ProhibitedPurposes []enlace.Purpose `json:"prohibited_purposes"`
	MaxTLP             enlace.TLP       `json:"max_tlp"`
	AcceptedHandling   []string         `json:"accepted_handling"`
	Onward             string           `json:"onward"`
	ValidFrom          *time.Time       `json:"valid_from"`
	ValidUntil         *time.Time       `json:"valid_until"`
	LegalBasis         string           `json:"legal_basis"`
}

func (s *Server) createAgreement(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	var b agreementBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	a := enlace.Agreement{
		ID: b.ID, Title: b.Title, Provider: b.Provider, Recipient: b.Recipient,
		AllowedPurposes: b.AllowedPurposes, ProhibitedPurposes: b.ProhibitedPurposes, MaxTLP: b.MaxTLP,
		AcceptedHandling: b.AcceptedHandling, Onward: b.Onward, ValidUntil: b.ValidUntil, LegalBasis: b.LegalBasis,
	}
	if a.Onward == "" {
		a.Onward = enlace.OnwardConsent
	}
	if b.ValidFrom != nil {
		a.ValidFrom = b.ValidFrom.UTC()
	} else {
		a.ValidFrom = time.Now().UTC()
	}
	created, err := s.x.CreateAgreement(r.Context(), u, a)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/agreements/"+created.ID)
	writeJSON(w, http.StatusCreated, created)
	return nil
}

func (s *Server) listAgreements(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	as, err := s.x.Agreements(r.Context(), u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"agreements": nonNil(as)})
	return nil
}

func (s *Server) getAgreement(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	vs, err := s.x.Agreement(r.Context(), u, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"agreement": vs[len(vs)-1], "versions": vs})
	return nil
}

// directiveBody is what an authority posts.
type directiveBody struct {
	Action         string             `json:"action"`
	From           enlace.Scope       `json:"from"`
	To             enlace.Scope       `json:"to"`
	Purposes       *enlace.PurposeSet `json:"purposes"`
	EffectiveAt    *time.Time         `json:"effective_at"`
	Reason         string             `json:"reason"`
	LegalReference string             `json:"legal_reference"`
}

func (s *Server) createDirective(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	var b directiveBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	d := enlace.Directive{Action: b.Action, From: b.From, To: b.To, Reason: b.Reason, LegalReference: b.LegalReference, Purposes: enlace.AllPurposes}
	if b.Purposes != nil {
		d.Purposes = *b.Purposes
	}
	if b.EffectiveAt != nil {
		d.EffectiveAt = *b.EffectiveAt
	}
	created, err := s.x.IssueDirective(r.Context(), u, d)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/directives/"+created.ID)
	writeJSON(w, http.StatusCreated, created)
	return nil
}

func (s *Server) listDirectives(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	ds, err := s.x.Directives(r.Context(), u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"directives": nonNil(ds)})
	return nil
}

func (s *Server) getDirective(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	d, err := s.x.Directive(r.Context(), u, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (s *Server) createConsent(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	var b exchange.ConsentRequest
	if err := decode(w, r, &b); err != nil {
		return err
	}
	c, err := s.x.RequestConsent(r.Context(), u, b)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) listConsents(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	cs, err := s.x.Consents(r.Context(), u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"consents": nonNil(cs)})
	return nil
}

func (s *Server) getConsent(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	c, err := s.x.Consent(r.Context(), u, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) decideConsent(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	var b enlace.ConsentDecision
	if err := decode(w, r, &b); err != nil {
		return err
	}
	c, err := s.x.DecideConsent(r.Context(), u, id, b)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) explain(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	q := r.URL.Query()
	if q.Get("report") == "" {
		return enlace.Errorf(enlace.EInvalid, "query parameter report is required")
	}
	purpose := q.Get("purpose")
	if purpose == "" {
		purpose = r.Header.Get(PurposeHeader)
	}
	e, err := s.x.Explain(r.Context(), u, q.Get("report"), q.Get("recipient"), purpose)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}
