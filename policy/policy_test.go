package policy

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/enlace-exchange/enlace"
)

const d1Text = "denied by directive D-1, issued by the CO authority at 2025-11-10T14:00Z: presidential order: stop dealing with US agencies"

// Times of the seed scenario.
var (
	beforeSuspension = at("2025-11-01T00:00Z")
	suspended        = at("2025-11-11T00:00Z")
	reinstated       = at("2025-11-20T00:00Z")
)

func report(originator string, m enlace.Markings) Subject {
	if m.TLP == 0 {
		m.TLP = enlace.TLPAmber
	}
	return Subject{ID: "report--0f1c2d3e-4b5a-4c6d-8e7f-8091a2b3c4d5", Originator: originator, Markings: m}
}

func consent(id int64, recipient, status string, expires *time.Time, ps ...enlace.Purpose) enlace.Consent {
	return enlace.Consent{ID: id, Originator: "DIPOL", Holder: "DEA", Recipient: recipient, Status: status, Purposes: ps, ExpiresAt: expires}
}

func TestDecide(t *testing.T) {
	p := mustNew(t, seedWorld())
	tests := []struct {
		name      string
		req       Request
		allowed   bool
		agreement string   // "AG-1": the agreement that allowed it
		policies  []string // policies the reasons must name, in this order among themselves
		first     string   // when set, the exact text of the first reason
	}{
		{
			name:      "before the suspension DEA reads CO material for interdiction under AG-1, not AG-10",
			req:       Request{Report: report("DIPOL", enlace.Markings{}), Reader: "DEA", Purpose: enlace.PurposeInterdiction, At: beforeSuspension},
			allowed:   true,
			agreement: "AG-1",
			first:     "allowed by agreement AG-1 v2 (CO→US: Counter-narcotics cooperation)",
		},
		{
			name:     "D-1 suspends CO to US for all purposes",
			req:      Request{Report: report("DIPOL", enlace.Markings{}), Reader: "DEA", Purpose: enlace.PurposeSeizure, At: suspended},
			policies: []string{"directive D-1"},
			first:    d1Text,
		},
		{
			name:      "D-2 reinstates seizures",
			req:       Request{Report: report("DIPOL", enlace.Markings{}), Reader: "DEA", Purpose: enlace.PurposeSeizure, At: reinstated},
			allowed:   true,
			agreement: "AG-1",
			policies:  []string{"agreement AG-1 v2", "directive D-2"},
		},
		{
			name:     "interdiction stays suspended after D-2",
			req:      Request{Report: report("DIJIN", enlace.Markings{}), Reader: "DEA", Purpose: enlace.PurposeInterdiction, At: reinstated},
			policies: []string{"directive D-1"},
			first:    d1Text,
		},
		{
			name:     "lethal targeting stays suspended after D-2",
			req:      Request{Report: report("DIJIN", enlace.Markings{}), Reader: "FBI", Purpose: enlace.PurposeLethalTargeting, At: reinstated},
			policies: []string{"directive D-1"},
			first:    d1Text,
		},
		{
			name:     "an agency-rank reinstatement (D-3, DIPOL to DEA) does not lift the nation's suspension",
			req:      Request{Report: report("DIPOL", enlace.Markings{}), Reader: "DEA", Purpose: enlace.PurposeInterdiction, At: at("2025-11-14T00:00Z")},
			policies: []string{"directive D-1"},
			first:    d1Text,
		},
		{
			name:      "a future suspension (D-4, from 2026-03-01) does not apply before its time",
			req:       Request{Report: report("CTI", enlace.Markings{}), Reader: "DEA", Purpose: enlace.PurposeSeizure, At: at("2026-02-28T23:59Z")},
			allowed:   true,
			agreement: "AG-1",
		},
		{
			name:     "the future suspension applies from its time",
			req:      Request{Report: report("CTI", enlace.Markings{}), Reader: "DEA", Purpose: enlace.PurposeSeizure, At: at("2026-03-01T00:00Z")},
			policies: []string{"directive D-4"},
			first:    "denied by directive D-4, issued by the CTI agency administration at 2026-03-01T00:00Z: judicial review",
		},
		{
			name:     "several suspensions in force are named latest first",
			req:      Request{Report: report("CTI", enlace.Markings{}), Reader: "DEA", Purpose: enlace.PurposeInterdiction, At: at("2026-03-02T00:00Z")},
			policies: []string{"directive D-4", "directive D-1"},
		},
		{
			name:     "an agency reads its own report whatever the directives",
			req:      Request{Report: report("DIPOL", enlace.Markings{TLP: enlace.TLPRed}), Reader: "DIPOL", Purpose: enlace.PurposeLethalTargeting, At: suspended, Holder: "DEA"},
			allowed:  true,
			policies: []string{"own report"},
			first:    "own report of DIPOL",
		},
		{
			name:     "the agreement prohibits military action",
			req:      Request{Report: report("DIPOL", enlace.Markings{}), Reader: "DEA", Purpose: enlace.PurposeLethalTargeting, At: beforeSuspension},
			policies: []string{"no agreement"},
			first:    "no agreement from CO/DIPOL to DEA covers lethal-targeting at TLP amber (closest: agreement AG-1 v2 allows only [law-enforcement])",
		},
		{
			name:     "unknown reader",
			req:      Request{Report: report("DIPOL", enlace.Markings{}), Reader: "KGB", Purpose: enlace.PurposeSeizure, At: beforeSuspension},
			policies: []string{"request"},
		},
		{
			name:     "unknown purpose",
			req:      Request{Report: report("DIPOL", enlace.Markings{}), Reader: "DEA", Purpose: "astrology", At: beforeSuspension},
			policies: []string{"request"},
		},
		{
			name: "the report prohibits a purpose",
			req: Request{Report: report("DIPOL", enlace.Markings{UseRestriction: enlace.UseRestriction{ProhibitedPurposes: []enlace.Purpose{enlace.PurposeInterdiction}}}),
				Reader: "DEA", Purpose: enlace.PurposeSeizure, At: beforeSuspension},
			policies: []string{"marking prohibited-purposes"},
		},
		{
			name: "the report allows only investigation",
			req: Request{Report: report("DIPOL", enlace.Markings{UseRestriction: enlace.UseRestriction{AllowedPurposes: []enlace.Purpose{enlace.PurposeInvestigation}}}),
				Reader: "DEA", Purpose: enlace.PurposeSeizure, At: beforeSuspension},
			policies: []string{"marking allowed-purposes"},
		},
		{
			name: "the report allows investigation, and investigation it is",
			req: Request{Report: report("DIPOL", enlace.Markings{UseRestriction: enlace.UseRestriction{AllowedPurposes: []enlace.Purpose{enlace.PurposeInvestigation}}}),
				Reader: "DEA", Purpose: enlace.PurposeInvestigation, At: beforeSuspension},
			allowed:   true,
			agreement: "AG-1",
		},
		{
			name:     "SIENA H0 keeps material out of military use",
			req:      Request{Report: report("DIPOL", enlace.Markings{Handling: []enlace.HandlingCode{enlace.H0}}), Reader: "DEA", Purpose: enlace.PurposeLethalTargeting, At: beforeSuspension},
			policies: []string{"handling siena:H0"},
		},
		{
			name:     "SIENA H1 bars prosecution without consent",
			req:      Request{Report: report("DIPOL", enlace.Markings{Handling: []enlace.HandlingCode{enlace.H1}}), Reader: "DEA", Purpose: enlace.PurposeProsecution, At: beforeSuspension},
			policies: []string{"handling siena:H1"},
		},
		{
			name: "SIENA H1 with DIPOL's consent for DEA",
			req: Request{Report: report("DIPOL", enlace.Markings{Handling: []enlace.HandlingCode{enlace.H1}}), Reader: "DEA", Purpose: enlace.PurposeProsecution, At: beforeSuspension,
				Consents: []enlace.Consent{consent(7, "DEA", enlace.ConsentGranted, nil, enlace.PurposeProsecution)}},
			allowed:   true,
			agreement: "AG-1",
			policies:  []string{"agreement AG-1 v2", "consent #7"},
		},
		{
			name: "a consent for another agency does not help",
			req: Request{Report: report("DIPOL", enlace.Markings{UseRestriction: enlace.UseRestriction{NoJudicialUse: true}}), Reader: "DEA", Purpose: enlace.PurposeProsecution, At: beforeSuspension,
				Consents: []enlace.Consent{consent(7, "FBI", enlace.ConsentGranted, nil, enlace.PurposeProsecution)}},
			policies: []string{"marking no-judicial-use"},
		},
		{
			name:     "TLP:RED goes only to named recipients",
			req:      Request{Report: report("DIPOL", enlace.Markings{TLP: enlace.TLPRed, Recipients: []string{"FBI"}}), Reader: "DEA", Purpose: enlace.PurposeSeizure, At: beforeSuspension},
			policies: []string{"marking tlp-red"},
		},
		{
			name:      "TLP:RED to a named recipient",
			req:       Request{Report: report("DIPOL", enlace.Markings{TLP: enlace.TLPRed, Recipients: []string{"DEA"}}), Reader: "DEA", Purpose: enlace.PurposeSeizure, At: beforeSuspension},
			allowed:   true,
			agreement: "AG-1",
		},
		{
			name:      "TLP:AMBER+STRICT without recipients needs an agreement with the agency alone (AG-3)",
			req:       Request{Report: report("DIPOL", enlace.Markings{TLP: enlace.TLPAmberStrict}), Reader: "DEA", Purpose: enlace.PurposeInvestigation, At: beforeSuspension},
			allowed:   true,
			agreement: "AG-3",
		},
		{
			name:     "TLP:AMBER+STRICT without recipients, and only a nation agreement",
			req:      Request{Report: report("DIPOL", enlace.Markings{TLP: enlace.TLPAmberStrict}), Reader: "FBI", Purpose: enlace.PurposeInvestigation, At: beforeSuspension},
			policies: []string{"no agreement"},
		},
		{
			name:     "TLP:AMBER+STRICT naming someone else",
			req:      Request{Report: report("DIPOL", enlace.Markings{TLP: enlace.TLPAmberStrict, Recipients: []string{"FBI"}}), Reader: "DEA", Purpose: enlace.PurposeInvestigation, At: beforeSuspension},
			policies: []string{"marking tlp-amber+strict"},
		},
		{
			name:     "a handling code the agreement does not accept",
			req:      Request{Report: report("DIPOL", enlace.Markings{Handling: []enlace.HandlingCode{{Scheme: "siena", Code: "H3", Text: "no use abroad"}}}), Reader: "DEA", Purpose: enlace.PurposeSeizure, At: beforeSuspension},
			policies: []string{"no agreement"},
		},
		{
			name:     "GB (NCA) gets CO material onward via DEA only with CO's consent",
			req:      Request{Report: report("DIPOL", enlace.Markings{}), Reader: "NCA", Holder: "DEA", Purpose: enlace.PurposeSeizure, At: reinstated},
			policies: []string{"onward consent"},
			first:    "passing the report on from DEA to NCA needs the consent of DIPOL (onward rule consent)",
		},
		{
			name: "a denied consent does not help",
			req: Request{Report: report("DIPOL", enlace.Markings{}), Reader: "NCA", Holder: "DEA", Purpose: enlace.PurposeSeizure, At: reinstated,
				Consents: []enlace.Consent{consent(7, "NCA", enlace.ConsentDenied, nil, enlace.PurposeSeizure)}},
			policies: []string{"onward consent"},
		},
		{
			name: "an expired consent does not help",
			req: Request{Report: report("DIPOL", enlace.Markings{}), Reader: "NCA", Holder: "DEA", Purpose: enlace.PurposeSeizure, At: reinstated,
				Consents: []enlace.Consent{consent(7, "NCA", enlace.ConsentGranted, ptime("2025-11-15T00:00Z"), enlace.PurposeSeizure)}},
			policies: []string{"onward consent"},
		},
		{
			name: "with CO's consent for NCA the onward release goes through under AG-2",
			req: Request{Report: report("DIPOL", enlace.Markings{}), Reader: "NCA", Holder: "DEA", Purpose: enlace.PurposeSeizure, At: reinstated,
				Consents: []enlace.Consent{consent(7, "NCA", enlace.ConsentGranted, nil, enlace.PurposeInterdiction)}},
			allowed:   true,
			agreement: "AG-2",
			policies:  []string{"agreement AG-2 v1", "agreement AG-1 v2", "directive D-2", "consent #7"},
		},
		{
			name: "a suspended holder cannot pass it on",
			req: Request{Report: report("DIPOL", enlace.Markings{}), Reader: "NCA", Holder: "DEA", Purpose: enlace.PurposeInterdiction, At: reinstated,
				Consents: []enlace.Consent{consent(7, "NCA", enlace.ConsentGranted, nil, enlace.PurposeLawEnforcement)}},
			policies: []string{"directive D-1"},
			first:    d1Text,
		},
		{
			name: "the report's onward rule none",
			req: Request{Report: report("DIPOL", enlace.Markings{UseRestriction: enlace.UseRestriction{Onward: enlace.OnwardNone}}), Reader: "NCA", Holder: "DEA", Purpose: enlace.PurposeSeizure, At: reinstated,
				Consents: []enlace.Consent{consent(7, "NCA", enlace.ConsentGranted, nil, enlace.PurposeSeizure)}},
			policies: []string{"onward rule"},
		},
		{
			name:      "the report's onward rule free needs no consent",
			req:       Request{Report: report("DIPOL", enlace.Markings{UseRestriction: enlace.UseRestriction{Onward: enlace.OnwardFree}}), Reader: "NCA", Holder: "DEA", Purpose: enlace.PurposeSeizure, At: reinstated},
			allowed:   true,
			agreement: "AG-2",
		},
		{
			name:     "SIENA H2 needs consent even when the rule is free",
			req:      Request{Report: report("DIPOL", enlace.Markings{Handling: []enlace.HandlingCode{enlace.H2}, UseRestriction: enlace.UseRestriction{Onward: enlace.OnwardFree}}), Reader: "NCA", Holder: "DEA", Purpose: enlace.PurposeSeizure, At: reinstated},
			policies: []string{"onward consent"},
		},
		{
			name:      "US ORCON material released by its originator DEA to NCA is a direct release",
			req:       Request{Report: report("DEA", enlace.Markings{Handling: []enlace.HandlingCode{enlace.ORCON}}), Reader: "NCA", Holder: "DEA", Purpose: enlace.PurposeSeizure, At: reinstated},
			allowed:   true,
			agreement: "AG-2",
		},
		{
			name: "TLP:AMBER+STRICT without recipients is not passed on",
			req: Request{Report: report("DIPOL", enlace.Markings{TLP: enlace.TLPAmberStrict}), Reader: "NCA", Holder: "DEA", Purpose: enlace.PurposeInvestigation, At: reinstated,
				Consents: []enlace.Consent{consent(7, "NCA", enlace.ConsentGranted, nil, enlace.PurposeInvestigation)}},
			policies: []string{"onward tlp-amber+strict"},
		},
		{
			name:     "an unknown holder",
			req:      Request{Report: report("DIPOL", enlace.Markings{}), Reader: "NCA", Holder: "MI6", Purpose: enlace.PurposeSeizure, At: reinstated},
			policies: []string{"request"},
		},
		{
			name:      "a holder equal to the originator is a direct release",
			req:       Request{Report: report("DIPOL", enlace.Markings{}), Reader: "DEA", Holder: "DIPOL", Purpose: enlace.PurposeSeizure, At: beforeSuspension},
			allowed:   true,
			agreement: "AG-1",
		},
		{
			name:     "D-1 is still in force in 2027, after AG-10 with the task force has ended",
			req:      Request{Report: report("DIPOL", enlace.Markings{}), Reader: "DEA", Purpose: enlace.PurposeInterdiction, At: at("2027-01-01T00:00Z")},
			policies: []string{"directive D-1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, f := range []struct {
				name   string
				decide func(Request) enlace.Decision
			}{{"Decide", p.Decide}, {"DecideCedar", p.DecideCedar}} {
				d := f.decide(tt.req)
				if d.Allowed != tt.allowed {
					t.Fatalf("%s: allowed = %v, want %v: %s", f.name, d.Allowed, tt.allowed, d.Explain())
				}
				if d.AgreementID != tt.agreement {
					t.Errorf("%s: agreement = %q, want %q", f.name, d.AgreementID, tt.agreement)
				}
				var got []string
				for _, r := range d.Reasons {
					if slices.Contains(tt.policies, r.Policy) {
						got = append(got, r.Policy)
					}
				}
				if !slices.Equal(tt.policies, got) {
					t.Errorf("%s: reasons %q name %q, want %q", f.name, d.Reasons, got, tt.policies)
				}
				if tt.first != "" && (len(d.Reasons) == 0 || d.Reasons[0].Text != tt.first) {
					t.Errorf("%s: first reason = %q, want %q", f.name, d.Reasons, tt.first)
				}
			}
		})
	}
}

