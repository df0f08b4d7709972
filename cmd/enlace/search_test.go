package main

import (
	"testing"
)

// TestSearchRespectsPolicy: full-text search finds what the reader may
// read for its purpose and nothing else, not even by a title's words.
func TestSearchRespectsPolicy(t *testing.T) {
	forEachEngine(t, testSearchRespectsPolicy)
}

func testSearchRespectsPolicy(t *testing.T, n *node) {
	post := func(i int, title, tlp string) string {
		id := newReportID(i)
		n.must(201, "dipol-analyst", "POST", "/api/v1/reports", "", map[string]any{
			"id": id, "title": title, "description": "Narco-submarine sighted by fishermen.",
			"markings": map[string]any{"tlp": tlp},
			"grading":  map[string]string{"scheme": "admiralty", "source": "B", "information": "2"},
		})
		return id
	}
	open := post(1, "Semisumergible frente a Guapí", "amber")
	red := post(2, "Semisumergible rojo en Timbiquí", "red")

	type result struct {
		Report  string `json:"report"`
		Matches []struct{ Snippet string }
	}
	search := func(user, purpose, q string) []string {
		var body struct{ Results []result }
		n.must(200, user, "GET", "/api/v1/search?q="+q, purpose, nil).json(t, &body)
		var ids []string
		for _, r := range body.Results {
			ids = append(ids, r.Report)
		}
		return ids
	}
	contains := func(ids []string, id string) bool {
		for _, x := range ids {
			if x == id {
				return true
			}
		}
		return false
	}
	// The originator finds both, accents folded.
	if ids := search("dipol-analyst", "investigation", "semisumergible"); !contains(ids, open) || !contains(ids, red) {
		t.Errorf("DIPOL finds %v", ids)
	}
	if ids := search("dipol-analyst", "investigation", "guapi"); !contains(ids, open) {
		t.Errorf("DIPOL does not find Guapí by guapi: %v", ids)
	}
	// DEA finds the amber one for interdiction, never the red one, even
	// by a word only its title holds.
	if ids := search("dea-analyst", "interdiction", "semisumergible"); !contains(ids, open) || contains(ids, red) {
		t.Errorf("DEA finds %v", ids)
	}
	if ids := search("dea-analyst", "interdiction", "timbiqui"); len(ids) != 0 {
		t.Errorf("DEA finds the red report by its title: %v", ids)
	}
	// A prohibited purpose, or a partner without an agreement, finds nothing of it.
	if ids := search("dea-analyst", "lethal-targeting", "semisumergible"); contains(ids, open) {
		t.Errorf("DEA finds CO intelligence for lethal targeting: %v", ids)
	}
	if ids := search("nca-analyst", "investigation", "semisumergible"); len(ids) != 0 {
		t.Errorf("NCA finds %v", ids)
	}
	n.must(400, "dea-analyst", "GET", "/api/v1/search?q=", "interdiction", nil)
	n.must(400, "dea-analyst", "GET", "/api/v1/search?q=boat", "", nil)
	// Showing a match released the report to DEA.
	var rels struct {
		Releases []struct{ Purpose string } `json:"releases"`
	}
	n.must(200, "dea-analyst", "GET", "/api/v1/releases?report="+open+"&recipient=DEA", "", nil).json(t, &rels)
	if len(rels.Releases) != 1 || rels.Releases[0].Purpose != "interdiction" {
		t.Errorf("releases of the found report to DEA: %+v", rels.Releases)
	}
}
