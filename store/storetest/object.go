package storetest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/enlace-exchange/enlace"
)

// stixObject returns a STIX object of typ, number n, at version minute v
// (v < 0: an object without versions).
func stixObject(typ string, n, v int) json.RawMessage {
	if v < 0 {
		return json.RawMessage(fmt.Sprintf(`{"type":%q,"id":%q,"value":"198.51.100.%d"}`, typ, stixID(typ, n), n))
	}
	ts := at(v).Format("2006-01-02T15:04:05.000000Z")
	return json.RawMessage(fmt.Sprintf(`{"type":%q,"spec_version":"2.1","id":%q,"created":%q,"modified":%q,"name":"n%d"}`,
		typ, stixID(typ, n), at(0).Format(time.RFC3339), ts, n))
}

// objectReport returns report n from originator carrying objects.
func objectReport(n int, originator, nation string, objects ...json.RawMessage) enlace.Report {
	r := newReport(n, originator, nation)
	r.DerivedFrom = nil
	r.Objects = objects
	return r
}

func objectIDs(os []enlace.StoredObject) []string {
	out := make([]string, len(os))
	for i, o := range os {
		out[i] = fmt.Sprintf("%s@%s", o.ID, o.Version.Format("15:04"))
	}
	return out
}

func v(id string, m int) string { return fmt.Sprintf("%s@%s", id, at(m).Format("15:04")) }

func testObjects(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	seed(t, s)
	r1 := must(s.CreateReport(ctx, objectReport(1, "DIPOL", "CO",
		stixObject("indicator", 1, 1), stixObject("malware", 2, 1), stixObject("x-enlace-vessel", 3, 1))))
	r2 := must(s.CreateReport(ctx, objectReport(2, "DEA", "US",
		stixObject("indicator", 4, 2), stixObject("indicator", 1, 5))))
	ind1, mal2, ves3, ind4 := stixID("indicator", 1), stixID("malware", 2), stixID("x-enlace-vessel", 3), stixID("indicator", 4)

	all := must(s.Objects(ctx, enlace.ObjectFilter{Versions: []enlace.VersionMatch{{Kind: enlace.VersionAll}}}))
	diff(t, "Objects(all versions)", []string{v(ind1, 1), v(mal2, 1), v(ves3, 1), v(ind4, 2), v(ind1, 5)}, objectIDs(all))
	for i := 1; i < len(all); i++ {
		if !all[i].DateAdded.After(all[i-1].DateAdded) {
			t.Errorf("date_added %v of object %d is not after %v", all[i].DateAdded, i, all[i-1].DateAdded)
		}
	}
	if string(all[0].Raw) != string(r1.Objects[0]) || all[0].ReportID != r1.ID || all[0].Originator != "DIPOL" ||
		all[0].Markings.TLP != r1.Markings.TLP || all[4].ReportID != r2.ID || all[0].SpecVersion != "2.1" {
		t.Errorf("first object = %+v", all[0])
	}

	tests := []struct {
		name string
		f    enlace.ObjectFilter
		want []string
	}{
		{"default: last versions", enlace.ObjectFilter{}, []string{v(mal2, 1), v(ves3, 1), v(ind4, 2), v(ind1, 5)}},
		{"first", enlace.ObjectFilter{Versions: []enlace.VersionMatch{{Kind: enlace.VersionFirst}}},
			[]string{v(ind1, 1), v(mal2, 1), v(ves3, 1), v(ind4, 2)}},
		{"first or last", enlace.ObjectFilter{Versions: []enlace.VersionMatch{{Kind: enlace.VersionFirst}, {Kind: enlace.VersionLast}}},
			[]string{v(ind1, 1), v(mal2, 1), v(ves3, 1), v(ind4, 2), v(ind1, 5)}},
		{"at", enlace.ObjectFilter{Versions: []enlace.VersionMatch{{Kind: enlace.VersionAt, At: at(1)}}},
			[]string{v(ind1, 1), v(mal2, 1), v(ves3, 1)}},
		{"types ORed", enlace.ObjectFilter{Types: []string{"malware", "x-enlace-vessel"}}, []string{v(mal2, 1), v(ves3, 1)}},
		{"ids and types ANDed", enlace.ObjectFilter{IDs: []string{ind1, mal2}, Types: []string{"indicator"}}, []string{v(ind1, 5)}},
		{"originator", enlace.ObjectFilter{Originator: "DEA"}, []string{v(ind4, 2), v(ind1, 5)}},
		{"added after", enlace.ObjectFilter{AddedAfter: all[2].DateAdded, Versions: []enlace.VersionMatch{{Kind: enlace.VersionAll}}},
			[]string{v(ind4, 2), v(ind1, 5)}},
		{"spec version", enlace.ObjectFilter{SpecVersions: []string{"2.0"}}, []string{}},
		{"limit", enlace.ObjectFilter{Limit: 2}, []string{v(mal2, 1), v(ves3, 1)}},
	}
	for _, tt := range tests {
		diff(t, "Objects("+tt.name+")", tt.want, objectIDs(must(s.Objects(ctx, tt.f))))
	}
	_, err := s.Objects(ctx, enlace.ObjectFilter{Versions: []enlace.VersionMatch{{Kind: "newest"}}})
	wantCode(t, "Objects(unknown version selector)", err, enlace.EInvalid)

	// An object without versions is stored once; so is a version.
	sco := stixObject("ipv4-addr", 7, -1)
	must(s.CreateReport(ctx, objectReport(3, "DIPOL", "CO", sco)))
	_, err = s.CreateReport(ctx, objectReport(4, "DIPOL", "CO", sco))
	wantCode(t, "CreateReport(same observable again)", err, enlace.EConflict)
	_, err = s.CreateReport(ctx, objectReport(5, "DEA", "US", stixObject("malware", 2, 1)))
	wantCode(t, "CreateReport(same version again)", err, enlace.EConflict)
	obs := must(s.Objects(ctx, enlace.ObjectFilter{Types: []string{"ipv4-addr"}}))
	if len(obs) != 1 || !obs[0].Version.Equal(obs[0].DateAdded) || obs[0].SpecVersion != "" {
		t.Errorf("observable = %+v, want one whose version is its date added", obs)
	}
}

