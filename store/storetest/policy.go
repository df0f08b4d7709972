package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/enlace-exchange/enlace"
)

// agreement returns an agreement from Colombia to the task force, valid
// from from until until.
func agreement(from time.Time, until *time.Time) enlace.Agreement {
	return enlace.Agreement{
		Title:              "Colombia to JIATF-South, maritime interdiction",
		Provider:           enlace.NationScope("CO"),
		Recipient:          enlace.TaskForceScope("JIATF-South"),
		AllowedPurposes:    []enlace.Purpose{enlace.PurposeInterdiction, enlace.PurposeInvestigation},
		ProhibitedPurposes: []enlace.Purpose{enlace.PurposeLethalTargeting},
		MaxTLP:             enlace.TLPAmberStrict,
		AcceptedHandling:   []string{"siena:H2", "us:ORCON"},
		Onward:             enlace.OnwardConsent,
		ValidFrom:          from,
		ValidUntil:         until,
		LegalBasis:         "Memorandum of understanding of 2019, art. 4",
		CreatedBy:          "ana",
		CreatedAt:          from,
	}
}

func testAgreements(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	seed(t, s)
	in := agreement(at(0), ptr(at(60*24*365)))
	in.Version = 9 // the store numbers versions, whatever the caller says
	ag1 := must(s.CreateAgreement(ctx, in))
	in.ID, in.Version = "AG-1", 1
	diff(t, "created agreement", in, ag1)

	second := agreement(at(5), nil)
	second.Provider = enlace.AgencyScope("DEA")
	second.Recipient = enlace.NationScope("CO")
	second.AcceptedHandling = nil
	ag2 := must(s.CreateAgreement(ctx, second))
	if ag2.ID != "AG-2" || ag2.Version != 1 {
		t.Errorf("second agreement is %s v%d, want AG-2 v1", ag2.ID, ag2.Version)
	}

	// A new version of AG-1: narrower, shorter.
	next := ag1
	next.Version = 0
	next.AllowedPurposes = []enlace.Purpose{enlace.PurposeInterdiction}
	next.MaxTLP = enlace.TLPAmber
	next.ValidUntil = ptr(at(60 * 24 * 30))
	next.CreatedAt = at(10)
	ag1v2 := must(s.CreateAgreement(ctx, next))
	next.Version = 2
	diff(t, "AG-1 v2", next, ag1v2)
	ag1v3 := must(s.CreateAgreement(ctx, next))
	if ag1v3.Version != 3 {
		t.Errorf("third version of AG-1 numbered %d", ag1v3.Version)
	}

	diff(t, "Agreement(AG-1)", ag1v3, must(s.Agreement(ctx, "AG-1")))
	diff(t, "Agreement(AG-2)", ag2, must(s.Agreement(ctx, "AG-2")))
	// Old versions read back exactly as they were made.
	diff(t, "AgreementVersions(AG-1)", []enlace.Agreement{ag1, ag1v2, ag1v3}, must(s.AgreementVersions(ctx, "AG-1")))
	diff(t, "AgreementVersions(AG-2)", []enlace.Agreement{ag2}, must(s.AgreementVersions(ctx, "AG-2")))
	diff(t, "Agreements", []enlace.Agreement{ag1v3, ag2}, must(s.Agreements(ctx)))

	// A third new agreement is AG-3, however many versions AG-1 has.
	ag3 := must(s.CreateAgreement(ctx, agreement(at(20), nil)))
	if ag3.ID != "AG-3" || ag3.Version != 1 {
		t.Errorf("third agreement is %s v%d, want AG-3 v1", ag3.ID, ag3.Version)
	}

	unknown := agreement(at(0), nil)
	unknown.ID = "AG-99"
	_, err := s.CreateAgreement(ctx, unknown)
	wantCode(t, "new version of unknown agreement", err, enlace.ENotFound)
	_, err = s.Agreement(ctx, "AG-99")
	wantCode(t, "Agreement(AG-99)", err, enlace.ENotFound)
	_, err = s.AgreementVersions(ctx, "AG-99")
	wantCode(t, "AgreementVersions(AG-99)", err, enlace.ENotFound)
	diff(t, "Agreements at the end", []enlace.Agreement{ag1v3, ag2, ag3}, must(s.Agreements(ctx)))
}

