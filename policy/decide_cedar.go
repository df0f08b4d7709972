package policy

import (
	"fmt"
	"slices"

	cedar "github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"

	"github.com/enlace-exchange/enlace"
)

// DecideCedar answers r by evaluating the Cedar policy set (Text) with
// cedar-go. A direct release is one Cedar request; an onward release is
// three (the holder's own release, the release onward, and the reach from
// the originator), all of which must allow.
//
// Denial reasons come from the forbid policies Cedar names in its
// diagnostics; the agreement is the first, in decision order, of the
// permits it names. Reinstatements that lifted a suspension leave no trace
// in Cedar's diagnostics (the forbid simply does not apply), so allowed
// decisions name them from the compiled form.
func (p *Policy) DecideCedar(r Request) enlace.Decision {
	rs := p.resolve(&r)
	if rs.deny != nil {
		return *rs.deny
	}
	ev := p.newCedarEval(&r)
	if rs.h < 0 {
		res := ev.run(rs.r, rs.o, actRelease, "", nil)
		if !res.allowed {
			return p.denial(res.deny, res.dirs)
		}
		if res.own || res.agr < 0 {
			return enlace.Decision{Allowed: true, Reasons: p.own[rs.o]}
		}
		a := &p.agrs[res.agr]
		reasons := []enlace.Reason{a.allow}
		for _, l := range p.edgeFor(rs.o, rs.r, rs.pu).at(r.At).lifts {
			reasons = append(reasons, p.dirs[l].lift)
		}
		if res.consent != nil {
			reasons = append(reasons, consentReason(res.consent))
		}
		return enlace.Decision{Allowed: true, Reasons: reasons, AgreementID: a.ID, AgreementVersion: a.Version}
	}

	hold := ev.run(rs.h, rs.o, actRelease, "", nil)
	received := ""
	var under *agreement
	if hold.allowed && hold.agr >= 0 {
		under = &p.agrs[hold.agr]
		received = under.Onward
	}
	hop := ev.run(rs.r, rs.h, actReleaseOnward, received, under)
	reach := ev.run(rs.r, rs.o, actReach, "", nil)
	if !hold.allowed || !hop.allowed || !reach.allowed {
		return p.denial(append(append(hold.deny, hop.deny...), reach.deny...), append(append(hold.dirs, hop.dirs...), reach.dirs...))
	}
	a := &p.agrs[hop.agr]
	reasons := []enlace.Reason{a.allow, under.allow}
	var lifted []int32
	for _, e := range [][3]int32{{rs.h, rs.r}, {rs.o, rs.h}, {rs.o, rs.r}} {
		lifted = append(lifted, p.edgeFor(e[0], e[1], rs.pu).at(r.At).lifts...)
	}
	slices.Sort(lifted)
	for _, l := range slices.Compact(lifted) {
		reasons = append(reasons, p.dirs[l].lift)
	}
	for _, c := range []*enlace.Consent{hold.consent, hop.consent} {
		if c != nil {
			reasons = append(reasons, consentReason(c))
		}
	}
	return enlace.Decision{Allowed: true, Reasons: reasons, AgreementID: a.ID, AgreementVersion: a.Version}
}

// cedarEval holds what the Cedar requests about one report share.
type cedarEval struct {
	p        *Policy
	r        *Request
	entities cedarEntities
	purpose  types.EntityUID
	now      types.Datetime
	nowNS    types.Long
}

// cedarEntities serves the static entities and the report.
type cedarEntities struct {
	statics cedar.EntityMap
	report  types.Entity
}

// Get implements types.EntityGetter.
func (e *cedarEntities) Get(uid types.EntityUID) (types.Entity, bool) {
	if uid == e.report.UID {
		return e.report, true
	}
	ent, ok := e.statics[uid]
	return ent, ok
}

func (p *Policy) newCedarEval(r *Request) *cedarEval {
	m := &r.Report.Markings
	handling := make([]types.Value, len(m.Handling))
	for i, h := range m.Handling {
		handling[i] = types.String(h.Key())
	}
	recipients := make([]types.Value, len(m.Recipients))
	for i, a := range m.Recipients {
		recipients[i] = agencyUID(a)
	}
	purposes := func(ps []enlace.Purpose) types.Set {
		vs := make([]types.Value, len(ps))
		for i, pu := range ps {
			vs[i] = purposeUID(pu)
		}
		return types.NewSet(vs...)
	}
	uid := types.NewEntityUID(typeReport, types.String(r.Report.ID))
	report := types.Entity{UID: uid, Attributes: types.NewRecord(types.RecordMap{
		"originator":          agencyUID(r.Report.Originator),
		"tlp":                 types.Long(m.TLP),
		"handling":            types.NewSet(handling...),
		"recipients":          types.NewSet(recipients...),
		"allowed_purposes":    purposes(m.UseRestriction.AllowedPurposes),
		"prohibited_purposes": purposes(m.UseRestriction.ProhibitedPurposes),
		"onward":              types.String(m.UseRestriction.Onward),
		"no_judicial_use":     types.Boolean(m.UseRestriction.NoJudicialUse),
	})}
	return &cedarEval{
		p:        p,
		r:        r,
		entities: cedarEntities{statics: p.statics, report: report},
		purpose:  purposeUID(r.Purpose),
		now:      types.NewDatetime(r.At),
		nowNS:    types.Long(subMilli(r.At)),
	}
}

