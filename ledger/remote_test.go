package ledger

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/enlace-exchange/enlace"
	"golang.org/x/mod/sumdb/note"
)

// alter returns a wrapper that passes the body of the response to path
// through f, as a lying node or a network in the middle would.
func alter(paths map[string]func([]byte) []byte) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			f, ok := paths[strings.TrimPrefix(r.URL.Path, "/ledger/")]
			if !ok {
				h.ServeHTTP(w, r)
				return
			}
			r.Header.Del("Accept-Encoding") // the man in the middle reads plain bytes
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			w.Write(f(rec.Body.Bytes()))
		})
	}
}

// redirectFirst sends the first release leaf in a bundle to "XX".
func redirectFirst(b []byte) []byte {
	return bytes.Replace(b, []byte(" release FR US "), []byte(" release FR XX "), 1)
}

func TestVerifyRemote(t *testing.T) {
	ctx := context.Background()
	k := mustKeys(t)
	s := newFakeStore()
	s.fill(600, t0)
	l := newTestLog(t, s)
	c, err := l.Integrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cfg := RemoteConfig{URL: serve(t, l, nil), Auth: setAuth, NodeVerifier: k.nodeV}
	res, err := VerifyRemote(ctx, cfg)
	if err != nil || res.Size != 600 || !bytes.Equal(res.Root, c.Root) {
		t.Fatalf("VerifyRemote = %v, %v", res, err)
	}

	// An entry altered in its bundle no longer hashes to its tile.
	cfg.URL = serve(t, l, alter(map[string]func([]byte) []byte{"tile/entries/001": redirectFirst}))
	res, err = VerifyRemote(ctx, cfg)
	var p *Problem
	if !errors.As(err, &p) || p.Index < 256 || p.Index >= 512 || !strings.Contains(p.Reason, "level-0 tile") {
		t.Fatalf("altered bundle: %v, %v", res, err)
	}
	if e := s.entries[p.Index]; e.Kind != enlace.EntryRelease || e.To != "US" || p.Kind != e.Kind {
		t.Errorf("problem names entry %d (%s to %s), not the altered one", p.Index, e.Kind, e.To)
	}

	// The bundle and its tile altered together no longer build the root.
	var altered []byte
	cfg.URL = serve(t, l, alter(map[string]func([]byte) []byte{
		"tile/entries/001": func(b []byte) []byte { altered = redirectFirst(b); return altered },
		"tile/0/001": func(b []byte) []byte {
			leaves, _ := splitBundle(altered)
			var tile []byte
			for _, leaf := range leaves {
				tile = append(tile, hasher.HashLeaf(leaf)...)
			}
			return tile
		},
	}))
	if _, err = VerifyRemote(ctx, cfg); !errors.As(err, &p) || !strings.Contains(p.Reason, "not the root") {
		t.Fatalf("altered bundle and tile: %v", err)
	}

	// A node signing with another key is not trusted.
	_, vkey, _ := GenerateKey("enlace.example.fr")
	cfg.NodeVerifier, _ = NewVerifier(vkey)
	if _, err := VerifyRemote(ctx, cfg); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("wrong node key: %v", err)
	}
}

func TestReleasesTo(t *testing.T) {
	ctx := context.Background()
	k := mustKeys(t)
	s := newFakeStore()
	s.fill(700, t0)
	l := newTestLog(t, s)
	if _, err := l.Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	base := serve(t, l, nil)
	if _, _, err := Cosign(ctx, cosignConfig(t, base, k.cosigner)); err != nil {
		t.Fatal(err)
	}
	// Entries after the cosigned checkpoint are not part of the proof.
	s.fill(50, t0.Add(1000*time.Minute))
	if _, err := l.Integrate(ctx); err != nil {
		t.Fatal(err)
	}

	cfg := RemoteConfig{URL: base, Auth: setAuth, NodeVerifier: k.nodeV, Cosigners: []note.Verifier{k.cosignerV}}
	after, before := t0.Add(100*time.Minute), t0.Add(500*time.Minute)
	for _, tc := range []struct {
		nation        string
		after, before time.Time
	}{
		{"US", after, before},
		{"US", after, time.Time{}},
		{"DE", time.Time{}, time.Time{}},
		{"NZ", after, before},
	} {
		p, err := ReleasesTo(ctx, cfg, tc.nation, tc.after, tc.before)
		if err != nil {
			t.Fatalf("ReleasesTo(%s): %v", tc.nation, err)
		}
		var want []int64
		for _, e := range s.entries[:700] {
			if e.Kind == enlace.EntryRelease && e.To == tc.nation && e.At.After(tc.after) && (tc.before.IsZero() || !e.At.After(tc.before)) {
				want = append(want, e.Index)
			}
		}
		var got []int64
		for _, e := range p.Releases {
			got = append(got, e.Index)
			if e.RecordID != "" || e.Salt != nil {
				t.Errorf("a remote entry carries a record id or salt")
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("ReleasesTo(%s) = %v, want %v", tc.nation, got, want)
		}
		if p.Size != 700 || !slices.Equal(p.Cosigners, []string{"witness.example.us"}) {
			t.Errorf("proof against checkpoint %d cosigned by %v, want 700 by witness.example.us", p.Size, p.Cosigners)
		}
		t.Log(p)
	}
	p, _ := ReleasesTo(ctx, cfg, "NZ", time.Date(2026, 9, 16, 0, 0, 0, 0, time.UTC), time.Time{})
	if want := "0 releases to NZ after 2026-09-16T00:00:00.000000Z, complete up to checkpoint 700 (root " + b64(p.Root) + "), cosigned by witness.example.us"; p.String() != want {
		t.Errorf("String() = %q\nwant       %q", p.String(), want)
	}

	// An entry bundle altered on its way fails the proof.
	cfg.URL = serve(t, l, alter(map[string]func([]byte) []byte{"tile/entries/001": redirectFirst}))
	if _, err := ReleasesTo(ctx, cfg, "US", after, before); err == nil || !strings.Contains(err.Error(), "level-0 tile") {
		t.Fatalf("altered bundle: %v", err)
	}
	cfg.URL = serve(t, l, alter(map[string]func([]byte) []byte{"tile/entries/002.p/188": func(b []byte) []byte { return b[:len(b)-3] }}))
	if _, err := ReleasesTo(ctx, cfg, "US", after, before); err == nil || !strings.Contains(err.Error(), "malformed") {
		t.Fatalf("truncated bundle: %v", err)
	}

	// Without a trusted cosignature there is no proof.
	cfg.URL = base
	cfg.Cosigners = []note.Verifier{k.cosigner2V}
	if _, err := ReleasesTo(ctx, cfg, "US", after, before); err == nil || !strings.Contains(err.Error(), "no checkpoint") {
		t.Fatalf("untrusted cosigners: %v", err)
	}
}