// testAgreementOrder pins "by id" for store-assigned ids: AG-2 comes
// before AG-10, as a person reading the list expects.
func testAgreementOrder(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	var want []string
	for i := range 11 {
		a := must(s.CreateAgreement(ctx, agreement(at(i), nil)))
		want = append(want, a.ID)
	}
	diff(t, "assigned ids", []string{"AG-1", "AG-2", "AG-3", "AG-4", "AG-5", "AG-6", "AG-7", "AG-8", "AG-9", "AG-10", "AG-11"}, want)
	var got []string
	for _, a := range must(s.Agreements(ctx)) {
		got = append(got, a.ID)
	}
	diff(t, "Agreements order", want, got)
}

func testDirectives(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	seed(t, s)
	base := enlace.Directive{
		Action:         enlace.ActionSuspend,
		From:           enlace.NationScope("CO"),
		To:             enlace.AgencyScope("DEA"),
		Purposes:       enlace.AllPurposes,
		EffectiveAt:    at(0),
		Reason:         "Review of a strike at sea",
		LegalReference: "Decreto 1070 de 2015",
		IssuedBy:       "auth",
		IssuerAgency:   "DIPOL",
		IssuerNation:   "CO",
		IssuerRank:     enlace.RankNation,
		IssuedAt:       at(1),
	}
	sets := []enlace.PurposeSet{
		enlace.AllPurposes,
		{Mode: enlace.PurposesExcept, Purposes: []enlace.Purpose{enlace.PurposeMilitaryAction, enlace.PurposeProsecution}},
		{Mode: enlace.PurposesOnly, Purposes: []enlace.Purpose{enlace.PurposeLethalTargeting}},
	}
	var made []enlace.Directive
	for i, ps := range sets {
		d := base
		d.Purposes = ps
		d.To = []enlace.Scope{enlace.AgencyScope("DEA"), enlace.TaskForceScope("JIATF-South"), enlace.NationScope("US")}[i]
		d.Seq, d.ID = 99, "D-99" // assigned by the store
		got := must(s.CreateDirective(ctx, d))
		d.Seq, d.ID = int64(i+1), fmt.Sprintf("D-%d", i+1)
		diff(t, fmt.Sprintf("directive %d", i+1), d, got)
		made = append(made, got)
	}
	reinstate := base
	reinstate.Action = enlace.ActionReinstate
	reinstate.From = enlace.AgencyScope("DIPOL")
	reinstate.IssuerRank = enlace.RankAgency
	reinstate.EffectiveAt = at(-10) // effective earlier, yet appended last
	made = append(made, must(s.CreateDirective(ctx, reinstate)))
	if made[3].Seq != 4 || made[3].ID != enlace.DirectiveID(4) {
		t.Errorf("fourth directive is seq %d id %s", made[3].Seq, made[3].ID)
	}

	for _, d := range made {
		diff(t, "Directive("+d.ID+")", d, must(s.Directive(ctx, d.ID)))
	}
	diff(t, "Directives", made, must(s.Directives(ctx)))

	for _, id := range []string{"D-99", "D-0", "D-03", "D-", "3", "AG-1", ""} {
		_, err := s.Directive(ctx, id)
		wantCode(t, fmt.Sprintf("Directive(%q)", id), err, enlace.ENotFound)
	}
}

// consentFixture stores a report and returns a consent request for it.
func consentFixture(t *testing.T, s enlace.Store) (enlace.Report, enlace.Consent) {
	t.Helper()
	seed(t, s)
	r := must(s.CreateReport(t.Context(), newReport(1, "DIPOL", "CO")))
	return r, enlace.Consent{
		ReportID:    r.ID,
		Originator:  "DIPOL",
		RequestedBy: "lee",
		Holder:      "DEA",
		Recipient:   "NCA",
		Purposes:    []enlace.Purpose{enlace.PurposeInterdiction, enlace.PurposeInvestigation},
		Note:        "UK vessel in the convoy",
		CreatedAt:   at(50),
	}
}

