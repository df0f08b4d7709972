package taxii

import (
	"os/exec"
	"strings"
	"testing"
)

// TestFaceDoesNotReachStores holds enlace's first invariant for this face:
// it reaches intelligence only through the Backend, so it must not depend
// on a store engine (nor on the exchange: the Backend is an interface).
func TestFaceDoesNotReachStores(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".", "./taxiitest").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "/store/") || strings.HasSuffix(dep, "enlace/exchange") || dep == "database/sql" {
			t.Errorf("the TAXII face depends on %s", dep)
		}
	}
}
