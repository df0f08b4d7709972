package exchange

import (
	"context"
	"time"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/policy"
)

// providerRank returns the rank with which actor may act for scope s (a
// nation or an agency as the providing side), or 0 if it may not: the
// nation's authority for the nation and all its agencies, an agency-admin
// for its own agency.
func (x *Exchange) providerRank(ctx context.Context, actor enlace.User, s enlace.Scope) (int, error) {
	switch s.Kind() {
	case enlace.ScopeNation:
		if actor.Has(enlace.RoleAuthority) && actor.Nation == s.Nation {
			return enlace.RankNation, nil
		}
	case enlace.ScopeAgency:
		a, err := x.store.Agency(ctx, s.Agency)
		if err != nil {
			if enlace.ErrorCode(err) == enlace.ENotFound {
				return 0, enlace.Errorf(enlace.EInvalid, "unknown agency %s", s.Agency)
			}
			return 0, err
		}
		if actor.Has(enlace.RoleAuthority) && actor.Nation == a.Nation {
			return enlace.RankNation, nil
		}
		if actor.Has(enlace.RoleAgencyAdmin) && actor.Agency == a.ID {
			return enlace.RankAgency, nil
		}
	}
	return 0, nil
}

// checkScopeExists refuses a scope that names no known party.
func (x *Exchange) checkScopeExists(ctx context.Context, what string, s enlace.Scope) error {
	var err error
	switch s.Kind() {
	case enlace.ScopeNation:
		_, err = x.store.Nation(ctx, s.Nation)
	case enlace.ScopeAgency:
		_, err = x.store.Agency(ctx, s.Agency)
	case enlace.ScopeTaskForce:
		_, err = x.store.TaskForce(ctx, s.TaskForce)
	}
	if enlace.ErrorCode(err) == enlace.ENotFound {
		return enlace.Errorf(enlace.EInvalid, "%s: unknown %s", what, s.Describe())
	}
	return err
}

// CreateAgreement records a new agreement, or a new version of agreement
// a.ID. Only the providing side may commit what it provides: the nation's
// authority, or an agency-admin for its own agency.
func (x *Exchange) CreateAgreement(ctx context.Context, actor enlace.User, a enlace.Agreement) (enlace.Agreement, error) {
	if err := a.Validate(x.vocab); err != nil {
		return enlace.Agreement{}, err
	}
	if err := x.checkScopeExists(ctx, "provider", a.Provider); err != nil {
		return enlace.Agreement{}, err
	}
	if err := x.checkScopeExists(ctx, "recipient", a.Recipient); err != nil {
		return enlace.Agreement{}, err
	}
	rank, err := x.providerRank(ctx, actor, a.Provider)
	if err != nil {
		return enlace.Agreement{}, err
	}
	if rank == 0 {
		return enlace.Agreement{}, enlace.Errorf(enlace.EForbidden, "only the authority of the providing nation (or an agency-admin for its own agency) may commit %s", a.Provider.Describe())
	}
	if a.ID != "" {
		prev, err := x.store.Agreement(ctx, a.ID)
		if err != nil {
			return enlace.Agreement{}, err
		}
		if prev.Provider != a.Provider {
			return enlace.Agreement{}, enlace.Errorf(enlace.EInvalid, "a new version of %s keeps its provider %s", a.ID, prev.Provider.Describe())
		}
	}
	a.CreatedBy, a.CreatedAt = actor.Username, x.now().UTC()
	return x.store.CreateAgreement(ctx, a)
}

// involves reports whether scope s touches actor's nation.
func (x *Exchange) involves(ctx context.Context, actor enlace.User, s enlace.Scope) bool {
	switch s.Kind() {
	case enlace.ScopeNation:
		return s.Nation == actor.Nation
	case enlace.ScopeAgency:
		a, err := x.store.Agency(ctx, s.Agency)
		return err == nil && a.Nation == actor.Nation
	case enlace.ScopeTaskForce:
		t, err := x.store.TaskForce(ctx, s.TaskForce)
		if err != nil {
			return false
		}
		for _, m := range t.Members {
			if a, err := x.store.Agency(ctx, m); err == nil && a.Nation == actor.Nation {
				return true
			}
		}
	}
	return false
}

