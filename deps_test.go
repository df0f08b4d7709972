package enlace_test

import (
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func goList(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
	if err != nil {
		t.Fatalf("go list %v: %v", args, err)
	}
	return strings.Fields(string(out))
}

// TestDomainImportsOnlyStd holds the layering: the domain package depends
// on nothing but the standard library.
func TestDomainImportsOnlyStd(t *testing.T) {
	for _, imp := range goList(t, "-f", `{{join .Imports " "}}`, ".") {
		if first := strings.Split(imp, "/")[0]; strings.Contains(first, ".") {
			t.Errorf("the domain package imports %s", imp)
		}
	}
}

// TestFacesDoNotReachStores holds the invariant that matters most: no face
// reads a store directly, so no route can skip the policy decision.
func TestFacesDoNotReachStores(t *testing.T) {
	for _, face := range []string{"./httpapi", "./web"} {
		for _, dep := range goList(t, "-deps", face) {
			if strings.Contains(dep, "/store/") {
				t.Errorf("%s depends on %s", face, dep)
			}
		}
	}
}

// TestPolicyDoesNoIO: the policy engine takes its world as values.
func TestPolicyDoesNoIO(t *testing.T) {
	for _, dep := range goList(t, "-deps", "./policy") {
		switch {
		case strings.Contains(dep, "/store/"), dep == "net/http", dep == "database/sql", dep == "os/exec":
			t.Errorf("policy depends on %s", dep)
		}
	}
}

// TestEveryPackageHasADocComment keeps the codemap readable.
func TestEveryPackageHasADocComment(t *testing.T) {
	for _, dir := range goList(t, "-f", "{{.Dir}}", "./...") {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		documented, name := false, ""
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ParseComments|parser.PackageClauseOnly)
			if err != nil {
				t.Fatal(err)
			}
			name = f.Name.Name
			if f.Doc != nil {
				documented = true
			}
		}
		if name != "" && !documented {
			t.Errorf("package %s in %s has no doc comment", name, dir)
		}
	}
}
