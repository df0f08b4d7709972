package enlace

import (
	"sort"
	"time"
)

// Provenance accounting: how much of the intelligence a consumer used came
// from each nation and agency, and what it fed.
//
// The unit is a citation: one report named in one accepted use
// declaration counts 1. That weight is divided over the report's lineage
// (its derived_from reports, recursively) by LineageCredits, so an agency
// whose report another agency built on is credited for it. A share is a
// sum of credits divided by the sum over every origin.

// LineageDepth bounds the walk up a report's lineage. Credit halves at
// every step, so what lies beyond 2^-32 of a citation stays with the
// report at that depth rather than being followed.
const LineageDepth = 32

// LineageNode is what LineageCredits needs to know of a report.
type LineageNode struct {
	ID          string
	Originator  string
	Nation      string
	DerivedFrom []string
}

// Credit is the part of a use's citations that goes to one report.
type Credit struct {
	UseID      int64   `json:"use,omitempty"`
	ReportID   string  `json:"report"`
	Originator string  `json:"originator"`
	Nation     string  `json:"nation"`
	Weight     float64 `json:"weight"`
	Direct     bool    `json:"direct"` // the use names this report itself
}

// LineageCredits divides the weight 1 of a citation of report cited over
// its lineage. A report keeps half of what it receives and splits the
// other half equally among the reports it derives from, which do the
// same; a report that derives from nothing (or only from reports load
// does not find) keeps all it receives. A report reached by several paths
// sums them. The credits sum to 1; as powers of two over small counts
// they are exact in a float64 for any lineage of ordinary depth.
//
// Cycles cannot occur, because derived_from may only name reports that
// existed before; the walk is bounded by LineageDepth anyway. load
// returns false for a report it does not find; cited itself must be
// found. Credits come back sorted by report id, Direct set on cited.
func LineageCredits(cited string, load func(id string) (LineageNode, bool, error)) ([]Credit, error) {
	nodes := map[string]LineageNode{}
	get := func(id string) (LineageNode, bool, error) {
		if n, ok := nodes[id]; ok {
			return n, true, nil
		}
		n, ok, err := load(id)
		if err != nil || !ok {
			return LineageNode{}, ok, err
		}
		nodes[id] = n
		return n, true, nil
	}
	if _, ok, err := get(cited); err != nil {
		return nil, err
	} else if !ok {
		return nil, Errorf(ENotFound, "no report %s", cited)
	}
	kept := map[string]float64{}
	frontier := map[string]float64{cited: 1}
	for depth := 0; len(frontier) > 0; depth++ {
		next := map[string]float64{}
		for _, id := range sortedKeys(frontier) {
			w := frontier[id]
			n, _, _ := get(id) // in the frontier only once found
			var parents []string
			if depth < LineageDepth {
				for _, p := range n.DerivedFrom {
					if _, ok, err := get(p); err != nil {
						return nil, err
					} else if ok {
						parents = append(parents, p)
					}
				}
			}
			if len(parents) == 0 {
				kept[id] += w
				continue
			}
			kept[id] += w / 2
			share := w / 2 / float64(len(parents))
			for _, p := range parents {
				next[p] += share
			}
		}
		frontier = next
	}
	out := make([]Credit, 0, len(kept))
	for _, id := range sortedKeys(kept) {
		n := nodes[id]
		out = append(out, Credit{ReportID: id, Originator: n.Originator, Nation: n.Nation, Weight: kept[id], Direct: id == cited})
	}
	return out, nil
}

func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// AccountingQuery selects what accounting figures count.
type AccountingQuery struct {
	// Consumers are the agencies whose uses count; empty counts every
	// agency's.
	Consumers []string
	// Visible, when not nil, restricts the figures to uses declared by
	// these agencies or credits to reports they originated: what the
	// asker may see.
	Visible []string
	// From and To bound the window, [From, To); zero means unbounded.
	// Shares count uses planned in it, outcomes those that occurred in it.
	From, To time.Time
}

// ShareRow is the credit of one originating agency in a consumer's uses.
type ShareRow struct {
	Nation     string  `json:"nation"`
	Originator string  `json:"originator"`
	Citations  int     `json:"citations"` // reports of this agency named in uses
	Weight     float64 `json:"weight"`    // lineage-weighted credit
}

// OutcomeRow counts the current outcomes of one kind that intelligence of
// one originating agency fed: outcomes of uses whose lineage credits the
// agency. Weighted counts each outcome by the agency's part of its use's
// credit; the totals are of the outcomes it fed, unweighted.
type OutcomeRow struct {
	Nation          string  `json:"nation"`
	Originator      string  `json:"originator"`
	Kind            string  `json:"kind"`
	Outcomes        int     `json:"outcomes"`
	Weighted        float64 `json:"weighted"`
	QuantityKg      float64 `json:"quantity_kg"`
	PersonsDetained int     `json:"persons_detained"`
	Casualties      int     `json:"casualties"`
}