// Agreements lists the latest version of every agreement whose provider
// or recipient involves actor's nation.
func (x *Exchange) Agreements(ctx context.Context, actor enlace.User) ([]enlace.Agreement, error) {
	all, err := x.store.Agreements(ctx)
	if err != nil {
		return nil, err
	}
	var out []enlace.Agreement
	for _, a := range all {
		if x.involves(ctx, actor, a.Provider) || x.involves(ctx, actor, a.Recipient) {
			out = append(out, a)
		}
	}
	return out, nil
}

// Agreement returns every version of agreement id if it involves actor's
// nation, and ENotFound otherwise.
func (x *Exchange) Agreement(ctx context.Context, actor enlace.User, id string) ([]enlace.Agreement, error) {
	vs, err := x.store.AgreementVersions(ctx, id)
	if err != nil {
		return nil, err
	}
	last := vs[len(vs)-1]
	if !x.involves(ctx, actor, last.Provider) && !x.involves(ctx, actor, last.Recipient) {
		return nil, enlace.Errorf(enlace.ENotFound, "no agreement %s", id)
	}
	return vs, nil
}

// IssueDirective appends a directive issued by actor, who must be the
// authority of the from nation (or of the from agency's nation), or an
// agency-admin of the from agency. It applies from its effective time to
// every read, release and onward hop.
func (x *Exchange) IssueDirective(ctx context.Context, actor enlace.User, d enlace.Directive) (enlace.Directive, error) {
	now := x.now().UTC()
	if d.EffectiveAt.IsZero() {
		d.EffectiveAt = now
	}
	rank, err := x.providerRank(ctx, actor, d.From)
	if err != nil {
		return enlace.Directive{}, err
	}
	d.IssuerRank = rank
	if rank == 0 {
		d.IssuerRank = enlace.RankAgency // let Validate report input errors first
	}
	if err := d.Validate(x.vocab); err != nil {
		return enlace.Directive{}, err
	}
	if err := x.checkScopeExists(ctx, "from", d.From); err != nil {
		return enlace.Directive{}, err
	}
	if err := x.checkScopeExists(ctx, "to", d.To); err != nil {
		return enlace.Directive{}, err
	}
	if rank == 0 {
		return enlace.Directive{}, enlace.Errorf(enlace.EForbidden, "only the authority of the issuing nation (or an agency-admin for its own agency) may direct sharing from %s", d.From.Describe())
	}
	d.IssuedBy, d.IssuerAgency, d.IssuerNation, d.IssuedAt = actor.Username, actor.Agency, actor.Nation, now
	d.EffectiveAt = d.EffectiveAt.UTC()
	return x.store.CreateDirective(ctx, d)
}

// Directives lists the directives that concern actor's nation: issued by
// it, or naming it or one of its agencies as the recipient side. The side
// that is cut off is told why.
func (x *Exchange) Directives(ctx context.Context, actor enlace.User) ([]enlace.Directive, error) {
	all, err := x.store.Directives(ctx)
	if err != nil {
		return nil, err
	}
	var out []enlace.Directive
	for _, d := range all {
		if d.IssuerNation == actor.Nation || x.involves(ctx, actor, d.To) {
			out = append(out, d)
		}
	}
	return out, nil
}

// Directive returns one directive by id, under the same visibility as
// Directives.
func (x *Exchange) Directive(ctx context.Context, actor enlace.User, id string) (enlace.Directive, error) {
	d, err := x.store.Directive(ctx, id)
	if err != nil {
		return enlace.Directive{}, err
	}
	if d.IssuerNation != actor.Nation && !x.involves(ctx, actor, d.To) {
		return enlace.Directive{}, enlace.Errorf(enlace.ENotFound, "no directive %s", id)
	}
	return d, nil
}

// ConsentRequest is a holder's request to release a report onward.
type ConsentRequest struct {
	ReportID  string           `json:"report"`
	Recipient string           `json:"recipient"` // agency
	Purposes  []enlace.Purpose `json:"purposes"`
	Note      string           `json:"note,omitempty"`
}

