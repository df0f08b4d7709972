package taxii

import (
	"strings"
	"testing"
	"time"

	"github.com/enlace-exchange/enlace"
	"github.com/google/go-cmp/cmp"
)

func TestParseQuery(t *testing.T) {
	t1 := time.Date(2021, 6, 10, 1, 2, 3, 456789000, time.UTC)
	for _, c := range []struct {
		raw  string
		ep   endpoint
		want query
	}{
		{"", epObjects, query{Limit: 10}},
		{"", epPlain, query{}},
		{"", epDelete, query{}},
		{"limit=5", epObjects, query{Limit: 5}},
		{"limit=5000", epObjects, query{Limit: 50}}, // capped
		{"next=abc", epManifest, query{Limit: 10, Next: "abc"}},
		{"added_after=2021-06-10T01:02:03.456789Z", epObjects, query{Limit: 10, Filter: Filter{AddedAfter: t1}}},
		{"added_after=2021-06-10T03:02:03.456789%2B02:00", epObjects, query{Limit: 10, Filter: Filter{AddedAfter: t1}}},
		{"added_after=2021-06-10T03:02:03.456789+02:00", epObjects, query{Limit: 10, Filter: Filter{AddedAfter: t1}}},
		{"match[type]=malware,indicator,malware", epObjects, query{Limit: 10, Filter: Filter{Types: []string{"indicator", "malware"}}}},
		{"match%5Bid%5D=b--1%2Ca--2", epObjects, query{Limit: 10, Filter: Filter{IDs: []string{"a--2", "b--1"}}}},
		{"match[spec_version]=2.1,2.0", epVersions, query{Limit: 10, Filter: Filter{SpecVersions: []string{"2.0", "2.1"}}}},
		{"match[version]=all,2021-06-10T01:02:03.456789Z,first,last,first", epObject, query{Limit: 10, Filter: Filter{Versions: []Version{
			{Kind: VersionLast}, {Kind: VersionFirst}, {Kind: VersionAll}, {Kind: VersionAt, At: t1},
		}}}},
		{"match[version]=all&match[spec_version]=2.1", epDelete, query{Filter: Filter{Versions: []Version{{Kind: VersionAll}}, SpecVersions: []string{"2.1"}}}},
	} {
		got, err := parseQuery(c.raw, c.ep, 10, 50)
		if err != nil {
			t.Errorf("parseQuery(%q, %s): %v", c.raw, c.ep, err)
			continue
		}
		if d := cmp.Diff(c.want, got); d != "" {
			t.Errorf("parseQuery(%q, %s) (-want +got):\n%s", c.raw, c.ep, d)
		}
	}
}

func TestParseQueryErrors(t *testing.T) {
	for _, c := range []struct {
		raw, wantMsg string
		ep           endpoint
	}{
		{"x=1", "takes no parameters", epPlain},
		{"limit=1", "takes no parameters", epPlain},
		{"limit=0", "positive integer", epObjects},
		{"limit=-1", "positive integer", epObjects},
		{"limit=1e3", "positive integer", epObjects},
		{"limit=99999999999999999999", "positive integer", epObjects},
		{"limit=1&limit=2", "must occur once", epObjects},
		{"match[type]=a&match[type]=b", "must occur once", epObjects},
		{"match[type]=a,,b", "empty value", epObjects},
		{"match[type]=", "empty value", epObjects},
		{"match[type]=a,", "empty value", epObjects},
		{"match[type]=" + strings.Repeat("x", 300), "longer than", epObjects},
		{"match[type]=" + strings.Repeat("x,", 600) + "x", "more than", epObjects},
		{"match[version]=latest", "last, first, all or a timestamp", epObjects},
		{"match[spec_version]=2", "versions such as 2.1", epObjects},
		{"match[spec_version]=2.1.1", "versions such as 2.1", epObjects},
		{"added_after=2021-06-10", "added_after must be a timestamp", epObjects},
		{"added_after=", "added_after must be a timestamp", epObjects},
		{"next=", "next must not be empty", epObjects},
		{"match[id]=x", "not supported here", epVersions},
		{"match[type]=x", "not supported here", epObject},
		{"limit=3", "not supported here", epDelete},
		{"match[foo]=bar", "not supported here", epObjects},
		{"type=indicator", "not supported here", epManifest},
		{"a=%zz", "malformed query", epObjects},
		{"a=1;b=2", "malformed query", epObjects},
		{strings.Repeat("a", maxQueryLen+1), "exceeds", epObjects},
	} {
		_, err := parseQuery(c.raw, c.ep, 10, 50)
		if enlace.ErrorCode(err) != enlace.EInvalid {
			t.Errorf("parseQuery(%.40q, %s): %v, want EInvalid", c.raw, c.ep, err)
			continue
		}
		if !strings.Contains(enlace.ErrorMessage(err), c.wantMsg) {
			t.Errorf("parseQuery(%.40q, %s): message %q lacks %q", c.raw, c.ep, enlace.ErrorMessage(err), c.wantMsg)
		}
	}
}

