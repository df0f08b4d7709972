package main

import (
	"testing"
)

// TestDerivedFromDoesNotProbe: a report may derive only from reports its
// agency holds or may read. Naming one hidden from it is answered exactly
// like naming one that does not exist.
func TestDerivedFromDoesNotProbe(t *testing.T) {
	forEachEngine(t, testDerivedFromDoesNotProbe)
}

func testDerivedFromDoesNotProbe(t *testing.T, n *node) {
	src := map[string]any{
		"id": newReportID(1), "title": "source", "markings": map[string]any{"tlp": "amber"},
		"grading": map[string]string{"scheme": "admiralty", "source": "B", "information": "2"},
	}
	n.must(201, "dipol-analyst", "POST", "/api/v1/reports", "", src)
	derived := func(i int, from string) map[string]any {
		return map[string]any{
			"id": newReportID(100 + i), "title": "derived", "markings": map[string]any{"tlp": "amber"},
			"grading":      map[string]string{"scheme": "admiralty", "source": "C", "information": "3"},
			"derived_from": []string{from},
		}
	}
	// No CO→GB agreement: the source is hidden from NCA.
	hidden := n.must(400, "nca-analyst", "POST", "/api/v1/reports", "", derived(1, src["id"].(string)))
	missing := n.must(400, "nca-analyst", "POST", "/api/v1/reports", "", derived(2, newReportID(999)))
	var a, b struct{ Message string }
	hidden.json(t, &a)
	missing.json(t, &b)
	if want := "derived_from: no report " + src["id"].(string); a.Message != want {
		t.Errorf("hidden source: %q, want %q", a.Message, want)
	}
	if len(a.Message) != len(b.Message) {
		t.Errorf("a hidden and a missing source are told apart: %q vs %q", a.Message, b.Message)
	}
	// DEA may read the source under the CO→US agreement, so it may build on it.
	n.must(201, "dea-analyst", "POST", "/api/v1/reports", "", derived(3, src["id"].(string)))
	// Its own reports are always a valid source.
	n.must(201, "dipol-analyst", "POST", "/api/v1/reports", "", derived(4, src["id"].(string)))
}
