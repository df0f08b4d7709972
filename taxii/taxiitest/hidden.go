package taxiitest

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

// testHidden holds the invariant that matters most: an object Restricted
// may not read is absent from every answer it gets, exactly like one that
// does not exist, while Reader reads it.
func (s *suite) testHidden(t *testing.T) {
	hidden := append(ids(s.hidden), s.env.Hidden...)
	for _, id := range hidden {
		obj := s.collPath + "objects/" + id + "/"
		s.ok(t, s.get(t, s.env.Reader, obj), http.StatusOK, "reader's GET of hidden "+id, nil)
		s.ok(t, s.get(t, s.env.Reader, obj+"versions/"), http.StatusOK, "reader's versions of hidden "+id, nil)
		for _, path := range []string{obj, obj + "?match[version]=all", obj + "versions/"} {
			s.fails(t, s.get(t, s.env.Restricted, path), "restricted GET "+path, http.StatusNotFound)
		}
	}

	// Only hidden objects: an empty page, no headers, no more.
	for _, query := range []string{q("match[id]", joinIDs(hidden)), q("match[id]", joinIDs(hidden), "match[version]", "all")} {
		got, res := s.objectsOf(t, s.env.Restricted, query)
		if len(got) != 0 {
			t.Errorf("restricted objects %s: %v, want none", query, got)
		}
		checkHeaders(t, "restricted objects of hidden ids", res, "", "")
		if order, _ := s.dateAdded(t, s.env.Restricted, query); len(order) != 0 {
			t.Errorf("restricted manifest %s: %v, want none", query, order)
		}
	}

	// Visible and hidden together; the hidden ones were added last.
	both := append(ids(s.visible), ids(s.hidden)...)
	query := q("match[id]", joinIDs(both))
	order, added := s.dateAdded(t, s.env.Reader, query)
	if !slices.Equal(order, both) {
		t.Fatalf("reader's manifest %v, want %v", order, both)
	}
	got, res := s.objectsOf(t, s.env.Restricted, query)
	if !slices.Equal(got, ids(s.visible)) {
		t.Errorf("restricted objects: %v, want exactly the visible %v", got, ids(s.visible))
	}
	checkHeaders(t, "restricted objects", res, added[s.visible[0].ID], added[s.visible[len(s.visible)-1].ID])
	_, res = s.objectsOf(t, s.env.Reader, query)
	checkHeaders(t, "reader objects", res, added[s.visible[0].ID], added[s.hidden[len(s.hidden)-1].ID])
	if ro, _ := s.dateAdded(t, s.env.Restricted, query); !slices.Equal(ro, ids(s.visible)) {
		t.Errorf("restricted manifest: %v, want exactly the visible %v", ro, ids(s.visible))
	}

	// A page that ends with the last visible object has no more, though
	// hidden objects match after it.
	var e envelope
	res = s.get(t, s.env.Restricted, s.collPath+"objects/"+query+"&limit=17")
	s.ok(t, res, http.StatusOK, "restricted objects limit=17", &e)
	if len(e.Objects) != 17 || e.More || e.Next != "" {
		t.Errorf("restricted objects limit=17: %d objects, more %v, next %q; want 17 and no more", len(e.Objects), e.More, e.Next)
	}
	var m manifest
	s.ok(t, s.get(t, s.env.Restricted, s.collPath+"manifest/"+query+"&limit=17"), http.StatusOK, "restricted manifest limit=17", &m)
	if len(m.Objects) != 17 || m.More || m.Next != "" {
		t.Errorf("restricted manifest limit=17: %d records, more %v; want 17 and no more", len(m.Objects), m.More)
	}

	// The whole collection, every version, page by page.
	for _, endpoint := range []string{"objects/", "manifest/"} {
		seen := s.walk(t, s.env.Restricted, s.collPath+endpoint+q("match[version]", "all", "limit", "1000"))
		for _, id := range hidden {
			if seen[id] {
				t.Errorf("restricted walk of %s: hidden %s is listed", endpoint, id)
			}
		}
		for _, id := range ids(s.visible) {
			if !seen[id] {
				t.Errorf("restricted walk of %s: visible %s is missing", endpoint, id)
			}
		}
	}

	// Restricted cannot delete what it cannot see; the object survives.
	res = s.do(t, request{method: http.MethodDelete, path: s.collPath + "objects/" + s.hidden[0].ID + "/?match[version]=all", creds: &s.env.Restricted})
	s.fails(t, res, "restricted DELETE of a hidden object", http.StatusNotFound, http.StatusForbidden)
	s.ok(t, s.get(t, s.env.Reader, s.collPath+"objects/"+s.hidden[0].ID+"/"), http.StatusOK, "hidden object after restricted DELETE", nil)
}

