package ledger

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

func cosignConfig(t *testing.T, base string, signer note.Signer) CosignConfig {
	return CosignConfig{URL: base, Auth: setAuth, NodeVerifier: mustKeys(t).nodeV, Signer: signer,
		State: filepath.Join(t.TempDir(), "state")}
}

func TestCosign(t *testing.T) {
	ctx := context.Background()
	k := mustKeys(t)
	s := newFakeStore()
	s.fill(10, t0)
	l := newTestLog(t, s)
	if _, err := l.Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	base := serve(t, l, nil)
	cfg := cosignConfig(t, base, k.cosigner)
	for _, grow := range []int{0, 0, 5, 300} {
		s.fill(grow, t0)
		if _, err := l.Integrate(ctx); err != nil {
			t.Fatal(err)
		}
		size, _, err := Cosign(ctx, cfg)
		if err != nil {
			t.Fatalf("Cosign: %v", err)
		}
		if size != int64(s.len()) {
			t.Fatalf("cosigned %d, want %d", size, s.len())
		}
	}
	cfg2 := cosignConfig(t, base, k.cosigner2)
	if _, _, err := Cosign(ctx, cfg2); err != nil {
		t.Fatalf("second cosigner: %v", err)
	}
	c, _ := s.LatestCheckpoint(ctx)
	if len(c.Cosignatures) != 2 {
		t.Fatalf("%d cosignatures held, want 2", len(c.Cosignatures))
	}
	// The checkpoint served carries both cosignatures, and they verify.
	_, msg := get(t, base+"checkpoint")
	n, err := note.Open(msg, note.VerifierList(k.nodeV, k.cosignerV, k.cosigner2V))
	if err != nil || len(n.Sigs) != 3 {
		t.Fatalf("served checkpoint: %d signatures verified, %v\n%s", len(n.Sigs), err, msg)
	}

	// A key the node does not trust is refused; so is the node's own
	// key posing as a cosigner.
	skey, _, _ := GenerateKey("stranger.example")
	stranger, _ := NewCosigner(skey)
	var re *RemoteError
	if _, _, err := Cosign(ctx, cosignConfig(t, base, stranger)); !errors.As(err, &re) || re.Status != http.StatusForbidden {
		t.Errorf("stranger's Cosign = %v, want 403", err)
	}
	if _, _, err := Cosign(ctx, cosignConfig(t, base, k.node)); !errors.As(err, &re) || re.Status != http.StatusForbidden {
		t.Errorf("node key as cosigner = %v, want 403", err)
	}
	// A partner that does not trust the node's key cosigns nothing.
	other := cfg
	_, vkey, _ := GenerateKey("enlace.example.fr")
	other.NodeVerifier, _ = NewVerifier(vkey)
	if _, _, err := Cosign(ctx, other); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Errorf("Cosign with the wrong node key = %v", err)
	}
}

