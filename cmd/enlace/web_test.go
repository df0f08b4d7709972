package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestPagesBesideTheAPI: the pages take every path the JSON API does not
// own, and the API keeps its own.
func TestPagesBesideTheAPI(t *testing.T) {
	forEachEngine(t, testPagesBesideTheAPI)
}

func testPagesBesideTheAPI(t *testing.T, n *node) {
	for _, c := range []struct {
		path, ctype string
		status      int
	}{
		{"/signin", "text/html", http.StatusOK},
		{"/static/htmx.min.js", "javascript", http.StatusOK},
		{"/healthz", "application/json", http.StatusOK},
		{"/api/v1/nowhere", "application/json", http.StatusUnauthorized},
	} {
		r := n.call("", "GET", c.path, "", nil)
		if r.status != c.status || !strings.Contains(r.header.Get("Content-Type"), c.ctype) {
			t.Errorf("GET %s: %d %s", c.path, r.status, r.header.Get("Content-Type"))
		}
	}
	// An anonymous page request is sent to sign in; the JSON API still
	// takes its credentials as before.
	for _, path := range []string{"/reports", "/ledger"} {
		if r := n.call("", "GET", path, "", nil); r.status != http.StatusOK || !strings.Contains(string(r.body), `id="username"`) {
			t.Errorf("anonymous %s: %d", path, r.status)
		}
	}
	// The explorer's /ledger sits beside the log's /ledger/ tiles.
	waitCheckpoint(t, n, 1)
	n.must(http.StatusOK, "dea-analyst", "GET", "/api/v1/me", "", nil)
}
