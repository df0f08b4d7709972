package exchange

import (
	"context"
	"slices"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/policy"
	"github.com/enlace-exchange/enlace/stix"
)

// CreateReport stores a report originated by actor's agency. Analysts and
// liaison officers write intelligence; others do not.
func (x *Exchange) CreateReport(ctx context.Context, actor enlace.User, r enlace.Report) (enlace.Report, error) {
	if !actor.Has(enlace.RoleAnalyst) && !actor.Has(enlace.RoleLiaison) {
		return enlace.Report{}, enlace.Errorf(enlace.EForbidden, "only analysts and liaison officers may submit reports")
	}
	now := x.now().UTC()
	r.Originator, r.Nation, r.CreatedBy, r.CreatedAt = actor.Agency, actor.Nation, actor.Username, now
	if r.Published.IsZero() {
		r.Published = now
	}
	if err := r.Validate(x.vocab); err != nil {
		return enlace.Report{}, err
	}
	for i, o := range r.Objects {
		if _, err := stix.Parse(o); err != nil {
			return enlace.Report{}, enlace.Errorf(enlace.EInvalid, "objects[%d]: %s", i, enlace.ErrorMessage(err))
		}
	}
	for _, d := range r.DerivedFrom {
		// A report may derive only from reports its agency holds or may
		// read: its own, ones released to it, ones the policy would
		// release to it now. Any other id gets the answer a missing one
		// gets, so submitting cannot probe for hidden reports.
		src, err := x.store.Report(ctx, d)
		if err != nil && enlace.ErrorCode(err) != enlace.ENotFound {
			return enlace.Report{}, err
		}
		held := err == nil && src.Originator == actor.Agency
		if err == nil && !held {
			if held, err = x.received(ctx, actor.Agency, d); err != nil {
				return enlace.Report{}, err
			}
		}
		if err == nil && !held {
			if held, err = x.readable(ctx, actor, src); err != nil {
				return enlace.Report{}, err
			}
		}
		if !held {
			return enlace.Report{}, enlace.Errorf(enlace.EInvalid, "derived_from: no report %s", d)
		}
	}
	created, err := x.store.CreateReport(ctx, r)
	if err != nil {
		return enlace.Report{}, err
	}
	// The report is stored whatever screening finds; a hit is an alert to
	// its originator, not a reason to refuse intelligence.
	if _, err := x.screenObjects(ctx, created.ID, created.Originator, created.Nation, created.Objects); err != nil {
		x.log.ErrorContext(ctx, "screen new report", "report", created.ID, "err", err)
	}
	return created, nil
}

// canReadIntelligence reports whether actor's roles let it read reports
// at all: auditors see the ledger and accounting, not intelligence.
func canReadIntelligence(u enlace.User) bool {
	return slices.ContainsFunc(u.Roles, func(r enlace.Role) bool { return r != enlace.RoleAuditor })
}

// Read returns report id to actor for the declared purpose, recording the
// release if it is the first for that agency and purpose. A report actor's
// agency has never received is ENotFound when denied, so its existence
// stays hidden; a report it did receive before is EForbidden, with the
// policy's reasons.
func (x *Exchange) Read(ctx context.Context, actor enlace.User, id, purpose string) (enlace.Report, enlace.Decision, error) {
	g, err := x.authorizeRead(ctx, actor, id, purpose)
	if err != nil {
		return enlace.Report{}, g.decision, err
	}
	if err := x.recordRelease(ctx, actor, g.report, g.purpose, g.holder, g.decision); err != nil {
		return enlace.Report{}, enlace.Decision{}, err
	}
	return g.report, g.decision, nil
}

// readGrant is what authorizeRead found.
type readGrant struct {
	report   enlace.Report
	purpose  enlace.Purpose
	decision enlace.Decision
	holder   string // the onward releaser, "" for a direct release
}

// authorizeRead decides whether actor may read report id for the
// declared purpose, with Read's errors: ENotFound for a report its agency
// never received, EForbidden (and the decision's reasons) for one it did.
func (x *Exchange) authorizeRead(ctx context.Context, actor enlace.User, id, purpose string) (readGrant, error) {
	p, err := x.purpose(purpose)
	if err != nil {
		return readGrant{}, err
	}
	pol, err := x.Policy(ctx)
	if err != nil {
		return readGrant{}, err
	}
	r, err := x.report(ctx, id)
	if err != nil {
		return readGrant{}, err
	}
	consents, err := x.store.Consents(ctx, r.ID)
	if err != nil {
		return readGrant{}, err
	}
	d, holder := x.decide(pol, actor, r, p, consents)
	if !canReadIntelligence(actor) {
		d = enlace.Decision{Reasons: []enlace.Reason{{Policy: "role", Text: "auditors read the ledger and accounting, not intelligence"}}}
	}
	if !d.Allowed {
		known, err := x.received(ctx, actor.Agency, r.ID)
		if err != nil {
			return readGrant{}, err
		}
		if !known {
			return readGrant{}, enlace.Errorf(enlace.ENotFound, "no report %s", id)
		}
		return readGrant{decision: d}, enlace.Errorf(enlace.EForbidden, "%s", d.Explain())
	}
	return readGrant{report: r, purpose: p, decision: d, holder: holder}, nil
}

