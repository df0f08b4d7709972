package exchange_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/auth"
	"github.com/enlace-exchange/enlace/demo"
	"github.com/enlace-exchange/enlace/exchange"
	"github.com/enlace-exchange/enlace/store/sqlite"
)

// demoWorld returns an exchange over a fresh SQLite store holding the
// demo world, and its users by name.
func demoWorld(t *testing.T) (*exchange.Exchange, map[string]enlace.User) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "enlace.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	x := exchange.New(exchange.Config{Store: st})
	creds, err := demo.Seed(ctx, x, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	users := map[string]enlace.User{}
	for _, c := range creds {
		u, err := x.Authenticate(ctx, auth.Credentials{Username: c.Username, Secret: c.Token})
		if err != nil {
			t.Fatal(err)
		}
		users[c.Username] = u
	}
	return x, users
}

func TestSharingMatrixFollowsDirectives(t *testing.T) {
	ctx := context.Background()
	x, users := demoWorld(t)
	co, us, gb := users["co-authority"], users["us-authority"], users["gb-authority"]
	CO, US, GB := enlace.NationScope("CO"), enlace.NationScope("US"), enlace.NationScope("GB")

	cell := func(u enlace.User, from, to enlace.Scope) exchange.SharingCell {
		t.Helper()
		m, err := x.SharingMatrix(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		return m.Cell(from, to)
	}
	if c := cell(co, CO, US); c.State != exchange.SharingActive || len(c.Directives) != 0 {
		t.Fatalf("CO→US before any directive: %+v", c)
	}
	if got, want := cell(co, CO, US).Open, []enlace.Purpose{"interdiction", "investigation", "prosecution"}; !cmp.Equal(got, want) {
		t.Errorf("CO→US open %v, want %v", got, want)
	}
	if c := cell(co, CO, GB); c.State != exchange.SharingNone {
		t.Errorf("CO→GB without agreement: %v", c.State)
	}
	if c := cell(co, US, GB); c.State != exchange.SharingHidden {
		t.Errorf("US→GB seen from CO: %v, want hidden", c.State)
	}

	if _, err := x.IssueDirective(ctx, co, enlace.Directive{
		Action: enlace.ActionSuspend, From: CO, To: US, Purposes: enlace.AllPurposes, Reason: "strikes",
	}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []enlace.User{co, us} {
		c := cell(u, CO, US)
		if c.State != exchange.SharingSuspended || !cmp.Equal(c.Directives, []string{"D-1"}) {
			t.Errorf("CO→US after D-1 seen by %s: %+v", u.Username, c)
		}
	}
	if c := cell(co, enlace.AgencyScope("DIPOL"), enlace.AgencyScope("DEA")); c.State != exchange.SharingSuspended {
		t.Errorf("DIPOL→DEA after D-1: %v", c.State)
	}
	if c := cell(co, US, CO); c.State != exchange.SharingActive {
		t.Errorf("US→CO after D-1: %v", c.State)
	}
	if c := cell(gb, CO, US); c.State != exchange.SharingHidden || c.Directives != nil {
		t.Errorf("GB sees CO→US: %+v", c)
	}

	// A suspension towards one agency leaves the nation pair mixed.
	if _, err := x.IssueDirective(ctx, us, enlace.Directive{
		Action: enlace.ActionSuspend, From: US, To: enlace.AgencyScope("DIPOL"), Purposes: enlace.AllPurposes, Reason: "leak inquiry",
	}); err != nil {
		t.Fatal(err)
	}
	if c := cell(co, US, CO); c.State != exchange.SharingMixed || !cmp.Equal(c.Directives, []string{"D-2"}) {
		t.Errorf("US→CO after D-2 towards DIPOL: %+v", c)
	}
	if c := cell(co, enlace.AgencyScope("DEA"), enlace.AgencyScope("DIJIN")); c.State != exchange.SharingActive {
		t.Errorf("DEA→DIJIN after D-2: %v", c.State)
	}

	if _, err := x.IssueDirective(ctx, co, enlace.Directive{
		Action: enlace.ActionReinstate, From: CO, To: US,
		Purposes: enlace.PurposeSet{Mode: enlace.PurposesOnly, Purposes: []enlace.Purpose{enlace.PurposeSeizure}}, Reason: "seizures",
	}); err != nil {
		t.Fatal(err)
	}
	c := cell(co, CO, US)
	if c.State != exchange.SharingRestricted || c.Label() != "restricted: seizure" || !cmp.Equal(c.Directives, []string{"D-1", "D-3"}) {
		t.Errorf("CO→US after D-3: %+v (%s)", c, c.Label())
	}
}

func TestPreviewDirective(t *testing.T) {
	ctx := context.Background()
	x, users := demoWorld(t)
	co := users["co-authority"]
	d := enlace.Directive{
		Action: enlace.ActionSuspend, From: enlace.NationScope("CO"), To: enlace.NationScope("US"),
		Purposes: enlace.AllPurposes, Reason: "strikes",
	}
	p, err := x.PreviewDirective(ctx, co, d)
	if err != nil {
		t.Fatal(err)
	}
	// Count by hand what the suspension closes: every CO report some US
	// agency may read now for some purpose.
	want, agencies := 0, map[string]bool{}
	seen := map[string]bool{}
	for _, name := range []string{"dea-analyst", "fbi-analyst", "hsi-analyst"} {
		u := users[name]
		for _, pu := range x.Vocabulary().Purposes() {
			page, err := x.List(ctx, u, string(pu), enlace.ReportFilter{Nation: "CO", Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.Reports {
				agencies[u.Agency] = true
				if !seen[r.ID] {
					seen[r.ID], want = true, want+1
				}
			}
		}
	}
	if p.Reports != want || want == 0 {
		t.Errorf("preview counts %d reports, the readers list %d", p.Reports, want)
	}
	for _, a := range []string{"DEA", "FBI", "HSI"} {
		if agencies[a] && !slices.Contains(p.Agencies, a) {
			t.Errorf("preview agencies %v miss %s", p.Agencies, a)
		}
	}
	if len(p.Cells) == 0 {
		t.Error("preview names no changed pair")
	}
	// Nothing was recorded.
	ds, err := x.Directives(ctx, co)
	if err != nil || len(ds) != 0 {
		t.Fatalf("preview recorded directives %v (%v)", ds, err)
	}
	// It refuses what IssueDirective refuses, with the same codes.
	if _, err := x.PreviewDirective(ctx, users["us-authority"], d); enlace.ErrorCode(err) != enlace.EForbidden {
		t.Errorf("US previewing a CO directive: %v", err)
	}
	bad := d
	bad.Reason = ""
	if _, err := x.PreviewDirective(ctx, co, bad); enlace.ErrorCode(err) != enlace.EInvalid {
		t.Errorf("no reason: %v", err)
	}
}
