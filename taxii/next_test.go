package taxii

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/enlace-exchange/enlace"
)

func TestNextRoundTrip(t *testing.T) {
	key := []byte("k")
	w := walk{user: 7, root: "seizure", coll: "c", ep: epObjects, query: query{Limit: 7}.fingerprint()}
	for _, c := range []Cursor{
		{DateAdded: time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC), Seq: 42},
		{DateAdded: time.Date(1999, 12, 31, 23, 59, 59, 1, time.UTC), Seq: 1 << 62},
		{},
	} {
		tok := encodeNext(key, w, c)
		got, err := decodeNext(key, w, tok)
		if err != nil {
			t.Fatalf("decodeNext(encodeNext(%v)): %v", c, err)
		}
		if !got.DateAdded.Equal(c.DateAdded) || got.Seq != c.Seq {
			t.Errorf("round trip of %v gave %v", c, got)
		}
	}
}

// TestNextMisuse: a token is refused, with a message naming the broken
// binding, whenever anything it is bound to changes.
func TestNextMisuse(t *testing.T) {
	key := []byte("key")
	w := walk{user: 7, root: "seizure", coll: "c", ep: epObject, objectID: "indicator--1", query: query{Limit: 7}.fingerprint()}
	tok := encodeNext(key, w, Cursor{DateAdded: time.Now(), Seq: 3})
	raw, _ := base64.RawURLEncoding.DecodeString(tok)
	flipped := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 1
		return base64.RawURLEncoding.EncodeToString(b)
	}
	other := func(f func(*walk)) walk { x := w; f(&x); return x }
	for _, c := range []struct {
		what, tok string
		key       []byte
		w         walk
		wantMsg   string
	}{
		{"garbage", "!!!", key, w, "not a token"},
		{"empty", "", key, w, "not a token"},
		{"truncated", tok[:len(tok)-2], key, w, "not a token"},
		{"wrong version", flipped(0), key, w, "not a token"},
		{"cursor changed", flipped(5), key, w, "altered"},
		{"seq changed", flipped(12), key, w, "altered"},
		{"tag changed", flipped(20), key, w, "altered"},
		{"mac changed", flipped(len(raw) - 1), key, w, "altered"},
		{"another key", tok, []byte("other"), w, "altered"},
		{"another user", tok, key, other(func(x *walk) { x.user = 8 }), "another user"},
		{"another root", tok, key, other(func(x *walk) { x.root = "interdiction" }), "another API root"},
		{"another collection", tok, key, other(func(x *walk) { x.coll = "d" }), "collection"},
		{"another endpoint", tok, key, other(func(x *walk) { x.ep = epVersions }), "endpoint"},
		{"another object", tok, key, other(func(x *walk) { x.objectID = "indicator--2" }), "object"},
		{"another query", tok, key, other(func(x *walk) { x.query = query{Limit: 8}.fingerprint() }), "different query"},
	} {
		_, err := decodeNext(c.key, c.w, c.tok)
		if enlace.ErrorCode(err) != enlace.EInvalid {
			t.Errorf("%s: %v, want EInvalid", c.what, err)
			continue
		}
		if !strings.Contains(enlace.ErrorMessage(err), c.wantMsg) {
			t.Errorf("%s: message %q lacks %q", c.what, enlace.ErrorMessage(err), c.wantMsg)
		}
	}
}
