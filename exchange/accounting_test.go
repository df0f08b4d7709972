package exchange_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/exchange"
	"github.com/enlace-exchange/enlace/store/sqlite"
)

var day0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func day(n int) time.Time { return day0.Add(time.Duration(n) * 24 * time.Hour) }

// known is a world whose every accounting figure the test can work out
// by hand.
type known struct {
	x     *exchange.Exchange
	st    *sqlite.DB
	users map[string]enlace.User
	r     map[string]enlace.Report // A ... E
	uses  map[string]enlace.Use    // u1 ... u6
	o     map[string]enlace.Outcome
}

// check returns v, or panics with err: the test fails with its trace.
func check[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// buildKnown makes this world:
//
//	reports  A DIPOL (CO); B DIJIN (CO) from A; C DEA (US); D NCA (GB);
//	         E DIJIN (CO) from A and B
//	uses     u1 DEA seizure {A} day 1        A 1
//	         u2 DEA seizure {B, C} day 2     B 1/2, A 1/2, C 1
//	         u3 HSI interdiction {E} day 3   E 1/2, A 3/8, B 1/8
//	         u4 DIPOL investigation {C} day 4
//	         u5 DEA lethal-targeting {A} day 5: refused
//	         u6 HSI seizure {A, D} day 6     A 1, D 1
//	outcomes u1 seizure 1000 kg, 2 detained (day 10)
//	         u2 arrest, 3 detained, corrected to 4 (day 11)
//	         u3 strike, 2 casualties (day 12)
//	         u4 seizure 500 kg (day 13)
//	         u6 interdiction, 1 detained (day 14)
func buildKnown(t *testing.T) known {
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "enlace.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := day(20)
	k := known{st: st, users: map[string]enlace.User{}, r: map[string]enlace.Report{}, uses: map[string]enlace.Use{}, o: map[string]enlace.Outcome{}}
	k.x = exchange.New(exchange.Config{Store: st, Now: func() time.Time { return now }})
	x := k.x
	for _, n := range []string{"CO", "US", "GB"} {
		check(x.CreateNation(ctx, enlace.Nation{Code: n, Name: n}))
	}
	for _, a := range [][2]string{{"PRES", "CO"}, {"DIPOL", "CO"}, {"DIJIN", "CO"}, {"DOS", "US"}, {"DEA", "US"}, {"HSI", "US"}, {"NCA", "GB"}} {
		check(x.CreateAgency(ctx, enlace.Agency{ID: a[0], Nation: a[1], Name: a[0]}))
	}
	check(x.CreateTaskForce(ctx, enlace.TaskForce{ID: "TF", Name: "task force", Members: []string{"DEA", "HSI", "DIPOL"}}))
	for _, u := range []struct {
		name, agency string
		role         enlace.Role
	}{
		{"co-auth", "PRES", enlace.RoleAuthority}, {"us-auth", "DOS", enlace.RoleAuthority}, {"gb-auth", "NCA", enlace.RoleAuthority},
		{"dipol", "DIPOL", enlace.RoleAnalyst}, {"dijin", "DIJIN", enlace.RoleAnalyst}, {"dea", "DEA", enlace.RoleAnalyst},
		{"hsi", "HSI", enlace.RoleAnalyst}, {"nca", "NCA", enlace.RoleAnalyst},
	} {
		k.users[u.name] = check(x.CreateUser(ctx, enlace.User{Username: u.name, Agency: u.agency, Roles: []enlace.Role{u.role}}))
		k.users[u.name] = check(x.UserByName(ctx, u.name))
	}
	agree := func(by, from, to string, allowed ...enlace.Purpose) {
		check(x.CreateAgreement(ctx, k.users[by], enlace.Agreement{Title: from + " to " + to, Provider: enlace.NationScope(from),
			Recipient: enlace.NationScope(to), AllowedPurposes: allowed, ProhibitedPurposes: []enlace.Purpose{enlace.PurposeMilitaryAction},
			MaxTLP: enlace.TLPAmber, Onward: enlace.OnwardConsent, ValidFrom: day(-1), LegalBasis: "test"}))
	}
	// Colombian agencies share among themselves: DIJIN builds on DIPOL's A.
	agree("co-auth", "CO", "CO", enlace.PurposeInterdiction, enlace.PurposeInvestigation)
	agree("co-auth", "CO", "US", enlace.PurposeInterdiction, enlace.PurposeInvestigation)
	agree("us-auth", "US", "CO", enlace.PurposeInterdiction, enlace.PurposeInvestigation)
	agree("gb-auth", "GB", "US", enlace.PurposeLawEnforcement)
	report := func(name, by string, n int, from ...string) {
		r := enlace.Report{ID: fmt.Sprintf("report--%08x-0000-4000-8000-000000000000", n), Title: "report " + name,
			Markings: enlace.Markings{TLP: enlace.TLPGreen}, Grading: enlace.Grading{Scheme: enlace.GradingAdmiralty, Source: "B", Information: "2"}}
		for _, f := range from {
			r.DerivedFrom = append(r.DerivedFrom, k.r[f].ID)
		}
		k.r[name] = check(x.CreateReport(ctx, k.users[by], r))
	}
	report("A", "dipol", 1)
	report("B", "dijin", 2, "A")
	report("C", "dea", 3)
	report("D", "nca", 4)
	report("E", "dijin", 5, "A", "B")
	use := func(name, by string, p enlace.Purpose, d int, reports ...string) {
		req := exchange.UseRequest{Operation: "op " + name, Purpose: string(p), PlannedAt: day(d)}
		for _, r := range reports {
			req.Reports = append(req.Reports, k.r[r].ID)
		}
		u, _, err := x.DeclareUse(ctx, k.users[by], req)
		if name == "u5" {
			if enlace.ErrorCode(err) != enlace.EForbidden {
				t.Fatalf("u5: %v", err)
			}
		} else if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		k.uses[name] = u
	}
	use("u1", "dea", enlace.PurposeSeizure, 1, "A")
	use("u2", "dea", enlace.PurposeSeizure, 2, "B", "C")
	use("u3", "hsi", enlace.PurposeInterdiction, 3, "E")
	use("u4", "dipol", enlace.PurposeInvestigation, 4, "C")
	use("u5", "dea", enlace.PurposeLethalTargeting, 5, "A")
	use("u6", "hsi", enlace.PurposeSeizure, 6, "A", "D")
	outcome := func(name, by string, req exchange.OutcomeRequest, alerted ...string) {
		o, got, err := x.ReportOutcome(ctx, k.users[by], req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d := cmp.Diff(alerted, got, cmpopts.EquateEmpty()); d != "" {
			t.Errorf("%s alerted (-want +got):\n%s", name, d)
		}
		k.o[name] = o
	}
	outcome("o1", "dea", exchange.OutcomeRequest{Use: k.uses["u1"].ID, Kind: "seizure", QuantityKg: 1000, PersonsDetained: 2, OccurredAt: day(10)})
	outcome("o2", "dea", exchange.OutcomeRequest{Use: k.uses["u2"].ID, Kind: "arrest", PersonsDetained: 3, OccurredAt: day(11)})
	outcome("o2b", "dea", exchange.OutcomeRequest{Corrects: k.o["o2"].ID, Kind: "arrest", PersonsDetained: 4, OccurredAt: day(11)})
	// E came to HSI under CO's agreement, which forbids military action;
	// so did A, from which E derives.
	outcome("o3", "hsi", exchange.OutcomeRequest{Use: k.uses["u3"].ID, Kind: "strike", Casualties: 2, OccurredAt: day(12)}, "DIJIN", "DIPOL")
	outcome("o4", "dipol", exchange.OutcomeRequest{Use: k.uses["u4"].ID, Kind: "seizure", QuantityKg: 500, OccurredAt: day(13)})
	outcome("o6", "hsi", exchange.OutcomeRequest{Use: k.uses["u6"].ID, Kind: "interdiction", PersonsDetained: 1, OccurredAt: day(14)})
	return k
}

var figureOpts = cmp.Options{cmpopts.EquateEmpty(), cmpopts.IgnoreFields(exchange.Shares{}, "Counts"),
	cmpopts.IgnoreFields(exchange.OutcomeFigures{}, "Counts")}

func TestAccountingFigures(t *testing.T) {
	k := buildKnown(t)
	ctx := context.Background()
	tf := enlace.TaskForceScope("TF")

	// The US side of the task force, all time: total weight 6.
	got := check(k.x.Shares(ctx, k.users["us-auth"], tf, exchange.Window{}))
	want := exchange.Shares{
		Consumer: tf, Consumers: []string{"DEA", "HSI"}, Withheld: []string{"DIPOL"}, Total: 6, Citations: 6,
		Nations: []exchange.ShareLine{
			{Nation: "CO", Citations: 4, Weight: 4, Share: 4.0 / 6},
			{Nation: "GB", Citations: 1, Weight: 1, Share: 1.0 / 6},
			{Nation: "US", Citations: 1, Weight: 1, Share: 1.0 / 6},
		},
		Agencies: []exchange.ShareLine{
			{Nation: "CO", Originator: "DIJIN", Citations: 2, Weight: 1.125, Share: 1.125 / 6},
			{Nation: "CO", Originator: "DIPOL", Citations: 2, Weight: 2.875, Share: 2.875 / 6},
			{Nation: "GB", Originator: "NCA", Citations: 1, Weight: 1, Share: 1.0 / 6},
			{Nation: "US", Originator: "DEA", Citations: 1, Weight: 1, Share: 1.0 / 6},
		},
	}
	if d := cmp.Diff(want, got, figureOpts); d != "" {
		t.Errorf("Shares(us-auth, TF) (-want +got):\n%s", d)
	}

	// A window: days 2 and 3 only (u2, u3): total 3.
	w := exchange.Window{From: day(2), To: day(4)}
	got = check(k.x.Shares(ctx, k.users["us-auth"], tf, w))
	want = exchange.Shares{
		Consumer: tf, Consumers: []string{"DEA", "HSI"}, Withheld: []string{"DIPOL"}, Window: w, Total: 3, Citations: 3,
		Nations: []exchange.ShareLine{
			{Nation: "CO", Citations: 2, Weight: 2, Share: 2.0 / 3},
			{Nation: "US", Citations: 1, Weight: 1, Share: 1.0 / 3},
		},
		Agencies: []exchange.ShareLine{
			{Nation: "CO", Originator: "DIJIN", Citations: 2, Weight: 1.125, Share: 1.125 / 3},
			{Nation: "CO", Originator: "DIPOL", Citations: 0, Weight: 0.875, Share: 0.875 / 3},
			{Nation: "US", Originator: "DEA", Citations: 1, Weight: 1, Share: 1.0 / 3},
		},
	}
	if d := cmp.Diff(want, got, figureOpts); d != "" {
		t.Errorf("Shares(us-auth, TF, days 2-3) (-want +got):\n%s", d)
	}

	// CO's side of the task force is DIPOL: one citation of C.
	got = check(k.x.Shares(ctx, k.users["co-auth"], tf, exchange.Window{}))
	want = exchange.Shares{Consumer: tf, Consumers: []string{"DIPOL"}, Withheld: []string{"DEA", "HSI"}, Total: 1, Citations: 1,
		Nations:  []exchange.ShareLine{{Nation: "US", Citations: 1, Weight: 1, Share: 1}},
		Agencies: []exchange.ShareLine{{Nation: "US", Originator: "DEA", Citations: 1, Weight: 1, Share: 1}},
	}
	if d := cmp.Diff(want, got, figureOpts); d != "" {
		t.Errorf("Shares(co-auth, TF) (-want +got):\n%s", d)
	}
	if !contains(got.Counts, "task_force TF", "DIPOL", "lineage") {
		t.Errorf("Counts = %q", got.Counts)
	}
	// An analyst accounts for its own agency only.
	if _, err := k.x.Shares(ctx, k.users["nca"], enlace.AgencyScope("DEA"), exchange.Window{}); enlace.ErrorCode(err) != enlace.EForbidden {
		t.Errorf("NCA asking for DEA's shares: %v", err)
	}

	// Outcomes, US side: its uses, and CO's use of US intelligence.
	rows := func(rs ...enlace.OutcomeRow) []enlace.OutcomeRow { return rs }
	figs := check(k.x.OutcomesByOriginator(ctx, k.users["us-auth"], enlace.Scope{}, exchange.Window{}))
	wantRows := rows(
		enlace.OutcomeRow{Nation: "CO", Originator: "DIJIN", Kind: "arrest", Outcomes: 1, Weighted: 0.25, PersonsDetained: 4},
		enlace.OutcomeRow{Nation: "CO", Originator: "DIJIN", Kind: "strike", Outcomes: 1, Weighted: 0.625, Casualties: 2},
		enlace.OutcomeRow{Nation: "CO", Originator: "DIPOL", Kind: "arrest", Outcomes: 1, Weighted: 0.25, PersonsDetained: 4},
		enlace.OutcomeRow{Nation: "CO", Originator: "DIPOL", Kind: "interdiction", Outcomes: 1, Weighted: 0.5, PersonsDetained: 1},
		enlace.OutcomeRow{Nation: "CO", Originator: "DIPOL", Kind: "seizure", Outcomes: 1, Weighted: 1, QuantityKg: 1000, PersonsDetained: 2},
		enlace.OutcomeRow{Nation: "CO", Originator: "DIPOL", Kind: "strike", Outcomes: 1, Weighted: 0.375, Casualties: 2},
		enlace.OutcomeRow{Nation: "GB", Originator: "NCA", Kind: "interdiction", Outcomes: 1, Weighted: 0.5, PersonsDetained: 1},
		enlace.OutcomeRow{Nation: "US", Originator: "DEA", Kind: "arrest", Outcomes: 1, Weighted: 0.5, PersonsDetained: 4},
		enlace.OutcomeRow{Nation: "US", Originator: "DEA", Kind: "seizure", Outcomes: 1, Weighted: 1, QuantityKg: 500},
	)
	if d := cmp.Diff(exchange.OutcomeFigures{Rows: wantRows}, figs, figureOpts); d != "" {
		t.Errorf("OutcomesByOriginator(us-auth) (-want +got):\n%s", d)
	}
	// CO side, US consumers: only what CO intelligence fed.
	us := enlace.NationScope("US")
	figs = check(k.x.OutcomesByOriginator(ctx, k.users["co-auth"], us, exchange.Window{From: day(11)}))
	if d := cmp.Diff(exchange.OutcomeFigures{Consumer: &us, Consumers: []string{"DEA", "DOS", "HSI"}, Window: exchange.Window{From: day(11)},
		Rows: rows(wantRows[0], wantRows[1], wantRows[2], wantRows[3], wantRows[5])}, figs, figureOpts); d != "" {
		t.Errorf("OutcomesByOriginator(co-auth, US, from day 11) (-want +got):\n%s", d)
	}
	// NCA: only the interdiction its report fed.
	figs = check(k.x.OutcomesByOriginator(ctx, k.users["nca"], enlace.Scope{}, exchange.Window{}))
	if d := cmp.Diff(exchange.OutcomeFigures{Rows: rows(wantRows[6])}, figs, figureOpts); d != "" {
		t.Errorf("OutcomesByOriginator(nca) (-want +got):\n%s", d)
	}

	// The trail of A: DIPOL sees it whole.
	type trailUse struct {
		ID     int64
		Direct bool
		Weight float64
	}
	summary := func(tr exchange.Trail) (rels []string, uses []trailUse, outs []string) {
		for _, r := range tr.Releases {
			rels = append(rels, r.Recipient+" "+string(r.Purpose))
		}
		for _, u := range tr.Uses {
			uses = append(uses, trailUse{u.Use.ID, u.Direct, u.Weight})
		}
		for _, o := range tr.Outcomes {
			outs = append(outs, fmt.Sprintf("%d %s %v", o.ID, o.Kind, o.Current))
		}
		return
	}
	id := func(n string) int64 { return k.uses[n].ID }
	oid := func(n string) int64 { return k.o[n].ID }
	tr := check(k.x.ReportTrail(ctx, k.users["dipol"], k.r["A"].ID))
	rels, uses, outs := summary(tr)
	if d := cmp.Diff([]string{"DEA seizure", "HSI seizure"}, rels); d != "" {
		t.Errorf("trail releases (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]trailUse{{id("u1"), true, 1}, {id("u2"), false, 0.5}, {id("u3"), false, 0.375}, {id("u5"), true, 0}, {id("u6"), true, 1}}, uses); d != "" {
		t.Errorf("trail uses (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{
		fmt.Sprintf("%d seizure true", oid("o1")), fmt.Sprintf("%d arrest false", oid("o2")), fmt.Sprintf("%d arrest true", oid("o2b")),
		fmt.Sprintf("%d strike true", oid("o3")), fmt.Sprintf("%d interdiction true", oid("o6")),
	}, outs); d != "" {
		t.Errorf("trail outcomes (-want +got):\n%s", d)
	}
	for _, u := range tr.Uses {
		for _, r := range u.Use.Reports {
			if r.Originator != "DIPOL" {
				t.Errorf("DIPOL's trail shows use %d naming a %s report", u.Use.ID, r.Originator)
			}
		}
	}
	// DEA sees its side; NCA never received A.
	tr = check(k.x.ReportTrail(ctx, k.users["dea"], k.r["A"].ID))
	rels, uses, outs = summary(tr)
	if d := cmp.Diff([]string{"DEA seizure"}, rels); d != "" {
		t.Errorf("DEA's trail releases (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]trailUse{{id("u1"), true, 1}, {id("u2"), false, 0.5}, {id("u5"), true, 0}}, uses); d != "" {
		t.Errorf("DEA's trail uses (-want +got):\n%s", d)
	}
	if len(outs) != 3 {
		t.Errorf("DEA's trail outcomes: %v", outs)
	}
	if _, err := k.x.ReportTrail(ctx, k.users["nca"], k.r["A"].ID); enlace.ErrorCode(err) != enlace.ENotFound {
		t.Errorf("NCA's trail of A: %v", err)
	}

	// The alerts: DEA's refused lethal targeting to DIPOL, the strike to
	// DIJIN and DIPOL; each ledgered.
	alerts := check(k.st.Alerts(ctx, enlace.AlertFilter{}))
	var kinds []string
	for _, a := range alerts {
		kinds = append(kinds, a.Kind+" "+a.Agency+" "+a.Subject)
	}
	if d := cmp.Diff([]string{
		fmt.Sprintf("refused-use DIPOL use/%d", id("u5")),
		fmt.Sprintf("violation DIJIN outcome/%d", oid("o3")),
		fmt.Sprintf("violation DIPOL outcome/%d", oid("o3")),
	}, kinds); d != "" {
		t.Errorf("alerts (-want +got):\n%s", d)
	}
	if un := check(k.st.UnledgeredRecords(ctx)); len(un) != 0 {
		t.Errorf("unledgered: %v", un)
	}
}

func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
