package stix_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/enlace-exchange/enlace/stix"
	"github.com/enlace-exchange/enlace/stix/stixschema"
)

var (
	schemaOnce sync.Once
	schemaV    *stixschema.Validator
	schemaErr  error
)

// oasis returns the validator of the OASIS STIX 2.1 schemas, skipping the
// test when the shared data sets are absent.
func oasis(t testing.TB) *stixschema.Validator {
	t.Helper()
	dir := filepath.Join(sharedData(t), "stix", "schemas")
	schemaOnce.Do(func() { schemaV, schemaErr = stixschema.Load(dir) })
	if schemaErr != nil {
		t.Fatal(schemaErr)
	}
	return schemaV
}

// TestAttackAgreesWithSchemas runs every ATT&CK object through both Parse
// and the OASIS schemas: an object one accepts and the other rejects is a
// finding.
func TestAttackAgreesWithSchemas(t *testing.T) {
	v := oasis(t)
	objs := attackObjects(t)
	for _, raw := range objs {
		_, ours := stix.Parse(raw)
		theirs := v.Validate(raw)
		if (ours == nil) != (theirs == nil) {
			t.Errorf("disagreement: Parse: %v; schemas: %v\n%.300s", ours, theirs, raw)
		}
	}
	t.Logf("%d ATT&CK objects checked against the OASIS schemas", len(objs))
}

// maybeOasis returns the OASIS schema validator, or nil when the shared
// data sets are absent: tests that use it still run their own checks.
func maybeOasis(t *testing.T) *stixschema.Validator {
	t.Helper()
	if _, ok := sharedDataDir(); !ok {
		return nil
	}
	return oasis(t)
}

// TestExamplesAgreeWithSchemas runs the OASIS examples shipped beside the
// schemas (bundles, or single objects) through Parse and the schemas.
func TestExamplesAgreeWithSchemas(t *testing.T) {
	v := oasis(t)
	dir := filepath.Join(sharedData(t), "stix", "examples")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	n, rejected := 0, 0
	for _, file := range append(files, more...) {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var env struct {
			Type    string            `json:"type"`
			Objects []json.RawMessage `json:"objects"`
		}
		if err := json.Unmarshal(b, &env); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		objs := env.Objects
		if env.Type != "bundle" {
			objs = []json.RawMessage{b}
		}
		for _, raw := range objs {
			n++
			_, ours := stix.Parse(raw)
			theirs := v.Validate(raw)
			if ours != nil {
				rejected++
			}
			if (ours == nil) != (theirs == nil) {
				t.Errorf("%s: disagreement: Parse: %v; schemas: %v\n%.300s", filepath.Base(file), ours, theirs, raw)
			}
		}
	}
	t.Logf("%d example objects checked, %d rejected by both", n, rejected)
}
