// Package bench measures the screening engine on the shared sanctions data:
// recall by perturbation class, false alerts on synthetic negatives,
// throughput and latency, index build time and memory, and precision,
// recall and F1 on labelled name pairs beside the frozen figures of
// OpenSanctions' logic-v2. It can also send the same queries to a watchman
// server (/v2/search) and print both engines side by side.
package bench

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"

	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/enlace-exchange/enlace/screen"
	"github.com/enlace-exchange/enlace/screen/ofac"
	"github.com/enlace-exchange/enlace/screen/un"
)

// Options configures a benchmark run.
type Options struct {
	// DataDir is the shared sanctions folder (…/shared/data/sanctions).
	DataDir string
	// PerClass caps the generated queries per perturbation class (0: 1000).
	PerClass int
	// Negatives caps the synthetic negatives read from each of the two files
	// (0: all 50,000).
	Negatives int
	// Seed makes query generation reproducible (0: 1).
	Seed uint64
	// Workers is the number of concurrent searchers for the throughput run
	// (0: GOMAXPROCS).
	Workers int
	// Threshold is the alert threshold (0: screen.DefaultThreshold).
	Threshold float64
	// WatchmanURL, if set, is the base URL of a watchman server whose
	// /v2/search answers the same queries.
	WatchmanURL string
	// WatchmanPerClass caps the queries per class and the negatives sent to
	// watchman (0: 200).
	WatchmanPerClass int
	// WatchmanThreshold is the score at which a watchman result counts as an
	// alert (0: 0.85).
	WatchmanThreshold float64
}

