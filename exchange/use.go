package exchange

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/enlace-exchange/enlace"
)

// UseRequest is a use declaration as a recipient makes it.
type UseRequest struct {
	Reports   []string  `json:"reports"`
	Operation string    `json:"operation"`
	Purpose   string    `json:"purpose"`
	PlannedAt time.Time `json:"planned_at"`
	Synthetic bool      `json:"synthetic,omitempty"`
}

// mayUse reports whether actor's roles let it declare uses and outcomes:
// those who work with intelligence, not those who govern or audit it.
func mayUse(u enlace.User) bool { return u.Has(enlace.RoleAnalyst) || u.Has(enlace.RoleLiaison) }

// DeclareUse decides a use declaration like a read of each report for the
// declared purpose, with the same policy decision as Read. A report
// actor's agency may not read and never received is ENotFound, and
// nothing is stored, so a declaration cannot probe for hidden reports.
// When the policy refuses any report the agency did receive, the
// declaration is stored as refused, each originator of a refused report
// (and so its nation's authority) is alerted in the same transaction, and
// the error is EForbidden with the reasons in the returned decision.
// Otherwise the use is stored as accepted, each report's release to the
// agency for the purpose is recorded as a read would record it, and each
// report is tied to the agreement version that allowed it.
func (x *Exchange) DeclareUse(ctx context.Context, actor enlace.User, req UseRequest) (enlace.Use, enlace.Decision, error) {
	if !mayUse(actor) {
		return enlace.Use{}, enlace.Decision{}, enlace.Errorf(enlace.EForbidden, "only analysts and liaison officers declare uses")
	}
	p, err := x.vocab.Parse(req.Purpose)
	if err != nil {
		return enlace.Use{}, enlace.Decision{}, err
	}
	now := x.now().UTC()
	u := enlace.Use{
		Agency: actor.Agency, Nation: actor.Nation, DeclaredBy: actor.Username, Operation: strings.TrimSpace(req.Operation),
		Purpose: p, Status: enlace.UseAccepted, PlannedAt: req.PlannedAt, Synthetic: req.Synthetic, CreatedAt: now,
	}
	if u.PlannedAt.IsZero() {
		u.PlannedAt = now
	}
	for _, id := range req.Reports {
		u.Reports = append(u.Reports, enlace.UseReport{ReportID: id})
	}
	if err := u.Validate(x.vocab); err != nil {
		return enlace.Use{}, enlace.Decision{}, err
	}
	pol, err := x.Policy(ctx)
	if err != nil {
		return enlace.Use{}, enlace.Decision{}, err
	}
	type decided struct {
		r      enlace.Report
		d      enlace.Decision
		holder string
	}
	all := make([]decided, len(u.Reports))
	var refused []decided
	for i, ur := range u.Reports {
		r, err := x.report(ctx, ur.ReportID)
		if err != nil {
			return enlace.Use{}, enlace.Decision{}, err
		}
		consents, err := x.store.Consents(ctx, r.ID)
		if err != nil {
			return enlace.Use{}, enlace.Decision{}, err
		}
		d, holder := x.decide(pol, actor, r, p, consents)
		if !d.Allowed {
			known, err := x.received(ctx, actor.Agency, r.ID)
			if err != nil {
				return enlace.Use{}, enlace.Decision{}, err
			}
			if !known {
				return enlace.Use{}, enlace.Decision{}, enlace.Errorf(enlace.ENotFound, "no report %s", r.ID)
			}
			refused = append(refused, decided{r, d, holder})
		}
		all[i] = decided{r, d, holder}
		u.Reports[i] = enlace.UseReport{ReportID: r.ID, Originator: r.Originator, Nation: r.Nation,
			AgreementID: d.AgreementID, AgreementVersion: d.AgreementVersion}
	}

	if len(refused) > 0 {
		u.Status = enlace.UseRefused
		for i := range u.Reports {
			u.Reports[i].AgreementID, u.Reports[i].AgreementVersion = "", 0
		}
		for _, rd := range refused {
			for _, reason := range rd.d.Reasons {
				if !slices.Contains(u.Reasons, reason) {
					u.Reasons = append(u.Reasons, reason)
				}
			}
		}
		var alerts []enlace.Alert
		for _, g := range byOriginator(refused, func(d decided) enlace.Report { return d.r }) {
			alerts = append(alerts, enlace.Alert{
				Kind: enlace.AlertRefusedUse, Agency: g.originator, Nation: g.nation, ReportID: g.reports[0],
				Text: fmt.Sprintf("%s (%s) declared the use of %d of your reports for %s in operation %q; the exchange refused it: %s",
					actor.Agency, actor.Nation, len(g.reports), p, u.Operation, enlace.Decision{Reasons: u.Reasons}.Explain()),
				Detail: mustJSON(map[string]any{"declarer": actor.Agency, "declarer_nation": actor.Nation, "purpose": p,
					"operation": u.Operation, "reports": g.reports, "reasons": u.Reasons}),
				At: now,
			})
		}
		stored, _, err := x.store.CreateUse(ctx, u, alerts)
		if err != nil {
			return enlace.Use{}, enlace.Decision{}, err
		}
		d := enlace.Decision{Reasons: u.Reasons}
		x.log.Warn("use refused", "use", stored.ID, "agency", actor.Agency, "purpose", p, "alerts", len(alerts))
		return stored, d, enlace.Errorf(enlace.EForbidden, "use %d refused: %s", stored.ID, d.Explain())
	}

	for _, a := range all {
		if err := x.recordRelease(ctx, actor, a.r, p, a.holder, a.d); err != nil {
			return enlace.Use{}, enlace.Decision{}, err
		}
	}
	stored, _, err := x.store.CreateUse(ctx, u, nil)
	if err != nil {
		return enlace.Use{}, enlace.Decision{}, err
	}
	d := enlace.Decision{Allowed: true}
	for _, a := range all {
		for _, reason := range a.d.Reasons {
			if !slices.Contains(d.Reasons, reason) {
				d.Reasons = append(d.Reasons, reason)
			}
		}
	}
	return stored, d, nil
}

