package main

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var usReaders = []string{"dea-analyst", "fbi-analyst", "hsi-analyst"}

func countFrom(rs []reportSummary, nation string) int {
	n := 0
	for _, r := range rs {
		if r.Nation == nation {
			n++
		}
	}
	return n
}

func suspendCOtoUS(n *node) string {
	n.t.Helper()
	var d struct{ ID string }
	n.must(201, "co-authority", "POST", "/api/v1/directives", "", map[string]any{
		"action": "suspend", "from": map[string]string{"nation": "CO"}, "to": map[string]string{"nation": "US"},
		"purposes": "all", "reason": "US strikes on boats in the Caribbean continue",
		"legal_reference": "Presidential order (demo)",
	}).json(n.t, &d)
	return d.ID
}

// TestSeedScenario plays the seed report: the CO authority suspends all
// sharing with US agencies, then restores it for seizures only; the UK
// sees CO material only once CO consents.
func TestSeedScenario(t *testing.T) { forEachEngine(t, testSeedScenario) }

func testSeedScenario(t *testing.T, n *node) {

	// Before: US agencies read CO intelligence for interdiction and seizure.
	var known []reportSummary
	for _, u := range usReaders {
		rs := n.reportIDs(u, "interdiction", "")
		if countFrom(rs, "CO") == 0 {
			t.Fatalf("%s reads no CO report before the suspension", u)
		}
		if u == "dea-analyst" {
			known = rs
		}
	}
	var coKnown string
	for _, r := range known {
		if r.Nation == "CO" {
			coKnown = r.ID
			break
		}
	}

	// A US user cannot direct CO's sharing; a CO analyst cannot either.
	for _, u := range []string{"us-authority", "dipol-analyst"} {
		n.must(403, u, "POST", "/api/v1/directives", "", map[string]any{
			"action": "suspend", "from": map[string]string{"nation": "CO"}, "to": map[string]string{"nation": "US"},
			"purposes": "all", "reason": "not mine to give",
		})
	}

	d1 := suspendCOtoUS(n)
	if d1 != "D-1" {
		t.Fatalf("first directive id %q", d1)
	}
	for _, u := range usReaders {
		for _, p := range []string{"seizure", "interdiction", "investigation", "prosecution", "lethal-targeting"} {
			if c := countFrom(n.reportIDs(u, p, ""), "CO"); c != 0 {
				t.Errorf("after suspension %s reads %d CO reports for %s", u, c, p)
			}
		}
	}
	// A report DEA received before: 403 with the directive's words. One it
	// never received stays hidden: 404.
	r := n.must(403, "dea-analyst", "GET", "/api/v1/reports/"+coKnown, "seizure", nil)
	if !strings.Contains(string(r.body), "denied by directive D-1, issued by the CO authority at") ||
		!strings.Contains(string(r.body), "US strikes on boats") {
		t.Errorf("denial does not name the directive: %s", r.body)
	}
	var neverRead string
	for _, rs := range n.reportIDs("dipol-analyst", "investigation", "&nation=CO") {
		if rs.Nation == "CO" {
			neverRead = rs.ID // DIPOL reads all CO material; pick one FBI never read
		}
	}
	if got := n.call("nca-analyst", "GET", "/api/v1/reports/"+neverRead, "seizure", nil).status; got != 404 {
		t.Errorf("NCA reading an unreleased CO report: %d, want 404", got)
	}
	// US material still flows to CO: the suspension is one-way.
	if countFrom(n.reportIDs("dipol-analyst", "investigation", ""), "US") == 0 {
		t.Error("DIPOL lost US reports after CO suspended its own sharing")
	}

	// Reinstate for seizures only.
	n.must(201, "co-authority", "POST", "/api/v1/directives", "", map[string]any{
		"action": "reinstate", "from": map[string]string{"nation": "CO"}, "to": map[string]string{"nation": "US"},
		"purposes": map[string][]string{"only": {"seizure"}}, "reason": "coordination continues for seizures",
	})
	seizure := n.reportIDs("dea-analyst", "seizure", "")
	if countFrom(seizure, "CO") == 0 {
		t.Fatal("DEA reads no CO report for seizure after the reinstatement")
	}
	if c := countFrom(n.reportIDs("dea-analyst", "interdiction", ""), "CO"); c != 0 {
		t.Errorf("DEA reads %d CO reports for interdiction", c)
	}
	n.must(200, "dea-analyst", "GET", "/api/v1/reports/"+coKnown, "seizure", nil)
	r = n.must(403, "dea-analyst", "GET", "/api/v1/reports/"+coKnown, "interdiction", nil)
	if !strings.Contains(string(r.body), "D-1") {
		t.Errorf("interdiction denial does not name D-1: %s", r.body)
	}
	r = n.must(403, "dea-analyst", "GET", "/api/v1/reports/"+coKnown, "lethal-targeting", nil)
	if !strings.Contains(string(r.body), "lethal-targeting") && !strings.Contains(string(r.body), "military-action") {
		t.Errorf("lethal-targeting denial gives no reason: %s", r.body)
	}
	var ex struct {
		Decision struct{ Allowed bool }
		Text     string
	}
	n.must(200, "co-authority", "GET", "/api/v1/decisions/explain?report="+coKnown+"&recipient=DEA&purpose=interdiction", "", nil).json(t, &ex)
	if ex.Decision.Allowed || !strings.Contains(ex.Text, "D-1") {
		t.Errorf("explain: %+v", ex)
	}

	// The UK: no CO→GB agreement, so CO material reaches NCA only onward
	// through DEA, and only with CO's consent.
	var onward string
	for _, s := range seizure {
		if s.Nation != "CO" {
			continue
		}
		var full struct {
			Report struct {
				Markings struct{ TLP string }
			}
		}
		n.must(200, "dea-analyst", "GET", "/api/v1/reports/"+s.ID, "seizure", nil).json(t, &full)
		if full.Report.Markings.TLP == "amber" || full.Report.Markings.TLP == "green" {
			onward = s.ID
			break
		}
	}
	if onward == "" {
		t.Fatal("no CO amber or green report released to DEA for seizure")
	}
	if c := countFrom(n.reportIDs("nca-analyst", "seizure", ""), "CO"); c != 0 {
		t.Fatalf("NCA reads %d CO reports without consent", c)
	}
	var consent struct {
		ID     int64
		Status string
	}
	n.must(201, "dea-liaison", "POST", "/api/v1/consents", "", map[string]any{
		"report": onward, "recipient": "NCA", "purposes": []string{"seizure"}, "note": "joint operation",
	}).json(t, &consent)
	n.must(404, "nca-analyst", "GET", "/api/v1/reports/"+onward, "seizure", nil)
	// Only the originating side may answer.
	n.must(403, "dea-liaison", "POST", "/api/v1/consents/"+itoa(consent.ID)+"/decision", "", map[string]string{"status": "granted"})
	n.must(200, "co-authority", "POST", "/api/v1/consents/"+itoa(consent.ID)+"/decision", "", map[string]string{"status": "granted"})
	n.must(409, "co-authority", "POST", "/api/v1/consents/"+itoa(consent.ID)+"/decision", "", map[string]string{"status": "denied"})
	n.must(200, "nca-analyst", "GET", "/api/v1/reports/"+onward, "seizure", nil)
	if c := countFrom(n.reportIDs("nca-analyst", "seizure", ""), "CO"); c != 1 {
		t.Errorf("NCA reads %d CO reports after one consent, want 1", c)
	}
	n.must(403, "nca-analyst", "GET", "/api/v1/reports/"+onward, "investigation", nil)

	// The directives list says who issued what.
	var ds struct {
		Directives []struct {
			ID       string
			IssuedBy string `json:"issued_by"`
		}
	}
	n.must(200, "dea-analyst", "GET", "/api/v1/directives", "", nil).json(t, &ds)
	if len(ds.Directives) != 2 {
		t.Errorf("DEA sees %d directives, want 2", len(ds.Directives))
	}
}