func testConsents(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	r, req := consentFixture(t, s)
	other := must(s.CreateReport(ctx, newReport(2, "ARC", "CO")))

	c1 := must(s.CreateConsent(ctx, req))
	if c1.ID == 0 {
		t.Fatal("created consent has no id")
	}
	want := req
	want.ID, want.Status = c1.ID, enlace.ConsentRequested
	diff(t, "created consent", want, c1)

	req2 := req
	req2.ReportID, req2.Originator, req2.Recipient = other.ID, "ARC", "USCG"
	req2.Status = enlace.ConsentRequested
	c2 := must(s.CreateConsent(ctx, req2))
	c3 := must(s.CreateConsent(ctx, req))
	if c1.ID == c2.ID || c2.ID == c3.ID || c1.ID == c3.ID {
		t.Errorf("consent ids %d, %d, %d are not distinct", c1.ID, c2.ID, c3.ID)
	}

	diff(t, "Consent", c2, must(s.Consent(ctx, c2.ID)))
	diff(t, "Consents(all)", []enlace.Consent{c1, c2, c3}, must(s.Consents(ctx, "")))
	diff(t, "Consents(report)", []enlace.Consent{c1, c3}, must(s.Consents(ctx, r.ID)))
	diff(t, "Consents(unknown report)", []enlace.Consent(nil), must(s.Consents(ctx, stixID("report", 9))))

	_, err := s.Consent(ctx, c3.ID+100)
	wantCode(t, "Consent(unknown)", err, enlace.ENotFound)
	missing := req
	missing.ReportID = stixID("report", 9)
	_, err = s.CreateConsent(ctx, missing)
	wantCode(t, "CreateConsent(unknown report)", err, enlace.ENotFound)
}

func testConsentDecisions(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	_, req := consentFixture(t, s)
	tests := []struct {
		name string
		d    enlace.ConsentDecision
	}{
		{"granted narrowed", enlace.ConsentDecision{
			Status: enlace.ConsentGranted, GrantedPurposes: []enlace.Purpose{enlace.PurposeSeizure},
			ExpiresAt: ptr(at(60 * 24)), Note: "for the seizure only",
		}},
		{"granted as asked", enlace.ConsentDecision{Status: enlace.ConsentGranted}},
		{"denied", enlace.ConsentDecision{Status: enlace.ConsentDenied, Note: "source at risk"}},
	}
	for i, tt := range tests {
		c := must(s.CreateConsent(ctx, req))
		got, err := s.DecideConsent(ctx, c.ID, tt.d, "dora", at(70+i))
		check(t, err)
		want := c
		want.Status, want.GrantedPurposes, want.ExpiresAt, want.Note = tt.d.Status, tt.d.GrantedPurposes, tt.d.ExpiresAt, tt.d.Note
		want.DecidedBy, want.DecidedAt = "dora", ptr(at(70+i))
		diff(t, tt.name+": decided", want, got)
		diff(t, tt.name+": Consent", want, must(s.Consent(ctx, c.ID)))

		// An answer is final.
		_, err = s.DecideConsent(ctx, c.ID, enlace.ConsentDecision{Status: enlace.ConsentGranted}, "eve", at(90))
		wantCode(t, tt.name+": decided twice", err, enlace.EConflict)
		diff(t, tt.name+": Consent after second decision", want, must(s.Consent(ctx, c.ID)))
	}
	_, err := s.DecideConsent(ctx, 1<<40, enlace.ConsentDecision{Status: enlace.ConsentGranted}, "dora", at(90))
	wantCode(t, "DecideConsent(unknown)", err, enlace.ENotFound)
}

