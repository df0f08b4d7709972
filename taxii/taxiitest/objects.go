package taxiitest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// newObject returns a valid STIX 2.1 object of type typ (indicator, malware
// or threat-actor), prepared by Env.Prepare.
func (s *suite) newObject(typ string, n int) stixObject {
	now := time.Now().UTC().Truncate(time.Millisecond).Add(-time.Hour)
	o := map[string]any{
		"type": typ, "spec_version": "2.1", "id": typ + "--" + newUUID(),
		"created": stixTime(now), "modified": stixTime(now),
		"name": fmt.Sprintf("taxiitest %s %s %d", s.run, typ, n),
	}
	switch typ {
	case "indicator":
		o["pattern"] = fmt.Sprintf("[ipv4-addr:value = '198.51.100.%d']", n%250)
		o["pattern_type"] = "stix"
		o["valid_from"] = stixTime(now)
	case "malware":
		o["is_family"] = false
	}
	if s.env.Prepare != nil {
		s.env.Prepare(o)
	}
	return stixObject{ID: o["id"].(string), Type: typ, Modified: now, JSON: o}
}

// version returns a copy of o modified at m.
func version(o stixObject, m time.Time) stixObject {
	j := make(map[string]any, len(o.JSON))
	for k, v := range o.JSON {
		j[k] = v
	}
	j["modified"] = stixTime(m)
	return stixObject{ID: o.ID, Type: o.Type, Modified: m.UTC(), JSON: j}
}

func (s *suite) envelope(t *testing.T, objs ...stixObject) []byte {
	t.Helper()
	list := make([]map[string]any, len(objs))
	for i, o := range objs {
		list[i] = o.JSON
	}
	b, err := json.Marshal(map[string]any{"objects": list})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type statusResource struct {
	ID           string `json:"id"`
	Status       string `json:"status"`
	Request      string `json:"request_timestamp"`
	TotalCount   int    `json:"total_count"`
	SuccessCount int    `json:"success_count"`
	FailureCount int    `json:"failure_count"`
	PendingCount int    `json:"pending_count"`
	Successes    []struct {
		ID      string `json:"id"`
		Version string `json:"version"`
	} `json:"successes"`
	Failures []struct {
		ID      string `json:"id"`
		Message string `json:"message"`
	} `json:"failures"`
}

// post adds objs as the writer and checks that all succeeded.
func (s *suite) post(t *testing.T, objs ...stixObject) statusResource {
	t.Helper()
	res := s.do(t, request{method: http.MethodPost, path: s.collPath + "objects/", creds: &s.env.Writer, body: s.envelope(t, objs...)})
	var st statusResource
	s.ok(t, res, http.StatusAccepted, "POST objects", &st)
	if st.ID == "" || st.Status != "complete" || st.TotalCount != len(objs) || st.SuccessCount != len(objs) || st.FailureCount != 0 || st.PendingCount != 0 {
		t.Fatalf("POST objects: status %s", clip(res.Body))
	}
	return st
}

func (s *suite) testAdd(t *testing.T) {
	types := []string{"indicator", "malware", "threat-actor"}
	for i := range 17 {
		s.visible = append(s.visible, s.newObject(types[i%3], i))
	}
	var last statusResource
	for _, batch := range [][]stixObject{s.visible[:6], s.visible[6:12], s.visible[12:]} {
		last = s.post(t, batch...)
	}
	var got statusResource
	s.ok(t, s.get(t, s.env.Writer, s.rootPath+"status/"+last.ID+"/"), http.StatusOK, "status", &got)
	if got.ID != last.ID || got.TotalCount != 5 || got.SuccessCount != 5 || got.Status != "complete" {
		t.Errorf("status %s: %+v", last.ID, got)
	}
	if got.Request != "" && !timestampRE.MatchString(got.Request) {
		t.Errorf("status: request_timestamp %q", got.Request)
	}
	if len(got.Successes) > 0 && got.Successes[0].ID != s.visible[12].ID {
		t.Errorf("status: successes[0] %+v, want %s", got.Successes[0], s.visible[12].ID)
	}
	s.fails(t, s.get(t, s.env.Writer, s.rootPath+"status/"+newUUID()+"/"), "unknown status", http.StatusNotFound)

	v1 := s.newObject("indicator", 100)
	s.versioned = []stixObject{v1, version(v1, v1.Modified.Add(time.Second)), version(v1, v1.Modified.Add(2*time.Second))}
	for _, v := range s.versioned {
		s.post(t, v)
	}

	for i, typ := range []string{"indicator", "malware"} {
		h := s.newObject(typ, 200+i)
		s.env.Hide(h.JSON)
		s.hidden = append(s.hidden, h)
	}
	s.post(t, s.hidden...)

	// One valid object and one without created, modified or pattern: the
	// valid one is kept, the invalid one is a failure with a reason.
	good, bad := s.newObject("malware", 300), s.newObject("indicator", 301)
	for _, k := range []string{"created", "modified", "pattern", "pattern_type", "valid_from"} {
		delete(bad.JSON, k)
	}
	res := s.do(t, request{method: http.MethodPost, path: s.collPath + "objects/", creds: &s.env.Writer, body: s.envelope(t, good, bad)})
	var mixed statusResource
	s.ok(t, res, http.StatusAccepted, "POST a valid and an invalid object", &mixed)
	if mixed.TotalCount != 2 || mixed.SuccessCount != 1 || mixed.FailureCount != 1 || len(mixed.Failures) != 1 {
		t.Fatalf("POST a valid and an invalid object: status %s", clip(res.Body))
	}
	if f := mixed.Failures[0]; f.ID != bad.ID || f.Message == "" {
		t.Errorf("POST a valid and an invalid object: failure %+v, want %s with a reason", f, bad.ID)
	}
	s.ok(t, s.get(t, s.env.Reader, s.collPath+"objects/"+good.ID+"/"), http.StatusOK, "the valid object of a mixed POST", nil)
	s.fails(t, s.get(t, s.env.Reader, s.collPath+"objects/"+bad.ID+"/"), "the invalid object of a mixed POST", http.StatusNotFound)
}

// envelope is a TAXII envelope as read back.
type envelope struct {
	More    bool             `json:"more"`
	Next    string           `json:"next"`
	Objects []map[string]any `json:"objects"`
}

func (e envelope) ids() []string {
	var out []string
	for _, o := range e.Objects {
		id, _ := o["id"].(string)
		out = append(out, id)
	}
	return out
}

type manifestRecord struct {
	ID        string `json:"id"`
	DateAdded string `json:"date_added"`
	Version   string `json:"version"`
	MediaType string `json:"media_type"`
}

type manifest struct {
	More    bool             `json:"more"`
	Next    string           `json:"next"`
	Objects []manifestRecord `json:"objects"`
}

func ids(objs []stixObject) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.ID
	}
	return out
}

