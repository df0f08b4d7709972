package ledger

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/transparency-dev/merkle/proof"
)

const million = 1 << 20

var (
	bigOnce sync.Once
	bigTree tree
)

// benchTree returns a tree of 2^20 leaves, built once.
func benchTree() *tree {
	bigOnce.Do(func() {
		for i := range million {
			bigTree.append(hasher.HashLeaf(fmt.Appendf(nil, "leaf %d", i)))
		}
	})
	return &bigTree
}

// BenchmarkIntegrate measures how fast a log takes in entries: "bulk"
// rebuilds the tree of 100,000 entries as New does at start; "batch"
// integrates 100 new entries and signs a checkpoint each time, as a node
// integrating on a timer does.
func BenchmarkIntegrate(b *testing.B) {
	ctx := context.Background()
	b.Run("bulk-100k", func(b *testing.B) {
		s := newFakeStore()
		s.fill(100_000, t0)
		for b.Loop() {
			l := newTestLog(b, s)
			if _, err := l.Integrate(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "entries/s")
	})
	b.Run("batch-100", func(b *testing.B) {
		src := newFakeStore()
		src.fill(100*min(b.N, 2000), t0)
		s := newFakeStore()
		l := newTestLog(b, s)
		b.ResetTimer()
		for i := range b.N {
			b.StopTimer()
			if i%2000 == 0 && i > 0 { // start over, so the fake store stays small
				s = newFakeStore()
				l = newTestLog(b, s)
			}
			j := (i % 2000) * 100
			s.mu.Lock()
			s.entries = append(s.entries, src.entries[j:j+100]...)
			s.mu.Unlock()
			b.StartTimer()
			if _, err := l.Integrate(ctx); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "entries/s")
	})
}

func BenchmarkInclusionProof1M(b *testing.B) {
	l := &Log{tree: *benchTree()}
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 1))
	for b.Loop() {
		if _, err := l.InclusionProof(ctx, rng.Int64N(million), million); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConsistencyProof1M(b *testing.B) {
	l := &Log{tree: *benchTree()}
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 1))
	for b.Loop() {
		if _, err := l.ConsistencyProof(ctx, 1+rng.Int64N(million-1000), million-rng.Int64N(1000)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRoot1M(b *testing.B) {
	t := benchTree()
	for b.Loop() {
		if _, err := t.root(million - 12345); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyInclusion1M(b *testing.B) {
	t := benchTree()
	const index = 654321
	p, _ := t.inclusion(index, million)
	root, _ := t.root(million)
	leaf := t.node(0, index)
	for b.Loop() {
		if err := proof.VerifyInclusion(hasher, index, million, leaf, p, root); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyConsistency1M(b *testing.B) {
	t := benchTree()
	const from = 654321
	p, _ := t.consistency(from, million)
	r1, _ := t.root(from)
	r2, _ := t.root(million)
	for b.Loop() {
		if err := proof.VerifyConsistency(hasher, from, million, p, r1, r2); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyStore measures offline verification over the fake store:
// 20,000 entries, a checkpoint every 100.
func BenchmarkVerifyStore(b *testing.B) {
	ctx := context.Background()
	s := checkpointedStore(b, 20_000, 100)
	v := mustKeys(b).nodeV
	for b.Loop() {
		if res, err := VerifyStore(ctx, s, v); err != nil || res.Size != 20_000 {
			b.Fatal(res, err)
		}
	}
	b.ReportMetric(float64(20_000*b.N)/b.Elapsed().Seconds(), "entries/s")
}
