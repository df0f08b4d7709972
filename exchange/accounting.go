package exchange

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/enlace-exchange/enlace"
)

// Weighting is how every accounting figure divides a citation, in words.
const Weighting = "each report named in an accepted use declaration counts 1; a report keeps half of what it " +
	"receives and splits the other half equally among the reports it derives from, recursively (a report " +
	"deriving from nothing keeps all)"

// Window is a half-open time window [From, To); a zero end is open.
type Window struct {
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
}

func (w Window) String() string {
	f, t := "the beginning", "now"
	if !w.From.IsZero() {
		f = w.From.UTC().Format(time.RFC3339)
	}
	if !w.To.IsZero() {
		t = w.To.UTC().Format(time.RFC3339)
	}
	return f + " (inclusive) and " + t + " (exclusive)"
}

// ShareLine is one origin's part of a consumer's used intelligence.
type ShareLine struct {
	Nation     string  `json:"nation"`
	Originator string  `json:"originator,omitempty"` // "" on a nation's total
	Citations  int     `json:"citations"`
	Weight     float64 `json:"weight"`
	Share      float64 `json:"share"` // Weight over the total weight, 0 to 1
}

// Shares answers "how much of the intelligence these consumers used came
// from each nation and agency" (the seed report's 85%).
type Shares struct {
	Counts    string       `json:"counts"` // what the figures count, in words
	Consumer  enlace.Scope `json:"consumer"`
	Consumers []string     `json:"consumers"`          // the agencies whose uses are counted
	Withheld  []string     `json:"withheld,omitempty"` // consumer agencies the asker may not see, not counted
	Window    Window       `json:"window"`
	Total     float64      `json:"total_weight"`
	Citations int          `json:"total_citations"`
	Nations   []ShareLine  `json:"nations"`
	Agencies  []ShareLine  `json:"agencies"`
}

// consumers expands scope s to its agencies (actor's own agency when s
// names none) and splits them into those actor may see as consumers and
// those it may not.
func (x *Exchange) consumers(ctx context.Context, actor enlace.User, s enlace.Scope) (enlace.Scope, []string, []string, error) {
	if s.Kind() == "" {
		if s != (enlace.Scope{}) {
			return s, nil, nil, enlace.Errorf(enlace.EInvalid, "name one consumer: an agency, a task force or a nation")
		}
		s = enlace.AgencyScope(actor.Agency)
	}
	var all []string
	switch s.Kind() {
	case enlace.ScopeAgency:
		if _, err := x.store.Agency(ctx, s.Agency); err != nil {
			return s, nil, nil, unknown(err, "agency", s.Agency)
		}
		all = []string{s.Agency}
	case enlace.ScopeTaskForce:
		tf, err := x.store.TaskForce(ctx, s.TaskForce)
		if err != nil {
			return s, nil, nil, unknown(err, "task force", s.TaskForce)
		}
		all = slices.Clone(tf.Members)
	case enlace.ScopeNation:
		nations, err := x.agencyNations(ctx)
		if err != nil {
			return s, nil, nil, err
		}
		for a, n := range nations {
			if n == s.Nation {
				all = append(all, a)
			}
		}
		if len(all) == 0 {
			return s, nil, nil, enlace.Errorf(enlace.EInvalid, "no agencies in nation %s", s.Nation)
		}
	}
	slices.Sort(all)
	vis, err := x.visible(ctx, actor)
	if err != nil {
		return s, nil, nil, err
	}
	var seen, withheld []string
	for _, a := range all {
		if slices.Contains(vis, a) {
			seen = append(seen, a)
		} else {
			withheld = append(withheld, a)
		}
	}
	return s, seen, withheld, nil
}

func unknown(err error, what, id string) error {
	if enlace.ErrorCode(err) == enlace.ENotFound {
		return enlace.Errorf(enlace.EInvalid, "unknown %s %s", what, id)
	}
	return err
}