func idList(objs []stixObject) string { return strings.Join(ids(objs), ",") }

// dateAdded returns the date_added of every object matching query, as creds
// sees them in the manifest, walking every page.
func (s *suite) dateAdded(t *testing.T, creds Credentials, query string) ([]string, map[string]string) {
	t.Helper()
	var order []string
	added := map[string]string{}
	next := ""
	for range 200 {
		path := s.collPath + "manifest/" + query
		if next != "" {
			path += "&next=" + next
		}
		var m manifest
		s.ok(t, s.get(t, creds, path), http.StatusOK, "manifest "+query, &m)
		for _, r := range m.Objects {
			order = append(order, r.ID)
			added[r.ID] = r.DateAdded
		}
		if !m.More {
			return order, added
		}
		next = m.Next
	}
	t.Fatalf("manifest %s: more than 200 pages", query)
	return nil, nil
}

// checkHeaders asserts the date-added headers of a page: present and equal
// to the first and last date_added when the page has objects, absent when
// it has none.
func checkHeaders(t *testing.T, what string, res response, first, last string) {
	t.Helper()
	f, l := res.Header.Get("X-TAXII-Date-Added-First"), res.Header.Get("X-TAXII-Date-Added-Last")
	if first == "" {
		if f != "" || l != "" {
			t.Errorf("%s: an empty page carries date-added headers %q, %q", what, f, l)
		}
		return
	}
	if f != first || l != last {
		t.Errorf("%s: X-TAXII-Date-Added-First/Last %q, %q; want %q, %q", what, f, l, first, last)
	}
	parseTS(t, what+" X-TAXII-Date-Added-First", f)
	parseTS(t, what+" X-TAXII-Date-Added-Last", l)
}

