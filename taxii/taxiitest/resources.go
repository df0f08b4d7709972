package taxiitest

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// endpoints returns one request per endpoint, for the checks every endpoint
// must pass.
func (s *suite) endpoints() []request {
	obj := "indicator--" + newUUID()
	env := []byte(`{"objects":[]}`)
	return []request{
		{method: http.MethodGet, path: "/taxii2/"},
		{method: http.MethodGet, path: s.rootPath},
		{method: http.MethodGet, path: s.rootPath + "status/" + newUUID() + "/"},
		{method: http.MethodGet, path: s.rootPath + "collections/"},
		{method: http.MethodGet, path: s.collPath},
		{method: http.MethodGet, path: s.collPath + "objects/"},
		{method: http.MethodPost, path: s.collPath + "objects/", body: env},
		{method: http.MethodGet, path: s.collPath + "objects/" + obj + "/"},
		{method: http.MethodDelete, path: s.collPath + "objects/" + obj + "/"},
		{method: http.MethodGet, path: s.collPath + "objects/" + obj + "/versions/"},
		{method: http.MethodGet, path: s.collPath + "manifest/"},
		{method: http.MethodGet, path: s.rootPath + "no-such-endpoint/"},
	}
}

func (s *suite) testAuthentication(t *testing.T) {
	bad := Credentials{Username: s.env.Reader.Username, Password: "wrong-" + randomHex(8)}
	for _, rq := range s.endpoints() {
		what := rq.method + " " + rq.path
		for _, creds := range []*Credentials{nil, &bad} {
			rq.creds = creds
			res := s.do(t, rq)
			e := s.fails(t, res, what+" unauthenticated", http.StatusUnauthorized)
			if res.Status != http.StatusUnauthorized {
				continue
			}
			if !strings.Contains(res.Header.Get("WWW-Authenticate"), "Basic") {
				t.Errorf("%s: 401 without a WWW-Authenticate Basic challenge: %q", what, res.Header.Get("WWW-Authenticate"))
			}
			if e.ErrorID == "" || e.ErrorID != res.Header.Get("X-Request-Id") {
				t.Errorf("%s: error_id %q does not match X-Request-Id %q", what, e.ErrorID, res.Header.Get("X-Request-Id"))
			}
		}
	}
}

func (s *suite) testDiscovery(t *testing.T) {
	var d struct {
		Title    string   `json:"title"`
		APIRoots []string `json:"api_roots"`
		Default  string   `json:"default"`
	}
	s.ok(t, s.get(t, s.env.Reader, "/taxii2/"), http.StatusOK, "discovery", &d)
	if d.Title == "" {
		t.Error("discovery: no title")
	}
	if !slices.ContainsFunc(d.APIRoots, func(u string) bool { return strings.HasSuffix(u, s.rootPath) }) {
		t.Errorf("discovery: api_roots %v has no URL ending in %s", d.APIRoots, s.rootPath)
	}
	if d.Default != "" {
		t.Errorf("discovery: default %q: a reader declares its purpose by choosing a root, so there is none", d.Default)
	}
	s.fails(t, s.get(t, s.env.Reader, "/taxii2/?x=1"), "discovery with an unknown parameter", http.StatusBadRequest)
}

func (s *suite) testAPIRoot(t *testing.T) {
	var r struct {
		Title            string   `json:"title"`
		Versions         []string `json:"versions"`
		MaxContentLength int64    `json:"max_content_length"`
	}
	s.ok(t, s.get(t, s.env.Reader, s.rootPath), http.StatusOK, "API root", &r)
	if r.Title == "" {
		t.Error("API root: no title")
	}
	if !slices.Contains(r.Versions, mediaType) {
		t.Errorf("API root: versions %v lacks %s", r.Versions, mediaType)
	}
	if r.MaxContentLength <= 0 {
		t.Errorf("API root: max_content_length %d", r.MaxContentLength)
	}
	s.fails(t, s.get(t, s.env.Reader, "/taxii2/no-such-root-"+s.run+"/"), "unknown API root", http.StatusNotFound)
	s.fails(t, s.get(t, s.env.Reader, "/taxii2/no-such-root-"+s.run+"/collections/"), "collections of an unknown API root", http.StatusNotFound)
}

