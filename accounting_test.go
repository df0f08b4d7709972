package enlace

import (
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLineageCredits(t *testing.T) {
	// D derives from C and a report the store does not hold; C from A and
	// B; B from A. A is reached by two paths.
	world := map[string]LineageNode{
		"A": {ID: "A", Originator: "DIPOL", Nation: "CO"},
		"B": {ID: "B", Originator: "DEA", Nation: "US", DerivedFrom: []string{"A"}},
		"C": {ID: "C", Originator: "ARC", Nation: "CO", DerivedFrom: []string{"A", "B"}},
		"D": {ID: "D", Originator: "NCA", Nation: "GB", DerivedFrom: []string{"C", "missing"}},
	}
	load := func(id string) (LineageNode, bool, error) { n, ok := world[id]; return n, ok, nil }
	for _, tt := range []struct {
		cited string
		want  []Credit
	}{
		{"A", []Credit{{ReportID: "A", Originator: "DIPOL", Nation: "CO", Weight: 1, Direct: true}}},
		{"B", []Credit{
			{ReportID: "A", Originator: "DIPOL", Nation: "CO", Weight: 0.5},
			{ReportID: "B", Originator: "DEA", Nation: "US", Weight: 0.5, Direct: true},
		}},
		{"C", []Credit{
			{ReportID: "A", Originator: "DIPOL", Nation: "CO", Weight: 0.375},
			{ReportID: "B", Originator: "DEA", Nation: "US", Weight: 0.125},
			{ReportID: "C", Originator: "ARC", Nation: "CO", Weight: 0.5, Direct: true},
		}},
		{"D", []Credit{
			{ReportID: "A", Originator: "DIPOL", Nation: "CO", Weight: 0.1875},
			{ReportID: "B", Originator: "DEA", Nation: "US", Weight: 0.0625},
			{ReportID: "C", Originator: "ARC", Nation: "CO", Weight: 0.25},
			{ReportID: "D", Originator: "NCA", Nation: "GB", Weight: 0.5, Direct: true},
		}},
	} {
		got, err := LineageCredits(tt.cited, load)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("LineageCredits(%s) (-want +got):\n%s", tt.cited, d)
		}
	}
	if _, err := LineageCredits("missing", load); ErrorCode(err) != ENotFound {
		t.Errorf("LineageCredits(missing) = %v, want not found", err)
	}
}

// TestLineageDepth checks that a long chain stops at LineageDepth and
// still hands out exactly 1.
func TestLineageDepth(t *testing.T) {
	load := func(id string) (LineageNode, bool, error) {
		n, _ := strconv.Atoi(id)
		return LineageNode{ID: id, Originator: "X", DerivedFrom: []string{strconv.Itoa(n + 1)}}, true, nil
	}
	got, err := LineageCredits("0", load)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != LineageDepth+1 {
		t.Errorf("%d credits, want %d", len(got), LineageDepth+1)
	}
	sum := 0.0
	for _, c := range got {
		sum += c.Weight
	}
	if sum != 1 {
		t.Errorf("credits sum to %v, want 1", sum)
	}
}
