package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/enlace-exchange/enlace/store/postgres/pgtest"
)

// TestTwoServersOneDatabase runs two servers on one PostgreSQL database,
// the demo world seeded once through the first. A directive issued
// through one server is enforced on the other's very next read: each
// exchange reads the store's policy version at the start of every read
// and rebuilds its policy when the version moved, whichever server moved
// it.
func TestTwoServersOneDatabase(t *testing.T) {
	store := pgtest.NewDatabase(t)
	a := startNode(t, store, "--checkpoint-every", "50ms")
	// Servers of one exchange share its keys: the ledger's signing key
	// (one log, one signer) and the TAXII cursor key (a next token from
	// one server pages on another).
	bdir := t.TempDir()
	for _, name := range []string{ledgerKeyFile, ledgerPubFile, "taxii-cursor.key"} {
		data, err := os.ReadFile(filepath.Join(a.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(bdir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	b := serveNode(t, bdir, store, "--checkpoint-every", "50ms") // no --demo: the world is there
	b.creds = a.creds

	// B serves what A seeded, and has built its policy from it.
	var coKnown string
	for _, r := range b.reportIDs("dea-analyst", "interdiction", "") {
		if r.Nation == "CO" {
			coKnown = r.ID
			break
		}
	}
	if coKnown == "" {
		t.Fatal("DEA reads no CO report through B before the suspension")
	}
	b.must(200, "dea-analyst", "GET", "/api/v1/reports/"+coKnown, "interdiction", nil)

	// Suspend through A; B's very next read obeys it.
	id := suspendCOtoUS(a)
	b.must(403, "dea-analyst", "GET", "/api/v1/reports/"+coKnown, "interdiction", nil)
	for _, u := range usReaders {
		if c := countFrom(b.reportIDs(u, "interdiction", ""), "CO"); c != 0 {
			t.Errorf("%s reads %d CO reports through B after the suspension %s issued through A", u, c, id)
		}
	}

	// The other way round: reinstate for seizures through B; A's next read
	// obeys it.
	b.must(201, "co-authority", "POST", "/api/v1/directives", "", map[string]any{
		"action": "reinstate", "from": map[string]string{"nation": "CO"}, "to": map[string]string{"nation": "US"},
		"purposes": map[string][]string{"only": {"seizure"}}, "reason": "coordination continues for seizures",
	})
	a.must(200, "dea-analyst", "GET", "/api/v1/reports/"+coKnown, "seizure", nil)
	a.must(403, "dea-analyst", "GET", "/api/v1/reports/"+coKnown, "interdiction", nil)

	// Both servers list the same directives, numbered once.
	var da, db struct {
		Directives []struct{ ID string } `json:"directives"`
	}
	a.must(200, "dea-analyst", "GET", "/api/v1/directives", "", nil).json(t, &da)
	b.must(200, "dea-analyst", "GET", "/api/v1/directives", "", nil).json(t, &db)
	if len(da.Directives) != 2 || len(db.Directives) != 2 || da.Directives[1].ID != db.Directives[1].ID {
		t.Errorf("directives through A %v, through B %v: want the same two", da.Directives, db.Directives)
	}

	// One ledger, whichever server appended and signed: it verifies
	// offline, every entry and every checkpoint, from either data
	// directory.
	waitCheckpoint(t, b, a.ledgerSize(t))
	for _, n := range []*node{a, b} {
		if out, err := cli("ledger", "verify", "--data", n.dir, "--store", store); err != nil {
			t.Errorf("ledger verify through %s: %v\n%s", n.url, err, out)
		}
	}
}
