package storetest

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/enlace-exchange/enlace"
)

// lineageWorld stores three reports: A by DIPOL (CO); B by DEA (US),
// derived from A; C by ARC (CO), derived from A and B. A citation of C
// credits C 1/2, B 1/8 and A 1/4 + 1/8 = 3/8.
func lineageWorld(t *testing.T, s enlace.Store) (a, b, c enlace.Report) {
	t.Helper()
	ctx := t.Context()
	mk := func(n int, originator, nation string, from ...string) enlace.Report {
		r := newReport(n, originator, nation)
		r.DerivedFrom = from
		return must(s.CreateReport(ctx, r))
	}
	a = mk(1, "DIPOL", "CO")
	b = mk(2, "DEA", "US", a.ID)
	c = mk(3, "ARC", "CO", a.ID, b.ID)
	return a, b, c
}

func use(agency, nation string, purpose enlace.Purpose, planned int, reports ...enlace.Report) enlace.Use {
	u := enlace.Use{Agency: agency, Nation: nation, DeclaredBy: "lee", Operation: "Operation Orion " + fmt.Sprint(planned),
		Purpose: purpose, Status: enlace.UseAccepted, PlannedAt: at(planned), CreatedAt: at(planned - 1)}
	for _, r := range reports {
		u.Reports = append(u.Reports, enlace.UseReport{ReportID: r.ID, AgreementID: "AG-1", AgreementVersion: 1})
	}
	return u
}

func testUses(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	seed(t, s)
	a, b, c := lineageWorld(t, s)
	size := must(s.LedgerSize(ctx))

	u1 := must3(s.CreateUse(ctx, use("USCG", "US", enlace.PurposeSeizure, 100, c, a), nil))
	if u1.ID == 0 {
		t.Fatal("CreateUse assigned no id")
	}
	want := use("USCG", "US", enlace.PurposeSeizure, 100, c, a)
	want.ID = u1.ID
	want.Reports[0].Originator, want.Reports[0].Nation = "ARC", "CO"
	want.Reports[1].Originator, want.Reports[1].Nation = "DIPOL", "CO"
	diff(t, "CreateUse", want, u1)
	diff(t, "Use", want, must(s.Use(ctx, u1.ID)))

	refused := use("DEA", "US", enlace.PurposeLethalTargeting, 110, b, a)
	refused.Status = enlace.UseRefused
	refused.Reasons = []enlace.Reason{{Policy: "agreement AG-1 v1", Text: "lethal-targeting is prohibited"}}
	alerts := []enlace.Alert{{Kind: enlace.AlertRefusedUse, Agency: "DIPOL", Nation: "CO", ReportID: a.ID, Text: "refused", At: at(110)}}
	u2, al := must2(s.CreateUse(ctx, refused, alerts))
	if len(al) != 1 || al[0].ID == 0 || al[0].Subject != fmt.Sprintf("use/%d", u2.ID) {
		t.Errorf("CreateUse alerts = %+v, want one with subject use/%d", al, u2.ID)
	}
	diff(t, "Alerts", al, must(s.Alerts(ctx, enlace.AlertFilter{})))

	_, _, err := s.CreateUse(ctx, use("USCG", "US", enlace.PurposeSeizure, 120, enlace.Report{ID: stixID("report", 9)}), alerts)
	wantCode(t, "CreateUse(unknown report)", err, enlace.ENotFound)
	_, _, err = s.CreateUse(ctx, use("NOPE", "US", enlace.PurposeSeizure, 120, a), nil)
	wantCode(t, "CreateUse(unknown agency)", err, enlace.ENotFound)
	if got := must(s.LedgerSize(ctx)); got != size+3 { // two uses, one alert
		t.Errorf("LedgerSize = %d, want %d", got, size+3)
	}

	ids := func(us []enlace.Use) []int64 {
		var out []int64
		for _, u := range us {
			out = append(out, u.ID)
		}
		return out
	}
	for _, tt := range []struct {
		name string
		f    enlace.UseFilter
		want []int64
	}{
		{"all", enlace.UseFilter{}, []int64{u1.ID, u2.ID}},
		{"party ARC (originator)", enlace.UseFilter{Party: []string{"ARC"}}, []int64{u1.ID}},
		{"party DEA (declarer)", enlace.UseFilter{Party: []string{"DEA"}}, []int64{u2.ID}},
		{"party DIPOL", enlace.UseFilter{Party: []string{"DIPOL"}}, []int64{u1.ID, u2.ID}},
		{"agency", enlace.UseFilter{Agency: "USCG"}, []int64{u1.ID}},
		{"report", enlace.UseFilter{ReportID: b.ID}, []int64{u2.ID}},
		{"status", enlace.UseFilter{Status: enlace.UseRefused}, []int64{u2.ID}},
		{"after, limit", enlace.UseFilter{AfterID: u1.ID, Limit: 1}, []int64{u2.ID}},
	} {
		diff(t, "Uses("+tt.name+")", tt.want, ids(must(s.Uses(ctx, tt.f))))
	}

	// Credits: only the accepted use, a citation of C and one of A.
	diff(t, "ReportCredits(A)", []enlace.Credit{{UseID: u1.ID, ReportID: a.ID, Originator: "DIPOL", Nation: "CO", Weight: 1 + 3.0/8, Direct: true}},
		must(s.ReportCredits(ctx, a.ID)))
	diff(t, "ReportCredits(B)", []enlace.Credit{{UseID: u1.ID, ReportID: b.ID, Originator: "DEA", Nation: "US", Weight: 1.0 / 8}},
		must(s.ReportCredits(ctx, b.ID)))
}