// Page is one page of reports and the cursor for the next.
type Page struct {
	Reports []enlace.Report
	Next    int64 // 0: no more
}

// List returns the reports actor may read for the declared purpose, in
// arrival order after the cursor. Reports it may not read are skipped
// without trace: the page holds fewer, never a hint.
func (x *Exchange) List(ctx context.Context, actor enlace.User, purpose string, f enlace.ReportFilter) (Page, error) {
	p, err := x.purpose(purpose)
	if err != nil {
		return Page{}, err
	}
	pol, err := x.Policy(ctx)
	if err != nil {
		return Page{}, err
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	if !canReadIntelligence(actor) {
		return Page{}, nil
	}
	byReport, err := x.consentsFor(ctx, actor)
	if err != nil {
		return Page{}, err
	}
	var out Page
	scan := f
	scan.Limit = 1000
	for {
		batch, err := x.store.Reports(ctx, scan)
		if err != nil {
			return Page{}, err
		}
		for _, r := range batch {
			d, holder := x.decide(pol, actor, r, p, byReport[r.ID])
			if !d.Allowed {
				continue
			}
			if len(out.Reports) == limit {
				out.Next = out.Reports[limit-1].Seq
				return out, nil
			}
			if err := x.recordRelease(ctx, actor, r, p, holder, d); err != nil {
				return Page{}, err
			}
			out.Reports = append(out.Reports, r)
		}
		if len(batch) < scan.Limit {
			return out, nil
		}
		scan.AfterSeq = batch[len(batch)-1].Seq
	}
}

// decide asks the policy for the direct release first and then for an
// onward release through each holder that asked the originator's consent
// for this reader. It returns the decision and the holder ("" for direct).
func (x *Exchange) decide(pol *policy.Policy, actor enlace.User, r enlace.Report, p enlace.Purpose, consents []enlace.Consent) (enlace.Decision, string) {
	return x.decideSubject(pol, actor, policy.Subject{ID: r.ID, Originator: r.Originator, Markings: r.Markings}, p, consents)
}

// decideSubject is decide for a report known by its policy subject.
func (x *Exchange) decideSubject(pol *policy.Policy, actor enlace.User, s policy.Subject, p enlace.Purpose, consents []enlace.Consent) (enlace.Decision, string) {
	req := policy.Request{
		Report:   s,
		Reader:   actor.Agency,
		Purpose:  p,
		At:       x.now().UTC(),
		Consents: consents,
	}
	d := pol.Decide(req)
	if d.Allowed {
		return d, ""
	}
	tried := map[string]bool{}
	for _, c := range consents {
		if c.Recipient != actor.Agency || c.Status != enlace.ConsentGranted || tried[c.Holder] {
			continue
		}
		tried[c.Holder] = true
		req.Holder = c.Holder
		if od := pol.Decide(req); od.Allowed {
			return od, c.Holder
		}
	}
	return d, ""
}

// readable reports whether the policy would release r to actor's agency
// now for some purpose: then its existence is no secret from actor.
func (x *Exchange) readable(ctx context.Context, actor enlace.User, r enlace.Report) (bool, error) {
	pol, err := x.Policy(ctx)
	if err != nil {
		return false, err
	}
	consents, err := x.store.Consents(ctx, r.ID)
	if err != nil {
		return false, err
	}
	for _, p := range x.vocab.Purposes() {
		if d, _ := x.decide(pol, actor, r, p, consents); d.Allowed {
			return true, nil
		}
	}
	return false, nil
}

// received reports whether agency was ever released report id, and so
// knows that it exists.
func (x *Exchange) received(ctx context.Context, agency, id string) (bool, error) {
	rs, err := x.store.Releases(ctx, enlace.ReleaseFilter{ReportID: id, Recipient: agency, Limit: 1})
	if err != nil {
		return false, err
	}
	return len(rs) > 0, nil
}

// recordRelease writes the release of r to actor's agency for p unless
// one already stands for that agency, purpose and releaser. Reading one's
// own report releases nothing.
func (x *Exchange) recordRelease(ctx context.Context, actor enlace.User, r enlace.Report, p enlace.Purpose, holder string, d enlace.Decision) error {
	if actor.Agency == r.Originator {
		return nil
	}
	return x.recordReleases(ctx, []enlace.Release{x.release(actor, r.ID, r.Originator, p, holder, d)})
}

// release returns the release of a report to actor's agency for p, by
// its originator or, for an onward release, by holder.
func (x *Exchange) release(actor enlace.User, report, originator string, p enlace.Purpose, holder string, d enlace.Decision) enlace.Release {
	releaser := originator
	if holder != "" {
		releaser = holder
	}
	return enlace.Release{
		ReportID:         report,
		Originator:       originator,
		Releaser:         releaser,
		Recipient:        actor.Agency,
		RecipientNation:  actor.Nation,
		Purpose:          p,
		AgreementID:      d.AgreementID,
		AgreementVersion: d.AgreementVersion,
		Policies:         d.Policies(),
		At:               x.now().UTC(),
	}
}

// releaseKey identifies a release for recordReleases: a report goes to a
// recipient for a purpose through a releaser once.
func releaseKey(r enlace.Release) string {
	return r.ReportID + "|" + r.Recipient + "|" + string(r.Purpose) + "|" + r.Releaser
}

// recordReleases writes those of rs that do not stand yet, with their
// ledger entries, in one transaction. Releases are never deleted, so the
// keys of those known to stand are remembered and not asked for again.
func (x *Exchange) recordReleases(ctx context.Context, rs []enlace.Release) error {
	var missing []enlace.Release
	for _, r := range rs {
		if !x.released.has(releaseKey(r)) {
			missing = append(missing, r)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	ids := make([]string, 0, len(missing))
	for _, r := range missing {
		ids = append(ids, r.ReportID)
	}
	prior, err := x.store.Releases(ctx, enlace.ReleaseFilter{ReportIDs: ids, Recipient: missing[0].Recipient})
	if err != nil {
		return err
	}
	stands := map[string]bool{}
	for _, r := range prior {
		stands[releaseKey(r)] = true
		x.released.add(releaseKey(r))
	}
	var create []enlace.Release
	for _, r := range missing {
		if !stands[releaseKey(r)] {
			stands[releaseKey(r)] = true
			create = append(create, r)
		}
	}
	if len(create) == 0 {
		return nil
	}
	if _, err := x.store.CreateReleases(ctx, create); err != nil {
		return err
	}
	for _, r := range create {
		x.released.add(releaseKey(r))
	}
	return nil
}

// report loads report id, with the message a partner may read when it
// does not exist.
func (x *Exchange) report(ctx context.Context, id string) (enlace.Report, error) {
	r, err := x.store.Report(ctx, id)
	if enlace.ErrorCode(err) == enlace.ENotFound {
		return enlace.Report{}, enlace.Errorf(enlace.ENotFound, "no report %s", id)
	}
	return r, err
}

// purpose checks a declared purpose.
func (x *Exchange) purpose(s string) (enlace.Purpose, error) {
	if s == "" {
		return "", enlace.Errorf(enlace.EInvalid, "declare the purpose of this read (the Enlace-Purpose header; one of %v)", x.vocab.Purposes())
	}
	return x.vocab.Parse(s)
}

// Releases lists releases actor may see: those of reports its agency
// originated and those made to its agency. An authority or auditor sees
// every release from or to its nation.
func (x *Exchange) Releases(ctx context.Context, actor enlace.User, f enlace.ReleaseFilter) ([]enlace.Release, error) {
	all, err := x.store.Releases(ctx, f)
	if err != nil {
		return nil, err
	}
	agencies, err := x.agencyNations(ctx)
	if err != nil {
		return nil, err
	}
	national := actor.Has(enlace.RoleAuthority) || actor.Has(enlace.RoleAuditor)
	out := all[:0]
	for _, r := range all {
		mine := r.Originator == actor.Agency || r.Recipient == actor.Agency || r.Releaser == actor.Agency
		if national {
			mine = mine || agencies[r.Originator] == actor.Nation || r.RecipientNation == actor.Nation
		}
		if mine {
			out = append(out, r)
		}
	}
	return out, nil
}

func (x *Exchange) agencyNations(ctx context.Context) (map[string]string, error) {
	as, err := x.store.Agencies(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(as))
	for _, a := range as {
		m[a.ID] = a.Nation
	}
	return m, nil
}
