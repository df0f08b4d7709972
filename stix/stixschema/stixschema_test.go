package stixschema_test

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/enlace-exchange/enlace/stix/stixschema"
)

func schemaDir(t *testing.T) string {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		if filepath.Dir(dir) == dir {
			t.Skip("no module root")
		}
		dir = filepath.Dir(dir)
	}
	d := filepath.Join(dir, "..", "shared", "data", "stix", "schemas")
	if _, err := os.Stat(d); err != nil {
		t.Skipf("OASIS schemas absent: %v", err)
	}
	return d
}

func TestLoad(t *testing.T) {
	v, err := stixschema.Load(schemaDir(t))
	if err != nil {
		t.Fatal(err)
	}
	types := v.Types()
	sort.Strings(types)
	if len(types) != 19+2+18+3 {
		t.Errorf("got %d types: %v", len(types), types)
	}
}

func TestValidate(t *testing.T) {
	v, err := stixschema.Load(schemaDir(t))
	if err != nil {
		t.Fatal(err)
	}
	good := `{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix","valid_from":"2016-01-01T00:00:00Z"}`
	if err := v.Validate([]byte(good)); err != nil {
		t.Errorf("valid indicator: %v", err)
	}
	for name, bad := range map[string]string{
		"no pattern":        `{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","pattern_type":"stix","valid_from":"2016-01-01T00:00:00Z"}`,
		"unknown type":      `{"type":"foo","id":"foo--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}`,
		"custom no created": `{"type":"x-foo","spec_version":"2.1","id":"x-foo--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}`,
		"not an object":     `[]`,
	} {
		if err := v.Validate([]byte(bad)); err == nil {
			t.Errorf("%s: validated", name)
		}
	}
}
