package stix_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// sharedData returns ../shared/data beside the module root, skipping the
// test when it is absent (a clone without the shared data sets).
func sharedData(t testing.TB) string {
	t.Helper()
	data, ok := sharedDataDir()
	if !ok {
		t.Skipf("shared data sets absent: ATT&CK and OASIS schema checks need %s", data)
	}
	return data
}

// sharedDataDir returns ../shared/data beside the module root and whether
// it holds the STIX data sets.
func sharedDataDir() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "../shared/data", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "../shared/data beside the module root", false
		}
		dir = parent
	}
	data := filepath.Join(dir, "..", "shared", "data")
	_, err = os.Stat(filepath.Join(data, "stix"))
	return data, err == nil
}

// attackBundles are the ATT&CK bundles every object of which must parse.
var attackBundles = []string{"attack-ics.json", "attack-mobile-17.1.json"}

// attackObjects returns the raw objects of the ATT&CK bundles.
func attackObjects(t testing.TB) []json.RawMessage {
	t.Helper()
	data := sharedData(t)
	var all []json.RawMessage
	for _, name := range attackBundles {
		b, err := os.ReadFile(filepath.Join(data, "stix", name))
		if err != nil {
			t.Fatal(err)
		}
		var bundle struct {
			Objects []json.RawMessage `json:"objects"`
		}
		if err := json.Unmarshal(b, &bundle); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		all = append(all, bundle.Objects...)
	}
	return all
}