func testObjectVersions(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	seed(t, s)
	must(s.CreateReport(ctx, objectReport(1, "DIPOL", "CO", stixObject("indicator", 1, 3), stixObject("ipv4-addr", 2, -1))))
	// An older version arriving later becomes the first, not the last.
	must(s.CreateReport(ctx, objectReport(2, "DIPOL", "CO", stixObject("indicator", 1, 1))))
	ind := stixID("indicator", 1)
	diff(t, "last", []string{v(ind, 3)}, objectIDs(must(s.Objects(ctx, enlace.ObjectFilter{IDs: []string{ind}}))))
	diff(t, "first", []string{v(ind, 1)}, objectIDs(must(s.Objects(ctx,
		enlace.ObjectFilter{IDs: []string{ind}, Versions: []enlace.VersionMatch{{Kind: enlace.VersionFirst}}}))))

	keys := []string{enlace.VersionKey(ind, at(3)), enlace.VersionKey(ind, at(2)), enlace.VersionKey(stixID("ipv4-addr", 2), time.Time{}),
		enlace.VersionKey(stixID("ipv4-addr", 3), time.Time{})}
	diff(t, "HasObjectVersions", map[string]bool{keys[0]: true, keys[2]: true}, must(s.HasObjectVersions(ctx, keys)))
	_, err := s.HasObjectVersions(ctx, []string{"no-bar"})
	wantCode(t, "HasObjectVersions(bad key)", err, enlace.EInvalid)
}

func testWithdrawal(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	seed(t, s)
	r := must(s.CreateReport(ctx, objectReport(1, "DIPOL", "CO", stixObject("indicator", 1, 1), stixObject("indicator", 1, 2),
		stixObject("indicator", 1, 3))))
	ind := stixID("indicator", 1)
	allVersions := enlace.ObjectFilter{IDs: []string{ind}, Versions: []enlace.VersionMatch{{Kind: enlace.VersionAll}}}

	_, err := s.WithdrawObjects(ctx, "DEA", ind, nil, "lee", at(10))
	wantCode(t, "WithdrawObjects(not the originator)", err, enlace.ENotFound)
	size := must(s.LedgerSize(ctx))
	n := must(s.WithdrawObjects(ctx, "DIPOL", ind, []enlace.VersionMatch{{Kind: enlace.VersionLast}}, "ana", at(10)))
	if n != 1 {
		t.Errorf("withdrew %d versions, want 1", n)
	}
	if got := must(s.LedgerSize(ctx)); got != size+1 {
		t.Errorf("ledger grew by %d, want 1", got-size)
	}
	diff(t, "versions left", []string{v(ind, 1), v(ind, 2)}, objectIDs(must(s.Objects(ctx, allVersions))))
	diff(t, "new last", []string{v(ind, 2)}, objectIDs(must(s.Objects(ctx, enlace.ObjectFilter{IDs: []string{ind}}))))
	// The report no longer carries the withdrawn bytes.
	if got := must(s.Report(ctx, r.ID)); len(got.Objects) != 2 {
		t.Errorf("report carries %d objects after withdrawal, want 2", len(got.Objects))
	}
	// The submission still verifies: digests outlive the bytes.
	es := must(s.LedgerEntries(ctx, 0, 1))
	check(t, verifyEntry(t, s, es[0]))

	n = must(s.WithdrawObjects(ctx, "DIPOL", ind, nil, "ana", at(11)))
	if n != 2 {
		t.Errorf("withdrew %d versions, want 2", n)
	}
	diff(t, "versions left", []string{}, objectIDs(must(s.Objects(ctx, allVersions))))
	_, err = s.WithdrawObjects(ctx, "DIPOL", ind, nil, "ana", at(12))
	wantCode(t, "WithdrawObjects(again)", err, enlace.ENotFound)
	diff(t, "HasObjectVersions(withdrawn)", map[string]bool{enlace.VersionKey(ind, at(1)): true},
		must(s.HasObjectVersions(ctx, []string{enlace.VersionKey(ind, at(1))})))
}