func (o *Options) defaults() {
	if o.PerClass <= 0 {
		o.PerClass = 1000
	}
	if o.Negatives <= 0 {
		o.Negatives = 50000
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Threshold == 0 {
		o.Threshold = screen.DefaultThreshold
	}
	if o.WatchmanPerClass <= 0 {
		o.WatchmanPerClass = 200
	}
	if o.WatchmanThreshold == 0 {
		o.WatchmanThreshold = 0.85
	}
}

// ClassResult is recall for one perturbation class.
type ClassResult struct {
	Class   string
	Queries int
	// At1 and At10 count queries whose entry ranked first (ties with the top
	// score count as first) or in the top ten, whatever the score.
	At1, At10 int
	// Alerted counts queries whose entry ranked first at or above the
	// threshold.
	Alerted int
}

// Recall1 is At1/Queries.
func (c ClassResult) Recall1() float64 { return ratio(c.At1, c.Queries) }

// Recall10 is At10/Queries.
func (c ClassResult) Recall10() float64 { return ratio(c.At10, c.Queries) }

// NegativeResult counts alerts on synthetic non-sanctioned persons.
type NegativeResult struct {
	Set     string
	Queries int
	// Alerts counts queries given name, birth date and nationality that
	// raised an alert; NameOnlyAlerts the same queries given the name alone.
	Alerts, NameOnlyAlerts int
}

// PairResult is the confusion on labelled pairs at one threshold.
type PairResult struct {
	Name           string
	Threshold      float64
	TP, FP, TN, FN int
}

// Precision is TP/(TP+FP).
func (p PairResult) Precision() float64 { return ratio(p.TP, p.TP+p.FP) }

// Recall is TP/(TP+FN).
func (p PairResult) Recall() float64 { return ratio(p.TP, p.TP+p.FN) }

// F1 is the harmonic mean of precision and recall.
func (p PairResult) F1() float64 {
	pr, rc := p.Precision(), p.Recall()
	if pr+rc == 0 {
		return 0
	}
	return 2 * pr * rc / (pr + rc)
}

// Result holds every figure of a run.
type Result struct {
	Entries    int
	BuildTime  time.Duration
	IndexBytes uint64
	Classes    []ClassResult
	Negatives  []NegativeResult
	Queries    int
	Elapsed    time.Duration
	P50, P99   time.Duration
	Pairs      []PairResult
	Watchman   *WatchmanResult
	Threshold  float64
}

// QPS is queries per second in the throughput run.
func (r *Result) QPS() float64 { return float64(r.Queries) / r.Elapsed.Seconds() }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Load reads the SDN (2023-12-28), consolidated non-SDN and UN lists from
// dataDir and returns all entries and the SDN entries alone.
func Load(dataDir string) (all, sdn []screen.Entry, err error) {
	sdn, err = ofac.ParseSDN(os.DirFS(filepath.Join(dataDir, "ofac_sdn_2023-12-28")))
	if err != nil {
		return nil, nil, err
	}
	cons, err := ofac.ParseCons(os.DirFS(filepath.Join(dataDir, "ofac_cons_nonsdn_2025-12-19")))
	if err != nil {
		return nil, nil, err
	}
	unl, err := un.ParseFS(os.DirFS(filepath.Join(dataDir, "un_consolidated_2026-02-27")))
	if err != nil {
		return nil, nil, err
	}
	all = append(append(append(all, sdn...), cons...), unl...)
	return all, sdn, nil
}

// Evaluate runs the benchmark and returns its figures.
func Evaluate(ctx context.Context, opts Options) (*Result, error) {
	opts.defaults()
	if _, err := os.Stat(opts.DataDir); err != nil {
		return nil, fmt.Errorf("bench: data folder: %w", err)
	}
	all, sdn, err := Load(opts.DataDir)
	if err != nil {
		return nil, err
	}
	res := &Result{Entries: len(all), Threshold: opts.Threshold}
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	t0 := time.Now()
	ix := screen.NewIndex(all, screen.IndexOptions{})
	res.BuildTime = time.Since(t0)
	runtime.GC()
	runtime.ReadMemStats(&m1)
	if m1.HeapAlloc > m0.HeapAlloc {
		res.IndexBytes = m1.HeapAlloc - m0.HeapAlloc
	}

	// Recall is measured on an index of the SDN list alone: the same person
	// listed by the UN is a right answer that the SDN labels cannot see.
	qs := generate(sdn, opts.PerClass, opts.Seed)
	res.Classes = recall(screen.NewIndex(sdn, screen.IndexOptions{}), qs, sdn, opts.Threshold)
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	var negs [][]negative
	for _, set := range []string{"negatives_global", "negatives_us"} {
		ns, err := readNegatives(filepath.Join(opts.DataDir, "labelled", "yente_candidate_generation_fixtures", set+".csv"), opts.Negatives)
		if err != nil {
			return nil, err
		}
		negs = append(negs, ns)
		nr := NegativeResult{Set: set, Queries: len(ns)}
		for _, n := range ns {
			if ms := ix.Search(n.q); len(ms) > 0 && ms[0].Score >= opts.Threshold {
				nr.Alerts++
			}
			if ms := ix.Search(screen.Query{Name: n.q.Name, Type: n.q.Type, MinScore: opts.Threshold}); len(ms) > 0 {
				nr.NameOnlyAlerts++
			}
		}
		res.Negatives = append(res.Negatives, nr)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}

	// Throughput: every positive query and up to 20,000 negatives.
	var load []screen.Query
	for _, q := range qs {
		load = append(load, q.q)
	}
	for _, ns := range negs {
		for i := 0; i < len(ns) && i < 10000; i++ {
			load = append(load, ns[i].q)
		}
	}
	res.Queries, res.Elapsed, res.P50, res.P99 = throughput(ix, load, opts.Workers)

	pairs, err := pairResults(ix, opts.DataDir, opts.Threshold)
	if err != nil {
		return nil, err
	}
	res.Pairs = pairs

	if opts.WatchmanURL != "" {
		wr, err := runWatchman(ctx, opts, qs, negs)
		if err != nil {
			return nil, err
		}
		res.Watchman = wr
	}
	return res, nil
}

// recall runs the labelled queries with no score floor.
func recall(ix *screen.Index, qs []labelled, sdn []screen.Entry, threshold float64) []ClassResult {
	byClass := map[string]*ClassResult{}
	var order []*ClassResult
	for _, c := range classes {
		cr := &ClassResult{Class: c}
		byClass[c] = cr
		order = append(order, cr)
	}
	for _, l := range qs {
		cr := byClass[l.class]
		cr.Queries++
		q := l.q
		q.MinScore = -1
		q.Limit = 10
		ms := ix.Search(q)
		for rank, m := range ms {
			if m.List != ofac.SDNList || m.EntryID != l.want {
				continue
			}
			cr.At10++
			if rank == 0 || m.Score == ms[0].Score {
				cr.At1++
				if m.Score >= threshold {
					cr.Alerted++
				}
			}
			break
		}
	}
	out := make([]ClassResult, len(order))
	for i, c := range order {
		out[i] = *c
	}
	return out
}

func throughput(ix *screen.Index, load []screen.Query, workers int) (int, time.Duration, time.Duration, time.Duration) {
	lat := make([]time.Duration, len(load))
	var next atomic.Int64
	var wg sync.WaitGroup
	t0 := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(load) {
					return
				}
				s := time.Now()
				ix.Search(load[i])
				lat[i] = time.Since(s)
			}
		}()
	}
	wg.Wait()
	el := time.Since(t0)
	slices.Sort(lat)
	if len(lat) == 0 {
		return 0, el, 0, 0
	}
	return len(load), el, lat[len(lat)/2], lat[len(lat)*99/100]
}

type negative struct {
	q screen.Query
}

func readNegatives(path string, limit int) ([]negative, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	var out []negative
	for len(out) < limit {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, negative{q: screen.Query{
			Name: rec[col["full_name"]], Type: screen.Person,
			BirthDate: rec[col["date_of_birth"]], Nationality: rec[col["nationality"]],
		}})
	}
	return out, nil
}