func testOutcomes(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	seed(t, s)
	a, b, _ := lineageWorld(t, s)
	u := must3(s.CreateUse(ctx, use("USCG", "US", enlace.PurposeSeizure, 100, a), nil))
	u2 := must3(s.CreateUse(ctx, use("DEA", "US", enlace.PurposeSeizure, 100, b), nil))
	refused := use("DEA", "US", enlace.PurposeLethalTargeting, 100, a)
	refused.Status = enlace.UseRefused
	ur := must3(s.CreateUse(ctx, refused, nil))

	o := enlace.Outcome{UseID: u.ID, Kind: enlace.OutcomeSeizure, Substance: "cocaine", QuantityKg: 1250.5,
		PersonsDetained: 3, Vessel: "go-fast", Location: "off Tumaco", OccurredAt: at(200), ReportedBy: "lee", Synthetic: true, CreatedAt: at(201)}
	o1 := must3(s.CreateOutcome(ctx, o, nil))
	want := o
	want.ID, want.Agency, want.Nation = o1.ID, "USCG", "US"
	diff(t, "CreateOutcome", want, o1)
	diff(t, "Outcome", want, must(s.Outcome(ctx, o1.ID)))

	fix := o
	fix.Corrects, fix.Kind, fix.Casualties, fix.CreatedAt = o1.ID, enlace.OutcomeStrike, 2, at(210)
	alerts := []enlace.Alert{{Kind: enlace.AlertViolation, Agency: "DIPOL", Nation: "CO", ReportID: a.ID, Text: "strike", At: at(210)}}
	o2, al := must2(s.CreateOutcome(ctx, fix, alerts))
	if o2.Corrects != o1.ID || len(al) != 1 || al[0].Subject != fmt.Sprintf("outcome/%d", o2.ID) {
		t.Errorf("correction = %+v with alerts %+v", o2, al)
	}

	_, _, err := s.CreateOutcome(ctx, fix, nil)
	wantCode(t, "CreateOutcome(second correction of one version)", err, enlace.EConflict)
	other := fix
	other.UseID, other.Corrects = u2.ID, o2.ID
	_, _, err = s.CreateOutcome(ctx, other, nil)
	wantCode(t, "CreateOutcome(correction across uses)", err, enlace.EInvalid)
	other.Corrects = 999
	_, _, err = s.CreateOutcome(ctx, other, nil)
	wantCode(t, "CreateOutcome(correcting a missing outcome)", err, enlace.ENotFound)
	bad := o
	bad.UseID = ur.ID
	_, _, err = s.CreateOutcome(ctx, bad, nil)
	wantCode(t, "CreateOutcome(refused use)", err, enlace.EInvalid)
	bad.UseID = 999
	_, _, err = s.CreateOutcome(ctx, bad, nil)
	wantCode(t, "CreateOutcome(missing use)", err, enlace.ENotFound)
	_, err = s.Outcome(ctx, 999)
	wantCode(t, "Outcome(999)", err, enlace.ENotFound)

	o3 := must3(s.CreateOutcome(ctx, enlace.Outcome{UseID: u2.ID, Kind: enlace.OutcomeArrest, PersonsDetained: 1,
		OccurredAt: at(300), ReportedBy: "lee", CreatedAt: at(301)}, nil))
	oids := func(os []enlace.Outcome) []int64 {
		var out []int64
		for _, o := range os {
			out = append(out, o.ID)
		}
		return out
	}
	diff(t, "Outcomes(all)", []int64{o1.ID, o2.ID, o3.ID}, oids(must(s.Outcomes(ctx, enlace.OutcomeFilter{}))))
	diff(t, "Outcomes(use)", []int64{o3.ID}, oids(must(s.Outcomes(ctx, enlace.OutcomeFilter{UseIDs: []int64{u2.ID}}))))
	diff(t, "Outcomes(party DIPOL)", []int64{o1.ID, o2.ID}, oids(must(s.Outcomes(ctx, enlace.OutcomeFilter{Party: []string{"DIPOL"}}))))
	diff(t, "Outcomes(after, limit)", []int64{o2.ID}, oids(must(s.Outcomes(ctx, enlace.OutcomeFilter{AfterID: o1.ID, Limit: 1}))))
}

