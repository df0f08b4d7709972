package exchange

import (
	"context"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/policy"
)

// SearchResult is a report found by its words, with what matched.
type SearchResult struct {
	ReportID   string        `json:"report"`
	Title      string        `json:"title"`
	Originator string        `json:"originator"`
	Matches    []SearchMatch `json:"matches"`
}

// SearchMatch is one place a report matched: its own text, or the name of
// one of its objects.
type SearchMatch struct {
	ObjectID string `json:"object,omitempty"`
	Snippet  string `json:"snippet"`
}

// Search finds the reports actor may read for the declared purpose whose
// title, description or object names hold every word of text, best
// first. Reports it may not read are left out without trace; showing a
// match releases the report, which is recorded as Read records it.
func (x *Exchange) Search(ctx context.Context, actor enlace.User, purpose, text string, limit int) ([]SearchResult, error) {
	p, err := x.purpose(purpose)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	if !canReadIntelligence(actor) {
		return []SearchResult{}, nil
	}
	pol, err := x.Policy(ctx)
	if err != nil {
		return nil, err
	}
	consents, err := x.consentsFor(ctx, actor)
	if err != nil {
		return nil, err
	}
	// Ask for more than the limit: some matches will be hidden.
	hits, err := x.store.Search(ctx, enlace.SearchQuery{Text: text, Limit: limit * 5})
	if err != nil {
		return nil, err
	}
	out := []SearchResult{}
	index := map[string]int{}
	hidden := map[string]bool{}
	var releases []enlace.Release
	for _, h := range hits {
		if hidden[h.ReportID] {
			continue
		}
		i, seen := index[h.ReportID]
		if !seen {
			if len(out) == limit {
				continue
			}
			d, holder := x.decideSubject(pol, actor, policy.Subject{ID: h.ReportID, Originator: h.Originator, Markings: h.Markings}, p, consents[h.ReportID])
			if !d.Allowed {
				hidden[h.ReportID] = true
				continue
			}
			if h.Originator != actor.Agency {
				releases = append(releases, x.release(actor, h.ReportID, h.Originator, p, holder, d))
			}
			i = len(out)
			index[h.ReportID] = i
			out = append(out, SearchResult{ReportID: h.ReportID, Title: h.Title, Originator: h.Originator})
		}
		out[i].Matches = append(out[i].Matches, SearchMatch{ObjectID: h.ObjectID, Snippet: h.Snippet})
	}
	if err := x.recordReleases(ctx, releases); err != nil {
		return nil, err
	}
	return out, nil
}