// verifyEntry checks that the store recomputes the record e commits to.
func verifyEntry(t *testing.T, s enlace.Store, e enlace.LedgerEntry) error {
	t.Helper()
	rec, err := s.LedgerRecord(t.Context(), e)
	if err != nil {
		return err
	}
	if string(enlace.Commit(e.Salt, rec)) != string(e.Commitment) {
		return fmt.Errorf("entry %d: record does not match its commitment", e.Index)
	}
	return nil
}

func testSubmissions(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	d := seed(t, s)
	st := enlace.TAXIIStatus{ID: "2d086da7-4bdc-4f91-900e-d77486753710", UserID: d.analyst.ID, Collection: "shared",
		RequestTimestamp: at(1), Total: 3,
		Successes: []enlace.StatusDetail{{ID: stixID("indicator", 1), Version: at(1)}, {ID: stixID("malware", 2), Version: at(1)}},
		Failures:  []enlace.StatusDetail{{ID: stixID("indicator", 3), Version: at(2), Message: "property \"pattern\" is required"}}}
	r1 := objectReport(1, "DIPOL", "CO", stixObject("indicator", 1, 1))
	r2 := objectReport(2, "DIPOL", "CO", stixObject("malware", 2, 1))
	r2.Markings.TLP = enlace.TLPGreen
	size := must(s.LedgerSize(ctx))
	got := must(s.CreateSubmission(ctx, []enlace.Report{r1, r2}, st))
	if len(got) != 2 || got[0].Seq == 0 || got[1].Seq <= got[0].Seq {
		t.Fatalf("CreateSubmission returned %+v", got)
	}
	diff(t, "Status", st, must(s.Status(ctx, st.ID)))
	diff(t, "report 2", got[1], must(s.Report(ctx, r2.ID)))
	if n := must(s.LedgerSize(ctx)); n != size+2 {
		t.Errorf("ledger grew by %d, want 2 submission entries", n-size)
	}
	_, err := s.Status(ctx, "nope")
	wantCode(t, "Status(unknown)", err, enlace.ENotFound)

	// All or none: a taken status id, or an object version held before,
	// leaves nothing behind.
	r3 := objectReport(3, "DIPOL", "CO", stixObject("indicator", 3, 1))
	_, err = s.CreateSubmission(ctx, []enlace.Report{r3}, st)
	wantCode(t, "CreateSubmission(same status)", err, enlace.EConflict)
	st2 := st
	st2.ID = "9a1f5a43-3c59-4c1f-a6a4-7d9c2f1d8b00"
	_, err = s.CreateSubmission(ctx, []enlace.Report{r3, objectReport(4, "DIPOL", "CO", stixObject("indicator", 1, 1))}, st2)
	wantCode(t, "CreateSubmission(held version)", err, enlace.EConflict)
	_, err = s.Report(ctx, r3.ID)
	wantCode(t, "Report(of a refused submission)", err, enlace.ENotFound)
	_, err = s.Status(ctx, st2.ID)
	wantCode(t, "Status(of a refused submission)", err, enlace.ENotFound)
	if n := must(s.LedgerSize(ctx)); n != size+2 {
		t.Errorf("a refused submission left %d ledger entries", n-size-2)
	}
	// A request whose objects all failed still has its status.
	st2.Successes = nil
	must(s.CreateSubmission(ctx, nil, st2))
	diff(t, "Status(all failed)", st2, must(s.Status(ctx, st2.ID)))
}
