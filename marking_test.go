package enlace

import "testing"

func TestParseTLP(t *testing.T) {
	for in, want := range map[string]TLP{"amber+strict": TLPAmberStrict, "TLP:RED": TLPRed, " Green ": TLPGreen, "clear": TLPClear} {
		if got, err := ParseTLP(in); err != nil || got != want {
			t.Errorf("ParseTLP(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseTLP("white"); ErrorCode(err) != EInvalid {
		t.Errorf("TLP 1.0 WHITE accepted: %v", err)
	}
	for _, l := range []TLP{TLPClear, TLPGreen, TLPAmber, TLPAmberStrict, TLPRed} {
		if got, ok := TLPFromMarkingID(l.MarkingID()); !ok || got != l {
			t.Errorf("marking id round trip for %s", l)
		}
	}
}

func TestGradingValidate(t *testing.T) {
	good := []Grading{
		{Scheme: GradingAdmiralty, Source: "B", Information: "2"},
		{Scheme: GradingAdmiralty, Source: "F", Information: "6"},
		{Scheme: GradingEuropol, Source: "X", Information: "4"},
		{Scheme: GradingUK3x5x2, Source: "1", Information: "A", Handling: "P"},
	}
	bad := []Grading{
		{Scheme: GradingAdmiralty, Source: "G", Information: "2"},
		{Scheme: GradingEuropol, Source: "D", Information: "1"},
		{Scheme: GradingEuropol, Source: "A", Information: "5"},
		{Scheme: GradingUK3x5x2, Source: "1", Information: "A"},
		{Scheme: "nato-ish", Source: "A", Information: "1"},
	}
	for _, g := range good {
		if err := g.Validate(); err != nil {
			t.Errorf("%+v: %v", g, err)
		}
	}
	for _, g := range bad {
		if err := g.Validate(); ErrorCode(err) != EInvalid {
			t.Errorf("%+v accepted", g)
		}
	}
}

func TestMarkingsValidate(t *testing.T) {
	v := MustVocabulary(DefaultPurposes)
	ok := Markings{TLP: TLPAmber, Handling: []HandlingCode{H0, H2, {Scheme: SchemeSIENA, Code: "H3", Text: "no use before 2026"}}}
	if err := ok.Validate(v); err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]Markings{
		"no TLP":          {},
		"H3 without text": {TLP: TLPGreen, Handling: []HandlingCode{H3}},
		"twice":           {TLP: TLPGreen, Handling: []HandlingCode{H0, H0}},
		"unknown code":    {TLP: TLPGreen, Handling: []HandlingCode{{Scheme: SchemeSIENA, Code: "H9"}}},
		"unknown purpose": {TLP: TLPGreen, UseRestriction: UseRestriction{ProhibitedPurposes: []Purpose{"fun"}}},
		"unknown onward":  {TLP: TLPGreen, UseRestriction: UseRestriction{Onward: "maybe"}},
	} {
		if err := m.Validate(v); ErrorCode(err) != EInvalid {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestScopeCovers(t *testing.T) {
	dea := Party{Agency: "DEA", Nation: "US", TaskForces: []string{"JIATF-South"}}
	for _, tt := range []struct {
		s    Scope
		want bool
	}{
		{NationScope("US"), true}, {NationScope("CO"), false},
		{AgencyScope("DEA"), true}, {AgencyScope("FBI"), false},
		{TaskForceScope("JIATF-South"), true}, {TaskForceScope("JIATF-West"), false},
		{Scope{Nation: "US", Agency: "DEA"}, false}, // ambiguous scopes cover nothing
	} {
		if got := tt.s.Covers(dea); got != tt.want {
			t.Errorf("%+v covers DEA = %v", tt.s, got)
		}
	}
}
