package stix_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports holds the package's place in the layering: it parses what
// partners send with the standard library and the enlace domain alone,
// and does no I/O of its own.
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		switch dep {
		case "github.com/enlace-exchange/enlace", "github.com/enlace-exchange/enlace/stix":
		default:
			t.Errorf("stix depends on %s", dep)
		}
	}
	out, err = exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		switch dep {
		case "net/http", "database/sql", "os/exec", "net":
			t.Errorf("stix depends on %s, which does I/O", dep)
		}
	}
}