type collectionResource struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	CanRead    bool     `json:"can_read"`
	CanWrite   bool     `json:"can_write"`
	MediaTypes []string `json:"media_types"`
}

func (s *suite) testCollections(t *testing.T) {
	find := func(creds Credentials, who string) collectionResource {
		var cs struct {
			Collections []collectionResource `json:"collections"`
		}
		s.ok(t, s.get(t, creds, s.rootPath+"collections/"), http.StatusOK, who+"'s collections", &cs)
		for _, c := range cs.Collections {
			if c.ID == s.env.Collection {
				return c
			}
		}
		t.Fatalf("%s's collections do not list %s", who, s.env.Collection)
		return collectionResource{}
	}
	if c := find(s.env.Writer, "writer"); !c.CanWrite || !c.CanRead {
		t.Errorf("writer: collection %+v should be readable and writable", c)
	}
	if c := find(s.env.Reader, "reader"); !c.CanRead || (s.env.ReaderCannotWrite && c.CanWrite) {
		t.Errorf("reader: collection %+v", c)
	}
	if c := find(s.env.Restricted, "restricted"); !c.CanRead {
		t.Errorf("restricted: collection %+v should be readable", c)
	}
	var c collectionResource
	s.ok(t, s.get(t, s.env.Reader, s.collPath), http.StatusOK, "collection", &c)
	if c.ID != s.env.Collection || c.Title == "" || !c.CanRead {
		t.Errorf("collection: %+v", c)
	}
	if !slices.Contains(c.MediaTypes, stixMediaType) {
		t.Errorf("collection: media_types %v lacks %s", c.MediaTypes, stixMediaType)
	}
	s.fails(t, s.get(t, s.env.Reader, s.rootPath+"collections/no-such-collection-"+s.run+"/"), "unknown collection", http.StatusNotFound)
	s.fails(t, s.get(t, s.env.Reader, s.rootPath+"collections/no-such-collection-"+s.run+"/objects/"), "objects of an unknown collection", http.StatusNotFound)
}

func (s *suite) testContentNegotiation(t *testing.T) {
	for _, accept := range []string{
		mediaType, "application/taxii+json", "application/taxii+json; version=2.1", "*/*", "application/*",
		"text/html, application/taxii+json;version=2.1;q=0.5",
	} {
		for _, path := range []string{"/taxii2/", s.collPath, s.collPath + "objects/?limit=1"} {
			res := s.do(t, request{method: http.MethodGet, path: path, creds: &s.env.Reader, accept: ptr(accept)})
			s.ok(t, res, http.StatusOK, "Accept "+accept+" on "+path, nil)
		}
	}
	for _, accept := range []string{
		"application/json", "application/stix+json;version=2.1", "application/taxii+json;version=2.0",
		"text/html", "application/taxii+json;version=2.1;q=0, */*",
	} {
		for _, path := range []string{"/taxii2/", s.collPath, s.collPath + "objects/"} {
			res := s.do(t, request{method: http.MethodGet, path: path, creds: &s.env.Reader, accept: ptr(accept)})
			s.fails(t, res, "Accept "+accept+" on "+path, http.StatusNotAcceptable)
		}
	}
}