// RequestConsent asks the originator of a report that actor's agency holds
// for consent to release it onward. Actor's agency must be able to read
// the report itself for every purpose it asks for; otherwise the report is
// not found.
func (x *Exchange) RequestConsent(ctx context.Context, actor enlace.User, req ConsentRequest) (enlace.Consent, error) {
	if !actor.Has(enlace.RoleLiaison) && !actor.Has(enlace.RoleAnalyst) {
		return enlace.Consent{}, enlace.Errorf(enlace.EForbidden, "only analysts and liaison officers may ask for consent")
	}
	if len(req.Purposes) == 0 {
		return enlace.Consent{}, enlace.Errorf(enlace.EInvalid, "name at least one purpose")
	}
	for _, p := range req.Purposes {
		if !x.vocab.Known(p) {
			return enlace.Consent{}, enlace.Errorf(enlace.EInvalid, "unknown purpose %q", p)
		}
	}
	if _, err := x.store.Agency(ctx, req.Recipient); err != nil {
		if enlace.ErrorCode(err) == enlace.ENotFound {
			return enlace.Consent{}, enlace.Errorf(enlace.EInvalid, "unknown recipient agency %q", req.Recipient)
		}
		return enlace.Consent{}, err
	}
	if req.Recipient == actor.Agency {
		return enlace.Consent{}, enlace.Errorf(enlace.EInvalid, "the recipient must be a third party")
	}
	pol, err := x.Policy(ctx)
	if err != nil {
		return enlace.Consent{}, err
	}
	r, err := x.report(ctx, req.ReportID)
	if err != nil {
		return enlace.Consent{}, err
	}
	if r.Originator == actor.Agency {
		return enlace.Consent{}, enlace.Errorf(enlace.EInvalid, "an originator needs no consent to share its own report")
	}
	for _, p := range req.Purposes {
		d := pol.Decide(policy.Request{
			Report: policy.Subject{ID: r.ID, Originator: r.Originator, Markings: r.Markings},
			Reader: actor.Agency, Purpose: p, At: x.now().UTC(),
		})
		if !d.Allowed {
			return enlace.Consent{}, enlace.Errorf(enlace.ENotFound, "no report %s", req.ReportID)
		}
	}
	return x.store.CreateConsent(ctx, enlace.Consent{
		ReportID: r.ID, Originator: r.Originator, RequestedBy: actor.Username, Holder: actor.Agency,
		Recipient: req.Recipient, Purposes: req.Purposes, Status: enlace.ConsentRequested,
		Note: req.Note, CreatedAt: x.now().UTC(),
	})
}

// DecideConsent records the originator's answer. Liaison officers and
// agency-admins of the originating agency, and the authority of its
// nation, may answer.
func (x *Exchange) DecideConsent(ctx context.Context, actor enlace.User, id int64, d enlace.ConsentDecision) (enlace.Consent, error) {
	c, err := x.consentFor(ctx, actor, id)
	if err != nil {
		return enlace.Consent{}, err
	}
	rank, err := x.providerRank(ctx, actor, enlace.AgencyScope(c.Originator))
	if err != nil {
		return enlace.Consent{}, err
	}
	if rank == 0 && !(actor.Has(enlace.RoleLiaison) && actor.Agency == c.Originator) {
		return enlace.Consent{}, enlace.Errorf(enlace.EForbidden, "only %s (liaison or agency-admin) or its nation's authority may answer", c.Originator)
	}
	if err := d.Validate(x.vocab, c); err != nil {
		return enlace.Consent{}, err
	}
	if d.ExpiresAt != nil && !d.ExpiresAt.After(x.now()) {
		return enlace.Consent{}, enlace.Errorf(enlace.EInvalid, "expires_at must be in the future")
	}
	return x.store.DecideConsent(ctx, id, d, actor.Username, x.now().UTC())
}

// Consent returns consent id if actor's agency is a party to it, and
// ENotFound otherwise.
func (x *Exchange) Consent(ctx context.Context, actor enlace.User, id int64) (enlace.Consent, error) {
	return x.consentFor(ctx, actor, id)
}

