package exchange

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/policy"
)

// SharingState says how one provider shares with one recipient at a time.
type SharingState string

// The states of a sharing relationship.
const (
	SharingNone       SharingState = "none"       // no agreement in force covers the pair
	SharingActive     SharingState = "active"     // every purpose the agreements allow is open
	SharingSuspended  SharingState = "suspended"  // directives close every purpose the agreements allow
	SharingRestricted SharingState = "restricted" // directives leave only some purposes open
	SharingMixed      SharingState = "mixed"      // a nation pair whose agency pairs differ
	SharingHidden     SharingState = "hidden"     // a relationship between two other nations
)

// SharingCell is the state of sharing from one nation or agency to
// another, with the directives and agreements behind it.
type SharingCell struct {
	From, To enlace.Scope
	State    SharingState
	// Open lists the purposes still open, each only once: a purpose whose
	// parent is open is implied.
	Open []enlace.Purpose
	// Closed lists the purposes an agreement allows that directives close.
	Closed []enlace.Purpose
	// Directives names the directives that decide the state: suspensions
	// in force and the reinstatements that lifted them ("D-1", "D-2").
	Directives []string
	// Agreements names the agreement versions that open it ("AG-1 v1").
	Agreements []string
}

// Label is the cell in a few words: "active", "suspended",
// "restricted: seizure", "no agreement".
func (c SharingCell) Label() string {
	switch c.State {
	case SharingNone:
		return "no agreement"
	case SharingRestricted:
		ps := make([]string, len(c.Open))
		for i, p := range c.Open {
			ps[i] = string(p)
		}
		return "restricted: " + strings.Join(ps, ", ")
	}
	return string(c.State)
}

// SharingMatrix is who shares with whom at a time: nation to nation, and
// agency to agency beneath.
type SharingMatrix struct {
	At       time.Time
	Nations  []enlace.Nation
	Agencies []enlace.Agency
	cells    map[[2]enlace.Scope]SharingCell
}

// Cell returns the cell from one scope (nation or agency) to another of
// the same kind. A pair inside one nation or agency is SharingNone.
func (m SharingMatrix) Cell(from, to enlace.Scope) SharingCell {
	if c, ok := m.cells[[2]enlace.Scope{from, to}]; ok {
		return c
	}
	return SharingCell{From: from, To: to, State: SharingNone}
}

// AgenciesOf returns the agencies of nation code, in the matrix's order.
func (m SharingMatrix) AgenciesOf(code string) []enlace.Agency {
	var out []enlace.Agency
	for _, a := range m.Agencies {
		if a.Nation == code {
			out = append(out, a)
		}
	}
	return out
}

// SharingMatrix computes, from the agreements and directives in force now,
// how every nation and agency shares with every other for direct releases
// of an unrestricted report (TLP:CLEAR, no handling codes): markings can
// only narrow what a cell shows. Actor sees the relationships that involve
// its own nation, as either side; the others are SharingHidden, and only
// directives actor may read (Directives) are named.
func (x *Exchange) SharingMatrix(ctx context.Context, actor enlace.User) (SharingMatrix, error) {
	pol, err := x.Policy(ctx)
	if err != nil {
		return SharingMatrix{}, err
	}
	nations, err := x.store.Nations(ctx)
	if err != nil {
		return SharingMatrix{}, err
	}
	agencies, err := x.store.Agencies(ctx)
	if err != nil {
		return SharingMatrix{}, err
	}
	visible, err := x.Directives(ctx, actor)
	if err != nil {
		return SharingMatrix{}, err
	}
	seen := map[string]bool{}
	for _, d := range visible {
		seen[d.ID] = true
	}
	sort.Slice(agencies, func(i, j int) bool {
		if agencies[i].Nation != agencies[j].Nation {
			return agencies[i].Nation < agencies[j].Nation
		}
		return agencies[i].ID < agencies[j].ID
	})
	m := SharingMatrix{At: x.now().UTC(), Nations: nations, Agencies: agencies, cells: map[[2]enlace.Scope]SharingCell{}}
	mine := func(a, b string) bool { return a == actor.Nation || b == actor.Nation }
	for _, a := range agencies {
		for _, b := range agencies {
			if a.ID == b.ID {
				continue
			}
			from, to := enlace.AgencyScope(a.ID), enlace.AgencyScope(b.ID)
			c := SharingCell{From: from, To: to, State: SharingHidden}
			if mine(a.Nation, b.Nation) {
				c = x.pairState(pol, a.ID, b.ID, m.At)
				c.From, c.To = from, to
				c.Directives = slices.DeleteFunc(c.Directives, func(id string) bool { return !seen[id] })
			}
			m.cells[[2]enlace.Scope{from, to}] = c
		}
	}
	for _, n := range nations {
		for _, o := range nations {
			if n.Code == o.Code {
				continue
			}
			from, to := enlace.NationScope(n.Code), enlace.NationScope(o.Code)
			c := SharingCell{From: from, To: to, State: SharingHidden}
			if mine(n.Code, o.Code) {
				c = m.nationCell(from, to)
			}
			m.cells[[2]enlace.Scope{from, to}] = c
		}
	}
	return m, nil
}