func (s *suite) testPaging(t *testing.T) {
	query := q("match[id]", idList(s.visible), "limit", "7")
	order, added := s.dateAdded(t, s.env.Reader, q("match[id]", idList(s.visible)))
	if !slices.Equal(order, ids(s.visible)) {
		t.Fatalf("manifest order %v, want the posting order %v", order, ids(s.visible))
	}
	var all []string
	next := ""
	for i, want := range []int{7, 7, 3} {
		path := s.collPath + "objects/" + query
		if next != "" {
			path += "&next=" + next
		}
		res := s.get(t, s.env.Reader, path)
		var e envelope
		s.ok(t, res, http.StatusOK, fmt.Sprintf("objects page %d", i+1), &e)
		if len(e.Objects) != want || e.More != (i < 2) || (e.Next != "") != e.More {
			t.Fatalf("objects page %d: %d objects, more %v, next %q; want %d, %v", i+1, len(e.Objects), e.More, e.Next, want, i < 2)
		}
		pageIDs := e.ids()
		checkHeaders(t, fmt.Sprintf("objects page %d", i+1), res, added[pageIDs[0]], added[pageIDs[len(pageIDs)-1]])
		for j, o := range e.Objects {
			want := s.visible[len(all)+j]
			if o["id"] != want.ID || o["type"] != want.Type || o["name"] != want.JSON["name"] {
				t.Errorf("objects page %d, object %d: %v %v %v; want %s %s %v", i+1, j, o["id"], o["type"], o["name"], want.ID, want.Type, want.JSON["name"])
			}
		}
		all = append(all, pageIDs...)
		next = e.Next
	}
	if !slices.Equal(all, ids(s.visible)) {
		t.Errorf("paging returned %v, want %v in date-added order", all, ids(s.visible))
	}
}

func (s *suite) testManifestPaging(t *testing.T) {
	query := q("match[id]", idList(s.visible), "limit", "7")
	var all []string
	next, prev := "", ""
	for i, want := range []int{7, 7, 3} {
		path := s.collPath + "manifest/" + query
		if next != "" {
			path += "&next=" + next
		}
		res := s.get(t, s.env.Reader, path)
		var m manifest
		s.ok(t, res, http.StatusOK, fmt.Sprintf("manifest page %d", i+1), &m)
		if len(m.Objects) != want || m.More != (i < 2) || (m.Next != "") != m.More {
			t.Fatalf("manifest page %d: %d records, more %v, next %q; want %d, %v", i+1, len(m.Objects), m.More, m.Next, want, i < 2)
		}
		base := len(all)
		for j, r := range m.Objects {
			o := s.visible[base+j]
			what := fmt.Sprintf("manifest page %d record %d", i+1, j)
			parseTS(t, what+" date_added", r.DateAdded)
			if v := parseTS(t, what+" version", r.Version); !v.Equal(o.Modified) {
				t.Errorf("%s: version %s, want %s", what, r.Version, stixTime(o.Modified))
			}
			if r.ID != o.ID || r.MediaType != stixMediaType {
				t.Errorf("%s: %+v, want id %s and media_type %s", what, r, o.ID, stixMediaType)
			}
			if r.DateAdded < prev {
				t.Errorf("%s: date_added %s before the previous %s", what, r.DateAdded, prev)
			}
			prev = r.DateAdded
			all = append(all, r.ID)
		}
		checkHeaders(t, fmt.Sprintf("manifest page %d", i+1), res, m.Objects[0].DateAdded, m.Objects[len(m.Objects)-1].DateAdded)
		next = m.Next
	}
	if !slices.Equal(all, ids(s.visible)) {
		t.Errorf("manifest paging returned %v, want %v", all, ids(s.visible))
	}
}

// objectsOf returns every object matching query, as creds sees them, with
// the response of the first page.
func (s *suite) objectsOf(t *testing.T, creds Credentials, query string) ([]string, response) {
	t.Helper()
	res := s.get(t, creds, s.collPath+"objects/"+query)
	var e envelope
	s.ok(t, res, http.StatusOK, "objects "+query, &e)
	if e.More {
		t.Fatalf("objects %s: more than one page", query)
	}
	return e.ids(), res
}