// testAccounting builds a known world and checks every figure exactly.
func testAccounting(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	seed(t, s)
	a, b, c := lineageWorld(t, s)
	// USCG: C at 100 (C 1/2, A 3/8, B 1/8) and A at 110 (A 1).
	// DEA: B at 120 (B 1/2, A 1/2) and C and A at 130.
	// A refused use counts nothing.
	u1 := must3(s.CreateUse(ctx, use("USCG", "US", enlace.PurposeSeizure, 100, c), nil))
	must3(s.CreateUse(ctx, use("USCG", "US", enlace.PurposeSeizure, 110, a), nil))
	u3 := must3(s.CreateUse(ctx, use("DEA", "US", enlace.PurposeSeizure, 120, b), nil))
	u4 := must3(s.CreateUse(ctx, use("DEA", "US", enlace.PurposeInterdiction, 130, c, a), nil))
	refused := use("DEA", "US", enlace.PurposeLethalTargeting, 125, a, b, c)
	refused.Status = enlace.UseRefused
	must3(s.CreateUse(ctx, refused, nil))

	q := enlace.AccountingQuery{Consumers: []string{"USCG"}}
	diff(t, "UsedShares(USCG)", []enlace.ShareRow{
		{Nation: "CO", Originator: "ARC", Citations: 1, Weight: 0.5},
		{Nation: "CO", Originator: "DIPOL", Citations: 1, Weight: 1 + 3.0/8},
		{Nation: "US", Originator: "DEA", Citations: 0, Weight: 1.0 / 8},
	}, must(s.UsedShares(ctx, q)))
	q = enlace.AccountingQuery{Consumers: []string{"USCG", "DEA"}, From: at(105), To: at(130)}
	diff(t, "UsedShares(USCG, DEA, [105, 130))", []enlace.ShareRow{
		{Nation: "CO", Originator: "DIPOL", Citations: 1, Weight: 1.5},
		{Nation: "US", Originator: "DEA", Citations: 1, Weight: 0.5},
	}, must(s.UsedShares(ctx, q)))
	// Visible to DIPOL only: its credits in others' uses.
	q = enlace.AccountingQuery{Visible: []string{"DIPOL"}}
	diff(t, "UsedShares(visible DIPOL)", []enlace.ShareRow{
		{Nation: "CO", Originator: "DIPOL", Citations: 2, Weight: 3.0/8 + 1 + 0.5 + 3.0/8 + 1},
	}, must(s.UsedShares(ctx, q)))
	diff(t, "UsedShares(visible none)", []enlace.ShareRow(nil), must(s.UsedShares(ctx, enlace.AccountingQuery{Visible: []string{}})))

	// Outcomes: a seizure of u1 corrected to 2000 kg, an arrest of u3 and
	// a strike of u4 (2 cited reports: C credits 1, A 1).
	o1 := must3(s.CreateOutcome(ctx, enlace.Outcome{UseID: u1.ID, Kind: enlace.OutcomeSeizure, QuantityKg: 1000,
		OccurredAt: at(200), CreatedAt: at(200)}, nil))
	must3(s.CreateOutcome(ctx, enlace.Outcome{UseID: u1.ID, Corrects: o1.ID, Kind: enlace.OutcomeSeizure, QuantityKg: 2000,
		PersonsDetained: 4, OccurredAt: at(200), CreatedAt: at(205)}, nil))
	must3(s.CreateOutcome(ctx, enlace.Outcome{UseID: u3.ID, Kind: enlace.OutcomeArrest, PersonsDetained: 2,
		OccurredAt: at(210), CreatedAt: at(210)}, nil))
	must3(s.CreateOutcome(ctx, enlace.Outcome{UseID: u4.ID, Kind: enlace.OutcomeStrike, Casualties: 3,
		OccurredAt: at(220), CreatedAt: at(220)}, nil))
	diff(t, "OutcomesByOriginator(all)", []enlace.OutcomeRow{
		{Nation: "CO", Originator: "ARC", Kind: "seizure", Outcomes: 1, Weighted: 0.5, QuantityKg: 2000, PersonsDetained: 4},
		{Nation: "CO", Originator: "ARC", Kind: "strike", Outcomes: 1, Weighted: 0.25, Casualties: 3},
		{Nation: "CO", Originator: "DIPOL", Kind: "arrest", Outcomes: 1, Weighted: 0.5, PersonsDetained: 2},
		{Nation: "CO", Originator: "DIPOL", Kind: "seizure", Outcomes: 1, Weighted: 3.0 / 8, QuantityKg: 2000, PersonsDetained: 4},
		{Nation: "CO", Originator: "DIPOL", Kind: "strike", Outcomes: 1, Weighted: (3.0/8 + 1) / 2, Casualties: 3},
		{Nation: "US", Originator: "DEA", Kind: "arrest", Outcomes: 1, Weighted: 0.5, PersonsDetained: 2},
		{Nation: "US", Originator: "DEA", Kind: "seizure", Outcomes: 1, Weighted: 1.0 / 8, QuantityKg: 2000, PersonsDetained: 4},
		{Nation: "US", Originator: "DEA", Kind: "strike", Outcomes: 1, Weighted: 1.0 / 16, Casualties: 3},
	}, must(s.OutcomesByOriginator(ctx, enlace.AccountingQuery{})))
	diff(t, "OutcomesByOriginator(DEA's uses, visible to ARC, [215, ∞))", []enlace.OutcomeRow{
		{Nation: "CO", Originator: "ARC", Kind: "strike", Outcomes: 1, Weighted: 0.25, Casualties: 3},
	}, must(s.OutcomesByOriginator(ctx, enlace.AccountingQuery{Consumers: []string{"DEA"}, Visible: []string{"ARC"}, From: at(215)})))
}

