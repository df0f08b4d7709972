package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/enlace-exchange/enlace/demo"
	"github.com/enlace-exchange/enlace/store/postgres/pgtest"
)

// node is a real enlace server started in process on 127.0.0.1:0 with a
// demo world, as `enlace serve --demo` starts it.
type node struct {
	t     *testing.T
	url   string
	dir   string
	store string // --store: a PostgreSQL URL, or "" for SQLite in dir
	creds map[string]demo.Credential
	stop  func()
}

// engines are the stores the end-to-end tests run on. Each test gets a
// fresh store: a new data directory, or a new PostgreSQL database on the
// server in ENLACE_TEST_POSTGRES_URL (the subtest skips without it).
var engines = []struct {
	name  string
	store func(t *testing.T) string // the --store value
}{
	{"sqlite", func(*testing.T) string { return "" }},
	{"postgres", func(t *testing.T) string { return pgtest.NewDatabase(t) }},
}

// forEachEngine runs test against a demo node on each engine, as a
// subtest named by the engine. args are more serve flags.
func forEachEngine(t *testing.T, test func(t *testing.T, n *node), args ...string) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			test(t, startNode(t, e.store(t), args...))
		})
	}
}

// startNode serves a demo world from a fresh data directory, its store in
// it or at store, until the test ends. args are more serve flags.
func startNode(t *testing.T, store string, args ...string) *node {
	t.Helper()
	return serveDir(t, t.TempDir(), store, args...)
}

// serveDir serves the demo world in dir, its store in it or at store
// (building the world if the store is empty), until the test ends or the
// node is stopped.
func serveDir(t *testing.T, dir, store string, args ...string) *node {
	t.Helper()
	n := serveNode(t, dir, store, append([]string{"--demo"}, args...)...)
	n.creds = readCreds(t, filepath.Join(dir, "demo-credentials.json"))
	return n
}

// serveNode runs `enlace serve` in process with the data directory dir,
// the store store and extra arguments, until the test ends or the node is
// stopped. It returns once the server listens.
func serveNode(t *testing.T, dir, store string, extra ...string) *node {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	root := newRoot(pw, io.Discard)
	args := []string{"serve", "--data", dir, "--addr", "127.0.0.1:0", "--log-level", "error"}
	if store != "" {
		args = append(args, "--store", store)
	}
	root.SetArgs(append(args, extra...))
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx); pw.Close() }()
	url := ""
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "enlace serving on "); ok {
			url = u
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if url == "" {
		cancel()
		t.Fatalf("server did not start: %v", <-done)
	}
	n := &node{t: t, url: url, dir: dir, store: store}
	var once sync.Once
	n.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}
	t.Cleanup(n.stop)
	return n
}

func readCreds(t *testing.T, path string) map[string]demo.Credential {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read credentials: %v", err)
	}
	var cs []demo.Credential
	if err := json.Unmarshal(b, &cs); err != nil {
		t.Fatalf("parse credentials: %v", err)
	}
	m := map[string]demo.Credential{}
	for _, c := range cs {
		m[c.Username] = c
	}
	return m
}

// response is a decoded reply.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// errorCode returns the "code" of a JSON error body.
func (r response) errorCode(t *testing.T) string {
	t.Helper()
	var e struct{ Code, Message string }
	r.json(t, &e)
	if e.Message == "" {
		t.Errorf("error without a message: %s", r.body)
	}
	return e.Code
}

// call sends a request as user ("" for none) with an optional purpose.
func (n *node) call(user, method, path, purpose string, body any) response {
	n.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			n.t.Fatal(err)
		}
		rd = bytes.NewReader(js)
	}
	req, err := http.NewRequest(method, n.url+path, rd)
	if err != nil {
		n.t.Fatal(err)
	}
	if user != "" {
		c, ok := n.creds[user]
		if !ok {
			n.t.Fatalf("no demo user %s", user)
		}
		req.SetBasicAuth(c.Username, c.Token)
	}
	if purpose != "" {
		req.Header.Set("Enlace-Purpose", purpose)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		n.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// must calls and fails the test unless the status is want.
func (n *node) must(want int, user, method, path, purpose string, body any) response {
	n.t.Helper()
	r := n.call(user, method, path, purpose, body)
	if r.status != want {
		n.t.Fatalf("%s %s as %s: status %d, want %d: %s", method, path, user, r.status, want, r.body)
	}
	return r
}

// reportIDs lists every report id user can read for purpose, following
// the cursor.
func (n *node) reportIDs(user, purpose string, query string) []reportSummary {
	n.t.Helper()
	var out []reportSummary
	after := ""
	for {
		path := "/api/v1/reports?limit=20" + query
		if after != "" {
			path += "&after=" + after
		}
		var page struct {
			Reports []reportSummary `json:"reports"`
			More    bool            `json:"more"`
			Next    string          `json:"next"`
		}
		n.must(200, user, "GET", path, purpose, nil).json(n.t, &page)
		out = append(out, page.Reports...)
		if !page.More {
			return out
		}
		after = page.Next
	}
}

type reportSummary struct {
	ID         string `json:"id"`
	Originator string `json:"originator"`
	Nation     string `json:"nation"`
	Title      string `json:"title"`
}

func newReportID(i int) string {
	return fmt.Sprintf("report--%08x-0000-4000-8000-%012x", time.Now().UnixNano()&0xffffffff, i)
}