// nationCell folds the agency pairs between two nations into one cell:
// their common state, or SharingMixed.
func (m SharingMatrix) nationCell(from, to enlace.Scope) SharingCell {
	out := SharingCell{From: from, To: to}
	first := true
	for _, a := range m.AgenciesOf(from.Nation) {
		for _, b := range m.AgenciesOf(to.Nation) {
			c := m.cells[[2]enlace.Scope{enlace.AgencyScope(a.ID), enlace.AgencyScope(b.ID)}]
			if first {
				out.State, out.Open = c.State, c.Open
				first = false
			} else if out.State != c.State || !slices.Equal(out.Open, c.Open) {
				out.State, out.Open = SharingMixed, nil
			}
			out.Closed = append(out.Closed, c.Closed...)
			out.Directives = append(out.Directives, c.Directives...)
			out.Agreements = append(out.Agreements, c.Agreements...)
		}
	}
	if first {
		out.State = SharingNone
	}
	out.Closed = uniquePurposes(out.Closed)
	out.Directives = sortDirectiveIDs(out.Directives)
	slices.Sort(out.Agreements)
	out.Agreements = slices.Compact(out.Agreements)
	return out
}

// pairState asks the policy, purpose by purpose, whether agency a may
// release an unrestricted report to agency b at t.
func (x *Exchange) pairState(pol *policy.Policy, a, b string, t time.Time) SharingCell {
	var c SharingCell
	var open []enlace.Purpose
	for _, p := range x.vocab.Purposes() {
		d := pol.Decide(policy.Request{
			Report: policy.Subject{ID: "report--00000000-0000-4000-8000-000000000000", Originator: a, Markings: enlace.Markings{TLP: enlace.TLPClear}},
			Reader: b, Purpose: p, At: t,
		})
		var dirs []string
		agreed := true
		for _, r := range d.Reasons {
			if id, ok := strings.CutPrefix(r.Policy, "directive "); ok {
				dirs = append(dirs, id)
			}
			if r.Policy == "no agreement" {
				agreed = false
			}
		}
		switch {
		case d.Allowed:
			open = append(open, p)
			c.Agreements = append(c.Agreements, fmt.Sprintf("%s v%d", d.AgreementID, d.AgreementVersion))
			c.Directives = append(c.Directives, dirs...)
		case agreed && len(dirs) > 0:
			c.Closed = append(c.Closed, p)
			c.Directives = append(c.Directives, dirs...)
		}
	}
	for _, p := range open {
		if parent := x.vocab.Parent(p); parent == "" || !slices.Contains(open, parent) {
			c.Open = append(c.Open, p)
		}
	}
	switch {
	case len(open) == 0 && len(c.Closed) == 0:
		c.State = SharingNone
	case len(c.Closed) == 0:
		c.State = SharingActive
	case len(open) == 0:
		c.State = SharingSuspended
	default:
		c.State = SharingRestricted
	}
	c.Directives = sortDirectiveIDs(c.Directives)
	slices.Sort(c.Agreements)
	c.Agreements = slices.Compact(c.Agreements)
	return c
}

func uniquePurposes(ps []enlace.Purpose) []enlace.Purpose {
	slices.Sort(ps)
	return slices.Compact(ps)
}

// sortDirectiveIDs sorts "D-<seq>" ids by sequence and drops repeats.
func sortDirectiveIDs(ids []string) []string {
	seq := func(id string) int64 {
		n, _ := strconv.ParseInt(strings.TrimPrefix(id, "D-"), 10, 64)
		return n
	}
	slices.SortFunc(ids, func(a, b string) int { return int(seq(a) - seq(b)) })
	return slices.Compact(ids)
}

// DirectivePreview is what a directive would change if it were issued.
type DirectivePreview struct {
	// Directive is the directive as it would be recorded, without its id.
	Directive enlace.Directive
	// Agencies lists the recipient agencies whose access to at least one
	// report would change, for at least one purpose.
	Agencies []string
	// Reports counts the reports of the from scope whose release to at
	// least one of those agencies would change.
	Reports int
	// Cells holds the agency pairs whose sharing state would change, as
	// they would be after it.
	Cells []SharingCell
}

