package storetest

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/enlace-exchange/enlace"
)

func testReports(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	seed(t, s)
	in := newReport(1, "DIPOL", "CO")
	r1 := must(s.CreateReport(ctx, in))
	if r1.Seq <= 0 {
		t.Fatalf("created report seq %d, want > 0", r1.Seq)
	}
	in.Seq = r1.Seq
	diff(t, "created report", in, r1)
	got := must(s.Report(ctx, r1.ID))
	diff(t, "Report", r1, got)
	// cmp compares the objects' bytes already; say so plainly when only
	// the bytes differ.
	for i := range in.Objects {
		if string(got.Objects[i]) != string(in.Objects[i]) {
			t.Errorf("object %d changed in storage:\n got %s\nwant %s", i, got.Objects[i], in.Objects[i])
		}
	}

	// A bare report: no objects, no derivations, no description.
	bare := enlace.Report{
		ID: stixID("report", 2), Originator: "DEA", Nation: "US", Title: "Bare",
		Markings:  enlace.Markings{TLP: enlace.TLPClear},
		Grading:   enlace.Grading{Scheme: enlace.GradingUK3x5x2, Source: "1", Information: "A", Handling: "P"},
		CreatedBy: "lee", Published: at(1), CreatedAt: at(2),
	}
	r2 := must(s.CreateReport(ctx, bare))
	if r2.Seq <= r1.Seq {
		t.Errorf("second report seq %d, want > %d", r2.Seq, r1.Seq)
	}
	diff(t, "Report(bare)", r2, must(s.Report(ctx, bare.ID)))
	diff(t, "Reports", []enlace.Report{r1, r2}, must(s.Reports(ctx, enlace.ReportFilter{})))

	_, err := s.Report(ctx, stixID("report", 3))
	wantCode(t, "Report(unknown)", err, enlace.ENotFound)
}

// testReportRefused checks what CreateReport refuses, and that a refused
// report leaves nothing behind.
func testReportRefused(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	seed(t, s)
	first := must(s.CreateReport(ctx, newReport(1, "DIPOL", "CO")))

	notObject := newReport(2, "DIPOL", "CO")
	notObject.Objects = append(notObject.Objects, json.RawMessage(`["not", "an", "object"]`))
	noID := newReport(3, "DIPOL", "CO")
	noID.Objects = append(noID.Objects, json.RawMessage(`{"type":"indicator"}`))
	badTime := newReport(4, "DIPOL", "CO")
	badTime.Objects = append(badTime.Objects, json.RawMessage(fmt.Sprintf(`{"type":"note","id":%q,"created":"yesterday"}`, stixID("note", 4))))
	again := newReport(5, "DEA", "US")
	again.ID = first.ID

	tests := []struct {
		name string
		r    enlace.Report
		code enlace.Code
	}{
		{"duplicate id", again, enlace.EConflict},
		{"unknown originator", newReport(6, "GHOST", "CO"), enlace.ENotFound},
		{"object not a JSON object", notObject, enlace.EInvalid},
		{"object without id", noID, enlace.EInvalid},
		{"object with a bad timestamp", badTime, enlace.EInvalid},
	}
	for _, tt := range tests {
		_, err := s.CreateReport(ctx, tt.r)
		wantCode(t, tt.name, err, tt.code)
		if tt.r.ID != first.ID {
			_, err := s.Report(ctx, tt.r.ID)
			wantCode(t, tt.name+": Report after refusal", err, enlace.ENotFound)
		}
	}
	diff(t, "Reports after refusals", []enlace.Report{first}, must(s.Reports(ctx, enlace.ReportFilter{})))
}

func testReportFilters(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	seed(t, s)
	var all []enlace.Report
	for i, o := range []struct{ agency, nation string }{
		{"DIPOL", "CO"}, {"DEA", "US"}, {"ARC", "CO"}, {"DIPOL", "CO"}, {"USCG", "US"}, {"NCA", "GB"}, {"DIPOL", "CO"},
	} {
		all = append(all, must(s.CreateReport(ctx, newReport(i+1, o.agency, o.nation))))
	}
	pick := func(idx ...int) []string {
		out := []string{}
		for _, i := range idx {
			out = append(out, all[i].ID)
		}
		return out
	}
	tests := []struct {
		name string
		f    enlace.ReportFilter
		want []string
	}{
		{"everything", enlace.ReportFilter{}, pick(0, 1, 2, 3, 4, 5, 6)},
		{"originator", enlace.ReportFilter{Originator: "DIPOL"}, pick(0, 3, 6)},
		{"nation", enlace.ReportFilter{Nation: "CO"}, pick(0, 2, 3, 6)},
		{"originator and nation", enlace.ReportFilter{Originator: "DIPOL", Nation: "CO"}, pick(0, 3, 6)},
		{"originator of another nation", enlace.ReportFilter{Originator: "DIPOL", Nation: "US"}, pick()},
		{"after seq", enlace.ReportFilter{AfterSeq: all[3].Seq}, pick(4, 5, 6)},
		{"after seq and nation", enlace.ReportFilter{AfterSeq: all[2].Seq, Nation: "CO"}, pick(3, 6)},
		{"after the last", enlace.ReportFilter{AfterSeq: all[6].Seq}, pick()},
		{"limit", enlace.ReportFilter{Limit: 2}, pick(0, 1)},
		{"limit after seq", enlace.ReportFilter{AfterSeq: all[1].Seq, Limit: 3}, pick(2, 3, 4)},
		{"limit and originator", enlace.ReportFilter{Originator: "DIPOL", Limit: 2}, pick(0, 3)},
		{"limit above the maximum", enlace.ReportFilter{Limit: 1 << 20}, pick(0, 1, 2, 3, 4, 5, 6)},
		{"unknown originator", enlace.ReportFilter{Originator: "GHOST"}, pick()},
	}
	for _, tt := range tests {
		got := must(s.Reports(ctx, tt.f))
		diff(t, tt.name, tt.want, reportIDs(got))
	}
	// Filtered reports come whole, objects included.
	diff(t, "filtered reports", []enlace.Report{all[5]}, must(s.Reports(ctx, enlace.ReportFilter{Nation: "GB"})))
}

