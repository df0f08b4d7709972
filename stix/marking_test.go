package stix_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/stix"
)

var created = time.Date(2026, 11, 28, 9, 30, 0, 123456000, time.UTC)

const agency = "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff"

// extensionSchema compiles stix.Schema with the JSON Schema library.
func extensionSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(stix.Schema()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(stix.SchemaURL, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(stix.SchemaURL)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// extensionBody returns the body of enlace's extension in a
// marking-definition.
func extensionBody(t *testing.T, def []byte) []byte {
	t.Helper()
	var md struct {
		Extensions map[string]json.RawMessage `json:"extensions"`
	}
	if err := json.Unmarshal(def, &md); err != nil {
		t.Fatal(err)
	}
	body, ok := md.Extensions[stix.ExtensionID]
	if !ok {
		t.Fatalf("no enlace extension in %s", def)
	}
	return body
}

var markingCases = map[string]enlace.Markings{
	"TLP only": {TLP: enlace.TLPGreen},
	"H2":       {TLP: enlace.TLPAmber, Handling: []enlace.HandlingCode{enlace.H2}},
	"everything": {
		TLP:      enlace.TLPRed,
		Handling: []enlace.HandlingCode{enlace.H1, {Scheme: enlace.SchemeSIENA, Code: "H3", Text: "not to Member State X"}, enlace.ORCON},
		UseRestriction: enlace.UseRestriction{
			AllowedPurposes:    []enlace.Purpose{enlace.PurposeInterdiction, enlace.PurposeInvestigation},
			ProhibitedPurposes: []enlace.Purpose{enlace.PurposeLethalTargeting},
			Onward:             enlace.OnwardConsent,
			NoJudicialUse:      true,
		},
		Recipients: []string{"guardia-civil", "maoc-n"},
	},
	"restriction only": {TLP: enlace.TLPAmberStrict, UseRestriction: enlace.UseRestriction{Onward: enlace.OnwardNone}},
}

// TestMarkingsRoundTrip: Markings -> marking-definition -> Parse ->
// MarkingsOf gives the same Markings, and what is built validates against
// the OASIS schemas and enlace's own extension schema.
func TestMarkingsRoundTrip(t *testing.T) {
	ext := extensionSchema(t)
	oasisV := maybeOasis(t)
	for name, m := range markingCases {
		t.Run(name, func(t *testing.T) {
			md, err := stix.NewMarkingDefinition(m, agency, created)
			if err != nil {
				t.Fatal(err)
			}
			defs := map[string]stix.Object{}
			if md.JSON != nil {
				def, err := stix.Parse(md.JSON)
				if err != nil {
					t.Fatalf("Parse(own marking-definition): %v\n%s", err, md.JSON)
				}
				if def.ID != md.ID || !def.Created.Equal(created) || def.CreatedByRef != agency {
					t.Errorf("marking-definition head %+v", def)
				}
				defs[def.ID] = def
				inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(extensionBody(t, md.JSON)))
				if err != nil {
					t.Fatal(err)
				}
				if err := ext.Validate(inst); err != nil {
					t.Errorf("extension schema rejects the extension: %v", err)
				}
				if oasisV != nil {
					if err := oasisV.Validate(md.JSON); err != nil {
						t.Errorf("OASIS schemas reject the marking-definition: %v", err)
					}
				}
			}
			obj := markedObject(t, md.Refs)
			got, err := stix.MarkingsOf(obj, func(id string) (stix.Object, bool) { o, ok := defs[id]; return o, ok })
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(m, got); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
			again, err := stix.NewMarkingDefinition(got, agency, created)
			if err != nil {
				t.Fatal(err)
			}
			if eq, err := stix.Equal(md.JSON, again.JSON); md.JSON != nil && (err != nil || !eq) {
				t.Errorf("rebuilt marking-definition differs (%v):\n%s\n%s", err, md.JSON, again.JSON)
			}
			if again.ID != md.ID {
				t.Errorf("id not deterministic: %s, then %s", md.ID, again.ID)
			}
		})
	}
}

// markedObject parses an indicator marked with refs.
func markedObject(t *testing.T, refs []string) stix.Object {
	t.Helper()
	m := fixture(t, "indicator")
	delete(m, "granular_markings")
	m["object_marking_refs"] = refs
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	o, err := stix.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestMarkingsOfWellKnown(t *testing.T) {
	tests := []struct {
		refs []string
		want enlace.TLP
	}{
		{[]string{enlace.TLPClear.MarkingID()}, enlace.TLPClear},
		{[]string{enlace.TLPAmberStrict.MarkingID()}, enlace.TLPAmberStrict},
		{[]string{"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"}, enlace.TLPClear}, // TLP 1.0 WHITE
		{[]string{"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"}, enlace.TLPRed},   // TLP 1.0 RED
		{[]string{enlace.TLPGreen.MarkingID(), enlace.TLPAmber.MarkingID()}, enlace.TLPAmber},   // the most restrictive
	}
	for _, tt := range tests {
		got, err := stix.MarkingsOf(markedObject(t, tt.refs), nil)
		if err != nil {
			t.Errorf("%v: %v", tt.refs, err)
			continue
		}
		if got.TLP != tt.want {
			t.Errorf("%v: TLP %v, want %v", tt.refs, got.TLP, tt.want)
		}
	}
}

// TestMarkingsOfLookup resolves marking-definitions that are not well
// known: a TLP 2.0 definition under another id and a statement.
func TestMarkingsOfLookup(t *testing.T) {
	defs := map[string]stix.Object{}
	for _, raw := range []string{
		`{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168","created":"2017-06-01T00:00:00.000Z","definition_type":"statement","definition":{"statement":"Copyright MITRE"}}`,
		`{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--2a4c5b8e-37c5-4d39-9a3c-0e0e9b6a1f10","created":"2022-10-01T00:00:00.000Z","extensions":{"` + enlace.TLP2ExtensionID + `":{"extension_type":"property-extension","tlp_2_0":"amber+strict"}}}`,
	} {
		o, err := stix.Parse([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		defs[o.ID] = o
	}
	lookup := func(id string) (stix.Object, bool) { o, ok := defs[id]; return o, ok }
	got, err := stix.MarkingsOf(markedObject(t, []string{"marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168", "marking-definition--2a4c5b8e-37c5-4d39-9a3c-0e0e9b6a1f10"}), lookup)
	if err != nil {
		t.Fatal(err)
	}
	if got.TLP != enlace.TLPAmberStrict {
		t.Errorf("TLP %v", got.TLP)
	}
}

func TestMarkingsOfErrors(t *testing.T) {
	md1, err := stix.NewMarkingDefinition(markingCases["H2"], agency, created)
	if err != nil {
		t.Fatal(err)
	}
	md2, err := stix.NewMarkingDefinition(markingCases["everything"], agency, created)
	if err != nil {
		t.Fatal(err)
	}
	defs := map[string]stix.Object{}
	for _, raw := range [][]byte{md1.JSON, md2.JSON} {
		o, err := stix.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		defs[o.ID] = o
	}
	ind := markedObject(t, []string{enlace.TLPRed.MarkingID()})
	lookup := func(id string) (stix.Object, bool) {
		if id == "marking-definition--11111111-1111-4111-8111-111111111111" {
			return ind, true // the wrong object
		}
		o, ok := defs[id]
		return o, ok
	}
	for name, refs := range map[string][]string{
		"unknown":          {enlace.TLPRed.MarkingID(), "marking-definition--0b4c5b8e-37c5-4d39-9a3c-0e0e9b6a1f10"},
		"no TLP":           {md1.ID},
		"two enlace":       {enlace.TLPRed.MarkingID(), md1.ID, md2.ID},
		"not a definition": {enlace.TLPRed.MarkingID(), "marking-definition--11111111-1111-4111-8111-111111111111"},
	} {
		_, err := stix.MarkingsOf(markedObject(t, refs), lookup)
		var e *enlace.Error
		if !errors.As(err, &e) || e.Code != enlace.EInvalid || !strings.Contains(e.Message, `property "object_marking_refs"`) {
			t.Errorf("%s: MarkingsOf = %v, want EInvalid naming object_marking_refs", name, err)
		}
	}
}

func TestNewMarkingDefinitionInvalid(t *testing.T) {
	for name, m := range map[string]enlace.Markings{
		"no TLP":          {Handling: []enlace.HandlingCode{enlace.H2}},
		"H3 without text": {TLP: enlace.TLPAmber, Handling: []enlace.HandlingCode{enlace.H3}},
		"unknown code":    {TLP: enlace.TLPAmber, Handling: []enlace.HandlingCode{{Scheme: "siena", Code: "H9"}}},
		"twice":           {TLP: enlace.TLPAmber, Handling: []enlace.HandlingCode{enlace.H2, enlace.H2}},
		"bad onward":      {TLP: enlace.TLPAmber, UseRestriction: enlace.UseRestriction{Onward: "maybe"}},
		"bad purpose":     {TLP: enlace.TLPAmber, UseRestriction: enlace.UseRestriction{AllowedPurposes: []enlace.Purpose{"Not A Purpose"}}},
		"empty recipient": {TLP: enlace.TLPRed, Recipients: []string{""}},
	} {
		if _, err := stix.NewMarkingDefinition(m, agency, created); enlace.ErrorCode(err) != enlace.EInvalid {
			t.Errorf("%s: NewMarkingDefinition = %v, want EInvalid", name, err)
		}
	}
	if _, err := stix.NewMarkingDefinition(markingCases["H2"], "malware--f431f809-377b-45e0-aa1c-6a4751cae5ff", created); enlace.ErrorCode(err) != enlace.EInvalid {
		t.Errorf("created_by_ref of another type: %v", err)
	}
	if _, err := stix.NewMarkingDefinition(markingCases["H2"], agency, time.Time{}); enlace.ErrorCode(err) != enlace.EInvalid {
		t.Errorf("zero created: %v", err)
	}
}

// TestParseEnlaceExtensionInvalid: a partner's marking-definition with a
// malformed enlace extension is refused, naming the extensions property.
func TestParseEnlaceExtensionInvalid(t *testing.T) {
	ext := extensionSchema(t)
	for name, body := range map[string]string{
		"unknown property":  `{"extension_type":"property-extension","x_other":1}`,
		"wrong type":        `{"extension_type":"property-extension","handling":"siena:H2"}`,
		"unknown code":      `{"extension_type":"property-extension","handling":[{"scheme":"siena","code":"H7"}]}`,
		"H3 without text":   `{"extension_type":"property-extension","handling":[{"scheme":"siena","code":"H3"}]}`,
		"bad onward":        `{"extension_type":"property-extension","use_restriction":{"onward":"later"}}`,
		"toplevel":          `{"extension_type":"toplevel-property-extension"}`,
		"empty recipients":  `{"extension_type":"property-extension","recipients":[]}`,
		"unknown in nested": `{"extension_type":"property-extension","use_restriction":{"onward":"none","until":"2030"}}`,
		"null in nested":    `{"extension_type":"property-extension","use_restriction":{"onward":null}}`,
		"empty restriction": `{"extension_type":"property-extension","use_restriction":{}}`,
		"null handling":     `{"extension_type":"property-extension","handling":[null]}`,
		"purpose twice":     `{"extension_type":"property-extension","use_restriction":{"allowed_purposes":["seizure","seizure"]}}`,
		"code twice":        `{"extension_type":"property-extension","handling":[{"scheme":"siena","code":"H2"},{"scheme":"siena","code":"H2"}]}`,
	} {
		raw := `{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--2a4c5b8e-37c5-4d39-9a3c-0e0e9b6a1f10","created":"2026-01-01T00:00:00.000Z","extensions":{"` + stix.ExtensionID + `":` + body + `}}`
		_, err := stix.Parse([]byte(raw))
		var e *enlace.Error
		if !errors.As(err, &e) || e.Code != enlace.EInvalid || !strings.Contains(e.Message, `property "extensions"`) {
			t.Errorf("%s: Parse = %v, want EInvalid naming extensions", name, err)
		}
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if ext.Validate(inst) == nil {
			t.Errorf("%s: the extension schema accepts what Parse rejects", name)
		}
	}
}

// TestExtensionDefinition: enlace's extension-definition and identity
// parse, validate against the OASIS schemas, and name the schema URL.
func TestExtensionDefinition(t *testing.T) {
	v := maybeOasis(t)
	for _, raw := range []json.RawMessage{stix.ExtensionDefinition(), stix.Identity()} {
		o, err := stix.Parse(raw)
		if err != nil {
			t.Fatalf("Parse: %v\n%s", err, raw)
		}
		if v != nil {
			if err := v.Validate(raw); err != nil {
				t.Errorf("OASIS schemas reject %s: %v", o.ID, err)
			}
		}
	}
	var def struct {
		ID, Schema, CreatedByRef string `json:"-"`
	}
	var m map[string]any
	if err := json.Unmarshal(stix.ExtensionDefinition(), &m); err != nil {
		t.Fatal(err)
	}
	def.ID, def.Schema, def.CreatedByRef = m["id"].(string), m["schema"].(string), m["created_by_ref"].(string)
	if def.ID != stix.ExtensionID || def.Schema != stix.SchemaURL || def.CreatedByRef != stix.IdentityID {
		t.Errorf("extension-definition %v", m)
	}
	var schema map[string]any
	if err := json.Unmarshal(stix.Schema(), &schema); err != nil {
		t.Fatal(err)
	}
	if schema["$id"] != stix.SchemaURL || schema["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("schema $id %v, $schema %v", schema["$id"], schema["$schema"])
	}
}

// TestEnlaceExtensionMutations mutates the body of a full enlace extension
// and holds that Parse never accepts a body enlace's own schema rejects.
func TestEnlaceExtensionMutations(t *testing.T) {
	ext := extensionSchema(t)
	md, err := stix.NewMarkingDefinition(markingCases["everything"], agency, created)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal(extensionBody(t, md.JSON), &body); err != nil {
		t.Fatal(err)
	}
	n, stricter := 0, 0
	for name, m := range mutations(body, 3) {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		raw := `{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--2a4c5b8e-37c5-4d39-9a3c-0e0e9b6a1f10","created":"2026-01-01T00:00:00.000Z","extensions":{"` + stix.ExtensionID + `":` + string(b) + `}}`
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		n++
		_, ours := stix.Parse([]byte(raw))
		theirs := ext.Validate(inst)
		switch {
		case ours == nil && theirs != nil:
			t.Errorf("%s: Parse accepts what the extension schema rejects: %v", name, theirs)
		case ours != nil && theirs == nil:
			stricter++
			t.Logf("%s: Parse rejects what the extension schema accepts: %v", name, ours)
		}
	}
	t.Logf("%d mutations, %d rejected by Parse alone", n, stricter)
}