// testPolicyVersion checks that every write the policy is built from
// raises the version, in the same transaction, that a refused write and a
// read do not, and that other writes may but need not.
func testPolicyVersion(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	version := func() int64 { t.Helper(); return must(s.PolicyVersion(ctx)) }
	must(s.CreateNation(ctx, enlace.Nation{Code: "CO", Name: "Colombia", CreatedAt: at(0)}))
	must(s.CreateNation(ctx, enlace.Nation{Code: "US", Name: "United States", CreatedAt: at(0)}))
	var report enlace.Report
	var consentID int64

	bumps := []struct {
		name  string
		write func() error
	}{
		{"CreateAgency", func() error {
			_, err := s.CreateAgency(ctx, enlace.Agency{ID: "DIPOL", Nation: "CO", Name: "DIPOL", CreatedAt: at(1)})
			return err
		}},
		{"CreateAgency again", func() error {
			_, err := s.CreateAgency(ctx, enlace.Agency{ID: "DEA", Nation: "US", Name: "DEA", CreatedAt: at(1)})
			return err
		}},
		{"CreateTaskForce", func() error {
			_, err := s.CreateTaskForce(ctx, enlace.TaskForce{ID: "JIATF-South", Name: "JIATF", Members: []string{"DEA"}, CreatedAt: at(2)})
			return err
		}},
		{"CreateAgreement", func() error { _, err := s.CreateAgreement(ctx, agreement(at(3), nil)); return err }},
		{"CreateAgreement new version", func() error {
			a := agreement(at(4), nil)
			a.ID = "AG-1"
			_, err := s.CreateAgreement(ctx, a)
			return err
		}},
		{"CreateDirective", func() error {
			_, err := s.CreateDirective(ctx, enlace.Directive{
				Action: enlace.ActionSuspend, From: enlace.NationScope("CO"), To: enlace.AgencyScope("DEA"),
				Purposes: enlace.AllPurposes, EffectiveAt: at(5), Reason: "review", IssuedBy: "auth",
				IssuerAgency: "DIPOL", IssuerNation: "CO", IssuerRank: enlace.RankNation, IssuedAt: at(5),
			})
			return err
		}},
		{"CreateConsent", func() error {
			r, err := s.CreateReport(ctx, newReport(1, "DIPOL", "CO"))
			if err != nil {
				return err
			}
			report = r
			c, err := s.CreateConsent(ctx, enlace.Consent{
				ReportID: r.ID, Originator: "DIPOL", RequestedBy: "lee", Holder: "DEA", Recipient: "DIPOL",
				Purposes: []enlace.Purpose{enlace.PurposeInterdiction}, CreatedAt: at(6),
			})
			consentID = c.ID
			return err
		}},
		{"DecideConsent", func() error {
			_, err := s.DecideConsent(ctx, consentID, enlace.ConsentDecision{Status: enlace.ConsentDenied}, "dora", at(7))
			return err
		}},
	}
	prev := version()
	for _, b := range bumps {
		check(t, b.write())
		v := version()
		if v <= prev {
			t.Errorf("%s: policy version %d, want more than %d", b.name, v, prev)
		}
		prev = v
	}

	refused := []struct {
		name  string
		write func() error
	}{
		{"duplicate agency", func() error {
			_, err := s.CreateAgency(ctx, enlace.Agency{ID: "DEA", Nation: "US", Name: "DEA", CreatedAt: at(1)})
			return err
		}},
		{"task force with unknown member", func() error {
			_, err := s.CreateTaskForce(ctx, enlace.TaskForce{ID: "TF", Name: "TF", Members: []string{"GHOST"}, CreatedAt: at(2)})
			return err
		}},
		{"version of unknown agreement", func() error {
			a := agreement(at(4), nil)
			a.ID = "AG-9"
			_, err := s.CreateAgreement(ctx, a)
			return err
		}},
		{"consent decided twice", func() error {
			_, err := s.DecideConsent(ctx, consentID, enlace.ConsentDecision{Status: enlace.ConsentGranted}, "dora", at(8))
			return err
		}},
		{"consent for unknown report", func() error {
			_, err := s.CreateConsent(ctx, enlace.Consent{ReportID: stixID("report", 9), Status: enlace.ConsentRequested, CreatedAt: at(8)})
			return err
		}},
	}
	for _, r := range refused {
		if err := r.write(); err == nil {
			t.Errorf("%s: succeeded, want an error", r.name)
		}
		if v := version(); v != prev {
			t.Errorf("%s: refused write moved policy version from %d to %d", r.name, prev, v)
		}
	}

	reads := []struct {
		name string
		read func() error
	}{
		{"Agencies", func() error { _, err := s.Agencies(ctx); return err }},
		{"TaskForces", func() error { _, err := s.TaskForces(ctx); return err }},
		{"Agreements", func() error { _, err := s.Agreements(ctx); return err }},
		{"AgreementVersions", func() error { _, err := s.AgreementVersions(ctx, "AG-1"); return err }},
		{"Directives", func() error { _, err := s.Directives(ctx); return err }},
		{"Consents", func() error { _, err := s.Consents(ctx, report.ID); return err }},
		{"Consent", func() error { _, err := s.Consent(ctx, consentID); return err }},
		{"Reports", func() error { _, err := s.Reports(ctx, enlace.ReportFilter{}); return err }},
	}
	for _, r := range reads {
		check(t, r.read())
		if v := version(); v != prev {
			t.Errorf("%s: read moved policy version from %d to %d", r.name, prev, v)
		}
	}
}