// TestFingerprint: spellings of one query share a fingerprint; anything
// that changes the answer changes it.
func TestFingerprint(t *testing.T) {
	fp := func(raw string) [32]byte {
		t.Helper()
		q, err := parseQuery(raw, epObjects, 10, 50)
		if err != nil {
			t.Fatal(err)
		}
		return q.fingerprint()
	}
	base := fp("match[type]=a,b&limit=7")
	for _, same := range []string{"limit=7&match[type]=b,a", "match[type]=a,b,a&limit=7", "match[type]=a,b&limit=7&next=zzz"} {
		if fp(same) != base {
			t.Errorf("%q: fingerprint differs from the same query's", same)
		}
	}
	for _, other := range []string{
		"match[type]=a,b", "match[type]=a,b&limit=8", "match[type]=a&limit=7", "match[id]=a,b&limit=7",
		"match[type]=a,b&limit=7&match[version]=all", "match[type]=a,b&limit=7&match[spec_version]=2.1",
		"match[type]=a,b&limit=7&added_after=2021-01-01T00:00:00Z", "match[type]=a%2Cb&limit=7&match[id]=x",
	} {
		if fp(other) == base {
			t.Errorf("%q: fingerprint equals another query's", other)
		}
	}
	// Items are length-prefixed: moving a comma is another query.
	if fp("match[type]=ab,c") == fp("match[type]=a,bc") {
		t.Error("match[type]=ab,c and a,bc share a fingerprint")
	}
}

// FuzzParseQuery: no query string makes the parser panic, and what it
// accepts is within bounds.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		"", "limit=7", "match[type]=indicator,malware&match[id]=indicator--1", "match[version]=first,last,all,2021-06-10T00:00:00.000Z",
		"added_after=2021-06-10T00:00:00Z&next=abc", "match[spec_version]=2.0,2.1", "a=%zz", "limit=0", "match%5Bversion%5D=all",
		"added_after=2021-06-10T03:02:03+02:00", "match[type]=,", "limit=9223372036854775808",
	} {
		f.Add(s)
	}
	eps := []endpoint{epPlain, epObjects, epManifest, epObject, epVersions, epDelete}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, ep := range eps {
			q, err := parseQuery(raw, ep, 10, 50)
			if err != nil {
				if enlace.ErrorCode(err) != enlace.EInvalid {
					t.Fatalf("parseQuery(%q, %s): %v, want EInvalid", raw, ep, err)
				}
				continue
			}
			_ = q.fingerprint()
			paged := ep == epObjects || ep == epManifest || ep == epObject || ep == epVersions
			if paged && (q.Limit < 1 || q.Limit > 50) || !paged && q.Limit != 0 {
				t.Fatalf("parseQuery(%q, %s): limit %d", raw, ep, q.Limit)
			}
			for _, list := range [][]string{q.Filter.IDs, q.Filter.Types, q.Filter.SpecVersions} {
				if len(list) > maxListItems {
					t.Fatalf("parseQuery(%q, %s): %d items", raw, ep, len(list))
				}
				for _, it := range list {
					if it == "" || len(it) > maxItemLen {
						t.Fatalf("parseQuery(%q, %s): item %q", raw, ep, it)
					}
				}
			}
			if !q.Filter.AddedAfter.IsZero() && q.Filter.AddedAfter.Location() != time.UTC {
				t.Fatalf("parseQuery(%q, %s): added_after not in UTC", raw, ep)
			}
		}
	})
}
