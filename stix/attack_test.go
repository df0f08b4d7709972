package stix_test

import (
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