// TestSuspensionUnderLoad: 50 readers read continuously while the
// suspension is issued; no read that starts after the directive committed
// returns a CO object to a US reader.
func TestSuspensionUnderLoad(t *testing.T) { forEachEngine(t, testSuspensionUnderLoad) }

func testSuspensionUnderLoad(t *testing.T, n *node) {
	var committed atomic.Int64 // unix nanos when the directive's POST returned; 0 before
	var after, leaked, total atomic.Int64
	deadline := time.Now().Add(20 * time.Second)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			user := usReaders[i%len(usReaders)]
			for time.Now().Before(deadline) {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now().UnixNano()
				c := committed.Load()
				r := n.call(user, "GET", "/api/v1/reports?limit=1000", "seizure", nil)
				if r.status != 200 {
					t.Errorf("status %d: %s", r.status, r.body)
					return
				}
				total.Add(1)
				if c == 0 || start < c {
					continue
				}
				after.Add(1)
				if strings.Contains(string(r.body), `"nation": "CO"`) {
					leaked.Add(1)
				}
			}
		}()
	}
	time.Sleep(500 * time.Millisecond)
	suspendCOtoUS(n)
	committed.Store(time.Now().UnixNano())
	// Let every reader finish at least a few reads after the commit.
	for time.Now().Before(deadline) && after.Load() < 200 {
		time.Sleep(50 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	t.Logf("%d reads, %d after the directive committed, %d leaked", total.Load(), after.Load(), leaked.Load())
	if after.Load() < 50 {
		t.Fatalf("only %d reads after the commit: the test proves nothing", after.Load())
	}
	if leaked.Load() != 0 {
		t.Fatalf("%d reads after the directive returned CO reports", leaked.Load())
	}
}
