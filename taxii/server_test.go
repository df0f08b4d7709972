package taxii

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/enlace-exchange/enlace"
)

// client drives a test server as one of the fake users.
type client struct {
	t    *testing.T
	base string
	user string
}

func (c client) do(method, path string, body io.Reader, hdr ...string) (*http.Response, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Accept", MediaType)
	if body != nil {
		req.Header.Set("Content-Type", MediaType)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	if c.user != "" {
		req.SetBasicAuth(c.user, fakeUsers[c.user].password)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

func (c client) get(path string) (*http.Response, []byte) {
	c.t.Helper()
	return c.do("GET", path, nil)
}

const objectsPath = "/taxii2/seizure/collections/" + sharedColl + "/objects/"

// seed posts n indicators as the writer, one request each, and returns
// their ids in date-added order.
func seed(t *testing.T, base string, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		id := fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", i+1)
		body := fmt.Sprintf(`{"objects":[{"type":"indicator","spec_version":"2.1","id":%q,"created":"2021-01-01T00:00:00Z","modified":"2021-01-01T00:00:00Z","pattern":"[x:y = 'z']","pattern_type":"stix","valid_from":"2021-01-01T00:00:00Z"}]}`, id)
		res, b := client{t, base, "writer"}.do("POST", objectsPath, strings.NewReader(body))
		if res.StatusCode != http.StatusAccepted {
			t.Fatalf("seed: %d %s", res.StatusCode, b)
		}
		ids = append(ids, id)
	}
	return ids
}

type page struct {
	More    bool              `json:"more"`
	Next    string            `json:"next"`
	Objects []json.RawMessage `json:"objects"`
}

func decodePage(t *testing.T, b []byte) page {
	t.Helper()
	var p page
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return p
}

func TestLimits(t *testing.T) {
	ts := newTestServer(t, newFake(), Config{DefaultLimit: 3, MaxLimit: 5})
	seed(t, ts.URL, 8)
	c := client{t, ts.URL, "reader"}
	for _, x := range []struct {
		query string
		n     int
	}{{"", 3}, {"?limit=2", 2}, {"?limit=5", 5}, {"?limit=500", 5}, {"?limit=500&match[version]=all", 5}} {
		res, b := c.get(objectsPath + x.query)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d %s", x.query, res.StatusCode, b)
		}
		if p := decodePage(t, b); len(p.Objects) != x.n || !p.More || p.Next == "" {
			t.Errorf("%s: %d objects, more %v; want %d and more", x.query, len(p.Objects), p.More, x.n)
		}
	}
	// A capped limit is the limit the token is bound to: asking again with
	// the same (over-large) limit continues the walk.
	_, b := c.get(objectsPath + "?limit=500")
	p := decodePage(t, b)
	res, b := c.get(objectsPath + "?limit=500&next=" + p.Next)
	if res.StatusCode != 200 {
		t.Fatalf("continuing a capped walk: %d %s", res.StatusCode, b)
	}
	if p2 := decodePage(t, b); len(p2.Objects) != 4 || p2.More { // 8 seeded + 1 hidden seed, reader sees 9
		t.Errorf("second page of a capped walk: %d objects, more %v", len(p2.Objects), p2.More)
	}
}

// TestRightsRecheckedPerPage: the backend is asked again on every page, so
// an object hidden between two pages is absent from the second.
func TestRightsRecheckedPerPage(t *testing.T) {
	f := newFake()
	ts := newTestServer(t, f, Config{})
	ids := seed(t, ts.URL, 6)
	c := client{t, ts.URL, "restricted"}
	_, b := c.get(objectsPath + "?limit=3")
	p := decodePage(t, b)
	if len(p.Objects) != 3 || p.Next == "" {
		t.Fatalf("page 1: %s", b)
	}
	f.mu.Lock()
	for i := range f.objects {
		if f.objects[i].obj.ID == ids[4] {
			f.objects[i].hidden = true
		}
	}
	f.mu.Unlock()
	res, b := c.get(objectsPath + "?limit=3&next=" + p.Next)
	if res.StatusCode != 200 {
		t.Fatalf("page 2: %d %s", res.StatusCode, b)
	}
	if strings.Contains(string(b), ids[4]) {
		t.Errorf("page 2 shows an object hidden after page 1: %s", b)
	}
	if p2 := decodePage(t, b); len(p2.Objects) != 2 || p2.More {
		t.Errorf("page 2: %d objects, more %v; want 2 and no more", len(p2.Objects), p2.More)
	}
	f.mu.Lock()
	f.revoked[3] = true
	f.mu.Unlock()
	if res, b := c.get(objectsPath + "?limit=3&next=" + p.Next); res.StatusCode != http.StatusForbidden {
		t.Errorf("page 2 after the collection was closed: %d %s", res.StatusCode, b)
	}
}

// misbehaving wraps the fake backend with an Objects that breaks the
// contract.
type misbehaving struct {
	*fakeBackend
	objects func() Page
}

func (m misbehaving) Objects(ctx context.Context, u enlace.User, root, coll string, f Filter, after Cursor, limit int) (Page, error) {
	return m.objects(), nil
}

func TestBackendContract(t *testing.T) {
	obj := func(seq int64, added time.Time, raw string) Object {
		return Object{ID: fmt.Sprintf("x--%d", seq), Type: "x", SpecVersion: "2.1", DateAdded: added, Version: added, Seq: seq, Raw: json.RawMessage(raw)}
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		what   string
		page   Page
		status int
		n      int
		more   bool
	}{
		{"too many objects", Page{Objects: []Object{obj(1, t0, `{}`), obj(2, t0, `{}`), obj(3, t0, `{}`)}}, 200, 2, true},
		{"out of order", Page{Objects: []Object{obj(2, t0, `{}`), obj(1, t0, `{}`)}}, 500, 0, false},
		{"not an object", Page{Objects: []Object{obj(1, t0, `[1]`)}}, 500, 0, false},
		{"more without objects", Page{More: true}, 200, 0, false},
	} {
		var logs bytes.Buffer
		b := misbehaving{newFake(), func() Page { return c.page }}
		srv := httptest.NewServer(New(Config{Backend: b, Authenticate: b.authenticate, Logger: slog.New(slog.NewTextHandler(&logs, nil))}))
		res, body := client{t, srv.URL, "reader"}.get(objectsPath + "?limit=2")
		srv.Close()
		if res.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.what, res.StatusCode, c.status, body)
			continue
		}
		if c.status == 500 {
			if !strings.Contains(logs.String(), "internal error") || strings.Contains(string(body), "order") {
				t.Errorf("%s: log %q, body %s", c.what, logs.String(), body)
			}
			continue
		}
		if p := decodePage(t, body); len(p.Objects) != c.n || p.More != c.more || (p.Next != "") != c.more {
			t.Errorf("%s: %s", c.what, body)
		}
	}
}

