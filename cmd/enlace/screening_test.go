package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"testing"
	"time"
)

// importList imports a list fixture into n's data directory with the CLI.
func importList(t *testing.T, n *node, dir string) {
	t.Helper()
	root := newRoot(io.Discard, io.Discard)
	root.SetArgs([]string{"lists", "import", "--data", n.dir, "--format", "ofac-csv", dir})
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("lists import %s: %v", dir, err)
	}
}

// entityReport is a report naming a person, a vessel and whoever else.
func entityReport(i int, person, vessel, imo string) map[string]any {
	obj := func(typ string, n int, props map[string]any) map[string]any {
		o := map[string]any{"type": typ, "spec_version": "2.1",
			"id":      fmt.Sprintf("%s--%08x-0000-4000-8000-%012x", typ, time.Now().UnixNano()&0xffffffff, i*10+n),
			"created": "2026-09-15T10:00:00.000Z", "modified": "2026-09-15T10:00:00.000Z"}
		for k, v := range props {
			o[k] = v
		}
		return o
	}
	return map[string]any{
		"id": newReportID(i), "title": fmt.Sprintf("crew and vessel %d", i),
		"markings": map[string]any{"tlp": "amber"},
		"grading":  map[string]string{"scheme": "admiralty", "source": "B", "information": "2"},
		"objects": []any{
			obj("identity", 1, map[string]any{"name": person, "identity_class": "individual"}),
			obj("x-enlace-vessel", 2, map[string]any{"name": vessel, "imo": imo}),
			obj("identity", 3, map[string]any{"name": "Transportes del Pacífico", "identity_class": "class"}),
		},
	}
}

type hit struct {
	EntryID string  `json:"entry_id"`
	List    string  `json:"list"`
	Score   float64 `json:"score"`
}

type alert struct {
	Kind     string `json:"kind"`
	Agency   string `json:"agency"`
	ReportID string `json:"report"`
	Text     string `json:"text"`
}

func (n *node) alerts(user string) []alert {
	var body struct{ Alerts []alert }
	n.must(200, user, "GET", "/api/v1/alerts", "", nil).json(n.t, &body)
	return body.Alerts
}

// TestScreeningInTheExchange: entities named in intelligence are screened
// when it arrives and again when a list changes; hits travel with the
// report to those allowed to read it and alert its originator.
func TestScreeningInTheExchange(t *testing.T) {
	forEachEngine(t, testScreeningInTheExchange)
}

func testScreeningInTheExchange(t *testing.T, n *node) {
	importList(t, n, "../../screen/testdata/ofac_v1")
	// Let the server notice the list before the report arrives, so the
	// hits come from screening at ingest, not from the periodic pass.
	n.must(200, "dea-analyst", "POST", "/api/v1/screen", "", map[string]any{"name": "ARTAVIL"})

	sanctioned := entityReport(1, "Ayman al-Zawahiri", "ARTAVIL", "9187629")
	n.must(201, "dipol-analyst", "POST", "/api/v1/reports", "", sanctioned)
	id := sanctioned["id"].(string)

	var got struct {
		Hits []hit `json:"screening_hits"`
	}
	n.must(200, "dipol-analyst", "GET", "/api/v1/reports/"+id, "interdiction", nil).json(t, &got)
	var entries []string
	for _, h := range got.Hits {
		entries = append(entries, h.EntryID)
	}
	slices.Sort(entries)
	if !slices.Equal(entries, []string{"100", "102"}) {
		t.Fatalf("hits on the report = %+v, want entries 100 (the person) and 102 (the vessel)", got.Hits)
	}
	// A partner allowed to read the report sees its hits; the hidden
	// report's hits are as hidden as the report.
	n.must(200, "dea-analyst", "GET", "/api/v1/reports/"+id, "interdiction", nil).json(t, &got)
	if len(got.Hits) != 2 {
		t.Errorf("DEA reads %d hits, want 2", len(got.Hits))
	}
	n.must(404, "nca-analyst", "GET", "/api/v1/reports/"+id, "interdiction", nil)

	count := func(as []alert, report string) int {
		c := 0
		for _, a := range as {
			if a.Kind == "screening-hit" && a.ReportID == report {
				c++
			}
		}
		return c
	}
	if c := count(n.alerts("dipol-analyst"), id); c != 2 {
		t.Errorf("DIPOL has %d screening alerts on its report, want 2", c)
	}
	if c := count(n.alerts("co-authority"), id); c != 2 {
		t.Errorf("the CO authority has %d screening alerts, want 2", c)
	}
	if c := count(n.alerts("dea-analyst"), id); c != 0 {
		t.Errorf("DEA sees %d of DIPOL's alerts, want 0", c)
	}

	// A name no list holds yet; the next list version designates him.
	later := entityReport(2, "Alexander Petrov", "MAR AZUL", "9999999")
	n.must(201, "dipol-analyst", "POST", "/api/v1/reports", "", later)
	laterID := later["id"].(string)
	if c := count(n.alerts("dipol-analyst"), laterID); c != 0 {
		t.Fatalf("%d alerts before the designation", c)
	}
	importList(t, n, "../../screen/testdata/ofac_v2")
	deadline := time.Now().Add(15 * time.Second)
	for count(n.alerts("dipol-analyst"), laterID) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no alert 15 s after a new list version designated a person named in a report")
		}
		time.Sleep(100 * time.Millisecond)
	}
	n.must(200, "dipol-analyst", "GET", "/api/v1/reports/"+laterID, "interdiction", nil).json(t, &got)
	if len(got.Hits) != 1 || got.Hits[0].EntryID != "108" {
		t.Errorf("hits after the new version = %+v, want entry 108", got.Hits)
	}
	// Re-screening raises nothing twice.
	if c := count(n.alerts("dipol-analyst"), id); c != 2 {
		t.Errorf("%d alerts on the first report after re-screening, want still 2", c)
	}
}
