package main

import (
	"encoding/csv"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/demo"
	"github.com/enlace-exchange/enlace/store/postgres"
	"github.com/enlace-exchange/enlace/store/sqlite"
)

type useBody struct {
	ID      int64  `json:"id"`
	Agency  string `json:"agency"`
	Status  string `json:"status"`
	Reasons []struct{ Policy, Text string }
	Reports []struct {
		Report, Originator, Nation, Agreement string
	}
	Operation string `json:"operation"`
}

// openStore opens n's store beside the running server (SQLite's WAL lets
// readers in; PostgreSQL is a server), for what the API does not serve
// to one user: every alert, and the records without ledger entries.
func openStore(t *testing.T, n *node) enlace.Store {
	t.Helper()
	var st enlace.Store
	var err error
	if n.store != "" {
		st, err = postgres.Open(t.Context(), n.store, nil)
	} else {
		st, err = sqlite.Open(t.Context(), filepath.Join(n.dir, "enlace.db"), nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func (n *node) uses(user, query string) []useBody {
	n.t.Helper()
	var b struct{ Uses []useBody }
	n.must(200, user, "GET", "/api/v1/uses"+query, "", nil).json(n.t, &b)
	return b.Uses
}

// TestUsesOutcomesAndSafeguards plays the flows of use declarations on
// the demo world: a use for lethal targeting is refused and alerted, a
// hidden report stays hidden, an accepted use's strike raises a violation
// alert, and corrections are new versions.
func TestUsesOutcomesAndSafeguards(t *testing.T) { forEachEngine(t, testUsesOutcomesAndSafeguards) }

func testUsesOutcomesAndSafeguards(t *testing.T, n *node) {
	st := openStore(t, n)
	ctx := t.Context()

	// A DIPOL report DEA reads for seizure.
	var co reportSummary
	for _, r := range n.reportIDs("dea-analyst", "seizure", "&originator=DIPOL") {
		co = r
		break
	}
	if co.ID == "" {
		t.Fatal("DEA reads no DIPOL report for seizure")
	}
	alertsBefore := len(must(st.Alerts(ctx, enlace.AlertFilter{})))

	// Lethal targeting: refused, 403 with the reasons, stored, alerted.
	r := n.must(403, "dea-analyst", "POST", "/api/v1/uses", "", map[string]any{
		"reports": []string{co.ID}, "operation": "Operation Test Lance", "purpose": "lethal-targeting", "planned_at": "2026-01-05T10:00:00Z",
	})
	var denied struct {
		Code    string
		Message string
		Reasons []struct{ Policy, Text string }
	}
	r.json(t, &denied)
	if denied.Code != "forbidden" || len(denied.Reasons) == 0 || !strings.Contains(denied.Message, "military-action") && !strings.Contains(denied.Message, "lethal-targeting") {
		t.Errorf("refusal: %s", r.body)
	}
	refused := n.uses("dea-analyst", "?status=refused")
	if len(refused) != 1 || refused[0].Operation != "Operation Test Lance" || len(refused[0].Reasons) == 0 {
		t.Fatalf("DEA's refused uses: %+v", refused)
	}
	alerts := must(st.Alerts(ctx, enlace.AlertFilter{Kind: enlace.AlertRefusedUse}))
	if len(alerts) != 1 || alerts[0].Agency != "DIPOL" || alerts[0].Nation != "CO" || alerts[0].ReportID != co.ID ||
		alerts[0].Subject != "use/"+itoa(refused[0].ID) || !strings.Contains(alerts[0].Text, "lethal-targeting") {
		t.Errorf("refused-use alerts: %+v", alerts)
	}
	// The originator's side sees the refused declaration; a third party does not.
	if got := n.uses("co-authority", "?status=refused"); len(got) != 1 || got[0].ID != refused[0].ID {
		t.Errorf("CO authority sees refused uses %+v", got)
	}
	// NCA sees the demo's uses of its own reports, and of them only its reports.
	for _, u := range n.uses("nca-analyst", "") {
		if u.ID == refused[0].ID {
			t.Errorf("NCA sees DEA's refused use")
		}
		for _, r := range u.Reports {
			if r.Originator != "NCA" {
				t.Errorf("NCA sees use %d naming a %s report", u.ID, r.Originator)
			}
		}
	}
	n.must(404, "nca-analyst", "GET", "/api/v1/uses/"+itoa(refused[0].ID), "", nil)
	// Nothing may come of a refused use.
	n.must(400, "dea-analyst", "POST", "/api/v1/outcomes", "", map[string]any{
		"use": refused[0].ID, "kind": "seizure", "occurred_at": "2026-01-06T10:00:00Z"})

	// A report DEA may not read and never received: 404, nothing stored, nobody alerted.
	hidden := newReportID(7)
	n.must(201, "dipol-analyst", "POST", "/api/v1/reports", "", map[string]any{
		"id": hidden, "title": "For DIJIN only", "markings": map[string]any{"tlp": "amber+strict", "recipients": []string{"DIJIN"}},
		"grading": map[string]string{"scheme": "admiralty", "source": "B", "information": "2"},
	})
	if code := n.must(404, "dea-analyst", "POST", "/api/v1/uses", "", map[string]any{
		"reports": []string{co.ID, hidden}, "operation": "Operation Probe", "purpose": "lethal-targeting",
	}).errorCode(t); code != "not_found" {
		t.Errorf("hidden report: code %q", code)
	}
	if got := len(n.uses("dea-analyst", "?status=refused")); got != 1 {
		t.Errorf("a declaration naming a hidden report was stored: %d refused uses", got)
	}
	if got := len(must(st.Alerts(ctx, enlace.AlertFilter{}))); got != alertsBefore+1 {
		t.Errorf("%d alerts after the hidden-report declaration, want %d", got, alertsBefore+1)
	}
	// Auditors and authorities do not declare uses.
	n.must(403, "us-auditor", "POST", "/api/v1/uses", "", map[string]any{"reports": []string{co.ID}, "operation": "x", "purpose": "seizure"})

	// Seizure: accepted, tied to the agreement that allowed it.
	var created struct {
		Use      useBody
		Decision struct{ Allowed bool }
	}
	n.must(201, "dea-analyst", "POST", "/api/v1/uses", "", map[string]any{
		"reports": []string{co.ID}, "operation": "Operation Test Tide", "purpose": "seizure", "planned_at": "2026-01-05T10:00:00Z",
	}).json(t, &created)
	use := created.Use
	if use.Status != "accepted" || !created.Decision.Allowed || len(use.Reports) != 1 || use.Reports[0].Agreement == "" || use.Reports[0].Originator != "DIPOL" {
		t.Fatalf("accepted use: %+v", created)
	}
	for _, u := range []string{"dea-analyst", "dipol-analyst", "co-authority", "us-auditor"} {
		n.must(200, u, "GET", "/api/v1/uses/"+itoa(use.ID), "", nil)
	}
	n.must(404, "fbi-analyst", "GET", "/api/v1/uses/"+itoa(use.ID), "", nil)

	// Another agency cannot report on DEA's use.
	n.must(404, "fbi-analyst", "POST", "/api/v1/outcomes", "", map[string]any{"use": use.ID, "kind": "seizure", "occurred_at": "2026-01-06T10:00:00Z"})
	n.must(400, "dea-analyst", "POST", "/api/v1/outcomes", "", map[string]any{"use": use.ID, "kind": "picnic", "occurred_at": "2026-01-06T10:00:00Z"})

	// A seizure, then a correction to a strike with casualties: the
	// correction raises a violation alert to DIPOL (CO's agreement and
	// the markings forbid military action).
	var o1, o2 struct {
		Outcome struct {
			ID       int64
			Corrects int64
		}
		Alerted []string
	}
	n.must(201, "dea-analyst", "POST", "/api/v1/outcomes", "", map[string]any{
		"use": use.ID, "kind": "seizure", "substance": "cocaine", "quantity_kg": 900, "persons_detained": 2,
		"vessel": "go-fast", "location": "off Tumaco", "occurred_at": "2026-01-06T10:00:00Z",
	}).json(t, &o1)
	if len(o1.Alerted) != 0 {
		t.Errorf("a seizure alerted %v", o1.Alerted)
	}
	n.must(201, "dea-analyst", "POST", "/api/v1/outcomes", "", map[string]any{
		"corrects": o1.Outcome.ID, "kind": "strike", "casualties": 2, "vessel": "go-fast", "occurred_at": "2026-01-06T10:00:00Z",
	}).json(t, &o2)
	if o2.Outcome.Corrects != o1.Outcome.ID || !slices.Equal(o2.Alerted, []string{"DIPOL"}) {
		t.Errorf("correction: %+v", o2)
	}
	n.must(409, "dea-analyst", "POST", "/api/v1/outcomes", "", map[string]any{
		"corrects": o1.Outcome.ID, "kind": "seizure", "occurred_at": "2026-01-06T10:00:00Z"})
	v := must(st.Alerts(ctx, enlace.AlertFilter{Kind: enlace.AlertViolation, Agency: "DIPOL"}))
	found := false
	for _, a := range v {
		if a.Subject == "outcome/"+itoa(o2.Outcome.ID) {
			found = a.Nation == "CO" && strings.Contains(a.Text, "strike with 2 casualties") && strings.Contains(string(a.Detail), "military-action")
		}
	}
	if !found {
		t.Errorf("no violation alert to DIPOL for outcome %d: %+v", o2.Outcome.ID, v)
	}

	// The demo's own strike alerted its originators too.
	var demoStrike useBody
	for _, u := range n.uses("dea-analyst", "") {
		if u.Operation == demo.StrikeOperation {
			demoStrike = u
		}
	}
	if demoStrike.ID == 0 {
		t.Fatal("the demo has no strike")
	}
	if got := must(st.Alerts(ctx, enlace.AlertFilter{Kind: enlace.AlertViolation})); len(got) < 2 {
		t.Errorf("violation alerts: %+v", got)
	}

	// Every use, outcome and alert has its ledger entry.
	if un := must(st.UnledgeredRecords(ctx)); len(un) != 0 {
		t.Errorf("unledgered records: %v", un)
	}

	// The trail of the report: DIPOL and CO see it whole, DEA its side, NCA nothing.
	var trail struct {
		Counts   string
		Releases []struct{ Recipient string }
		Uses     []struct {
			Use    useBody
			Direct bool
			Weight float64
		}
		Outcomes []struct {
			ID      int64
			Current bool
		}
	}
	n.must(200, "dipol-analyst", "GET", "/api/v1/accounting/reports/"+co.ID, "", nil).json(t, &trail)
	var tide bool
	for _, u := range trail.Uses {
		if u.Use.ID == use.ID {
			tide = u.Direct && u.Weight > 0
		}
	}
	if !tide || trail.Counts == "" || len(trail.Outcomes) < 2 {
		t.Errorf("DIPOL's trail: %+v", trail)
	}
	for _, o := range trail.Outcomes {
		if o.ID == o1.Outcome.ID && o.Current || o.ID == o2.Outcome.ID && !o.Current {
			t.Errorf("outcome %d current = %v", o.ID, o.Current)
		}
	}
	n.must(200, "co-auditor", "GET", "/api/v1/accounting/reports/"+co.ID, "", nil)
	n.must(200, "dea-analyst", "GET", "/api/v1/accounting/reports/"+co.ID, "", nil).json(t, &trail)
	for _, rel := range trail.Releases {
		if rel.Recipient != "DEA" {
			t.Errorf("DEA sees a release to %s", rel.Recipient)
		}
	}
	n.must(404, "nca-analyst", "GET", "/api/v1/accounting/reports/"+co.ID, "", nil)
	n.must(404, "dea-analyst", "GET", "/api/v1/accounting/reports/"+hidden, "", nil)
	csvBody := string(n.must(200, "dipol-analyst", "GET", "/api/v1/accounting/reports/"+co.ID+"?format=csv", "", nil).body)
	if !strings.HasPrefix(csvBody, "record,id,agency") || !strings.Contains(csvBody, "Operation Test Tide") {
		t.Errorf("trail CSV: %s", csvBody)
	}
}

// TestAccountingOnTheDemo asks the seed report's question of the demo
// world: how much of what JIATF-South's US members use is Colombian?
func TestAccountingOnTheDemo(t *testing.T) { forEachEngine(t, testAccountingOnTheDemo) }

func testAccountingOnTheDemo(t *testing.T, n *node) {
	type shares struct {
		Counts    string
		Consumers []string
		Withheld  []string
		Total     float64 `json:"total_weight"`
		Nations   []struct {
			Nation string
			Weight float64
			Share  float64
		}
		Agencies []struct{ Nation, Originator string }
	}
	var us shares
	n.must(200, "us-authority", "GET", "/api/v1/accounting/shares?task_force=JIATF-South", "", nil).json(t, &us)
	if !slices.Equal(us.Consumers, []string{"DEA", "FBI", "HSI"}) || !slices.Equal(us.Withheld, []string{"DIPOL"}) {
		t.Errorf("US authority counts %v, withholds %v", us.Consumers, us.Withheld)
	}
	sum, co := 0.0, 0.0
	for _, l := range us.Nations {
		sum += l.Share
		if l.Nation == "CO" {
			co = l.Share
		}
	}
	if us.Total <= 0 || sum < 0.999999 || sum > 1.000001 || co < 0.5 {
		t.Errorf("US members' shares: %+v", us)
	}
	t.Logf("CO share of JIATF-South US members' used intelligence: %.1f%% (%s)", 100*co, us.Counts)
	if !strings.Contains(us.Counts, "JIATF-South") || !strings.Contains(us.Counts, "lineage") {
		t.Errorf("counts does not say what it counts: %q", us.Counts)
	}

	var coSide shares
	n.must(200, "co-authority", "GET", "/api/v1/accounting/shares?task_force=JIATF-South", "", nil).json(t, &coSide)
	if !slices.Equal(coSide.Consumers, []string{"DIPOL"}) {
		t.Errorf("CO authority counts %v", coSide.Consumers)
	}
	var own shares
	n.must(200, "dea-analyst", "GET", "/api/v1/accounting/shares", "", nil).json(t, &own)
	if !slices.Equal(own.Consumers, []string{"DEA"}) || own.Total == 0 {
		t.Errorf("DEA's own shares: %+v", own)
	}
	n.must(403, "nca-analyst", "GET", "/api/v1/accounting/shares?agency=DEA", "", nil)
	n.must(400, "nca-analyst", "GET", "/api/v1/accounting/shares?agency=NOPE", "", nil)
	n.must(400, "us-authority", "GET", "/api/v1/accounting/shares?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "", nil)
	// A window before the demo's uses counts nothing.
	var empty shares
	n.must(200, "us-authority", "GET", "/api/v1/accounting/shares?nation=US&to=2000-01-01T00:00:00Z", "", nil).json(t, &empty)
	if empty.Total != 0 || len(empty.Nations) != 0 {
		t.Errorf("empty window: %+v", empty)
	}

	// CSV, by query and by Accept.
	body := n.must(200, "us-authority", "GET", "/api/v1/accounting/shares?task_force=JIATF-South&format=csv", "", nil).body
	rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil || len(rows) != 1+len(us.Agencies)+len(us.Nations) ||
		!slices.Equal(rows[0], []string{"nation", "originator", "citations", "weight", "share", "counts"}) || rows[1][5] != us.Counts {
		t.Errorf("CSV (%v): %q", err, rows)
	}
	req, _ := http.NewRequest("GET", n.url+"/api/v1/accounting/outcomes?nation=US", nil)
	req.SetBasicAuth("us-authority", n.creds["us-authority"].Token)
	req.Header.Set("Accept", "text/csv")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Errorf("outcomes with Accept: text/csv: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	// Outcomes by originator: CO sees what its intelligence fed US
	// agencies, the strike included, and nothing of US intelligence.
	var out struct {
		Counts string
		Rows   []enlace.OutcomeRow
	}
	n.must(200, "co-authority", "GET", "/api/v1/accounting/outcomes?nation=US&to="+time.Now().Add(time.Hour).UTC().Format(time.RFC3339), "", nil).json(t, &out)
	strikes, seized := 0, 0.0
	for _, r := range out.Rows {
		if r.Nation != "CO" {
			t.Errorf("CO authority sees a row of %s intelligence: %+v", r.Nation, r)
		}
		if r.Kind == enlace.OutcomeStrike {
			strikes += r.Outcomes
		}
		seized += r.QuantityKg
	}
	if strikes == 0 || seized == 0 {
		t.Errorf("CO outcomes: %+v", out.Rows)
	}
}

// must returns v or fails the test at the caller: for store calls.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestAccountingCommand runs enlace accounting on a demo node's data
// directory.
func TestAccountingCommand(t *testing.T) { forEachEngine(t, testAccountingCommand) }

func testAccountingCommand(t *testing.T, n *node) {
	run := func(args ...string) (string, error) {
		var out strings.Builder
		root := newRoot(&out, io.Discard)
		args = append(args, "--data", n.dir)
		if n.store != "" {
			args = append(args, "--store", n.store)
		}
		root.SetArgs(args)
		err := root.ExecuteContext(t.Context())
		return out.String(), err
	}
	out, err := run("accounting", "shares", "--as", "us-authority", "--task-force", "JIATF-South", "--csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) < 3 || rows[0][0] != "nation" || !strings.Contains(rows[1][5], "JIATF-South") {
		t.Errorf("shares --csv (%v):\n%s", err, out)
	}
	out, err = run("accounting", "outcomes", "--as", "co-authority", "--nation", "US", "--from", "2000-01-01T00:00:00Z")
	if err != nil || !strings.HasPrefix(out, "Counts: current outcome versions") || !strings.Contains(out, "strike") {
		t.Errorf("outcomes (%v):\n%s", err, out)
	}
	if _, err := run("accounting", "shares", "--task-force", "JIATF-South"); err == nil || !strings.Contains(err.Error(), "--as") {
		t.Errorf("shares without --as: %v", err)
	}
	if _, err := run("accounting", "shares", "--as", "nca-analyst", "--agency", "DEA"); enlace.ErrorCode(err) != enlace.EForbidden {
		t.Errorf("NCA asking for DEA's shares: %v", err)
	}
	if _, err := run("accounting", "report", "report--00000000-0000-4000-8000-000000000000", "--as", "dea-analyst"); enlace.ErrorCode(err) != enlace.ENotFound {
		t.Errorf("trail of an unknown report: %v", err)
	}
}