// TestDecideMatchesCedarReasons checks that both paths give the same
// decision, reasons included, over the seed world's agencies and purposes.
func TestDecideMatchesCedarReasons(t *testing.T) {
	w := seedWorld()
	p := mustNew(t, w)
	markings := []enlace.Markings{
		{TLP: enlace.TLPGreen},
		{TLP: enlace.TLPRed, Recipients: []string{"DEA", "NCA"}},
		{TLP: enlace.TLPAmberStrict},
		{TLP: enlace.TLPAmber, Handling: []enlace.HandlingCode{enlace.H1, enlace.H2}},
	}
	n, allowed := 0, 0
	for _, o := range w.Agencies {
		for _, r := range w.Agencies {
			for _, h := range []string{"", "DEA", "JIATF-South"} {
				for _, pu := range vocab.Purposes() {
					for _, ts := range []time.Time{beforeSuspension, suspended, reinstated} {
						for _, m := range markings {
							req := Request{Report: report(o.ID, m), Reader: r.ID, Holder: h, Purpose: pu, At: ts,
								Consents: []enlace.Consent{consent(7, "NCA", enlace.ConsentGranted, nil, enlace.PurposeLawEnforcement)}}
							fast, ced := p.Decide(req), p.DecideCedar(req)
							if fast.Allowed {
								allowed++
							}
							n++
							if fast.Allowed {
								if diff := cmp.Diff(fast, ced); diff != "" {
									t.Fatalf("%+v: Decide and DecideCedar differ (-fast +cedar):\n%s", req, diff)
								}
							} else if fast.Allowed != ced.Allowed || !slices.Equal(directiveIDs(fast), directiveIDs(ced)) {
								t.Fatalf("%+v: Decide %v, DecideCedar %v", req, fast, ced)
							}
						}
					}
				}
			}
		}
	}
	if allowed == 0 || allowed == n {
		t.Fatalf("%d of %d allowed: the sweep tests nothing", allowed, n)
	}
}