// testReportPaging walks all reports a page at a time, as a TAXII or API
// client does, and expects each exactly once, in order.
func testReportPaging(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	seed(t, s)
	var want []string
	for i := range 11 {
		want = append(want, must(s.CreateReport(ctx, newReport(i+1, "DIPOL", "CO"))).ID)
	}
	for _, limit := range []int{1, 3, 5, 11, 20} {
		var got []string
		var after int64
		for pages := 0; ; pages++ {
			if pages > len(want) {
				t.Fatalf("limit %d: paging does not end", limit)
			}
			page := must(s.Reports(ctx, enlace.ReportFilter{AfterSeq: after, Limit: limit}))
			if len(page) > limit {
				t.Fatalf("limit %d: page of %d", limit, len(page))
			}
			if len(page) == 0 {
				break
			}
			got = append(got, reportIDs(page)...)
			after = page[len(page)-1].Seq
		}
		diff(t, fmt.Sprintf("paged with limit %d", limit), want, got)
	}
}

// testReportDefaultLimit checks that a zero limit means the default page
// of 100, not everything.
func testReportDefaultLimit(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	seed(t, s)
	for i := range 101 {
		r := newReport(i+1, "DIPOL", "CO")
		r.Objects = nil
		must(s.CreateReport(ctx, r))
	}
	if got := must(s.Reports(ctx, enlace.ReportFilter{})); len(got) != 100 {
		t.Errorf("Reports with zero limit returned %d, want 100", len(got))
	}
	if got := must(s.Reports(ctx, enlace.ReportFilter{Limit: 101})); len(got) != 101 {
		t.Errorf("Reports with limit 101 returned %d, want 101", len(got))
	}
}

// testConcurrentWriters runs writers and readers at once. Every write must
// succeed (no "database is locked"), none may be lost, and arrival order
// must be one total order.
func testConcurrentWriters(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	seed(t, s)
	const writers, each = 8, 50
	var wg sync.WaitGroup
	errs := make(chan error, writers*each+writers)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				r := newReport(1000*(w+1)+i, "DIPOL", "CO")
				if _, err := s.CreateReport(ctx, r); err != nil {
					errs <- fmt.Errorf("writer %d report %d: %w", w, i, err)
				}
			}
		})
	}
	// Readers page while writers write: each page must be in arrival
	// order, whatever is committed when it is read.
	for range 2 {
		wg.Go(func() {
			for range 20 {
				page, err := s.Reports(ctx, enlace.ReportFilter{Limit: 50})
				if err != nil {
					errs <- fmt.Errorf("reader: %w", err)
					return
				}
				for i := 1; i < len(page); i++ {
					if page[i].Seq <= page[i-1].Seq {
						errs <- fmt.Errorf("reader: seq %d after %d", page[i].Seq, page[i-1].Seq)
					}
				}
				if _, err := s.PolicyVersion(ctx); err != nil {
					errs <- fmt.Errorf("reader: %w", err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	seen := map[string]bool{}
	var last int64
	for after := int64(0); ; {
		page := must(s.Reports(ctx, enlace.ReportFilter{AfterSeq: after, Limit: 1000}))
		if len(page) == 0 {
			break
		}
		for _, r := range page {
			if r.Seq <= last {
				t.Fatalf("seq %d after %d", r.Seq, last)
			}
			last = r.Seq
			if seen[r.ID] {
				t.Fatalf("report %s listed twice", r.ID)
			}
			seen[r.ID] = true
			if len(r.Objects) != 2 {
				t.Fatalf("report %s has %d objects, want 2", r.ID, len(r.Objects))
			}
		}
		after = page[len(page)-1].Seq
	}
	if len(seen) != writers*each {
		t.Errorf("stored %d reports, want %d", len(seen), writers*each)
	}
}
