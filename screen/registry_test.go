package screen_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/screen"
	"github.com/enlace-exchange/enlace/screen/ofac"
)

func fixedClock() func() time.Time {
	t := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return func() time.Time { return t }
}

func TestRegistryImportDiff(t *testing.T) {
	dir := t.TempDir()
	reg, err := screen.OpenRegistry(dir, fixedClock())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var calls, lastDone, lastTotal int
	v1, d1, err := reg.Import(ctx, screen.ImportRequest{
		List: ofac.SDNList, Source: "testdata/ofac_v1", Files: os.DirFS("testdata/ofac_v1"), Parse: ofac.ParseSDN,
		Progress: func(done, total int) { calls++; lastDone, lastTotal = done, total },
	})
	if err != nil {
		t.Fatal(err)
	}
	if v1.Version != 1 || v1.Count != 8 || len(v1.Checksum) != 64 || len(d1.Added) != 8 {
		t.Errorf("v1 = %+v, diff %+v", v1, d1)
	}
	if calls == 0 || lastDone != lastTotal {
		t.Errorf("progress: %d calls, last %d/%d", calls, lastDone, lastTotal)
	}

	// The same files again change nothing.
	same, d, err := reg.Import(ctx, screen.ImportRequest{List: ofac.SDNList, Files: os.DirFS("testdata/ofac_v1"), Parse: ofac.ParseSDN})
	if err != nil || same.Version != 1 || !d.Empty() {
		t.Errorf("re-import: %+v %+v %v", same, d, err)
	}

	v2, d2, err := reg.Import(ctx, screen.ImportRequest{List: ofac.SDNList, Source: "testdata/ofac_v2", Files: os.DirFS("testdata/ofac_v2"), Parse: ofac.ParseSDN})
	if err != nil {
		t.Fatal(err)
	}
	want := screen.Diff{From: 1, To: 2, Added: []string{"108"}, Removed: []string{"107"}, Changed: []string{"104", "105"}}
	if diff := cmp.Diff(want, d2); diff != "" {
		t.Errorf("diff v1→v2 (-want +got):\n%s", diff)
	}
	if v2.Version != 2 || v2.Count != 8 {
		t.Errorf("v2 = %+v", v2)
	}

	// Reopening the directory restores the current version.
	reg2, err := screen.OpenRegistry(dir, fixedClock())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]screen.ListVersion{v2}, reg2.Current()); diff != "" {
		t.Errorf("current after reopen (-want +got):\n%s", diff)
	}
	hist, err := reg2.History(ofac.SDNList)
	if err != nil || len(hist) != 2 {
		t.Errorf("history: %v %v", hist, err)
	}
	ix := reg2.Index(nil)
	if ms := ix.Search(screen.Query{Name: "Alexander Petrov"}); len(ms) == 0 || ms[0].EntryID != "108" {
		t.Errorf("search after reopen: %v", ms)
	}
	if _, err := reg2.Entries("nope"); enlace.ErrorCode(err) != enlace.ENotFound {
		t.Errorf("unknown list: %v", err)
	}
}

func TestRegistryMalformedKeepsPrevious(t *testing.T) {
	dir := t.TempDir()
	reg, err := screen.OpenRegistry(dir, fixedClock())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	v1, _, err := reg.Import(ctx, screen.ImportRequest{List: ofac.SDNList, Files: os.DirFS("testdata/ofac_v1"), Parse: ofac.ParseSDN})
	if err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile("testdata/ofac_v1/sdn.csv")
	if err != nil {
		t.Fatal(err)
	}
	bad := fstest.MapFS{"sdn.csv": {Data: append(append([]byte{}, good[:len(good)-1]...), []byte("\r\n109,\"BROKEN\",\"individual\"\r\n")...)}}
	_, _, err = reg.Import(ctx, screen.ImportRequest{List: ofac.SDNList, Files: bad, Parse: ofac.ParseSDN})
	var pe *screen.ParseError
	if !errors.As(err, &pe) || pe.File != "sdn.csv" || pe.Line != 10 || pe.Reason != "3 fields, want 12" {
		t.Fatalf("import of malformed file: %v (%+v)", err, pe)
	}
	if enlace.ErrorCode(err) != enlace.EInvalid {
		t.Errorf("code %s, want invalid", enlace.ErrorCode(err))
	}
	if diff := cmp.Diff([]screen.ListVersion{v1}, reg.Current()); diff != "" {
		t.Errorf("current after failed import (-want +got):\n%s", diff)
	}
	reg2, err := screen.OpenRegistry(dir, fixedClock())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]screen.ListVersion{v1}, reg2.Current()); diff != "" {
		t.Errorf("current on disk after failed import (-want +got):\n%s", diff)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ofac.SDNList, "v000002*")); len(m) != 0 {
		t.Errorf("failed import left files: %v", m)
	}
}
