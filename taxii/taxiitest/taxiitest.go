// Package taxiitest is a black-box conformance suite for enlace's TAXII 2.1
// face. Run walks every endpoint over real HTTP and asserts concrete
// results: statuses, media types, headers, envelopes, paging in date-added
// order, filters, next-token misuse and, above all, that objects a reader
// may not see are absent everywhere. The taxii package runs it against an
// in-memory backend; cmd/enlace runs it against the real server.
package taxiitest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Credentials are sent as HTTP Basic (for enlace: the user name and an API
// token).
type Credentials struct{ Username, Password string }

// Env is the server under test and what it guarantees about its users.
type Env struct {
	// BaseURL is the server's scheme, host and port, such as
	// http://127.0.0.1:8080; TAXII lives under BaseURL + "/taxii2/".
	BaseURL string
	// Root is the API root (the declared purpose) to use.
	Root string
	// Collection is the id of a collection in Root that Writer may write
	// and read, and Reader and Restricted may read.
	Collection string

	// Writer posts and deletes the suite's objects.
	Writer Credentials
	// Reader reads every object Writer posts to Collection, including those
	// Hide marked, and the objects listed in Hidden.
	Reader Credentials
	// Restricted reads Collection but must NOT see the objects Hide marked
	// nor those listed in Hidden, by any endpoint.
	Restricted Credentials

	// Hide changes a STIX object the suite is about to post so that
	// Restricted may not read it (for instance by adding a marking) while
	// Reader still may. Required.
	Hide func(obj map[string]any)
	// Prepare, if set, is applied to every object the suite posts before
	// Hide, for fields the server requires (markings, say).
	Prepare func(obj map[string]any)
	// Hidden optionally lists ids of objects already in Collection that
	// Reader may read and Restricted may not.
	Hidden []string

	// ReaderCannotWrite says that Reader may not write to Collection; the
	// suite then expects 403 for Reader's POST.
	ReaderCannotWrite bool
	// OtherCollection optionally names another collection in Root that
	// Reader may read, to check that a next token does not cross
	// collections. Empty: a made-up id is used.
	OtherCollection string

	// Client is the HTTP client to use; nil means a client with a 30 s
	// timeout. The suite does not follow redirects.
	Client *http.Client
}

// The media types the suite expects.
const (
	mediaType     = "application/taxii+json;version=2.1"
	stixMediaType = "application/stix+json;version=2.1"
)

// timestampRE is the rendering the suite demands of date_added, versions and
// the date-added headers: UTC with exactly microseconds.
var timestampRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`)

// Run runs the suite against env. It posts its own objects (random ids, so
// it can run again against the same server) and deletes a few of them.
//
// Besides what Env states, the suite expects of the server: add requests
// complete synchronously (status "complete"); the objects of one envelope
// are added in envelope order; date_added is kept to the microsecond, so
// that added_after set to a rendered date_added excludes that object; an
// object lacking created, modified and pattern is a failure in the status.
func Run(t *testing.T, env Env) {
	t.Helper()
	if env.BaseURL == "" || env.Root == "" || env.Collection == "" || env.Hide == nil {
		t.Fatal("taxiitest.Env needs BaseURL, Root, Collection and Hide")
	}
	s := &suite{env: env, client: env.Client, run: randomHex(4)}
	if s.client == nil {
		s.client = &http.Client{Timeout: 30 * time.Second}
	}
	// Redirects are answers to check, not to follow.
	c := *s.client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	s.client = &c
	s.rootPath = "/taxii2/" + url.PathEscape(env.Root) + "/"
	s.collPath = s.rootPath + "collections/" + url.PathEscape(env.Collection) + "/"

	t.Run("Authentication", s.testAuthentication)
	t.Run("Discovery", s.testDiscovery)
	t.Run("APIRoot", s.testAPIRoot)
	t.Run("Collections", s.testCollections)
	t.Run("ContentNegotiation", s.testContentNegotiation)
	t.Run("QueryErrors", s.testQueryErrors)
	t.Run("AddErrors", s.testAddErrors)
	if !t.Run("Add", s.testAdd) {
		return // the object tests need the suite's objects
	}
	t.Run("Paging", s.testPaging)
	t.Run("ManifestPaging", s.testManifestPaging)
	t.Run("Filters", s.testFilters)
	t.Run("Versions", s.testVersions)
	t.Run("NextMisuse", s.testNextMisuse)
	t.Run("Hidden", s.testHidden)
	t.Run("Delete", s.testDelete)
}

// suite is the state of one Run.
type suite struct {
	env      Env
	client   *http.Client
	run      string // random, so ids differ between runs
	rootPath string
	collPath string

	// Set by testAdd.
	visible   []stixObject // posted in this order, Reader and Restricted see them
	hidden    []stixObject // posted after visible, with Hide
	versioned []stixObject // one id, three versions, oldest first
}

// stixObject is an object the suite posted.
type stixObject struct {
	ID, Type string
	Modified time.Time
	JSON     map[string]any
}

// response is an HTTP response, read whole.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// request describes one HTTP request to the server.
type request struct {
	method  string
	path    string // under BaseURL, with its query
	creds   *Credentials
	accept  *string // nil: the TAXII media type
	ctype   string  // for bodies; "": the TAXII media type
	body    []byte
	headers map[string]string
}

func (s *suite) do(t *testing.T, rq request) response {
	t.Helper()
	var body io.Reader
	if rq.body != nil {
		body = bytes.NewReader(rq.body)
	}
	req, err := http.NewRequest(rq.method, s.env.BaseURL+rq.path, body)
	if err != nil {
		t.Fatalf("%s %s: %v", rq.method, rq.path, err)
	}
	if rq.accept == nil {
		req.Header.Set("Accept", mediaType)
	} else if *rq.accept != "" {
		req.Header.Set("Accept", *rq.accept)
	}
	if rq.body != nil {
		ct := rq.ctype
		if ct == "" {
			ct = mediaType
		}
		req.Header.Set("Content-Type", ct)
	}
	if rq.creds != nil {
		req.SetBasicAuth(rq.creds.Username, rq.creds.Password)
	}
	for k, v := range rq.headers {
		req.Header.Set(k, v)
	}
	res, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", rq.method, rq.path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", rq.method, rq.path, err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// get is a GET as creds with the TAXII Accept header.
func (s *suite) get(t *testing.T, creds Credentials, path string) response {
	t.Helper()
	return s.do(t, request{method: http.MethodGet, path: path, creds: &creds})
}

// ok asserts a 200 (or want) TAXII response and decodes its body into v.
func (s *suite) ok(t *testing.T, res response, want int, what string, v any) {
	t.Helper()
	if res.Status != want {
		t.Fatalf("%s: status %d, want %d; body %s", what, res.Status, want, clip(res.Body))
	}
	if ct := res.Header.Get("Content-Type"); !sameMediaType(ct, mediaType) {
		t.Errorf("%s: Content-Type %q, want %q", what, ct, mediaType)
	}
	if v != nil {
		if err := json.Unmarshal(res.Body, v); err != nil {
			t.Fatalf("%s: decoding %s: %v", what, clip(res.Body), err)
		}
	}
}

// errorResource is the TAXII error message.
type errorResource struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	ErrorID     string `json:"error_id"`
	ErrorCode   string `json:"error_code"`
	HTTPStatus  string `json:"http_status"`
}

// fails asserts that res is an error with one of the statuses, rendered as a
// TAXII error resource, and returns the resource.
func (s *suite) fails(t *testing.T, res response, what string, statuses ...int) errorResource {
	t.Helper()
	var e errorResource
	match := false
	for _, st := range statuses {
		match = match || res.Status == st
	}
	if !match {
		t.Errorf("%s: status %d, want %v; body %s", what, res.Status, statuses, clip(res.Body))
		return e
	}
	if ct := res.Header.Get("Content-Type"); !sameMediaType(ct, mediaType) {
		t.Errorf("%s: error Content-Type %q, want %q", what, ct, mediaType)
	}
	if err := json.Unmarshal(res.Body, &e); err != nil {
		t.Errorf("%s: the error is not a TAXII error resource: %v: %s", what, err, clip(res.Body))
		return e
	}
	if e.Title == "" {
		t.Errorf("%s: the error resource has no title: %s", what, clip(res.Body))
	}
	if e.HTTPStatus != fmt.Sprint(res.Status) {
		t.Errorf("%s: http_status %q, want %q", what, e.HTTPStatus, fmt.Sprint(res.Status))
	}
	return e
}

// sameMediaType compares media types, ignoring case and spaces around ';'.
func sameMediaType(a, b string) bool {
	norm := func(s string) string {
		parts := strings.Split(s, ";")
		for i := range parts {
			parts[i] = strings.ToLower(strings.TrimSpace(parts[i]))
		}
		return strings.Join(parts, ";")
	}
	return norm(a) == norm(b)
}

func clip(b []byte) string {
	if len(b) > 400 {
		return string(b[:400]) + "…"
	}
	return string(b)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// q builds a query string from name, value pairs.
func q(pairs ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Add(pairs[i], pairs[i+1])
	}
	return "?" + v.Encode()
}

func ptr(s string) *string { return &s }

// stixTime renders t as STIX does (UTC, milliseconds).
func stixTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func parseTS(t *testing.T, what, s string) time.Time {
	t.Helper()
	if !timestampRE.MatchString(s) {
		t.Errorf("%s: timestamp %q is not UTC with microseconds", what, s)
	}
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("%s: timestamp %q: %v", what, s, err)
	}
	return ts
}