func (s *suite) testQueryErrors(t *testing.T) {
	objects := s.collPath + "objects/"
	obj := s.collPath + "objects/indicator--" + newUUID() + "/"
	for _, path := range []string{
		objects + "?limit=0",
		objects + "?limit=-3",
		objects + "?limit=ten",
		objects + "?limit=1.5",
		objects + "?added_after=yesterday",
		objects + "?added_after=2021-13-01T00:00:00Z",
		objects + "?match[version]=newest",
		objects + "?match[type]=indicator,,malware",
		objects + "?match[type]=",
		objects + "?match[type]=indicator&match[type]=malware",
		objects + "?match[spec_version]=two",
		objects + "?match[foo]=bar",
		objects + "?type=indicator",
		objects + "?next=",
		objects + "?%zz",
		s.collPath + "manifest/?limit=0",
		s.collPath + "manifest/?match[size]=1",
		obj + "?match[id]=indicator--" + newUUID(),
		obj + "?match[type]=indicator",
		obj + "versions/?match[version]=all",
		obj + "versions/?match[type]=indicator",
		s.rootPath + "collections/?limit=1",
		s.collPath + "?match[type]=indicator",
	} {
		s.fails(t, s.get(t, s.env.Reader, path), "GET "+path, http.StatusBadRequest)
	}
	res := s.do(t, request{method: http.MethodDelete, path: obj + "?limit=1", creds: &s.env.Writer})
	s.fails(t, res, "DELETE with limit", http.StatusBadRequest)
	res = s.do(t, request{method: http.MethodPut, path: objects, creds: &s.env.Writer, body: []byte(`{}`)})
	s.fails(t, res, "PUT objects", http.StatusMethodNotAllowed)
	if allow := res.Header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
		t.Errorf("PUT objects: Allow %q, want GET and POST", allow)
	}
	res = s.get(t, s.env.Reader, s.collPath+"objects")
	redirect := res.Status/100 == 3 && strings.HasSuffix(res.Header.Get("Location"), "/objects/")
	if res.Status != http.StatusNotFound && !redirect {
		t.Errorf("a path without its trailing slash: status %d (Location %q), want 404 or a redirect to the slashed path", res.Status, res.Header.Get("Location"))
	}
}

func (s *suite) testAddErrors(t *testing.T) {
	objects := s.collPath + "objects/"
	post := func(ctype string, body []byte) response {
		return s.do(t, request{method: http.MethodPost, path: objects, creds: &s.env.Writer, ctype: ctype, body: body})
	}
	valid := s.envelope(t, s.newObject("indicator", 0))
	for _, ct := range []string{"application/json", "application/stix+json;version=2.1", "application/taxii+json;version=2.0", "text/plain"} {
		s.fails(t, post(ct, valid), "POST as "+ct, http.StatusUnsupportedMediaType)
	}
	for _, body := range []string{`{`, `{"objects":[}`, `not json`, `{"objects":[]} trailing`, `[]`, `"objects"`, `{"objects":"x"}`, `{"objects":{}}`} {
		s.fails(t, post("", []byte(body)), "POST "+body, http.StatusBadRequest)
	}
	for _, body := range []string{`{}`, `{"more":false}`, `{"objects":null}`, `{"objects":[]}`, `{"objects":[1,2]}`, `{"objects":[{"type":"x"},"y"]}`} {
		s.fails(t, post("", []byte(body)), "POST "+body, http.StatusUnprocessableEntity)
	}
	res := s.do(t, request{method: http.MethodPost, path: objects + "?limit=1", creds: &s.env.Writer, body: valid})
	s.fails(t, res, "POST with a query", http.StatusBadRequest)

	var root struct {
		MaxContentLength int64 `json:"max_content_length"`
	}
	s.ok(t, s.get(t, s.env.Writer, s.rootPath), http.StatusOK, "API root", &root)
	if n := root.MaxContentLength; n > 0 && n <= 8<<20 {
		pad := bytes.Repeat([]byte(" "), int(n)+1-len(valid))
		s.fails(t, post("", append(append([]byte{}, valid...), pad...)), "POST over max_content_length", http.StatusRequestEntityTooLarge)
	} else {
		t.Logf("max_content_length %d: not sending a body that large", n)
	}

	if s.env.ReaderCannotWrite {
		res := s.do(t, request{method: http.MethodPost, path: objects, creds: &s.env.Reader, body: valid})
		s.fails(t, res, "reader's POST", http.StatusForbidden)
	}
}