// PreviewDirective computes, without recording anything, what directive d
// would change if actor issued it: every report originated in d.From,
// decided for every agency d.To covers and every purpose, before and
// after, at d's effective time (now if unset or past). It refuses what
// IssueDirective would refuse, with the same errors. It counts direct
// releases; onward releases under consent follow from them.
func (x *Exchange) PreviewDirective(ctx context.Context, actor enlace.User, d enlace.Directive) (DirectivePreview, error) {
	now := x.now().UTC()
	if d.EffectiveAt.IsZero() {
		d.EffectiveAt = now
	}
	rank, err := x.providerRank(ctx, actor, d.From)
	if err != nil {
		return DirectivePreview{}, err
	}
	d.IssuerRank = rank
	if rank == 0 {
		d.IssuerRank = enlace.RankAgency
	}
	if err := d.Validate(x.vocab); err != nil {
		return DirectivePreview{}, err
	}
	if err := x.checkScopeExists(ctx, "from", d.From); err != nil {
		return DirectivePreview{}, err
	}
	if err := x.checkScopeExists(ctx, "to", d.To); err != nil {
		return DirectivePreview{}, err
	}
	if rank == 0 {
		return DirectivePreview{}, enlace.Errorf(enlace.EForbidden, "only the authority of the issuing nation (or an agency-admin for its own agency) may direct sharing from %s", d.From.Describe())
	}
	d.IssuedBy, d.IssuerAgency, d.IssuerNation, d.IssuedAt = actor.Username, actor.Agency, actor.Nation, now
	d.EffectiveAt = d.EffectiveAt.UTC()

	w, _, err := x.loadWorld(ctx)
	if err != nil {
		return DirectivePreview{}, err
	}
	before, err := policy.New(w)
	if err != nil {
		return DirectivePreview{}, err
	}
	hypo := d
	for _, e := range w.Directives {
		hypo.Seq = max(hypo.Seq, e.Seq)
	}
	hypo.Seq++
	hypo.ID = enlace.DirectiveID(hypo.Seq)
	w.Directives = append(slices.Clone(w.Directives), hypo)
	after, err := policy.New(w)
	if err != nil {
		return DirectivePreview{}, err
	}
	at := now
	if d.EffectiveAt.After(now) {
		at = d.EffectiveAt
	}

	var senders, readers []string
	for _, a := range w.Agencies {
		pa, _ := before.Party(a.ID)
		switch {
		case d.From.Covers(pa):
			senders = append(senders, a.ID)
		case d.To.Covers(pa):
			readers = append(readers, a.ID)
		}
	}
	prev := DirectivePreview{Directive: d}
	for _, s := range senders {
		for _, r := range readers {
			c0, c1 := x.pairState(before, s, r, at), x.pairState(after, s, r, at)
			if c0.State != c1.State || !slices.Equal(c0.Open, c1.Open) {
				c1.From, c1.To = enlace.AgencyScope(s), enlace.AgencyScope(r)
				prev.Cells = append(prev.Cells, c1)
			}
		}
	}
	hit := map[string]bool{}
	f := enlace.ReportFilter{Limit: 1000}
	if d.From.Kind() == enlace.ScopeNation {
		f.Nation = d.From.Nation
	} else {
		f.Originator = d.From.Agency
	}
	for {
		batch, err := x.store.Reports(ctx, f)
		if err != nil {
			return DirectivePreview{}, err
		}
		for _, rep := range batch {
			if x.changes(before, after, rep, readers, at, hit) {
				prev.Reports++
			}
		}
		if len(batch) < f.Limit {
			break
		}
		f.AfterSeq = batch[len(batch)-1].Seq
	}
	for _, r := range readers {
		if hit[r] {
			prev.Agencies = append(prev.Agencies, r)
		}
	}
	return prev, nil
}

// changes reports whether report rep's direct release to any of readers
// differs between the two policies for any purpose, marking in hit the
// readers it changes for.
func (x *Exchange) changes(before, after *policy.Policy, rep enlace.Report, readers []string, at time.Time, hit map[string]bool) bool {
	changed := false
	for _, r := range readers {
		for _, p := range x.vocab.Purposes() {
			req := policy.Request{
				Report: policy.Subject{ID: rep.ID, Originator: rep.Originator, Markings: rep.Markings},
				Reader: r, Purpose: p, At: at,
			}
			if before.Decide(req).Allowed != after.Decide(req).Allowed {
				hit[r], changed = true, true
				break
			}
		}
	}
	return changed
}