// cedarRun is the outcome of one Cedar request.
type cedarRun struct {
	allowed bool
	own     bool            // allowed as the reader's own report
	agr     int             // the agreement that allowed it, -1 for none (own report, reach)
	consent *enlace.Consent // the consent the decision needed, if any
	deny    []enlace.Reason
	dirs    []int32
}

func (e *cedarEval) authorize(reader, source int32, action types.String, consent bool, received string) (cedar.Decision, cedar.Diagnostic) {
	req := cedar.Request{
		Principal: agencyUID(e.p.parties[reader].Agency),
		Action:    types.NewEntityUID(typeAction, action),
		Resource:  e.entities.report.UID,
		Context: types.NewRecord(types.RecordMap{
			"purpose":         e.purpose,
			"now":             e.now,
			"now_ns":          e.nowNS,
			"source":          agencyUID(e.p.parties[source].Agency),
			"consent":         types.Boolean(consent),
			"received_onward": types.String(received),
		}),
	}
	return cedar.Authorize(e.p.cedar, &e.entities, req)
}

// run asks Cedar whether source may hand the report to reader. under is
// the agreement the holder received the report under, for the words of an
// onward denial.
func (e *cedarEval) run(reader, source int32, action types.String, received string, under *agreement) cedarRun {
	p, r := e.p, e.r
	c := p.consentFor(r.Consents, p.parties[reader].Agency, r.Purpose, r.At)
	dec, diag := e.authorize(reader, source, action, c != nil, received)
	res := cedarRun{agr: -1}
	if len(diag.Errors) > 0 {
		// A policy that cannot be evaluated must not let anything through.
		for _, de := range diag.Errors {
			res.deny = append(res.deny, enlace.Reason{Policy: string(de.PolicyID), Text: "policy error: " + de.Message})
		}
		return res
	}
	if dec == cedar.Allow {
		res.allowed = true
		for _, dr := range diag.Reasons {
			if dr.PolicyID == polOwn {
				res.own = true
			}
			if m := p.cedarMeta[dr.PolicyID]; m.agreement >= 0 && (res.agr < 0 || m.agreement < res.agr) {
				res.agr = m.agreement
			}
		}
		if c != nil {
			// The consent was used if the decision falls without it.
			if d2, _ := e.authorize(reader, source, action, false, received); d2 == cedar.Deny {
				res.consent = c
			}
		}
		return res
	}
	readerName, sourceName := p.parties[reader].Agency, p.parties[source].Agency
	m := &r.Report.Markings
	rule := m.UseRestriction.Onward
	if rule == "" {
		rule = received
	}
	for _, dr := range diag.Reasons {
		if meta, ok := p.cedarMeta[dr.PolicyID]; ok && meta.directive >= 0 {
			res.dirs = append(res.dirs, int32(meta.directive))
			continue
		}
		var why enlace.Reason
		switch dr.PolicyID {
		case polProhibited:
			why = prohibitedReason(r.Purpose)
		case polAllowedOnly:
			why = allowedOnlyReason(m.UseRestriction.AllowedPurposes, r.Purpose)
		case polH0:
			why = h0Reason(r.Purpose)
		case polH1:
			why = h1Reason(readerName, r.Report.Originator)
		case polNoJudicial:
			why = noJudicialReason(readerName, r.Report.Originator)
		case polRed:
			why = redReason(readerName)
		case polAmberStrict:
			why = amberStrictReason(readerName)
		case polOnwardAmber:
			why = onwardAmberReason(sourceName, readerName)
		case polOnwardRule:
			if m.UseRestriction.Onward != "" {
				under = nil
			}
			why = onwardRuleReason(sourceName, under)
		case polOnwardConsent:
			why = onwardConsentReason(sourceName, readerName, r.Report.Originator, handlingMask(m.Handling), rule)
		default:
			why = enlace.Reason{Policy: string(dr.PolicyID), Text: fmt.Sprintf("denied by %s", dr.PolicyID)}
		}
		res.deny = append(res.deny, why)
	}
	if len(diag.Reasons) == 0 {
		res.deny = append(res.deny, p.noAgreementReason(p.parties[source], p.parties[reader], r.Purpose, r.At, m, action == actReleaseOnward))
	}
	return res
}