// testUseLedger checks that uses, outcomes and alerts each get an entry
// whose record the store recomputes.
func testUseLedger(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	seed(t, s)
	a, _, c := lineageWorld(t, s)
	start := must(s.LedgerSize(ctx))
	u := must3(s.CreateUse(ctx, use("USCG", "US", enlace.PurposeSeizure, 100, c, a), []enlace.Alert{
		{Kind: enlace.AlertRefusedUse, Agency: "DIPOL", Nation: "CO", Text: "x", At: at(100)}}))
	o := must3(s.CreateOutcome(ctx, enlace.Outcome{UseID: u.ID, Kind: enlace.OutcomeStrike, Casualties: 1,
		OccurredAt: at(200), CreatedAt: at(200)}, []enlace.Alert{
		{Kind: enlace.AlertViolation, Agency: "ARC", Nation: "CO", ReportID: c.ID, Text: "strike", At: at(200)}}))
	o2 := must3(s.CreateOutcome(ctx, enlace.Outcome{UseID: u.ID, Corrects: o.ID, Kind: enlace.OutcomeStrike, Casualties: 2,
		OccurredAt: at(200), CreatedAt: at(201)}, nil))
	al := must(s.CreateAlerts(ctx, []enlace.Alert{{Kind: enlace.AlertScreeningHit, Agency: "DIPOL", Nation: "CO",
		Text: "hit", Detail: []byte(`{"score": 0.9}`), At: at(300)}}))
	want := []struct {
		kind     enlace.EntryKind
		id       string
		from, to string
	}{
		{enlace.EntryUse, fmt.Sprint(u.ID), "CO", "US"},
		{enlace.EntryAlert, "1", "CO", ""},
		{enlace.EntryOutcome, fmt.Sprint(o.ID), "CO", "US"},
		{enlace.EntryAlert, "2", "CO", ""},
		{enlace.EntryOutcome, fmt.Sprint(o2.ID), "CO", "US"},
		{enlace.EntryAlert, fmt.Sprint(al[0].ID), "CO", ""},
	}
	entries := must(s.LedgerEntries(ctx, start, must(s.LedgerSize(ctx))))
	if len(entries) != len(want) {
		t.Fatalf("%d new entries, want %d", len(entries), len(want))
	}
	for i, e := range entries {
		w := want[i]
		if e.Kind != w.kind || e.RecordID != w.id || e.From != w.from || e.To != w.to {
			t.Errorf("entry %d = {%s %s %s→%s}, want {%s %s %s→%s}", i, e.Kind, e.RecordID, e.From, e.To, w.kind, w.id, w.from, w.to)
		}
		rec := must(s.LedgerRecord(ctx, e))
		if !bytes.Equal(enlace.Commit(e.Salt, rec), e.Commitment) {
			t.Errorf("entry %d (%s %s): the recomputed record does not match its commitment:\n%s", i, e.Kind, e.RecordID, rec)
		}
	}
	diff(t, "UnledgeredRecords", []string(nil), must(s.UnledgeredRecords(ctx)))
}

// must2 is must for methods that return two values and an error.
func must2[T, U any](v T, w U, err error) (T, U) {
	if err != nil {
		panic(failure{err: err, where: caller(2)})
	}
	return v, w
}

// must3 returns the first of two values, for methods whose second
// result a test does not need.
func must3[T, U any](v T, _ U, err error) T {
	if err != nil {
		panic(failure{err: err, where: caller(2)})
	}
	return v
}