// consentFor returns consent id if actor's agency is a party to it.
func (x *Exchange) consentFor(ctx context.Context, actor enlace.User, id int64) (enlace.Consent, error) {
	c, err := x.store.Consent(ctx, id)
	if err != nil {
		return enlace.Consent{}, err
	}
	nations, err := x.agencyNations(ctx)
	if err != nil {
		return enlace.Consent{}, err
	}
	if !consentParty(actor, c, nations) {
		return enlace.Consent{}, enlace.Errorf(enlace.ENotFound, "no consent %d", id)
	}
	return c, nil
}

// consentParty reports whether actor takes part in c: its agency is the
// originator, the holder or the recipient, or it is the authority or an
// auditor of the originator's nation.
func consentParty(actor enlace.User, c enlace.Consent, nations map[string]string) bool {
	if actor.Agency == c.Originator || actor.Agency == c.Holder || actor.Agency == c.Recipient {
		return true
	}
	national := actor.Has(enlace.RoleAuthority) || actor.Has(enlace.RoleAuditor)
	return national && nations[c.Originator] == actor.Nation
}

// Consents lists the consents actor takes part in.
func (x *Exchange) Consents(ctx context.Context, actor enlace.User) ([]enlace.Consent, error) {
	all, err := x.store.Consents(ctx, "")
	if err != nil {
		return nil, err
	}
	nations, err := x.agencyNations(ctx)
	if err != nil {
		return nil, err
	}
	var out []enlace.Consent
	for _, c := range all {
		if consentParty(actor, c, nations) {
			out = append(out, c)
		}
	}
	return out, nil
}

// Explanation is a decision with what it was about.
type Explanation struct {
	Report    string          `json:"report"`
	Recipient string          `json:"recipient"`
	Purpose   enlace.Purpose  `json:"purpose"`
	At        time.Time       `json:"at"`
	Decision  enlace.Decision `json:"decision"`
	Text      string          `json:"text"`
}

// Explain answers whether recipient may have report for purpose now, and
// which policies decide it. The originating side (the originator agency,
// or its nation's authority, auditors and agency-admins) may ask about any
// recipient; a recipient may ask only about itself and only for a report
// it has received before. Anyone else gets ENotFound.
func (x *Exchange) Explain(ctx context.Context, actor enlace.User, reportID, recipient, purpose string) (Explanation, error) {
	p, err := x.purpose(purpose)
	if err != nil {
		return Explanation{}, err
	}
	if recipient == "" {
		recipient = actor.Agency
	}
	pol, err := x.Policy(ctx)
	if err != nil {
		return Explanation{}, err
	}
	r, err := x.report(ctx, reportID)
	if err != nil {
		return Explanation{}, err
	}
	originSide := actor.Agency == r.Originator ||
		(actor.Nation == r.Nation && (actor.Has(enlace.RoleAuthority) || actor.Has(enlace.RoleAuditor) || actor.Has(enlace.RoleAgencyAdmin)))
	if !originSide {
		known := false
		if recipient == actor.Agency {
			if known, err = x.received(ctx, actor.Agency, r.ID); err != nil {
				return Explanation{}, err
			}
		}
		if !known {
			return Explanation{}, enlace.Errorf(enlace.ENotFound, "no report %s", reportID)
		}
	}
	if _, ok := pol.Party(recipient); !ok {
		return Explanation{}, enlace.Errorf(enlace.EInvalid, "unknown recipient agency %q", recipient)
	}
	consents, err := x.store.Consents(ctx, r.ID)
	if err != nil {
		return Explanation{}, err
	}
	reader := enlace.User{Agency: recipient}
	d, _ := x.decide(pol, reader, r, p, consents)
	return Explanation{Report: r.ID, Recipient: recipient, Purpose: p, At: x.now().UTC(), Decision: d, Text: verdict(d)}, nil
}

func verdict(d enlace.Decision) string {
	if d.Allowed {
		return "allowed: " + d.Explain()
	}
	return "denied: " + d.Explain()
}
