package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/enlace-exchange/enlace"
)

const testToken = "Bearer partner-token"

func testAuth(r *http.Request) error {
	if r.Header.Get("Authorization") != testToken {
		return errors.New("bad token")
	}
	return nil
}

func setAuth(r *http.Request) error {
	r.Header.Set("Authorization", testToken)
	return nil
}

// serve starts the log's handler on 127.0.0.1, mounted at /ledger/ as
// cmd/enlace will mount it, with wrap (if any) around it, and returns
// the ledger's URL prefix.
func serve(t testing.TB, l *Log, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	mux := http.NewServeMux()
	var h http.Handler = l.Handler(testAuth)
	if wrap != nil {
		h = wrap(h)
	}
	mux.Handle("/ledger/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/ledger/"
}

func get(t testing.TB, url string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	setAuth(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestTilePath(t *testing.T) {
	for _, tc := range []struct {
		level int
		n     uint64
		width int
		path  string
	}{
		{0, 0, 256, "tile/0/000"},
		{0, 1234067, 256, "tile/0/x001/x234/067"},
		{1, 999, 256, "tile/1/999"},
		{2, 1000, 1, "tile/2/x001/000.p/1"},
		{-1, 5, 17, "tile/entries/005.p/17"},
		{-1, 1 << 40, 255, "tile/entries/x001/x099/x511/x627/776.p/255"},
		{63, 0, 256, "tile/63/000"},
	} {
		if got := tilePath(tc.level, tc.n, tc.width); got != tc.path {
			t.Errorf("tilePath(%d, %d, %d) = %q, want %q", tc.level, tc.n, tc.width, got, tc.path)
		}
		level, n, width, err := parseTilePath(strings.TrimPrefix(tc.path, "tile/"))
		if err != nil || level != tc.level || n != tc.n || width != tc.width {
			t.Errorf("parseTilePath(%q) = %d, %d, %d, %v", tc.path, level, n, width, err)
		}
	}
	for _, bad := range []string{"0", "0/1", "0/0000", "0/x000/001", "0/001.p/0", "0/001.p/256", "0/001.p/07",
		"64/000", "00/000", "-1/000", "0/x1/000", "0/001.p", "entries/001/002", "0/001/x002", "0/x001", "x/000",
		"0/x999/x999/x999/x999/x999/x999/999", "0/001.p/1/2", "entry/000"} {
		if _, _, _, err := parseTilePath(bad); err == nil {
			t.Errorf("parseTilePath(%q) accepted", bad)
		}
	}
}

// mth returns the Merkle tree hash of a full tile's 256 hashes.
func mth(tile []byte) []byte {
	hs := make([][]byte, 0, tileWidth)
	for i := 0; i < len(tile); i += hashSize {
		hs = append(hs, tile[i:i+hashSize])
	}
	for len(hs) > 1 {
		next := make([][]byte, 0, len(hs)/2)
		for i := 0; i < len(hs); i += 2 {
			next = append(next, hasher.HashChildren(hs[i], hs[i+1]))
		}
		hs = next
	}
	return hs[0]
}

func TestHandlerTiles(t *testing.T) {
	ctx := context.Background()
	s := newFakeStore()
	s.fill(70000, t0)
	l := newTestLog(t, s)
	c, err := l.Integrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	base := serve(t, l, nil)

	resp, body := get(t, base+"checkpoint")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" || !bytes.Equal(body, c.Note) {
		t.Fatalf("checkpoint: %d %q\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "private, max-age=2" {
		t.Errorf("checkpoint Cache-Control %q", cc)
	}
	cp, err := openCheckpoint(body, mustKeys(t).nodeV)
	if err != nil {
		t.Fatal(err)
	}

	// A client that trusts only the checkpoint and recomputes the root
	// from the tiles, as C2SP tlog-tiles describes them: for 70,000
	// entries, 273 full level 0 tiles and one of width 112, one full level
	// 1 tile and one of width 17, and one level 2 tile of width 1.
	fetch := func(level int, n uint64, width int) []byte {
		t.Helper()
		resp, b := get(t, base+tilePath(level, n, width))
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", tilePath(level, n, width), resp.StatusCode, b)
		}
		if resp.Header.Get("Content-Type") != "application/octet-stream" || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: headers %v", tilePath(level, n, width), resp.Header)
		}
		if level < 0 && !resp.Uncompressed {
			t.Errorf("%s: entry bundle not compressed", tilePath(level, n, width))
		}
		return b
	}
	size := cp.Size
	r := newRange()
	var level0, level1 [][]byte
	for n := uint64(0); n*tileWidth < size; n++ {
		width := int(min(size-n*tileWidth, tileWidth))
		tile := fetch(0, n, width)
		leaves, err := splitBundle(fetch(-1, n, width))
		if err != nil || len(leaves) != width || len(tile) != width*hashSize {
			t.Fatalf("tile %d: %d leaves (%v), %d bytes", n, len(leaves), err, len(tile))
		}
		for k, leaf := range leaves {
			h := hasher.HashLeaf(leaf)
			if !bytes.Equal(h, tile[k*hashSize:(k+1)*hashSize]) {
				t.Fatalf("entry %d does not hash to its tile hash", n*tileWidth+uint64(k))
			}
			r.Append(h, nil)
		}
		if width == tileWidth {
			level0 = append(level0, tile)
		} else if width != 112 {
			t.Errorf("partial level 0 tile has width %d, want 112", width)
		}
	}
	if root, _ := r.GetRootHash(nil); !bytes.Equal(root, cp.Hash) {
		t.Fatalf("root from tiles %x, checkpoint %x", root, cp.Hash)
	}
	if len(level0) != 273 {
		t.Fatalf("%d full level 0 tiles, want 273", len(level0))
	}
	l1full, l1part := fetch(1, 0, 256), fetch(1, 1, 17)
	for i, tile := range level0 {
		var want []byte
		if i < 256 {
			want = l1full[i*hashSize : (i+1)*hashSize]
		} else {
			want = l1part[(i-256)*hashSize : (i-255)*hashSize]
		}
		if !bytes.Equal(mth(tile), want) {
			t.Fatalf("level 1 hash %d is not the hash of level 0 tile %d", i, i)
		}
	}
	level1 = append(level1, l1full)
	if l2 := fetch(2, 0, 1); !bytes.Equal(l2, mth(level1[0])) {
		t.Fatalf("level 2 tile is not the hash of the full level 1 tile")
	}

	for _, tc := range []struct {
		path   string
		status int
	}{
		{"tile/0/x001/017", 404},       // tile 1017: none
		{"tile/0/273", 404},            // not full yet
		{"tile/0/273.p/113", 404},      // wider than the tree
		{"tile/0/273.p/50", 200},       // a smaller, older partial tile
		{"tile/entries/273.p/50", 200}, // and its entries
		{"tile/1/001", 404},
		{"tile/3/000.p/1", 404},
		{"tile/0/0273", 400},
		{"tile/entries/273.p/0", 400},
	} {
		resp, b := get(t, base+tc.path)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.path, resp.StatusCode, b, tc.status)
		}
	}
}