// originatorGroup is the reports of one originator agency.
type originatorGroup struct {
	originator, nation string
	reports            []string
}

// byOriginator groups items by their report's originator, in first
// appearance order.
func byOriginator[T any](items []T, report func(T) enlace.Report) []originatorGroup {
	var out []originatorGroup
	at := map[string]int{}
	for _, it := range items {
		r := report(it)
		i, ok := at[r.Originator]
		if !ok {
			i = len(out)
			at[r.Originator] = i
			out = append(out, originatorGroup{originator: r.Originator, nation: r.Nation})
		}
		if !slices.Contains(out[i].reports, r.ID) {
			out[i].reports = append(out[i].reports, r.ID)
		}
	}
	return out
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps of strings and domain values reach here
	}
	return b
}

// visible returns the agencies whose records actor may see as a party:
// its own agency and, for an authority or auditor, every agency of its
// nation.
func (x *Exchange) visible(ctx context.Context, actor enlace.User) ([]string, error) {
	if !actor.Has(enlace.RoleAuthority) && !actor.Has(enlace.RoleAuditor) {
		return []string{actor.Agency}, nil
	}
	nations, err := x.agencyNations(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for a, n := range nations {
		if n == actor.Nation {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return out, nil
}

// redact returns u as a party in vis may see it: whole when vis holds the
// declarer; otherwise only the reports vis originated, and the reasons
// only if no report was left out (a reason may speak of another
// originator's terms).
func redact(u enlace.Use, vis []string) enlace.Use {
	if slices.Contains(vis, u.Agency) {
		return u
	}
	var keep []enlace.UseReport
	for _, r := range u.Reports {
		if slices.Contains(vis, r.Originator) {
			keep = append(keep, r)
		}
	}
	if len(keep) != len(u.Reports) {
		u.Reasons = nil
	}
	u.Reports = keep
	return u
}

// Uses lists the uses actor may see: those its agency declared and those
// drawing on reports its agency originated (an authority or auditor: its
// nation's agencies), each redacted to what the viewer may know.
func (x *Exchange) Uses(ctx context.Context, actor enlace.User, f enlace.UseFilter) ([]enlace.Use, error) {
	vis, err := x.visible(ctx, actor)
	if err != nil {
		return nil, err
	}
	f.Party = vis
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	us, err := x.store.Uses(ctx, f)
	if err != nil {
		return nil, err
	}
	for i := range us {
		us[i] = redact(us[i], vis)
	}
	return us, nil
}

// Use returns use id as Uses would show it. ENotFound if actor may not
// see it.
func (x *Exchange) Use(ctx context.Context, actor enlace.User, id int64) (enlace.Use, error) {
	vis, err := x.visible(ctx, actor)
	if err != nil {
		return enlace.Use{}, err
	}
	u, err := x.store.Use(ctx, id)
	if err != nil {
		if enlace.ErrorCode(err) == enlace.ENotFound {
			return enlace.Use{}, enlace.Errorf(enlace.ENotFound, "no use %d", id)
		}
		return enlace.Use{}, err
	}
	u = redact(u, vis)
	if !slices.Contains(vis, u.Agency) && len(u.Reports) == 0 {
		return enlace.Use{}, enlace.Errorf(enlace.ENotFound, "no use %d", id)
	}
	return u, nil
}

// OutcomeRequest is an outcome as the using agency reports it. Corrects
// names the outcome version it replaces; Use may then be omitted.
type OutcomeRequest struct {
	Use             int64     `json:"use"`
	Corrects        int64     `json:"corrects,omitempty"`
	Kind            string    `json:"kind"`
	Substance       string    `json:"substance,omitempty"`
	QuantityKg      float64   `json:"quantity_kg,omitempty"`
	PersonsDetained int       `json:"persons_detained,omitempty"`
	Casualties      int       `json:"casualties,omitempty"`
	Vessel          string    `json:"vessel,omitempty"`
	Location        string    `json:"location,omitempty"`
	OccurredAt      time.Time `json:"occurred_at"`
	Synthetic       bool      `json:"synthetic,omitempty"`
}

// ReportOutcome records what came of a use of actor's agency, or a
// correction of an outcome it reported. A use of another agency is
// ENotFound. A lethal outcome (a strike, or casualties) of intelligence
// whose agreement version, or whose markings, prohibit lethal targeting
// raises a violation alert to each such originator agency and so to its
// nation's authority, in the outcome's transaction; the alerted agencies
// are returned.
func (x *Exchange) ReportOutcome(ctx context.Context, actor enlace.User, req OutcomeRequest) (enlace.Outcome, []string, error) {
	if !mayUse(actor) {
		return enlace.Outcome{}, nil, enlace.Errorf(enlace.EForbidden, "only analysts and liaison officers report outcomes")
	}
	if req.Corrects != 0 {
		prev, err := x.store.Outcome(ctx, req.Corrects)
		if err != nil || prev.Agency != actor.Agency {
			if err == nil || enlace.ErrorCode(err) == enlace.ENotFound {
				return enlace.Outcome{}, nil, enlace.Errorf(enlace.ENotFound, "no outcome %d of your agency", req.Corrects)
			}
			return enlace.Outcome{}, nil, err
		}
		if req.Use == 0 {
			req.Use = prev.UseID
		}
	}
	u, err := x.store.Use(ctx, req.Use)
	if err != nil || u.Agency != actor.Agency {
		if err == nil || enlace.ErrorCode(err) == enlace.ENotFound {
			return enlace.Outcome{}, nil, enlace.Errorf(enlace.ENotFound, "no use %d of your agency", req.Use)
		}
		return enlace.Outcome{}, nil, err
	}
	now := x.now().UTC()
	o := enlace.Outcome{
		UseID: u.ID, Corrects: req.Corrects, Agency: u.Agency, Nation: u.Nation, Kind: req.Kind, Substance: req.Substance,
		QuantityKg: req.QuantityKg, PersonsDetained: req.PersonsDetained, Casualties: req.Casualties, Vessel: req.Vessel,
		Location: req.Location, OccurredAt: req.OccurredAt, ReportedBy: actor.Username, Synthetic: req.Synthetic, CreatedAt: now,
	}
	if err := o.Validate(); err != nil {
		return enlace.Outcome{}, nil, err
	}
	if u.Status != enlace.UseAccepted {
		return enlace.Outcome{}, nil, enlace.Errorf(enlace.EInvalid, "use %d was refused: nothing may come of it", u.ID)
	}
	alerts, err := x.safeguards(ctx, u, o, now)
	if err != nil {
		return enlace.Outcome{}, nil, err
	}
	stored, raised, err := x.store.CreateOutcome(ctx, o, alerts)
	if err != nil {
		return enlace.Outcome{}, nil, err
	}
	var alerted []string
	for _, a := range raised {
		alerted = append(alerted, a.Agency)
	}
	if len(raised) > 0 {
		x.log.Warn("violation: lethal outcome of restricted intelligence", "outcome", stored.ID, "use", u.ID, "alerted", alerted)
	}
	return stored, alerted, nil
}

// safeguards returns the violation alerts a lethal outcome o of use u
// raises: one per originator agency whose report came under an agreement
// version, or carries markings, that prohibit lethal targeting (military
// action covers it). Reports the use drew on through lineage count too,
// by their markings and by the terms of their releases to the declaring
// agency.
func (x *Exchange) safeguards(ctx context.Context, u enlace.Use, o enlace.Outcome, now time.Time) ([]enlace.Alert, error) {
	if !o.Lethal() {
		return nil, nil
	}
	type hit struct {
		r   enlace.Report
		why []string
	}
	var hits []hit
	versions := map[string][]enlace.Agreement{}
	prohibits := func(agreement string, version int) (string, error) {
		vs, ok := versions[agreement]
		if !ok {
			var err error
			if vs, err = x.store.AgreementVersions(ctx, agreement); err != nil {
				return "", err
			}
			versions[agreement] = vs
		}
		for _, a := range vs {
			if a.Version == version && x.vocab.CoveredByAny(a.ProhibitedPurposes, enlace.PurposeLethalTargeting) {
				return fmt.Sprintf("agreement %s v%d prohibits %v", a.ID, a.Version, a.ProhibitedPurposes), nil
			}
		}
		return "", nil
	}
	check := func(r enlace.Report, terms map[string]int) error {
		var why []string
		for _, k := range slices.Sorted(maps.Keys(terms)) {
			w, err := prohibits(k, terms[k])
			if err != nil {
				return err
			}
			if w != "" {
				why = append(why, w)
			}
		}
		if x.vocab.CoveredByAny(r.Markings.UseRestriction.ProhibitedPurposes, enlace.PurposeLethalTargeting) {
			why = append(why, fmt.Sprintf("its markings prohibit %v", r.Markings.UseRestriction.ProhibitedPurposes))
		}
		if len(why) > 0 {
			hits = append(hits, hit{r, why})
		}
		return nil
	}
	load := func(id string) (enlace.LineageNode, bool, error) {
		r, err := x.store.Report(ctx, id)
		if enlace.ErrorCode(err) == enlace.ENotFound {
			return enlace.LineageNode{}, false, nil
		}
		return enlace.LineageNode{ID: r.ID, Originator: r.Originator, Nation: r.Nation, DerivedFrom: r.DerivedFrom}, err == nil, err
	}
	ancestors := map[string]bool{}
	for _, ur := range u.Reports {
		r, err := x.store.Report(ctx, ur.ReportID)
		if err != nil {
			return nil, err
		}
		terms := map[string]int{}
		if ur.AgreementID != "" {
			terms[ur.AgreementID] = ur.AgreementVersion
		}
		if err := check(r, terms); err != nil {
			return nil, err
		}
		credits, err := enlace.LineageCredits(r.ID, load)
		if err != nil {
			return nil, err
		}
		for _, c := range credits {
			if !c.Direct {
				ancestors[c.ReportID] = true
			}
		}
	}
	// Reports the use drew on through lineage: their markings, and the
	// terms of any release of them to the declaring agency.
	for _, id := range slices.Sorted(maps.Keys(ancestors)) {
		if slices.ContainsFunc(u.Reports, func(ur enlace.UseReport) bool { return ur.ReportID == id }) {
			continue
		}
		r, err := x.store.Report(ctx, id)
		if err != nil {
			return nil, err
		}
		rels, err := x.store.Releases(ctx, enlace.ReleaseFilter{ReportID: id, Recipient: u.Agency})
		if err != nil {
			return nil, err
		}
		terms := map[string]int{}
		for _, rel := range rels {
			if rel.AgreementID != "" {
				terms[rel.AgreementID] = max(terms[rel.AgreementID], rel.AgreementVersion)
			}
		}
		if err := check(r, terms); err != nil {
			return nil, err
		}
	}
	var alerts []enlace.Alert
	for _, g := range byOriginator(hits, func(h hit) enlace.Report { return h.r }) {
		var why []string
		for _, h := range hits {
			if h.r.Originator == g.originator {
				for _, w := range h.why {
					why = append(why, h.r.ID+": "+w)
				}
			}
		}
		what := o.Kind
		if o.Casualties > 0 {
			what = fmt.Sprintf("%s with %d casualties", o.Kind, o.Casualties)
		}
		alerts = append(alerts, enlace.Alert{
			Kind: enlace.AlertViolation, Agency: g.originator, Nation: g.nation, ReportID: g.reports[0],
			Text: fmt.Sprintf("%s (%s) reported a %s in operation %q, a use declared for %s of %d of your reports whose terms prohibit lethal targeting",
				u.Agency, u.Nation, what, u.Operation, u.Purpose, len(g.reports)),
			Detail: mustJSON(map[string]any{"use": u.ID, "declarer": u.Agency, "declarer_nation": u.Nation, "kind": o.Kind,
				"casualties": o.Casualties, "occurred_at": o.OccurredAt.UTC(), "reports": g.reports, "terms": why}),
			At: now,
		})
	}
	return alerts, nil
}

// Outcomes lists the outcome versions of uses actor may see (see Uses).
func (x *Exchange) Outcomes(ctx context.Context, actor enlace.User, f enlace.OutcomeFilter) ([]enlace.Outcome, error) {
	vis, err := x.visible(ctx, actor)
	if err != nil {
		return nil, err
	}
	f.Party = vis
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	return x.store.Outcomes(ctx, f)
}
