package main

import (
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
	a := startNode(t, store)
	b := serveNode(t, t.TempDir(), store) // no --demo: the world is there
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
}