func TestHandlerErrors(t *testing.T) {
	ctx := context.Background()
	s := newFakeStore()
	s.fill(20, t0)
	l := newTestLog(t, s)
	if _, err := l.Integrate(ctx); err != nil {
		t.Fatal(err)
	}
	base := serve(t, l, nil)
	for _, tc := range []struct {
		method, path string
		noAuth       bool
		status       int
		code         enlace.Code
		want         string
	}{
		{"GET", "checkpoint", true, 401, enlace.EUnauthorized, "authentication required"},
		{"GET", "tile/0/000.p/20", true, 401, enlace.EUnauthorized, ""},
		{"GET", "proof/inclusion?index=3&size=20", false, 200, "", `"proof":[`},
		{"GET", "proof/inclusion?index=3", false, 400, enlace.EInvalid, `parameter \"size\" is required`},
		{"GET", "proof/inclusion?index=x&size=20", false, 400, enlace.EInvalid, "non-negative integer"},
		{"GET", "proof/inclusion?index=-1&size=20", false, 400, enlace.EInvalid, "non-negative integer"},
		{"GET", "proof/inclusion?index=20&size=20", false, 400, enlace.EInvalid, "below size"},
		{"GET", "proof/inclusion?index=3&size=21", false, 404, enlace.ENotFound, "no tree of size 21"},
		{"GET", "proof/consistency?from=3&to=20", false, 200, "", `"proof":[`},
		{"GET", "proof/consistency?from=0&to=0", false, 200, "", `"proof":[]`},
		{"GET", "proof/consistency?from=4&to=3", false, 400, enlace.EInvalid, "must not exceed"},
		{"GET", "proof/consistency?from=4&to=99", false, 404, enlace.ENotFound, ""},
		{"GET", "entry/7", false, 200, "", `"index":7`},
		{"GET", "entry/007x", false, 400, enlace.EInvalid, ""},
		{"GET", "entry/20", false, 404, enlace.ENotFound, ""},
		{"GET", "nothing", false, 404, enlace.ENotFound, ""},
		{"POST", "checkpoint", false, 404, enlace.ENotFound, ""},
		{"POST", "cosignature?size=20", false, 400, enlace.EInvalid, "not a signature line"},
		{"POST", "cosignature?size=21", false, 404, enlace.ENotFound, ""},
		{"POST", "cosignature", false, 400, enlace.EInvalid, ""},
	} {
		req, _ := http.NewRequest(tc.method, base+tc.path, strings.NewReader("garbage"))
		if !tc.noAuth {
			setAuth(req)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(b), tc.want) {
			t.Errorf("%s %s: %d %s, want %d containing %q", tc.method, tc.path, resp.StatusCode, b, tc.status, tc.want)
			continue
		}
		if tc.code != "" {
			var eb errorBody
			if err := json.Unmarshal(b, &eb); err != nil || eb.Code != string(tc.code) || eb.Message == "" {
				t.Errorf("%s %s: error body %s, want code %s", tc.method, tc.path, b, tc.code)
			}
		}
	}

	// The entry endpoint shows what the leaf shows, never the record id
	// or the salt.
	_, b := get(t, base+"entry/7")
	e := s.entries[7]
	if strings.Contains(string(b), `"record"`) || strings.Contains(string(b), "salt") || !strings.Contains(string(b), fmt.Sprintf("%q", string(e.Leaf()))) {
		t.Errorf("entry/7 = %s", b)
	}
}