func (s *suite) testFilters(t *testing.T) {
	_, added := s.dateAdded(t, s.env.Reader, q("match[id]", idList(s.visible)))
	var want []string
	for _, o := range s.visible {
		if o.Type == "indicator" || o.Type == "malware" {
			want = append(want, o.ID)
		}
	}
	got, _ := s.objectsOf(t, s.env.Reader, q("match[id]", idList(s.visible), "match[type]", "malware,indicator"))
	if !slices.Equal(got, want) {
		t.Errorf("match[type]=malware,indicator (ORed): %v, want %v", got, want)
	}

	var indicators []stixObject
	for _, o := range s.visible {
		if o.Type == "indicator" {
			indicators = append(indicators, o)
		}
	}
	got, res := s.objectsOf(t, s.env.Reader, q("match[id]", idList(indicators), "match[type]", "malware"))
	if len(got) != 0 {
		t.Errorf("match[id]=indicators AND match[type]=malware: %v, want none", got)
	}
	checkHeaders(t, "an empty page", res, "", "")

	two := []stixObject{s.visible[3], s.visible[11]}
	if got, _ := s.objectsOf(t, s.env.Reader, q("match[id]", idList(two))); !slices.Equal(got, ids(two)) {
		t.Errorf("match[id] with two ids: %v, want %v", got, ids(two))
	}

	pivot := added[s.visible[9].ID]
	want = nil
	for _, o := range s.visible {
		if added[o.ID] > pivot {
			want = append(want, o.ID)
		}
	}
	if got, _ := s.objectsOf(t, s.env.Reader, q("match[id]", idList(s.visible), "added_after", pivot)); !slices.Equal(got, want) {
		t.Errorf("added_after=%s (exclusive): %v, want %v", pivot, got, want)
	}
	if got, _ := s.objectsOf(t, s.env.Reader, q("match[id]", idList(s.visible), "match[spec_version]", "2.1")); !slices.Equal(got, ids(s.visible)) {
		t.Errorf("match[spec_version]=2.1: %v, want every object", got)
	}
	if got, _ := s.objectsOf(t, s.env.Reader, q("match[id]", idList(s.visible), "match[spec_version]", "2.0")); len(got) != 0 {
		t.Errorf("match[spec_version]=2.0: %v, want none", got)
	}
	if got, _ := s.objectsOf(t, s.env.Reader, q("match[id]", idList(s.visible), "match[type]", "indicator", "match[spec_version]", "2.0,2.1")); !slices.Equal(got, ids(indicators)) {
		t.Errorf("match[type]=indicator AND match[spec_version]=2.0,2.1: %v, want %v", got, ids(indicators))
	}
}

// modifiedOf returns the modified timestamps of objects in an envelope.
func modifiedOf(t *testing.T, body []byte) []time.Time {
	t.Helper()
	var e envelope
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatal(err)
	}
	var out []time.Time
	for _, o := range e.Objects {
		m, _ := o["modified"].(string)
		ts, err := time.Parse(time.RFC3339Nano, m)
		if err != nil {
			t.Fatalf("modified %q: %v", m, err)
		}
		out = append(out, ts)
	}
	return out
}