// panicking is a backend whose Roots panics.
type panicking struct{ *fakeBackend }

func (panicking) Roots(context.Context, enlace.User) ([]Root, error) { panic("boom") }

func TestPanicIsInternalError(t *testing.T) {
	var logs bytes.Buffer
	p := panicking{newFake()}
	srv := httptest.NewServer(New(Config{Backend: p, Authenticate: p.authenticate, Logger: slog.New(slog.NewTextHandler(&logs, nil))}))
	defer srv.Close()
	res, body := client{t, srv.URL, "reader"}.do("GET", "/taxii2/", nil, "X-Request-Id", "abc-123")
	if res.StatusCode != 500 || strings.Contains(string(body), "boom") || !strings.Contains(string(body), "abc-123") {
		t.Errorf("panic: %d %s", res.StatusCode, body)
	}
	if !strings.Contains(logs.String(), "boom") || !strings.Contains(logs.String(), "abc-123") {
		t.Errorf("the panic was not logged with the request id: %s", logs.String())
	}
}

func TestMiscellany(t *testing.T) {
	ts := newTestServer(t, newFake(), Config{MaxContentLength: 200, PublicURL: "https://enlace.example.org/"})
	seed := `{"objects":[{"type":"malware","spec_version":"2.1","id":"malware--1","created":"2021-01-01T00:00:00Z"}]}`
	reader, writer := client{t, ts.URL, "reader"}, client{t, ts.URL, "writer"}

	_, b := reader.get("/taxii2/")
	if !strings.Contains(string(b), `"https://enlace.example.org/taxii2/seizure/"`) {
		t.Errorf("discovery with PublicURL: %s", b)
	}
	if res, b := reader.get("/taxii2/seizure/collections/" + sealedColl + "/objects/"); res.StatusCode != 403 {
		t.Errorf("unreadable collection: %d %s", res.StatusCode, b)
	}
	if res, b := reader.do("POST", objectsPath, strings.NewReader(seed)); res.StatusCode != 403 {
		t.Errorf("unwritable collection: %d %s", res.StatusCode, b)
	}
	// Over the limit without a Content-Length: the reader stops at the limit.
	big := io.MultiReader(strings.NewReader(`{"objects":[`), strings.NewReader(strings.Repeat(" ", 300)))
	if res, b := writer.do("POST", objectsPath, struct{ io.Reader }{big}); res.StatusCode != 413 {
		t.Errorf("chunked body over the limit: %d %s", res.StatusCode, b)
	}
	if res, _ := writer.do("POST", objectsPath, strings.NewReader(seed)); res.StatusCode != 202 {
		t.Errorf("POST: %d", res.StatusCode)
	}
	res, b := writer.do("DELETE", objectsPath+"malware--1/", nil)
	if res.StatusCode != 200 || len(b) != 0 {
		t.Errorf("DELETE: %d %q", res.StatusCode, b)
	}
	res, _ = reader.do("HEAD", objectsPath, nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != MediaType {
		t.Errorf("HEAD objects: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	res, _ = reader.do("GET", "/taxii2/", nil, "X-Request-Id", "mine-1")
	if res.Header.Get("X-Request-Id") != "mine-1" {
		t.Errorf("X-Request-Id %q, want the caller's", res.Header.Get("X-Request-Id"))
	}
	res, _ = reader.do("GET", "/taxii2/", nil, "X-Request-Id", "bad id")
	if id := res.Header.Get("X-Request-Id"); id == "" || strings.Contains(id, " ") {
		t.Errorf("X-Request-Id %q, want a fresh one", id)
	}
	res, b = reader.do("DELETE", "/taxii2/", nil)
	if res.StatusCode != 405 || res.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("DELETE /taxii2/: %d, Allow %q: %s", res.StatusCode, res.Header.Get("Allow"), b)
	}
	res, _ = client{t, ts.URL, ""}.do("DELETE", "/taxii2/", nil)
	if res.StatusCode != 401 {
		t.Errorf("anonymous DELETE /taxii2/: %d, want 401 before 405", res.StatusCode)
	}
}

func TestNewNeedsBackendAndAuthenticate(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New without a Backend did not panic")
		}
	}()
	New(Config{})
}
