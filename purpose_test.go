package enlace

import "testing"

func TestVocabularyCovers(t *testing.T) {
	v := MustVocabulary(DefaultPurposes)
	tests := []struct {
		a, b Purpose
		want bool
	}{
		{PurposeLawEnforcement, PurposeSeizure, true},
		{PurposeInterdiction, PurposeSeizure, true},
		{PurposeSeizure, PurposeSeizure, true},
		{PurposeSeizure, PurposeInterdiction, false},
		{PurposeMilitaryAction, PurposeLethalTargeting, true},
		{PurposeLawEnforcement, PurposeLethalTargeting, false},
		{PurposeInvestigation, PurposeProsecution, false},
	}
	for _, tt := range tests {
		if got := v.Covers(tt.a, tt.b); got != tt.want {
			t.Errorf("Covers(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestNewVocabularyRefusesBadDefinitions(t *testing.T) {
	for name, defs := range map[string][]PurposeDef{
		"duplicate":      {{ID: "a"}, {ID: "a"}},
		"unknown parent": {{ID: "a", Parent: "b"}},
		"cycle":          {{ID: "a", Parent: "b"}, {ID: "b", Parent: "a"}},
		"self parent":    {{ID: "a", Parent: "a"}},
		"free text":      {{ID: "Use It For Anything"}},
	} {
		if _, err := NewVocabulary(defs); ErrorCode(err) != EInvalid {
			t.Errorf("%s: err %v, want invalid", name, err)
		}
	}
	v, err := NewVocabulary(append(DefaultPurposes, PurposeDef{ID: "asset-recovery", Parent: PurposeLawEnforcement}))
	if err != nil || !v.Covers(PurposeLawEnforcement, "asset-recovery") {
		t.Fatalf("extension: %v", err)
	}
}

func TestPurposeSetJSON(t *testing.T) {
	v := MustVocabulary(DefaultPurposes)
	for _, tt := range []struct {
		in       string
		includes []Purpose
		excludes []Purpose
	}{
		{`"all"`, []Purpose{PurposeSeizure, PurposeLethalTargeting}, nil},
		{`{"only":["seizure"]}`, []Purpose{PurposeSeizure}, []Purpose{PurposeInterdiction, PurposeLethalTargeting}},
		{`{"except":["seizure"]}`, []Purpose{PurposeInterdiction, PurposeLethalTargeting}, []Purpose{PurposeSeizure}},
		{`{"only":["interdiction"]}`, []Purpose{PurposeSeizure, PurposeInterdiction}, []Purpose{PurposeInvestigation}},
	} {
		var s PurposeSet
		if err := s.UnmarshalJSON([]byte(tt.in)); err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if err := s.Validate(v); err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		for _, p := range tt.includes {
			if !s.Includes(v, p) {
				t.Errorf("%s does not include %s", tt.in, p)
			}
		}
		for _, p := range tt.excludes {
			if s.Includes(v, p) {
				t.Errorf("%s includes %s", tt.in, p)
			}
		}
		out, err := s.MarshalJSON()
		if err != nil || string(out) != tt.in {
			t.Errorf("round trip %s -> %s, %v", tt.in, out, err)
		}
	}
	for _, bad := range []string{`"some"`, `{"only":["a"],"except":["b"]}`, `{"never":["a"]}`, `7`} {
		var s PurposeSet
		if err := s.UnmarshalJSON([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