// pairResults scores the labelled pairs at the threshold and reads
// logic-v2's frozen predictions for comparison.
func pairResults(ix *screen.Index, dataDir string, threshold float64) ([]PairResult, error) {
	rows, err := readCSVMaps(filepath.Join(dataDir, "labelled", "nomenklatura_name_bench_cases.csv"))
	if err != nil {
		return nil, err
	}
	ours := PairResult{Name: "enlace (all 826)", Threshold: threshold}
	even := PairResult{Name: "enlace (even rows)", Threshold: threshold}
	odd := PairResult{Name: "enlace (odd rows)", Threshold: threshold}
	for i, r := range rows {
		t, _ := screen.ParseEntityType(r["schema"])
		s, _ := ix.Compare(r["name1"], r["name2"], t)
		truth := r["is_match"] == "true"
		for _, p := range []*PairResult{&ours, [2]*PairResult{&even, &odd}[i%2]} {
			tally(p, s >= threshold, truth)
		}
	}
	frozen, err := readCSVMaps(filepath.Join(dataDir, "labelled", "nomenklatura_name_bench_logicv2_frozen_results.csv"))
	if err != nil {
		return nil, err
	}
	lv := PairResult{Name: fmt.Sprintf("logic-v2 frozen (%d)", len(frozen))}
	for _, r := range frozen {
		tally(&lv, r["predicted_match"] == "true", r["is_match"] == "true")
	}
	return []PairResult{ours, even, odd, lv}, nil
}

func tally(p *PairResult, pred, truth bool) {
	switch {
	case pred && truth:
		p.TP++
	case pred:
		p.FP++
	case truth:
		p.FN++
	default:
		p.TN++
	}
}

func readCSVMaps(path string) ([]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s: empty", path)
	}
	var out []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			if i < len(rec) {
				m[h] = rec[i]
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// Run evaluates and prints the report to w.
func Run(ctx context.Context, w io.Writer, opts Options) error {
	res, err := Evaluate(ctx, opts)
	if err != nil {
		return err
	}
	return Print(w, res)
}

// Print writes the report tables for res.
func Print(w io.Writer, res *Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "index: %d entries, built in %v, %.1f MiB heap\n\n", res.Entries, res.BuildTime.Round(time.Millisecond), float64(res.IndexBytes)/(1<<20))
	fmt.Fprintf(tw, "class\tqueries\trecall@1\trecall@10\talert@1 (≥%.2f)\t", res.Threshold)
	if res.Watchman != nil {
		fmt.Fprint(tw, "watchman n\twatchman recall@1\twatchman recall@10\t")
	}
	fmt.Fprintln(tw)
	for i, c := range res.Classes {
		fmt.Fprintf(tw, "%s\t%d\t%.4f\t%.4f\t%.4f\t", c.Class, c.Queries, c.Recall1(), c.Recall10(), ratio(c.Alerted, c.Queries))
		if res.Watchman != nil {
			wc := res.Watchman.Classes[i]
			fmt.Fprintf(tw, "%d\t%.4f\t%.4f\t", wc.Queries, wc.Recall1(), wc.Recall10())
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintln(w)
	fmt.Fprintf(tw, "negatives\tqueries\talerts/1000 (name+dob+nat)\talerts/1000 (name only)\t")
	if res.Watchman != nil {
		fmt.Fprintf(tw, "watchman n\twatchman alerts/1000 (≥%.2f)\t", res.Watchman.Threshold)
	}
	fmt.Fprintln(tw)
	for i, n := range res.Negatives {
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.2f\t", n.Set, n.Queries, 1000*ratio(n.Alerts, n.Queries), 1000*ratio(n.NameOnlyAlerts, n.Queries))
		if res.Watchman != nil {
			wn := res.Watchman.Negatives[i]
			fmt.Fprintf(tw, "%d\t%.2f\t", wn.Queries, 1000*ratio(wn.NameOnlyAlerts, wn.Queries))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nthroughput: %d queries in %v on %d procs: %.0f queries/s, p50 %v, p99 %v\n",
		res.Queries, res.Elapsed.Round(time.Millisecond), runtime.GOMAXPROCS(0), res.QPS(), res.P50.Round(time.Microsecond), res.P99.Round(time.Microsecond))
	if res.Watchman != nil {
		fmt.Fprintf(w, "watchman: %d queries, %.0f queries/s (sequential HTTP), p50 %v, p99 %v\n",
			res.Watchman.Queries, float64(res.Watchman.Queries)/res.Watchman.Elapsed.Seconds(), res.Watchman.P50.Round(time.Microsecond), res.Watchman.P99.Round(time.Microsecond))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(tw, "labelled pairs\tthreshold\tTP\tFP\tTN\tFN\tprecision\trecall\tF1\t")
	for _, p := range res.Pairs {
		th := strconv.FormatFloat(p.Threshold, 'f', 2, 64)
		if p.Threshold == 0 {
			th = "own"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%.4f\t%.4f\t%.4f\t\n", p.Name, th, p.TP, p.FP, p.TN, p.FN, p.Precision(), p.Recall(), p.F1())
	}
	fmt.Fprintln(tw, "logic-v2 as published\t\t\t\t\t\t0.76\t0.82\t0.79\t")
	return tw.Flush()
}

// classIndex returns the position of a class in classes.
func classIndex(c string) int { return slices.Index(classes, c) }