func TestNewRejects(t *testing.T) {
	w := seedWorld()
	w.Agreements = append(w.Agreements, w.Agreements[0])
	if _, err := New(w); enlace.ErrorCode(err) != enlace.EInvalid {
		t.Errorf("duplicate agreement: err = %v, want invalid", err)
	}
	w = seedWorld()
	w.Directives = append(w.Directives, w.Directives[0])
	if _, err := New(w); enlace.ErrorCode(err) != enlace.EInvalid {
		t.Errorf("duplicate directive: err = %v, want invalid", err)
	}
	w = seedWorld()
	w.Agencies = append(w.Agencies, w.Agencies[0])
	if _, err := New(w); enlace.ErrorCode(err) != enlace.EInvalid {
		t.Errorf("duplicate agency: err = %v, want invalid", err)
	}
	if _, err := New(World{}); enlace.ErrorCode(err) != enlace.EInvalid {
		t.Errorf("no vocabulary: err = %v, want invalid", err)
	}
}

func TestParty(t *testing.T) {
	p := mustNew(t, seedWorld())
	got, ok := p.Party("DEA")
	want := enlace.Party{Agency: "DEA", Nation: "US", TaskForces: []string{"JIATF-South"}}
	if !ok || !cmp.Equal(got, want) {
		t.Errorf("Party(DEA) = %+v, %v; want %+v", got, ok, want)
	}
	if _, ok := p.Party("KGB"); ok {
		t.Error("Party(KGB) found")
	}
}

