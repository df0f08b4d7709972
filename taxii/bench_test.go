package taxii

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/enlace-exchange/enlace"
)

// benchPage is a page of n realistic indicators (about 500 bytes each).
func benchPage(n int) Page {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := Page{More: true}
	for i := range n {
		id := fmt.Sprintf("indicator--%08d-0000-4000-8000-000000000000", i)
		ts := t0.Add(time.Duration(i) * time.Millisecond).Format("2006-01-02T15:04:05.000Z")
		raw := fmt.Sprintf(`{"type":"indicator","spec_version":"2.1","id":%q,"created":%q,"modified":%q,"name":"Courier IP %d","description":"Address used by a courier network observed in three seizures.","indicator_types":["malicious-activity"],"pattern":"[ipv4-addr:value = '198.51.100.%d']","pattern_type":"stix","valid_from":%q,"object_marking_refs":["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"]}`, id, ts, ts, i, i%250, ts)
		p.Objects = append(p.Objects, Object{ID: id, Type: "indicator", SpecVersion: "2.1", Version: t0, DateAdded: t0.Add(time.Duration(i) * time.Microsecond), Seq: int64(i + 1), Raw: json.RawMessage(raw)})
	}
	return p
}

// discard is a ResponseWriter that keeps nothing.
type discard struct{ h http.Header }

func (d discard) Header() http.Header       { return d.h }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}
func reportObjects(b *testing.B, perOp int) {
	b.ReportMetric(float64(b.N*perOp)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkWriteEnvelope renders a 1,000-object page.
func BenchmarkWriteEnvelope(b *testing.B) {
	p := benchPage(1000)
	w := discard{http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		if err := writeEnvelope(w, p, "token"); err != nil {
			b.Fatal(err)
		}
	}
	reportObjects(b, 1000)
}

// staticBackend answers every Objects call with the same page.
type staticBackend struct {
	*fakeBackend
	page Page
}

func (s staticBackend) Objects(context.Context, enlace.User, string, string, Filter, Cursor, int) (Page, error) {
	return s.page, nil
}

// BenchmarkObjectsPage serves GET …/objects/?limit=1000 through the whole
// Server (authentication, negotiation, query, backend call, token, render).
func BenchmarkObjectsPage(b *testing.B) {
	sb := staticBackend{newFake(), benchPage(1000)}
	s := New(Config{Backend: sb, Authenticate: sb.authenticate, MaxLimit: 1000})
	r := httptest.NewRequest(http.MethodGet, objectsPath+"?limit=1000&match[type]=indicator", nil)
	r.Header.Set("Accept", MediaType)
	r.SetBasicAuth("reader", "reader-pw")
	b.ReportAllocs()
	for b.Loop() {
		w := discard{http.Header{}}
		s.ServeHTTP(w, r)
	}
	reportObjects(b, 1000)
}

// BenchmarkManifestPage serves a 1,000-record manifest.
func BenchmarkManifestPage(b *testing.B) {
	sb := staticBackend{newFake(), benchPage(1000)}
	s := New(Config{Backend: sb, Authenticate: sb.authenticate, MaxLimit: 1000})
	r := httptest.NewRequest(http.MethodGet, "/taxii2/seizure/collections/"+sharedColl+"/manifest/?limit=1000", nil)
	r.Header.Set("Accept", MediaType)
	r.SetBasicAuth("reader", "reader-pw")
	b.ReportAllocs()
	for b.Loop() {
		s.ServeHTTP(discard{http.Header{}}, r)
	}
	reportObjects(b, 1000)
}
