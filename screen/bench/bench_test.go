package bench

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/enlace-exchange/enlace/screen"
	"github.com/enlace-exchange/enlace/screen/ofac"
)

// sharedData returns the shared sanctions folder or skips the test.
func sharedData(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("ENLACE_SANCTIONS_DATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "data", "sanctions")
	}
	if _, err := os.Stat(filepath.Join(dir, "ofac_sdn_2023-12-28", "sdn.csv")); err != nil {
		tb.Skipf("shared sanctions data not found at %s (set ENLACE_SANCTIONS_DATA): %v", dir, err)
	}
	return dir
}

// BenchmarkSearchShared searches the full shared lists with a mix of
// generated positives and synthetic negatives.
func BenchmarkSearchShared(b *testing.B) {
	dir := sharedData(b)
	all, sdn, err := Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	ix := screen.NewIndex(all, screen.IndexOptions{})
	var qs []screen.Query
	for _, l := range generate(sdn, 100, 7) {
		qs = append(qs, l.q)
	}
	ns, err := readNegatives(filepath.Join(dir, "labelled", "yente_candidate_generation_fixtures", "negatives_global.csv"), 1000)
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range ns {
		qs = append(qs, n.q)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			ix.Search(qs[i%len(qs)])
			i++
		}
	})
}

// TestAcceptance checks the acceptance thresholds on a sample of the
// shared data. The full figures come from Run (enlace screen bench) or from
// ENLACE_BENCH_FULL=1 go test -run TestFullBenchmark -v.
func TestAcceptance(t *testing.T) {
	dir := sharedData(t)
	if testing.Short() {
		t.Skip("sample benchmark skipped in -short mode")
	}
	res, err := Evaluate(context.Background(), Options{DataDir: dir, PerClass: 150, Negatives: 3000, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Print(&buf, res); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + buf.String())
	for _, c := range res.Classes {
		want := 0.97
		if c.Class == "exact" || c.Class == "reordered" {
			want = 0.99
		}
		if c.Queries < 100 {
			t.Errorf("%s: only %d queries generated", c.Class, c.Queries)
		}
		if c.Recall1() < want {
			t.Errorf("%s: recall@1 %.4f < %.2f", c.Class, c.Recall1(), want)
		}
	}
	for _, n := range res.Negatives {
		if r := 1000 * ratio(n.Alerts, n.Queries); r > 1 {
			t.Errorf("%s: %.2f false alerts per 1,000 > 1", n.Set, r)
		}
	}
	if f1 := res.Pairs[0].F1(); f1 <= 0.79 {
		t.Errorf("F1 on labelled pairs %.4f ≤ 0.79", f1)
	}
	if !raceEnabled && res.QPS() < 2000 {
		t.Errorf("%.0f queries/s < 2,000", res.QPS())
	}
}

// TestFullBenchmark prints the full report; it runs only when
// ENLACE_BENCH_FULL is set.
func TestFullBenchmark(t *testing.T) {
	if os.Getenv("ENLACE_BENCH_FULL") == "" {
		t.Skip("set ENLACE_BENCH_FULL=1 to run the full benchmark")
	}
	dir := sharedData(t)
	var buf bytes.Buffer
	if err := Run(context.Background(), &buf, Options{DataDir: dir, WatchmanURL: os.Getenv("ENLACE_WATCHMAN_URL")}); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + buf.String())
}

func TestGenerate(t *testing.T) {
	sdn, err := ofac.ParseSDN(os.DirFS("../testdata/ofac_v1"))
	if err != nil {
		t.Fatal(err)
	}
	qs := generate(sdn, 5, 3)
	got := map[string]int{}
	for _, q := range qs {
		got[q.class]++
		if q.q.Name == "" && q.q.IMO == "" {
			t.Errorf("empty query %+v", q)
		}
	}
	for _, c := range []string{"exact", "reordered", "typo", "alias", "initials", "vessel-id", "suffix-swap"} {
		if got[c] == 0 {
			t.Errorf("no %s queries from the fixture: %v", c, got)
		}
	}
	if s := toCyrillic("Vladimir Putin"); s != "владимир путин" {
		t.Errorf("toCyrillic = %q", s)
	}
}

// TestWatchman runs the side-by-side path against a fake watchman on the
// loopback interface.
func TestWatchman(t *testing.T) {
	sdn, err := ofac.ParseSDN(os.DirFS("../testdata/ofac_v1"))
	if err != nil {
		t.Fatal(err)
	}
	// The fake knows exact names only, and Zawahiri's surname.
	known := map[string]string{}
	for _, e := range sdn {
		known[screen.Normalize(e.PrimaryName(), e.Type)] = e.ID
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v2/search" || r.URL.Query().Get("limit") != "10" {
			http.NotFound(w, r)
			return
		}
		name := r.URL.Query().Get("name")
		body := `{"entities":[]}`
		if id, ok := known[screen.Normalize(name, typeOf(r.URL.Query().Get("type")))]; ok {
			body = `{"entities":[{"name":"x","sourceID":"` + id + `","match":1}]}`
		} else if strings.Contains(strings.ToUpper(name), "ZAWAHIRI") {
			body = `{"entities":[{"name":"AL-ZAWAHIRI, Ayman","sourceID":"100","match":0.81}]}`
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
	defer srv.Close()
	qs := generate(sdn, 5, 3)
	negs := [][]negative{{{q: screen.Query{Name: "Jane Doe"}}}, {{q: screen.Query{Name: "Ayman Zawahiri"}}}}
	wr, err := runWatchman(context.Background(), Options{WatchmanURL: srv.URL, WatchmanPerClass: 5, WatchmanThreshold: 0.8}, qs, negs)
	if err != nil {
		t.Fatal(err)
	}
	exact := wr.Classes[classIndex("exact")]
	if exact.Queries == 0 || exact.At1 == 0 {
		t.Errorf("exact via watchman: %+v", exact)
	}
	if wr.Negatives[0].NameOnlyAlerts != 0 || wr.Negatives[1].NameOnlyAlerts != 1 {
		t.Errorf("negatives via watchman: %+v", wr.Negatives)
	}
}

func typeOf(s string) screen.EntityType {
	if s == "business" {
		return screen.Organization
	}
	t, _ := screen.ParseEntityType(s)
	return t
}