func TestText(t *testing.T) {
	p := mustNew(t, seedWorld())
	text := p.Text()
	for _, want := range []string{
		`@id("agreement AG-1 v2")`,
		`@id("directive D-1")`,
		`// lifted by directive D-2`,
		`@id("marking tlp-red")`,
		`@id("handling siena:H0")`,
		`principal in Nation::"US"`,
		`context.purpose in [Purpose::"seizure"]`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("Text lacks %s", want)
		}
	}
	// D-3 is of agency rank: it must not appear as lifting D-1.
	i := strings.Index(text, `@id("directive D-1")`)
	j := strings.Index(text[i:], "};")
	if strings.Contains(text[i:i+j], "D-3") {
		t.Errorf("the agency-rank D-3 lifts the nation's D-1:\n%s", text[i:i+j])
	}
	// Suspensions only: reinstatements live in the unless clauses.
	if strings.Contains(text, `@id("directive D-2")`) {
		t.Error("reinstatement D-2 has a policy of its own")
	}
}

func TestSubMillisecondBoundaries(t *testing.T) {
	w := seedWorld()
	eff := at("2025-11-10T14:00Z").Add(1500 * time.Nanosecond)
	w.Directives = []enlace.Directive{{Seq: 1, ID: "D-1", Action: enlace.ActionSuspend, From: enlace.NationScope("CO"), To: enlace.NationScope("US"),
		Purposes: enlace.AllPurposes, EffectiveAt: eff, Reason: "r", IssuerNation: "CO", IssuerRank: enlace.RankNation}}
	p := mustNew(t, w)
	for _, tc := range []struct {
		at      time.Time
		allowed bool
	}{{eff.Add(-1), true}, {eff, false}, {eff.Add(-1000), true}, {eff.Add(time.Millisecond), false}} {
		req := Request{Report: report("DIPOL", enlace.Markings{}), Reader: "DEA", Purpose: enlace.PurposeSeizure, At: tc.at}
		if d := p.Decide(req); d.Allowed != tc.allowed {
			t.Errorf("Decide at %v: allowed %v, want %v", tc.at, d.Allowed, tc.allowed)
		}
		if d := p.DecideCedar(req); d.Allowed != tc.allowed {
			t.Errorf("DecideCedar at %v: allowed %v, want %v", tc.at, d.Allowed, tc.allowed)
		}
	}
}

func TestDecideAllowPathDoesNotAllocate(t *testing.T) {
	p := mustNew(t, seedWorld())
	req := Request{Report: report("DIPOL", enlace.Markings{}), Reader: "DEA", Purpose: enlace.PurposeSeizure, At: reinstated}
	p.Decide(req)
	if n := testing.AllocsPerRun(100, func() { p.Decide(req) }); n != 0 {
		t.Errorf("Decide allocates %v times on the allow path", n)
	}
}

// TestConcurrentDecide shares one Policy between goroutines while its
// edges are compiled on first use; run it with -race.
func TestConcurrentDecide(t *testing.T) {
	p := mustNew(t, seedWorld())
	reqs := mixedRequests(2000, "")
	want := make([]bool, len(reqs))
	for i, r := range reqs {
		want[i] = refDecide(seedWorld(), r).allowed
	}
	done := make(chan error, 4)
	for g := range 4 {
		go func() {
			for i := range reqs {
				k := (i + g*500) % len(reqs)
				if got := p.Decide(reqs[k]).Allowed; got != want[k] {
					done <- fmt.Errorf("request %d: allowed %v, want %v", k, got, want[k])
					return
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