func (s *suite) testVersions(t *testing.T) {
	v := s.versioned
	obj := s.collPath + "objects/" + v[0].ID + "/"
	check := func(query string, want ...stixObject) {
		t.Helper()
		res := s.get(t, s.env.Reader, obj+query)
		s.ok(t, res, http.StatusOK, "object "+query, nil)
		got := modifiedOf(t, res.Body)
		if len(got) != len(want) {
			t.Errorf("object %s: versions %v, want %d", query, got, len(want))
			return
		}
		for i := range want {
			if !got[i].Equal(want[i].Modified) {
				t.Errorf("object %s: version %d is %s, want %s", query, i, got[i], want[i].Modified)
			}
		}
	}
	check("", v[2])
	check(q("match[version]", "last"), v[2])
	check(q("match[version]", "first"), v[0])
	check(q("match[version]", "all"), v...)
	check(q("match[version]", "first,last"), v[0], v[2])
	check(q("match[version]", stixTime(v[1].Modified)), v[1])
	check(q("match[version]", stixTime(v[0].Modified)+","+stixTime(v[2].Modified)), v[0], v[2])
	s.fails(t, s.get(t, s.env.Reader, obj+q("match[version]", stixTime(v[0].Modified.Add(time.Millisecond)))), "object at a version that does not exist", http.StatusNotFound)
	s.fails(t, s.get(t, s.env.Reader, obj+q("match[spec_version]", "2.0")), "object at spec_version 2.0", http.StatusNotFound)

	if got, _ := s.objectsOf(t, s.env.Reader, q("match[id]", v[0].ID)); len(got) != 1 {
		t.Errorf("objects match[id]=%s: %d objects, want the last version only", v[0].ID, len(got))
	}
	if got, _ := s.objectsOf(t, s.env.Reader, q("match[id]", v[0].ID, "match[version]", "all")); len(got) != 3 {
		t.Errorf("objects match[id]=%s match[version]=all: %d objects, want 3", v[0].ID, len(got))
	}

	type versions struct {
		More     bool     `json:"more"`
		Next     string   `json:"next"`
		Versions []string `json:"versions"`
	}
	var all versions
	res := s.get(t, s.env.Reader, obj+"versions/")
	s.ok(t, res, http.StatusOK, "versions", &all)
	if len(all.Versions) != 3 || all.More {
		t.Fatalf("versions: %+v, want 3 and no more", all)
	}
	for i, ver := range all.Versions {
		if got := parseTS(t, "versions", ver); !got.Equal(v[i].Modified) {
			t.Errorf("versions[%d] = %s, want %s", i, ver, stixTime(v[i].Modified))
		}
	}
	if order, _ := s.dateAdded(t, s.env.Reader, q("match[id]", v[0].ID, "match[version]", "all")); len(order) != 3 {
		t.Errorf("manifest of every version of one object: %v, want 3 records", order)
	}
	if res.Header.Get("X-TAXII-Date-Added-First") == "" || res.Header.Get("X-TAXII-Date-Added-Last") == "" {
		t.Error("versions: no date-added headers")
	}

	var p1, p2 versions
	s.ok(t, s.get(t, s.env.Reader, obj+"versions/?limit=2"), http.StatusOK, "versions page 1", &p1)
	if len(p1.Versions) != 2 || !p1.More || p1.Next == "" {
		t.Fatalf("versions?limit=2: %+v", p1)
	}
	s.ok(t, s.get(t, s.env.Reader, obj+"versions/?limit=2&next="+p1.Next), http.StatusOK, "versions page 2", &p2)
	if len(p2.Versions) != 1 || p2.More || p2.Next != "" {
		t.Errorf("versions page 2: %+v", p2)
	}
	if got := append(p1.Versions, p2.Versions...); !slices.Equal(got, all.Versions) {
		t.Errorf("versions paged %v, want %v", got, all.Versions)
	}
	s.fails(t, s.get(t, s.env.Reader, s.collPath+"objects/indicator--"+newUUID()+"/versions/"), "versions of an unknown object", http.StatusNotFound)
	s.fails(t, s.get(t, s.env.Reader, s.collPath+"objects/indicator--"+newUUID()+"/"), "an unknown object", http.StatusNotFound)
}

func (s *suite) testNextMisuse(t *testing.T) {
	query := q("match[id]", idList(s.visible), "limit", "7")
	var e envelope
	s.ok(t, s.get(t, s.env.Reader, s.collPath+"objects/"+query), http.StatusOK, "objects page 1", &e)
	if e.Next == "" {
		t.Fatal("objects page 1: no next")
	}
	next := e.Next
	s.ok(t, s.get(t, s.env.Reader, s.collPath+"objects/"+query+"&next="+next), http.StatusOK, "next as issued", nil)

	mid := len(next) / 2
	flip := byte('A')
	if next[mid] == 'A' {
		flip = 'B'
	}
	tampered := next[:mid] + string(flip) + next[mid+1:]
	other := s.env.OtherCollection
	if other == "" {
		other = "no-such-collection-" + s.run
	}
	otherPath := s.rootPath + "collections/" + other + "/objects/"
	for _, c := range []struct {
		what  string
		creds Credentials
		path  string
	}{
		{"a tampered token", s.env.Reader, s.collPath + "objects/" + query + "&next=" + tampered},
		{"a truncated token", s.env.Reader, s.collPath + "objects/" + query + "&next=" + next[:len(next)-4]},
		{"a made-up token", s.env.Reader, s.collPath + "objects/" + query + "&next=abc"},
		{"another limit", s.env.Reader, s.collPath + "objects/" + q("match[id]", idList(s.visible), "limit", "6") + "&next=" + next},
		{"no limit", s.env.Reader, s.collPath + "objects/" + q("match[id]", idList(s.visible)) + "&next=" + next},
		{"another filter", s.env.Reader, s.collPath + "objects/" + query + "&match[type]=indicator&next=" + next},
		{"another user", s.env.Restricted, s.collPath + "objects/" + query + "&next=" + next},
		{"another endpoint", s.env.Reader, s.collPath + "manifest/" + query + "&next=" + next},
		{"another collection", s.env.Reader, otherPath + query + "&next=" + next},
	} {
		e := s.fails(t, s.get(t, c.creds, c.path), "next with "+c.what, http.StatusBadRequest)
		if e.Description == "" || !strings.Contains(strings.ToLower(e.Description), "next") {
			t.Errorf("next with %s: the description %q does not say what is wrong with next", c.what, e.Description)
		}
	}
}
