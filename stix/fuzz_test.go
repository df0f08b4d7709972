package stix_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/stix"
)

// FuzzParse feeds Parse arbitrary bytes, seeded with the fixtures: it must
// never panic, must fail only with an EInvalid *enlace.Error, and what it
// accepts must be a well-formed head that Equal agrees is JSON.
func FuzzParse(f *testing.F) {
	for _, raw := range fixtures(f) {
		f.Add([]byte(raw))
	}
	f.Add([]byte(`{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--2a4c5b8e-37c5-4d39-9a3c-0e0e9b6a1f10","created":"2026-01-01T00:00:00.000Z","extensions":{"extension-definition--0674ed77-fec4-4eb7-a603-73f8574c2808":{"extension_type":"property-extension","handling":[{"scheme":"siena","code":"H3","text":"x"}],"recipients":["a"]}}}`))
	f.Add([]byte(`{"type":"x-a\u0062c","id":"x-abc--6a2c4f22-0c9e-4b3d-9a8e-6d1f7a0c1b2e","created":"2024-01-31T12:00:00.000Z","modified":"2024-01-31T12:00:00.000Z","spec_version":"2.1","x_n":[[[{}]]]}`))
	f.Add([]byte(`[{"a":1e999}]`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		o, err := stix.Parse(raw)
		if err != nil {
			var e *enlace.Error
			if !errors.As(err, &e) || e.Code != enlace.EInvalid || e.Message == "" {
				t.Fatalf("Parse error %v is not an EInvalid *enlace.Error", err)
			}
			return
		}
		if o.ID == "" || o.Type == "" || o.Category == 0 {
			t.Fatalf("accepted object with an empty head: %+v", o)
		}
		if !json.Valid(raw) {
			t.Fatalf("Parse accepted what encoding/json calls invalid JSON")
		}
		if eq, err := stix.Equal(raw, raw); err != nil || !eq {
			t.Fatalf("Parse accepted what Equal calls %v, %v", eq, err)
		}
		if o.Category != stix.SCO {
			if o.Created.IsZero() || o.SpecVersion != "2.1" {
				t.Fatalf("accepted a non-SCO without created or spec_version: %+v", o)
			}
		}
		_, _ = stix.MarkingsOf(o, func(string) (stix.Object, bool) { return o, true })
	})
}

// FuzzEqual holds that Equal never panics, is symmetric, calls valid JSON
// equal to itself, and agrees with encoding/json about what is JSON.
func FuzzEqual(f *testing.F) {
	f.Add([]byte(`{"a":[1,2.0,"x"],"b":null}`), []byte(`{"b":null,"a":[1,2,"x"]}`))
	f.Add([]byte(`1e400`), []byte(`10e399`))
	f.Add([]byte(`{"a":1,"a":1}`), []byte(`{}`))
	f.Add([]byte(`"\ud800"`), []byte(`"\ufffd"`))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		ab, errAB := stix.Equal(a, b)
		ba, errBA := stix.Equal(b, a)
		if (errAB == nil) != (errBA == nil) || ab != ba {
			t.Fatalf("not symmetric: %v %v / %v %v", ab, errAB, ba, errBA)
		}
		self, err := stix.Equal(a, a)
		if err == nil && !self {
			t.Fatalf("%q is not equal to itself", a)
		}
		if err == nil && !json.Valid(a) {
			t.Fatalf("Equal accepts %q, which encoding/json calls invalid", a)
		}
	})
}
