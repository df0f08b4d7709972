package main

import (
	"net/http"
	"strings"
	"testing"
)

func TestAuthentication(t *testing.T) { forEachEngine(t, testAuthentication) }

func testAuthentication(t *testing.T, n *node) {

	r := n.must(401, "", "GET", "/api/v1/me", "", nil)
	if r.header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	if code := r.errorCode(t); code != "unauthorized" {
		t.Errorf("code %q, want unauthorized", code)
	}
	// Unknown paths, /readyz and /metrics authenticate too; /healthz does not.
	for _, p := range []string{"/api/v1/nope", "/readyz", "/metrics", "/api/v1/openapi.json"} {
		n.must(401, "", "GET", p, "", nil)
	}
	n.must(200, "", "GET", "/healthz", "", nil)

	// A wrong token, and a right token under another user's name.
	req, _ := http.NewRequest("GET", n.url+"/api/v1/me", nil)
	req.SetBasicAuth("dea-analyst", "enl_not-a-token")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 401 {
		t.Fatalf("wrong token: %v %v", resp.StatusCode, err)
	}
	req.SetBasicAuth("fbi-analyst", n.creds["dea-analyst"].Token)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 401 {
		t.Fatalf("token under another name: %v %v", resp.StatusCode, err)
	}
	// Bearer works.
	req.Header.Del("Authorization")
	req.Header.Set("Authorization", "Bearer "+n.creds["dea-analyst"].Token)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("bearer: %v %v", resp.StatusCode, err)
	}

	// A new token works until it is revoked, then it is 401.
	var tok struct {
		ID    int64  `json:"id"`
		Token string `json:"token"`
	}
	n.must(201, "dea-analyst", "POST", "/api/v1/tokens", "", map[string]string{"name": "laptop"}).json(t, &tok)
	if !strings.HasPrefix(tok.Token, "enl_") {
		t.Fatalf("token %q", tok.Token)
	}
	n.creds["dea-laptop"] = n.creds["dea-analyst"]
	c := n.creds["dea-laptop"]
	c.Token = tok.Token
	n.creds["dea-laptop"] = c
	n.must(200, "dea-laptop", "GET", "/api/v1/me", "", nil)
	// Another user cannot revoke it, and learns nothing.
	n.must(404, "fbi-analyst", "DELETE", "/api/v1/tokens/"+itoa(tok.ID), "", nil)
	n.must(204, "dea-analyst", "DELETE", "/api/v1/tokens/"+itoa(tok.ID), "", nil)
	r = n.must(401, "dea-laptop", "GET", "/api/v1/me", "", nil)
	if r.header.Get("WWW-Authenticate") == "" {
		t.Error("401 for a revoked token without WWW-Authenticate")
	}
	// The listed tokens never carry secrets.
	body := string(n.must(200, "dea-analyst", "GET", "/api/v1/tokens", "", nil).body)
	if strings.Contains(body, tok.Token) || strings.Contains(body, n.creds["dea-analyst"].Token) {
		t.Error("token list leaks a secret")
	}
}

func TestBadInputChangesNothing(t *testing.T) { forEachEngine(t, testBadInputChangesNothing) }

func testBadInputChangesNothing(t *testing.T, n *node) {
	before := len(n.reportIDs("dipol-analyst", "investigation", ""))
	for _, body := range []string{`{"id": "report--`, `not json`, ``, `{"id": 7}`, `{"title": "x", "unknown_field": 1}`, `{} {}`} {
		r := n.must(400, "dipol-analyst", "POST", "/api/v1/reports", "", body)
		if code := r.errorCode(t); code != "invalid" {
			t.Errorf("body %q: code %q, want invalid", body, code)
		}
	}
	// Well-formed JSON that fails validation, with a clear message.
	r := n.must(400, "dipol-analyst", "POST", "/api/v1/reports", "", map[string]any{
		"id": newReportID(1), "title": "t", "markings": map[string]any{"tlp": "purple"},
		"grading": map[string]string{"scheme": "admiralty", "source": "B", "information": "2"},
	})
	if !strings.Contains(string(r.body), "TLP") {
		t.Errorf("message does not name the bad field: %s", r.body)
	}
	if after := len(n.reportIDs("dipol-analyst", "investigation", "")); after != before {
		t.Fatalf("bad input changed the report count: %d -> %d", before, after)
	}
}

func TestUnknownIDsAreNotFound(t *testing.T) { forEachEngine(t, testUnknownIDsAreNotFound) }

func testUnknownIDsAreNotFound(t *testing.T, n *node) {
	for _, p := range []string{
		"/api/v1/reports/" + newReportID(99),
		"/api/v1/reports/not-an-id",
		"/api/v1/agreements/AG-999",
		"/api/v1/directives/D-999",
		"/api/v1/consents/999",
		"/api/v1/consents/abc",
	} {
		r := n.must(404, "dea-analyst", "GET", p, "seizure", nil)
		if code := r.errorCode(t); code != "not_found" {
			t.Errorf("%s: code %q", p, code)
		}
	}
}

func TestReadRequiresPurpose(t *testing.T) { forEachEngine(t, testReadRequiresPurpose) }

func testReadRequiresPurpose(t *testing.T, n *node) {
	r := n.must(400, "dea-analyst", "GET", "/api/v1/reports", "", nil)
	if !strings.Contains(string(r.body), "Enlace-Purpose") {
		t.Errorf("message does not say how to declare a purpose: %s", r.body)
	}
	n.must(400, "dea-analyst", "GET", "/api/v1/reports", "sightseeing", nil)
}

func TestMetricsPerRoute(t *testing.T) { forEachEngine(t, testMetricsPerRoute) }

func testMetricsPerRoute(t *testing.T, n *node) {
	n.must(200, "dea-analyst", "GET", "/api/v1/me", "", nil)
	n.must(404, "dea-analyst", "GET", "/api/v1/directives/D-77", "", nil)
	body := string(n.must(200, "dea-analyst", "GET", "/metrics", "", nil).body)
	for _, want := range []string{
		`enlace_http_requests_total{code="200",method="GET",route="GET /api/v1/me"} 1`,
		`enlace_http_requests_total{code="404",method="GET",route="GET /api/v1/directives/{id}"} 1`,
		`enlace_http_request_duration_seconds_count{method="GET",route="GET /api/v1/me"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
