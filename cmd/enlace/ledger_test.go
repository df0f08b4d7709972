package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/enlace-exchange/enlace/exchange"
	"github.com/enlace-exchange/enlace/ledger"
)

// cli runs the enlace command line with args and returns what it printed
// and its error.
func cli(args ...string) (string, error) {
	var out bytes.Buffer
	root := newRoot(&out, io.Discard)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

// copyData copies a stopped node's data directory.
func copyData(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	for _, name := range []string{"enlace.db", "enlace.db-wal", "ledger.pub", "ledger.key"} {
		b, err := os.ReadFile(filepath.Join(from, name))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return to
}

// tamper opens the database in dir behind enlace's back, lifts the
// triggers that guard the ledger, and runs stmts.
func tamper(t *testing.T, dir string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, "enlace.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range append([]string{
		`DROP TRIGGER ledger_entries_no_update`, `DROP TRIGGER ledger_entries_no_delete`,
	}, stmts...) {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// ledgerIndex returns the index of the entry of kind for record id.
func ledgerIndex(t *testing.T, dir, kind, id string) int {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, "enlace.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var idx int
	if err := db.QueryRow(`SELECT idx FROM ledger_entries WHERE kind = ? AND record_id = ?`, kind, id).Scan(&idx); err != nil {
		t.Fatalf("entry of %s %s: %v", kind, id, err)
	}
	return idx
}

// TestLedgerVerifyTamper changes, deletes, reorders and inserts entries
// and records directly in a stopped node's database; ledger verify must
// fail every time and name the first bad entry.
//
// It tampers with the SQLite file, so it runs on SQLite only.
func TestLedgerVerifyTamper(t *testing.T) {
	n := startNode(t, "")
	suspendCOtoUS(n)
	// Some releases: NCA reads what the US-GB agreement releases to it.
	for _, r := range n.reportIDs("nca-analyst", "investigation", "")[:3] {
		n.must(200, "nca-analyst", "GET", "/api/v1/reports/"+r.ID, "investigation", nil)
	}
	n.stop()

	out, err := cli("ledger", "verify", "--data", n.dir)
	if err != nil {
		t.Fatalf("the untouched ledger does not verify: %v\n%s", err, out)
	}
	if !strings.Contains(out, "verified") && !strings.Contains(out, "ok") && !strings.Contains(out, "OK") {
		t.Logf("verify said: %s", out)
	}

	release := ledgerIndex(t, n.dir, "release", "1")
	release2 := ledgerIndex(t, n.dir, "release", "2")
	directive := ledgerIndex(t, n.dir, "directive", "D-1")
	tests := []struct {
		name  string
		stmts []string
		want  string // the entry the verifier must name
	}{
		{"record changed", []string{`UPDATE releases SET purpose = 'lethal-targeting' WHERE id = 1`}, fmt.Sprintf("entry %d", release)},
		{"record deleted", []string{`DELETE FROM releases WHERE id = 1`}, fmt.Sprintf("entry %d", release)},
		{"record inserted without entry", []string{`INSERT INTO releases (report_id, originator, releaser, recipient,
			recipient_nation, purpose, agreement_id, agreement_version, policies, at)
			SELECT report_id, originator, releaser, 'FBI', 'US', purpose, agreement_id, agreement_version, policies, at
			FROM releases WHERE id = 1`}, "release"},
		{"entry changed", []string{fmt.Sprintf(`UPDATE ledger_entries SET to_nation = 'GB' WHERE idx = %d`, directive)}, fmt.Sprintf("entry %d", directive)},
		{"entry deleted", []string{fmt.Sprintf(`DELETE FROM ledger_entries WHERE idx = %d`, directive)}, fmt.Sprintf("entry %d", directive)},
		{"entries of one kind reordered", []string{
			fmt.Sprintf(`UPDATE ledger_entries SET idx = -1 WHERE idx = %d`, release),
			fmt.Sprintf(`UPDATE ledger_entries SET idx = %d WHERE idx = %d`, release, release2),
			fmt.Sprintf(`UPDATE ledger_entries SET idx = %d WHERE idx = -1`, release2),
		}, fmt.Sprintf("entry %d", release)},
		{"entries reordered", []string{
			fmt.Sprintf(`UPDATE ledger_entries SET idx = -1 WHERE idx = %d`, directive),
			fmt.Sprintf(`UPDATE ledger_entries SET idx = %d WHERE idx = %d`, directive, directive+1),
			fmt.Sprintf(`UPDATE ledger_entries SET idx = %d WHERE idx = -1`, directive+1),
		}, fmt.Sprintf("entry %d", directive)},
		{"entry inserted", []string{fmt.Sprintf(`UPDATE ledger_entries SET idx = idx + 1000000 WHERE idx >= %d`, directive),
			`UPDATE ledger_entries SET idx = idx - 1000000 + 1 WHERE idx >= 1000000`,
			fmt.Sprintf(`INSERT INTO ledger_entries (idx, kind, record_id, from_nation, to_nation, at, salt, commitment)
				SELECT %d, kind, 'D-99', from_nation, to_nation, at, salt, commitment FROM ledger_entries WHERE idx = %d`, directive, directive+1),
		}, fmt.Sprintf("entry %d", directive)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyData(t, n.dir)
			tamper(t, dir, tt.stmts...)
			out, err := cli("ledger", "verify", "--data", dir)
			if err == nil {
				t.Fatalf("ledger verify passed a tampered database:\n%s", out)
			}
			msg := out + err.Error()
			if !strings.Contains(msg, tt.want+" ") && !strings.Contains(msg, tt.want+":") && !strings.Contains(msg, tt.want+")") {
				t.Errorf("ledger verify does not name %q:\n%s", tt.want, msg)
			}
			t.Logf("ledger verify: %v", err)
		})
	}
}

// TestLedgerSplitView: a partner cosigns the node's checkpoint; the
// node's database is then rewritten and its checkpoints erased, so it
// serves a history that contradicts the cosigned one. The partner's next
// check fails, naming both checkpoints. It rewrites the SQLite file, so it
// runs on SQLite only.
func TestLedgerSplitView(t *testing.T) {
	keys := t.TempDir()
	partner := filepath.Join(keys, "us-witness")
	if _, err := cli("ledger", "key", "--name", "witness.us.example", "--out", partner); err != nil {
		t.Fatal(err)
	}
	n := startNode(t, "", "--cosigner", partner+".pub", "--checkpoint-every", "50ms")
	suspendCOtoUS(n)
	state := filepath.Join(keys, "state")
	cosign := func(n *node) (string, error) {
		return cli("ledger", "cosign", "--url", n.url, "--node-key", filepath.Join(n.dir, "ledger.pub"),
			"--user", "us-auditor", "--token", n.creds["us-auditor"].Token, "--key", partner+".key", "--state", state)
	}
	directive := ledgerIndex(t, n.dir, "directive", "D-1")
	seen := waitCheckpoint(t, n, directive+1)
	if out, err := cosign(n); err != nil {
		t.Fatalf("cosign: %v\n%s", err, out)
	}
	dir := n.dir
	creds := n.creds
	n.stop()

	// Rewrite history: the directive never happened, and no checkpoint
	// remembers it.
	tamper(t, dir,
		fmt.Sprintf(`DELETE FROM ledger_entries WHERE idx >= %d`, directive),
		`DROP TRIGGER directives_no_delete`, `DELETE FROM directives`, `DELETE FROM cosignatures`, `DELETE FROM checkpoints`)
	m := serveDir(t, dir, "", "--cosigner", partner+".pub", "--checkpoint-every", "50ms")
	m.creds = creds
	// The rewritten log grows past the size the partner cosigned, with
	// other entries where the directive was.
	for m.ledgerSize(t) <= seen {
		m.must(201, "co-authority", "POST", "/api/v1/directives", "", map[string]any{
			"action": "suspend", "from": map[string]string{"nation": "CO"}, "to": map[string]string{"nation": "GB"},
			"purposes": "all", "reason": "review"})
	}
	waitCheckpoint(t, m, seen+1)
	out, err := cosign(m)
	if err == nil {
		t.Fatalf("the partner cosigned a history that contradicts the one it cosigned before:\n%s", out)
	}
	if !strings.Contains(err.Error(), "split") && !strings.Contains(err.Error(), "inconsistent") && !strings.Contains(err.Error(), "not consistent") {
		t.Errorf("the partner's error does not call it a split view: %v", err)
	}
}

// waitCheckpoint waits until n serves a checkpoint of at least size
// entries, and returns its size.
func waitCheckpoint(t *testing.T, n *node, size int) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := n.call("us-auditor", "GET", "/ledger/checkpoint", "", nil)
		if r.status == 200 {
			lines := strings.Split(string(r.body), "\n")
			var got int
			if len(lines) > 2 {
				fmt.Sscan(lines[1], &got)
			}
			if got >= size {
				return got
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint of %d entries after 10 s: %d %s", size, r.status, r.body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ledgerSize returns the number of entries in n's database, SQLite or
// PostgreSQL.
func (n *node) ledgerSize(t *testing.T) int {
	t.Helper()
	var size int
	if n.store != "" {
		conn, err := pgx.Connect(t.Context(), n.store)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(t.Context())
		if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM ledger_entries`).Scan(&size); err != nil {
			t.Fatal(err)
		}
		return size
	}
	db, err := sql.Open("sqlite", filepath.Join(n.dir, "enlace.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow(`SELECT count(*) FROM ledger_entries`).Scan(&size); err != nil {
		t.Fatal(err)
	}
	return size
}

// TestSeedScenarioLedger plays the seed's suspension and partial
// reinstatement, then has a US witness cosign the ledger and proves from
// it, as any partner can, that no CO intelligence reached a US agency
// between the suspension and the reinstatement, while releases before
// and after show in the same proof.
func TestSeedScenarioLedger(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) { testSeedScenarioLedger(t, e.store(t)) })
	}
}

func testSeedScenarioLedger(t *testing.T, store string) {
	keys := t.TempDir()
	witness := filepath.Join(keys, "us-witness")
	if _, err := cli("ledger", "key", "--name", "witness.us.example", "--out", witness); err != nil {
		t.Fatal(err)
	}
	n := startNode(t, store, "--cosigner", witness+".pub", "--checkpoint-every", "50ms")
	for _, u := range usReaders {
		for _, r := range n.reportIDs(u, "interdiction", "&nation=CO")[:2] {
			n.must(200, u, "GET", "/api/v1/reports/"+r.ID, "interdiction", nil)
		}
	}
	var d struct {
		IssuedAt time.Time `json:"issued_at"`
	}
	n.must(200, "co-authority", "GET", "/api/v1/directives/"+suspendCOtoUS(n), "", nil).json(t, &d)
	suspended := d.IssuedAt
	// During the suspension US agencies ask for CO intelligence and get
	// none, for any purpose.
	for _, u := range usReaders {
		for _, p := range []string{"seizure", "interdiction", "lethal-targeting"} {
			if c := countFrom(n.reportIDs(u, p, ""), "CO"); c != 0 {
				t.Fatalf("%s reads %d CO reports for %s during the suspension", u, c, p)
			}
		}
	}
	n.must(201, "co-authority", "POST", "/api/v1/directives", "", map[string]any{
		"action": "reinstate", "from": map[string]string{"nation": "CO"}, "to": map[string]string{"nation": "US"},
		"purposes": map[string][]string{"only": {"seizure"}}, "reason": "coordination continues for seizures",
	}).json(t, &d)
	reinstated := d.IssuedAt
	// New CO intelligence reaches DEA again, for seizures.
	fresh := newReportID(7)
	n.must(201, "dipol-analyst", "POST", "/api/v1/reports", "", map[string]any{
		"id": fresh, "title": "Go-fast boat leaving Tumaco tonight", "markings": map[string]any{"tlp": "amber"},
		"grading": map[string]string{"scheme": "admiralty", "source": "B", "information": "2"},
	})
	n.must(200, "dea-analyst", "GET", "/api/v1/reports/"+fresh, "seizure", nil)

	size := n.ledgerSize(t)
	waitCheckpoint(t, n, size)
	_, err := cli("ledger", "cosign", "--url", n.url, "--node-key", filepath.Join(n.dir, "ledger.pub"),
		"--user", "us-auditor", "--token", n.creds["us-auditor"].Token, "--key", witness+".key", "--state", filepath.Join(keys, "state"))
	if err != nil {
		t.Fatalf("cosign: %v", err)
	}
	proof := func(after, before time.Time) string {
		args := []string{"ledger", "releases", "--url", n.url, "--node-key", filepath.Join(n.dir, "ledger.pub"),
			"--user", "co-auditor", "--token", n.creds["co-auditor"].Token, "--cosigner", witness + ".pub",
			"--recipient", "US", "--from", "CO"}
		if !after.IsZero() {
			args = append(args, "--after", after.Format(time.RFC3339Nano))
		}
		if !before.IsZero() {
			args = append(args, "--before", before.Format(time.RFC3339Nano))
		}
		out, err := cli(args...)
		if err != nil {
			t.Fatalf("ledger releases: %v", err)
		}
		return out
	}
	during := proof(suspended, reinstated)
	if !strings.HasPrefix(during, "0 releases of CO intelligence to US after ") || !strings.Contains(during, "cosigned by witness.us.example") {
		t.Errorf("the proof over the suspension says:\n%s", during)
	}
	t.Logf("ledger releases: %s", strings.SplitN(during, "\n", 2)[0])
	if before := proof(time.Time{}, suspended); strings.HasPrefix(before, "0 ") {
		t.Errorf("no CO release to US before the suspension:\n%s", before)
	}
	if after := proof(reinstated, time.Time{}); strings.HasPrefix(after, "0 ") {
		t.Errorf("no CO release to US after the reinstatement for seizures:\n%s", after)
	}
	// The node's own offline check recomputes every entry from the store.
	args := []string{"ledger", "verify", "--data", n.dir}
	if store != "" {
		args = append(args, "--store", store)
	}
	if out, err := cli(args...); err != nil {
		t.Errorf("ledger verify --data: %v\n%s", err, out)
	}
}

// TestLedgerRecordProof: a party to a release gets the record with the
// proof that the ledger holds it, and checks it with the node's public
// key alone; a party to nothing gets 404.
func TestLedgerRecordProof(t *testing.T) {
	forEachEngine(t, testLedgerRecordProof, "--checkpoint-every", "50ms")
}

func testLedgerRecordProof(t *testing.T, n *node) {
	r := n.reportIDs("dea-analyst", "interdiction", "&nation=CO")[0]
	n.must(200, "dea-analyst", "GET", "/api/v1/reports/"+r.ID, "interdiction", nil)
	var rels struct {
		Releases []struct{ ID int64 } `json:"releases"`
	}
	n.must(200, "dea-analyst", "GET", "/api/v1/releases?report="+r.ID+"&recipient=DEA", "", nil).json(t, &rels)
	if len(rels.Releases) == 0 {
		t.Fatal("no release recorded for DEA's read")
	}
	id := fmt.Sprint(rels.Releases[0].ID)
	waitCheckpoint(t, n, n.ledgerSize(t))

	var p exchange.RecordProof
	n.must(200, "dea-analyst", "GET", "/api/v1/ledger/records/release/"+id, "", nil).json(t, &p)
	vkey, err := readKey(filepath.Join(n.dir, "ledger.pub"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := ledger.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.Proof.Verify(p.Record, v); err != nil {
		t.Fatalf("the proof does not verify: %v", err)
	}
	if !strings.Contains(string(p.Record), `"recipient":"DEA"`) {
		t.Errorf("record %s", p.Record)
	}
	// A record changed by one byte no longer verifies.
	forged := bytes.Replace(p.Record, []byte(`"recipient":"DEA"`), []byte(`"recipient":"FBI"`), 1)
	if _, _, err := p.Proof.Verify(forged, v); err == nil {
		t.Error("a forged record verified")
	}
	// The originator and both authorities may have it; a third party may not.
	for _, u := range []string{strings.ToLower(r.Originator) + "-analyst", "co-authority", "us-auditor"} {
		n.must(200, u, "GET", "/api/v1/ledger/records/release/"+id, "", nil)
	}
	n.must(404, "nca-analyst", "GET", "/api/v1/ledger/records/release/"+id, "", nil)
	n.must(404, "dea-analyst", "GET", "/api/v1/ledger/records/release/999999", "", nil)
	var cps struct {
		Checkpoints []struct{ Size int64 } `json:"checkpoints"`
	}
	n.must(200, "nca-analyst", "GET", "/api/v1/ledger/checkpoints?limit=2", "", nil).json(t, &cps)
	if len(cps.Checkpoints) == 0 || cps.Checkpoints[0].Size < 1 {
		t.Errorf("checkpoints: %+v", cps)
	}
}

// TestLedgerWitnessNode: a second node, started with --witness, checks
// and cosigns the first node's ledger on its own; the first serves its
// checkpoint with that cosignature.
func TestLedgerWitnessNode(t *testing.T) {
	keys := t.TempDir()
	witnessKey := filepath.Join(keys, "us-node")
	if _, err := cli("ledger", "key", "--name", "witness.us-node.example", "--out", witnessKey); err != nil {
		t.Fatal(err)
	}
	a := startNode(t, "", "--cosigner", witnessKey+".pub", "--checkpoint-every", "50ms")
	suspendCOtoUS(a)
	cfg, err := json.Marshal(witnessConfig{URL: a.url, NodeKey: filepath.Join(a.dir, "ledger.pub"), Key: witnessKey + ".key",
		User: "us-auditor", Token: a.creds["us-auditor"].Token, Every: "100ms"})
	if err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(keys, "witness-a.json")
	if err := os.WriteFile(cfgFile, cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	startNode(t, "", "--witness", cfgFile)
	deadline := time.Now().Add(15 * time.Second)
	for {
		r := a.call("co-auditor", "GET", "/ledger/checkpoint", "", nil)
		if r.status == 200 && strings.Contains(string(r.body), "— witness.us-node.example ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no cosignature by the witnessing node after 15 s:\n%s", r.body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