// Shares sums the lineage-weighted citations in the accepted uses of the
// consumer agencies actor may see (its own; an authority's or auditor's:
// its nation's), planned in w, by origin nation and agency. A consumer's
// uses are its nation's to account for, so agencies of other nations in a
// task force are listed as withheld and not counted; when none is left
// the answer is EForbidden.
func (x *Exchange) Shares(ctx context.Context, actor enlace.User, consumer enlace.Scope, w Window) (Shares, error) {
	s, seen, withheld, err := x.consumers(ctx, actor, consumer)
	if err != nil {
		return Shares{}, err
	}
	if len(seen) == 0 {
		return Shares{}, enlace.Errorf(enlace.EForbidden, "you may account for the uses of your own agency (authorities and auditors: of your nation's agencies); "+
			"what your intelligence fed elsewhere is under accounting/outcomes and accounting/reports")
	}
	rows, err := x.store.UsedShares(ctx, enlace.AccountingQuery{Consumers: seen, From: w.From, To: w.To})
	if err != nil {
		return Shares{}, err
	}
	out := Shares{Consumer: s, Consumers: seen, Withheld: withheld, Window: w}
	out.Counts = fmt.Sprintf("share of reports cited in accepted use declarations by %s (agencies counted: %s) planned between %s, "+
		"by origin nation and agency, weighted by lineage: %s; share = weight / total weight",
		s, strings.Join(seen, ", "), w, Weighting)
	nations := map[string]*ShareLine{}
	for _, r := range rows {
		out.Total += r.Weight
		out.Citations += r.Citations
		out.Agencies = append(out.Agencies, ShareLine{Nation: r.Nation, Originator: r.Originator, Citations: r.Citations, Weight: r.Weight})
		n, ok := nations[r.Nation]
		if !ok {
			n = &ShareLine{Nation: r.Nation}
			nations[r.Nation] = n
		}
		n.Citations += r.Citations
		n.Weight += r.Weight
	}
	for _, n := range nations {
		out.Nations = append(out.Nations, *n)
	}
	slices.SortFunc(out.Nations, func(a, b ShareLine) int { return strings.Compare(a.Nation, b.Nation) })
	for i := range out.Agencies {
		out.Agencies[i].Share = share(out.Agencies[i].Weight, out.Total)
	}
	for i := range out.Nations {
		out.Nations[i].Share = share(out.Nations[i].Weight, out.Total)
	}
	return out, nil
}

func share(w, total float64) float64 {
	if total == 0 {
		return 0
	}
	return w / total
}

// OutcomeFigures counts what intelligence fed, by originator.
type OutcomeFigures struct {
	Counts    string              `json:"counts"`
	Consumer  *enlace.Scope       `json:"consumer,omitempty"`
	Consumers []string            `json:"consumers,omitempty"`
	Window    Window              `json:"window"`
	Rows      []enlace.OutcomeRow `json:"rows"`
}

// OutcomesByOriginator counts the current outcome versions that occurred
// in w by originator agency and kind, over the uses of consumer (every
// consumer when it names none). Actor sees the rows of uses its agency
// declared and of intelligence its agency originated (an authority's or
// auditor's: its nation's), so an originator learns what its
// intelligence fed whoever used it.
func (x *Exchange) OutcomesByOriginator(ctx context.Context, actor enlace.User, consumer enlace.Scope, w Window) (OutcomeFigures, error) {
	vis, err := x.visible(ctx, actor)
	if err != nil {
		return OutcomeFigures{}, err
	}
	out := OutcomeFigures{Window: w}
	q := enlace.AccountingQuery{Visible: vis, From: w.From, To: w.To}
	who := "any consumer"
	if consumer != (enlace.Scope{}) {
		s, seen, withheld, err := x.consumers(ctx, actor, consumer)
		if err != nil {
			return OutcomeFigures{}, err
		}
		// Membership of a task force is public; the visibility rule below
		// still limits other nations' uses to credits of actor's reports.
		q.Consumers = append(seen, withheld...)
		slices.Sort(q.Consumers)
		out.Consumer, out.Consumers = &s, q.Consumers
		who = s.String()
	}
	if out.Rows, err = x.store.OutcomesByOriginator(ctx, q); err != nil {
		return OutcomeFigures{}, err
	}
	out.Counts = fmt.Sprintf("current outcome versions that occurred between %s, of accepted uses by %s, by originator agency and kind, "+
		"counting uses your side declared and credits to intelligence your side originated (%s). outcomes: outcomes the agency's "+
		"intelligence fed; weighted: each outcome times the agency's part of its use's lineage credit (%s); quantity_kg, persons_detained, "+
		"casualties: totals of the outcomes it fed, unweighted", w, who, strings.Join(vis, ", "), Weighting)
	return out, nil
}

