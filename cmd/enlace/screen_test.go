package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

// TestScreenEndToEnd imports the screen package's small OFAC fixture with
// the CLI, then screens over the API of a server that loaded it.
func TestScreenEndToEnd(t *testing.T) { forEachEngine(t, testScreenEndToEnd) }

func testScreenEndToEnd(t *testing.T, n *node) {
	var out bytes.Buffer
	root := newRoot(&out, io.Discard)
	root.SetArgs([]string{"lists", "import", "--data", n.dir, "--format", "ofac-csv", "../../screen/testdata/ofac_v1"})
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("lists import: %v", err)
	}
	if !strings.Contains(out.String(), "us-ofac-sdn@v1") {
		t.Fatalf("import printed %q", out.String())
	}
	// A malformed list is refused and the previous version stays.
	bad := t.TempDir()
	root = newRoot(io.Discard, io.Discard)
	root.SetArgs([]string{"lists", "import", "--data", n.dir, "--format", "ofac-csv", bad})
	if err := root.ExecuteContext(context.Background()); err == nil {
		t.Fatal("an empty folder was imported")
	}

	// The running server sees the new version at its next query.
	var res struct {
		ListVersions []struct{ List string } `json:"list_versions"`
		Matches      []struct {
			EntryID string  `json:"entry_id"`
			Score   float64 `json:"score"`
		} `json:"matches"`
	}
	n.must(200, "dea-analyst", "POST", "/api/v1/screen", "", map[string]any{"name": "Ayman al-Zawahiri", "type": "person"}).json(t, &res)
	if len(res.ListVersions) != 1 || len(res.Matches) == 0 || res.Matches[0].EntryID != "100" {
		t.Fatalf("screen: %+v", res)
	}
	n.must(200, "dea-analyst", "POST", "/api/v1/screen", "", map[string]any{"name": "ARTAVIL", "type": "vessel", "imo": "9187629"}).json(t, &res)
	if len(res.Matches) == 0 || res.Matches[0].EntryID != "102" {
		t.Fatalf("vessel: %+v", res)
	}
	n.must(400, "dea-analyst", "POST", "/api/v1/screen", "", map[string]any{"name": ""})
	n.must(400, "dea-analyst", "POST", "/api/v1/screen", "", map[string]any{"name": "x", "type": "spaceship"})
	n.must(401, "", "POST", "/api/v1/screen", "", map[string]any{"name": "x"})
}
