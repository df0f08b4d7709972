package stix_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/enlace-exchange/enlace/stix"
)

// TestAttackObjectsParse parses every object of the ATT&CK bundles.
func TestAttackObjectsParse(t *testing.T) {
	objs := attackObjects(t)
	for _, raw := range objs {
		o, err := stix.Parse(raw)
		if err != nil {
			t.Errorf("%v\n%.300s", err, raw)
			continue
		}
		if o.ID == "" || o.Type == "" {
			t.Errorf("parsed object without id or type: %+v", o)
		}
	}
	t.Logf("%d ATT&CK objects parsed", len(objs))
}

// TestParseConcurrent parses the ATT&CK objects from several goroutines
// at once (run it with -race): parsers are pooled, so nothing of one
// Parse may leak into another.
func TestParseConcurrent(t *testing.T) {
	objs := attackObjects(t)
	want := make([]stix.Object, len(objs))
	for i, raw := range objs {
		o, err := stix.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = o
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < len(objs); i += 4 {
				o, err := stix.Parse(objs[i])
				if err != nil || o.ID != want[i].ID || !o.Version().Equal(want[i].Version()) || len(o.ObjectMarkingRefs) != len(want[i].ObjectMarkingRefs) {
					t.Errorf("object %d parsed differently in parallel: %+v, %v", i, o, err)
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkParseParallel validates ATT&CK objects on every core, the
// shape of the ingest path.
func BenchmarkParseParallel(b *testing.B) {
	objs := attackObjects(b)
	b.ReportAllocs()
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := stix.Parse(objs[i%len(objs)]); err != nil {
				b.Error(err)
				return
			}
			i++
		}
		n.Add(int64(i))
	})
	b.ReportMetric(float64(n.Load())/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkParse validates ATT&CK objects and reports objects per second
// of wall time and, less disturbed by other load on the machine, objects
// per second of the process's CPU time (which includes the garbage
// collector's).
func BenchmarkParse(b *testing.B) {
	objs := attackObjects(b)
	size := 0
	for _, o := range objs {
		size += len(o)
	}
	b.SetBytes(int64(size / len(objs)))
	b.ReportAllocs()
	cpu0, cpuOK := cpuTime()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		if _, err := stix.Parse(objs[n%len(objs)]); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "objects/s")
	if cpu1, ok := cpuTime(); ok && cpuOK && cpu1 > cpu0 {
		b.ReportMetric(float64(n)/(cpu1-cpu0).Seconds(), "objects/cpu-s")
	}
}