// Trail answers, for one report: who received it, for what, and what came
// of it.
type Trail struct {
	Counts     string           `json:"counts"`
	ReportID   string           `json:"report"`
	Originator string           `json:"originator"`
	Nation     string           `json:"nation"`
	Releases   []enlace.Release `json:"releases"`
	Uses       []TrailUse       `json:"uses"`
	Outcomes   []TrailOutcome   `json:"outcomes"`
}

// TrailUse is a use that drew on the report, directly or through a
// report derived from it, with the report's credit in it.
type TrailUse struct {
	Use    enlace.Use `json:"use"`
	Direct bool       `json:"direct"`
	Weight float64    `json:"weight"` // 0 for a refused use
}

// TrailOutcome is an outcome version of one of the trail's uses.
type TrailOutcome struct {
	enlace.Outcome
	Current bool `json:"current"` // no later version corrects it
}

// ReportTrail returns report id's trail. The originator's side (its
// agency; an authority or auditor of its nation) sees the whole of it;
// a side that received the report sees its own releases, uses and
// outcomes; anyone else is told the report does not exist.
func (x *Exchange) ReportTrail(ctx context.Context, actor enlace.User, id string) (Trail, error) {
	r, err := x.report(ctx, id)
	if err != nil {
		return Trail{}, err
	}
	vis, err := x.visible(ctx, actor)
	if err != nil {
		return Trail{}, err
	}
	full := slices.Contains(vis, r.Originator)
	rels, err := x.store.Releases(ctx, enlace.ReleaseFilter{ReportID: r.ID})
	if err != nil {
		return Trail{}, err
	}
	mine := func(agency string) bool { return full || slices.Contains(vis, agency) }
	t := Trail{ReportID: r.ID, Originator: r.Originator, Nation: r.Nation}
	for _, rel := range rels {
		if mine(rel.Recipient) {
			t.Releases = append(t.Releases, rel)
		}
	}
	if !full && len(t.Releases) == 0 {
		return Trail{}, enlace.Errorf(enlace.ENotFound, "no report %s", id)
	}
	credits, err := x.store.ReportCredits(ctx, r.ID)
	if err != nil {
		return Trail{}, err
	}
	weight := map[int64]enlace.Credit{}
	for _, c := range credits {
		weight[c.UseID] = c
	}
	direct, err := x.store.Uses(ctx, enlace.UseFilter{ReportID: r.ID})
	if err != nil {
		return Trail{}, err
	}
	ids := map[int64]bool{}
	var useIDs []int64
	for _, u := range direct {
		ids[u.ID] = true
		if mine(u.Agency) {
			t.Uses = append(t.Uses, TrailUse{Use: redact(u, vis), Direct: true, Weight: weight[u.ID].Weight})
			useIDs = append(useIDs, u.ID)
		}
	}
	for _, c := range credits {
		if ids[c.UseID] {
			continue
		}
		u, err := x.store.Use(ctx, c.UseID)
		if err != nil {
			return Trail{}, err
		}
		if mine(u.Agency) {
			// Reached through lineage: the derived report is the user's
			// to know, not necessarily the originator's.
			t.Uses = append(t.Uses, TrailUse{Use: redact(u, vis), Weight: c.Weight})
			useIDs = append(useIDs, u.ID)
		}
	}
	slices.SortFunc(t.Uses, func(a, b TrailUse) int { return int(a.Use.ID - b.Use.ID) })
	if len(useIDs) > 0 {
		os, err := x.store.Outcomes(ctx, enlace.OutcomeFilter{UseIDs: useIDs})
		if err != nil {
			return Trail{}, err
		}
		corrected := map[int64]bool{}
		for _, o := range os {
			if o.Corrects != 0 {
				corrected[o.Corrects] = true
			}
		}
		for _, o := range os {
			t.Outcomes = append(t.Outcomes, TrailOutcome{Outcome: o, Current: !corrected[o.ID]})
		}
	}
	scope := "every recipient (you are on the originating side)"
	if !full {
		scope = "your side's releases, uses and outcomes only: " + strings.Join(vis, ", ")
	}
	t.Counts = fmt.Sprintf("releases of report %s, the use declarations that drew on it directly (direct) or through reports derived "+
		"from it, with its lineage credit in each (%s), and every outcome version of those uses; showing %s", r.ID, Weighting, scope)
	return t, nil
}