func TestSplitView(t *testing.T) {
	ctx := context.Background()
	k := mustKeys(t)

	// setup returns a store whose checkpoint 10 was cosigned, and the
	// partner's config (its state holds checkpoint 10).
	setup := func(t *testing.T) (*fakeStore, CosignConfig) {
		s := newFakeStore()
		s.fill(10, t0)
		l := newTestLog(t, s)
		if _, err := l.Integrate(ctx); err != nil {
			t.Fatal(err)
		}
		cfg := cosignConfig(t, serve(t, l, nil), k.cosigner)
		if _, _, err := Cosign(ctx, cfg); err != nil {
			t.Fatal(err)
		}
		return s, cfg
	}

	t.Run("node refuses a rewritten store", func(t *testing.T) {
		s, cfg := setup(t)
		s.rewrite(3, "XX")
		s.fill(2, t0)
		l := newTestLog(t, s) // the node restarts over its rewritten database
		_, err := l.Integrate(ctx)
		if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "checkpoint 10 cosigned by witness.example.us") {
			t.Fatalf("Integrate = %v, want a refusal naming the cosigned checkpoint", err)
		}
		if cps, _ := s.Checkpoints(ctx, 10); len(cps) != 1 {
			t.Errorf("a refusing node signed a checkpoint")
		}
		cfg.URL = serve(t, l, nil)
		for _, path := range []string{"checkpoint", "tile/0/000.p/10", "proof/consistency?from=1&to=2"} {
			resp, b := get(t, cfg.URL+path)
			if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(b), "rewritten") {
				t.Errorf("%s: %d %s, want 503 saying why", path, resp.StatusCode, b)
			}
		}
		var re *RemoteError
		if _, _, err := Cosign(ctx, cfg); !errors.As(err, &re) || re.Status != 503 || !strings.Contains(err.Error(), "the ledger was rewritten") {
			t.Fatalf("Cosign = %v, want the node's refusal", err)
		}
	})

	t.Run("partner catches a rewrite the node hides", func(t *testing.T) {
		s, cfg := setup(t)
		s.rewrite(3, "XX")
		s.dropCheckpoints() // the cosignature is erased with the evidence
		s.fill(2, t0)
		l := newTestLog(t, s)
		if _, err := l.Integrate(ctx); err != nil {
			t.Fatalf("Integrate: %v", err)
		}
		cfg.URL = serve(t, l, nil)
		_, _, err := Cosign(ctx, cfg)
		var sv *SplitViewError
		if !errors.As(err, &sv) || sv.SeenSize != 10 || sv.ServedSize != 12 || len(sv.SeenNote) == 0 || len(sv.ServedNote) == 0 {
			t.Fatalf("Cosign = %v, want a split view between checkpoints 10 and 12", err)
		}
		if !strings.Contains(err.Error(), "checkpoint 10 (root ") || !strings.Contains(err.Error(), "checkpoint 12 (root ") {
			t.Errorf("error does not name both checkpoints: %v", err)
		}
		if c, _ := s.LatestCheckpoint(ctx); len(c.Cosignatures) != 0 {
			t.Errorf("the partner cosigned a split view")
		}
	})

	t.Run("same size, another root", func(t *testing.T) {
		s, cfg := setup(t)
		s.rewrite(9, "XX")
		s.dropCheckpoints()
		l := newTestLog(t, s)
		if _, err := l.Integrate(ctx); err != nil {
			t.Fatal(err)
		}
		cfg.URL = serve(t, l, nil)
		var sv *SplitViewError
		if _, _, err := Cosign(ctx, cfg); !errors.As(err, &sv) || !strings.Contains(err.Error(), "same size") {
			t.Fatalf("Cosign = %v, want a split view", err)
		}
	})

	t.Run("store rewritten under a running node", func(t *testing.T) {
		s := newFakeStore()
		s.fill(10, t0)
		l := newTestLog(t, s)
		if _, err := l.Integrate(ctx); err != nil {
			t.Fatal(err)
		}
		base := serve(t, l, nil)
		s.rewrite(4, "XX")
		resp, b := get(t, base+"tile/entries/000.p/10")
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(b), "entry 4") {
			t.Fatalf("entry bundle: %d %s, want 503 naming entry 4", resp.StatusCode, b)
		}
		if resp, _ := get(t, base+"checkpoint"); resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("checkpoint served after the refusal: %d", resp.StatusCode)
		}
		if _, err := l.Integrate(ctx); !errors.Is(err, ErrRefused) {
			t.Errorf("Integrate = %v, want a refusal", err)
		}
	})

	t.Run("entries deleted after a checkpoint", func(t *testing.T) {
		s, _ := setup(t)
		s.deleteEntry(9)
		l := newTestLog(t, s)
		if err := l.Check(ctx); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "checkpoint 10 was signed but the store holds only 9") {
			t.Fatalf("Check = %v", err)
		}
	})
}

// TestCosignStaleCheckpoint: an older checkpoint consistent with the one
// cosigned is stale, not a split view; an inconsistent one is.
func TestCosignStaleCheckpoint(t *testing.T) {
	ctx := context.Background()
	k := mustKeys(t)
	s := newFakeStore()
	s.fill(10, t0)
	l := newTestLog(t, s)
	c10, _ := l.Integrate(ctx)
	s.fill(5, t0)
	if _, err := l.Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	// The partner has cosigned 15; a cache serves 10.
	cfg := cosignConfig(t, serve(t, l, nil), k.cosigner)
	if _, _, err := Cosign(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	stale := func(note []byte) func(http.Handler) http.Handler {
		return alter(map[string]func([]byte) []byte{"checkpoint": func([]byte) []byte { return note }})
	}
	cfg.URL = serve(t, l, stale(c10.Note))
	var sv *SplitViewError
	if _, _, err := Cosign(ctx, cfg); err == nil || errors.As(err, &sv) || !strings.Contains(err.Error(), "older than checkpoint 15") {
		t.Fatalf("stale checkpoint: %v", err)
	}
	// A node that signs another tree of size 10 shows a split view.
	other := newFakeStore()
	other.fill(10, t0)
	lo := newTestLog(t, other)
	o10, _ := lo.Integrate(ctx)
	cfg.URL = serve(t, l, stale(o10.Note))
	if _, _, err := Cosign(ctx, cfg); !errors.As(err, &sv) || sv.SeenSize != 15 || sv.ServedSize != 10 {
		t.Fatalf("other tree of size 10: %v", err)
	}
}
