package ledger

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/enlace-exchange/enlace"
	tlog "github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/testonly"
	"golang.org/x/mod/sumdb/note"
)

const testOrigin = "enlace.example.fr/ledger"

var t0 = time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)

// testKeys are a node's key and a partner's cosigner key.
type testKeys struct {
	node       note.Signer
	nodeV      note.Verifier
	cosigner   note.Signer
	cosignerV  note.Verifier
	cosigner2  note.Signer
	cosigner2V note.Verifier
}

var (
	keysOnce sync.Once
	keys     testKeys
)

func mustKeys(tb testing.TB) testKeys {
	tb.Helper()
	keysOnce.Do(func() {
		must := func(err error) {
			if err != nil {
				panic(err)
			}
		}
		skey, vkey, err := GenerateKey("enlace.example.fr")
		must(err)
		keys.node, err = NewSigner(skey)
		must(err)
		keys.nodeV, err = NewVerifier(vkey)
		must(err)
		skey, vkey, err = GenerateKey("witness.example.us")
		must(err)
		keys.cosigner, err = NewCosigner(skey)
		must(err)
		keys.cosignerV, err = NewCosignatureVerifier(vkey)
		must(err)
		skey, vkey, err = GenerateKey("witness.example.de")
		must(err)
		keys.cosigner2, err = NewCosigner(skey)
		must(err)
		keys.cosigner2V, err = NewCosignatureVerifier(vkey)
		must(err)
	})
	return keys
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newTestLog(tb testing.TB, s enlace.LedgerStore) *Log {
	tb.Helper()
	k := mustKeys(tb)
	l, err := New(context.Background(), Config{Store: s, Signer: k.node, Origin: testOrigin,
		Cosigners: []note.Verifier{k.cosignerV, k.cosigner2V}, Now: func() time.Time { return t0 }, Logger: discard()})
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return l
}

// referenceRoot computes the root of s's entries with merkle's test tree.
func referenceRoot(tb testing.TB, s *fakeStore) []byte {
	es, err := s.LedgerEntries(context.Background(), 0, int64(s.len()))
	if err != nil {
		tb.Fatal(err)
	}
	tr := testonly.New(hasher)
	for _, e := range es {
		tr.AppendData(e.Leaf())
	}
	return tr.Hash()
}

func TestIntegrate(t *testing.T) {
	ctx := context.Background()
	k := mustKeys(t)
	s := newFakeStore()
	l := newTestLog(t, s)
	for _, n := range []int{0, 1, 2, 5, 300, 0, 1000} {
		s.fill(n, t0)
		c, err := l.Integrate(ctx)
		if err != nil {
			t.Fatalf("Integrate: %v", err)
		}
		if c.Size != int64(s.len()) {
			t.Fatalf("checkpoint size %d, want %d", c.Size, s.len())
		}
		if want := referenceRoot(t, s); !bytes.Equal(c.Root, want) {
			t.Fatalf("size %d: root %x, want %x", c.Size, c.Root, want)
		}
		cp, _, _, err := tlog.ParseCheckpoint(c.Note, testOrigin, k.nodeV)
		if err != nil {
			t.Fatalf("checkpoint note: %v\n%s", err, c.Note)
		}
		if int64(cp.Size) != c.Size || !bytes.Equal(cp.Hash, c.Root) {
			t.Fatalf("note says %d %x, checkpoint %d %x", cp.Size, cp.Hash, c.Size, c.Root)
		}
		got, err := s.LatestCheckpoint(ctx)
		if err != nil || got.Size != c.Size {
			t.Fatalf("LatestCheckpoint = %d, %v; want %d", got.Size, err, c.Size)
		}
	}
	cps, _ := s.Checkpoints(ctx, 100)
	if len(cps) != 6 { // sizes 0, 1, 3, 8, 308, 1308: no new one when nothing was appended
		t.Errorf("%d checkpoints, want 6", len(cps))
	}

	// A restarted log rebuilds the same tree and signs nothing new.
	l2 := newTestLog(t, s)
	c, err := l2.Integrate(ctx)
	if err != nil || c.Size != 1308 {
		t.Fatalf("restarted Integrate = %d, %v", c.Size, err)
	}
	if cps, _ := s.Checkpoints(ctx, 100); len(cps) != 6 {
		t.Errorf("restart signed a new checkpoint")
	}
}

func TestIntegrateConcurrent(t *testing.T) {
	ctx := context.Background()
	s := newFakeStore()
	l := newTestLog(t, s)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				s.fill(3, t0)
				if _, err := l.Integrate(ctx); err != nil {
					t.Error(err)
				}
				if n := l.Size(); n > 0 {
					if _, err := l.InclusionProof(ctx, n-1, n); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	c, err := l.Integrate(ctx)
	if err != nil || c.Size != 480 || !bytes.Equal(c.Root, referenceRoot(t, s)) {
		t.Fatalf("after concurrent integration: %d, %v", c.Size, err)
	}
}

func TestIntegrateRejectsBadEntries(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		tamper func(s *fakeStore)
		want   string
	}{
		{"index skips", func(s *fakeStore) { s.tampered = true; s.entries[7].Index = 8 }, "entry 7 is missing"},
		{"index repeats", func(s *fakeStore) { s.tampered = true; s.entries[7].Index = 6 }, "ledger entry 6 is out of place: expected entry 7"},
		{"leaf does not parse", func(s *fakeStore) { s.entries[5].Kind = "two words" }, "ledger entry 5: its leaf does not"},
		{"nation with a space", func(s *fakeStore) { s.entries[4].To = "U S" }, "ledger entry 4: its leaf does not"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFakeStore()
			s.fill(4, t0)
			l := newTestLog(t, s)
			s.fill(6, t0)
			tc.tamper(s)
			_, err := l.Integrate(ctx)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Integrate = %v, want an error containing %q", err, tc.want)
			}
			if _, err := New(ctx, Config{Store: s, Signer: mustKeys(t).node, Origin: testOrigin, Now: time.Now, Logger: discard()}); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestProofs(t *testing.T) {
	ctx := context.Background()
	var tr tree
	ref := testonly.New(hasher)
	sizes := map[int64]bool{}
	for n := int64(1); n <= 70; n++ {
		sizes[n] = true
	}
	for _, n := range []int64{127, 128, 129, 255, 256, 257, 511, 512, 513, 1000, 1023, 1024, 1025, 4097} {
		sizes[n] = true
	}
	for i := int64(0); i < 4097; i++ {
		leaf := fmt.Appendf(nil, "leaf %d", i)
		tr.append(hasher.HashLeaf(leaf))
		ref.AppendData(leaf)
	}
	l := &Log{tree: tr}
	for n := range sizes {
		root, err := tr.root(n)
		if err != nil || !bytes.Equal(root, ref.HashAt(uint64(n))) {
			t.Fatalf("root(%d) = %x, %v; want %x", n, root, err, ref.HashAt(uint64(n)))
		}
		for _, i := range sample(n) {
			p, err := l.InclusionProof(ctx, i, n)
			if err != nil {
				t.Fatalf("InclusionProof(%d, %d): %v", i, n, err)
			}
			if err := proof.VerifyInclusion(hasher, uint64(i), uint64(n), ref.LeafHash(uint64(i)), p, root); err != nil {
				t.Fatalf("InclusionProof(%d, %d) does not verify: %v", i, n, err)
			}
		}
		for _, m := range sample(n + 1) {
			p, err := l.ConsistencyProof(ctx, m, n)
			if err != nil {
				t.Fatalf("ConsistencyProof(%d, %d): %v", m, n, err)
			}
			if err := proof.VerifyConsistency(hasher, uint64(m), uint64(n), p, ref.HashAt(uint64(m)), root); err != nil {
				t.Fatalf("ConsistencyProof(%d, %d) does not verify: %v", m, n, err)
			}
		}
	}
	for _, bad := range [][2]int64{{5, 5}, {-1, 3}, {0, 4098}} {
		if _, err := l.InclusionProof(ctx, bad[0], bad[1]); enlace.ErrorCode(err) != enlace.EInvalid {
			t.Errorf("InclusionProof(%d, %d) = %v, want EInvalid", bad[0], bad[1], err)
		}
	}
	for _, bad := range [][2]int64{{6, 5}, {-1, 3}, {0, 4098}} {
		if _, err := l.ConsistencyProof(ctx, bad[0], bad[1]); enlace.ErrorCode(err) != enlace.EInvalid {
			t.Errorf("ConsistencyProof(%d, %d) = %v, want EInvalid", bad[0], bad[1], err)
		}
	}
}

// sample returns indexes in [0, n): all of them when few, else the ends
// and a spread.
func sample(n int64) []int64 {
	if n <= 80 {
		out := make([]int64, n)
		for i := range out {
			out[i] = int64(i)
		}
		return out
	}
	out := []int64{0, 1, n / 2, n - 2, n - 1}
	for i := int64(3); i < n; i += n / 17 {
		out = append(out, i)
	}
	return out
}

func TestProveEntry(t *testing.T) {
	ctx := context.Background()
	k := mustKeys(t)
	s := newFakeStore()
	s.fill(40, t0)
	l := newTestLog(t, s)
	if _, err := l.Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	s.fill(3, t0) // not yet in a checkpoint
	for _, i := range []int64{0, 17, 39} {
		p, err := l.ProveEntry(ctx, i)
		if err != nil {
			t.Fatalf("ProveEntry(%d): %v", i, err)
		}
		rec, _ := s.LedgerRecord(ctx, p.Entry)
		size, _, err := p.Verify(rec, k.nodeV)
		if err != nil || size != 40 {
			t.Fatalf("Verify = %d, %v", size, err)
		}
		if _, _, err := p.Verify(append(rec, ' '), k.nodeV); err == nil {
			t.Errorf("a changed record verified")
		}
		p.Entry.To = "XX"
		if _, _, err := p.Verify(rec, k.nodeV); err == nil || !strings.Contains(err.Error(), "not in checkpoint") {
			t.Errorf("a changed entry verified: %v", err)
		}
	}
	if _, err := l.ProveEntry(ctx, 41); enlace.ErrorCode(err) != enlace.ENotFound {
		t.Errorf("ProveEntry(41) = %v, want ENotFound", err)
	}
}

// TestTwoLogsShareAStore: a log that did not sign the latest checkpoint
// (another process over the same database did) catches up rather than
// refusing.
func TestTwoLogsShareAStore(t *testing.T) {
	ctx := context.Background()
	s := newFakeStore()
	s.fill(10, t0)
	a, b := newTestLog(t, s), newTestLog(t, s)
	s.fill(5, t0)
	if _, err := a.Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, serve(t, b, nil)+"checkpoint")
	if resp.StatusCode != 200 {
		t.Fatalf("the other log: %d %s", resp.StatusCode, body)
	}
	if err := b.Check(ctx); err != nil || b.Size() != 15 {
		t.Fatalf("Check = %v, size %d", err, b.Size())
	}
	s.fill(5, t0)
	if _, err := a.Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	if c, err := b.Integrate(ctx); err != nil || c.Size != 20 {
		t.Fatalf("Integrate on the other log = %d, %v", c.Size, err)
	}
}