func joinIDs(ids []string) string {
	out := ""
	for i, id := range ids {
		if i > 0 {
			out += ","
		}
		out += id
	}
	return out
}

// walk pages through path (which has a query) and returns the ids seen,
// checking that the date-added order holds across pages.
func (s *suite) walk(t *testing.T, creds Credentials, path string) map[string]bool {
	t.Helper()
	seen := map[string]bool{}
	next, prev := "", ""
	for range 500 {
		p := path
		if next != "" {
			p += "&next=" + next
		}
		res := s.get(t, creds, p)
		var e envelope
		s.ok(t, res, http.StatusOK, "walk "+path, &e)
		for _, id := range e.ids() {
			seen[id] = true
		}
		if f := res.Header.Get("X-TAXII-Date-Added-First"); f != "" {
			if f < prev {
				t.Errorf("walk %s: page starts at %s, before the previous page's end %s", path, f, prev)
			}
			prev = res.Header.Get("X-TAXII-Date-Added-Last")
		}
		if !e.More {
			return seen
		}
		next = e.Next
	}
	t.Fatalf("walk %s: more than 500 pages", path)
	return nil
}

func (s *suite) testDelete(t *testing.T) {
	d1 := s.newObject("threat-actor", 400)
	d2 := version(d1, d1.Modified.Add(time.Second))
	s.post(t, d1)
	s.post(t, d2)
	obj := s.collPath + "objects/" + d1.ID + "/"
	del := func(query string) response {
		return s.do(t, request{method: http.MethodDelete, path: obj + query, creds: &s.env.Writer})
	}

	if res := del("?match[version]=first"); res.Status != http.StatusOK {
		t.Fatalf("DELETE match[version]=first: status %d: %s", res.Status, clip(res.Body))
	}
	var v struct {
		Versions []string `json:"versions"`
	}
	s.ok(t, s.get(t, s.env.Writer, obj+"versions/"), http.StatusOK, "versions after deleting the first", &v)
	if len(v.Versions) != 1 || !parseTS(t, "versions", v.Versions[0]).Equal(d2.Modified) {
		t.Errorf("versions after deleting the first: %v, want only %s", v.Versions, stixTime(d2.Modified))
	}
	if res := del(""); res.Status != http.StatusOK {
		t.Fatalf("DELETE: status %d: %s", res.Status, clip(res.Body))
	}
	s.fails(t, s.get(t, s.env.Writer, obj), "GET a deleted object", http.StatusNotFound)
	s.fails(t, s.get(t, s.env.Reader, obj+"versions/"), "versions of a deleted object", http.StatusNotFound)
	s.fails(t, del(""), "DELETE a deleted object", http.StatusNotFound)
	s.fails(t, del("?match[version]=last,all&match[spec_version]=2.1"), "DELETE a deleted object with filters", http.StatusNotFound)

	// Without match[version], every version goes.
	e1 := s.newObject("malware", 401)
	versions := []stixObject{e1, version(e1, e1.Modified.Add(time.Second)), version(e1, e1.Modified.Add(2*time.Second))}
	for _, v := range versions {
		s.post(t, v)
	}
	obj = s.collPath + "objects/" + e1.ID + "/"
	if res := del(""); res.Status != http.StatusOK {
		t.Fatalf("DELETE of three versions: status %d: %s", res.Status, clip(res.Body))
	}
	for _, path := range []string{obj, obj + "?match[version]=all", obj + "?match[version]=first", obj + "versions/"} {
		s.fails(t, s.get(t, s.env.Reader, path), "GET "+path+" after DELETE", http.StatusNotFound)
	}
	if got, _ := s.objectsOf(t, s.env.Reader, q("match[id]", e1.ID, "match[version]", "all")); len(got) != 0 {
		t.Errorf("objects of a deleted object: %v", got)
	}
}
