package postgres

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/store/postgres/pgtest"
	"github.com/enlace-exchange/enlace/store/storetest"
)

// open returns a store on a fresh database, dropped when t ends.
func open(t testing.TB) *DB {
	t.Helper()
	db, err := Open(t.Context(), pgtest.NewDatabase(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestStore(t *testing.T) {
	if !pgtest.Available() {
		t.Skipf("%s is not set: skipping the PostgreSQL engine's tests", pgtest.EnvURL)
	}
	storetest.Run(t, func(t *testing.T) enlace.Store { return open(t) })
}

// TestReopen checks that data outlives the store, and that a second Open
// of an up-to-date database applies no migration.
func TestReopen(t *testing.T) {
	ctx := t.Context()
	url := pgtest.NewDatabase(t)
	db, err := Open(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	nation, err := db.CreateNation(ctx, enlace.Nation{Code: "CO", Name: "Colombia", CreatedAt: time.Unix(1, 0).UTC()})
	if err != nil {
		t.Fatal(err)
	}
	before := migrationRows(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.Nation(ctx, "CO")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(nation, got); d != "" {
		t.Errorf("nation after reopening (-want +got):\n%s", d)
	}
	if d := cmp.Diff(before, migrationRows(t, db)); d != "" {
		t.Errorf("goose_db_version changed on reopening (-before +after):\n%s", d)
	}
	if len(before) < 2 { // goose's version 0, then ours
		t.Errorf("goose_db_version holds %v, want version 0 and our migrations", before)
	}
}

// TestOpenTogether opens several stores on one new database at once, as
// servers starting together do: goose's lock lets one migrate.
func TestOpenTogether(t *testing.T) {
	url := pgtest.NewDatabase(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			db, err := Open(t.Context(), url, nil)
			if err == nil {
				err = db.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestOpenRefusesURL(t *testing.T) {
	for _, url := range []string{"postgres://u:secret@127.0.0.1:1/x?sslmode=bogus", "not a url %"} {
		db, err := Open(t.Context(), url, nil)
		if err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded", url)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("Open error shows the password: %v", err)
		}
	}
}

// migrationRows returns goose's record of applied versions.
func migrationRows(t *testing.T, db *DB) []int64 {
	t.Helper()
	rows, err := db.pool.Query(t.Context(), `SELECT version_id FROM goose_db_version ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// dateAdded returns the date_added of every object in seq order.
func dateAdded(t *testing.T, db *DB) []time.Time {
	t.Helper()
	rows, err := db.pool.Query(t.Context(), `SELECT date_added FROM objects ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (time.Time, error) {
		v, err := pgx.RowTo[time.Time](r)
		return v.UTC(), err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDateAdded checks the TAXII invariant the objects table keeps:
// date_added grows strictly in commit order, one microsecond apart within
// a report, even when a report's CreatedAt is earlier than its
// predecessor's.
func TestDateAdded(t *testing.T) {
	ctx := t.Context()
	db := benchStore(t)
	base := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	for i, created := range []time.Time{base, base.Add(-time.Hour), base.Add(time.Hour)} {
		if _, err := db.CreateReport(ctx, benchReport(i, 3, created)); err != nil {
			t.Fatal(err)
		}
	}
	us := time.Microsecond
	want := []time.Time{
		base, base.Add(us), base.Add(2 * us),
		base.Add(3 * us), base.Add(4 * us), base.Add(5 * us), // CreatedAt was earlier: follows on
		base.Add(time.Hour), base.Add(time.Hour + us), base.Add(time.Hour + 2*us),
	}
	if d := cmp.Diff(want, dateAdded(t, db)); d != "" {
		t.Errorf("date_added (-want +got):\n%s", d)
	}
}

// TestDateAddedAcrossServers writes reports through several stores on one
// database at once, as several servers do, all stamped with the same
// CreatedAt. Report seq and object date_added must both follow commit
// order: each report's objects are contiguous, report after report, and
// date_added never goes back.
func TestDateAddedAcrossServers(t *testing.T) {
	ctx := t.Context()
	url := pgtest.NewDatabase(t)
	var stores []*DB
	for range 3 {
		db, err := Open(ctx, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		stores = append(stores, db)
	}
	seedAgency(t, stores[0])
	now := time.Now()
	const each = 30
	var wg sync.WaitGroup
	errs := make(chan error, len(stores)*each)
	for s, db := range stores {
		wg.Go(func() {
			for i := range each {
				if _, err := db.CreateReport(ctx, benchReport(1000*s+i, 4, now)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Objects in report seq order, then position, carry strictly growing
	// date_added: the report that drew a later seq committed later.
	rows, err := stores[1].pool.Query(ctx, `SELECT o.date_added FROM objects o JOIN reports r ON r.id = o.report_id
		ORDER BY r.seq, o.position`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[time.Time])
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(stores)*each*4 {
		t.Fatalf("%d objects, want %d", len(got), len(stores)*each*4)
	}
	for i := 1; i < len(got); i++ {
		if !got[i].After(got[i-1]) {
			t.Fatalf("object %d: date_added %v not after %v", i, got[i], got[i-1])
		}
	}
}

// TestImmutableRows checks that agreement versions and directives cannot
// be rewritten even by SQL that bypasses the store's methods.
func TestImmutableRows(t *testing.T) {
	ctx := t.Context()
	db := open(t)
	defer db.Close()
	a := enlace.Agreement{
		Title: "t", Provider: enlace.NationScope("CO"), Recipient: enlace.NationScope("US"),
		AllowedPurposes: []enlace.Purpose{enlace.PurposeInterdiction}, MaxTLP: enlace.TLPAmber, Onward: enlace.OnwardNone,
	}
	if _, err := db.CreateAgreement(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateDirective(ctx, enlace.Directive{
		Action: enlace.ActionSuspend, From: enlace.NationScope("CO"), To: enlace.NationScope("US"), Purposes: enlace.AllPurposes,
	}); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`UPDATE agreements SET title = 'rewritten'`,
		`DELETE FROM agreements`,
		`TRUNCATE agreements`,
		`UPDATE directives SET reason = 'rewritten'`,
		`DELETE FROM directives`,
		`TRUNCATE directives`,
		`UPDATE ledger_entries SET from_nation = 'XX'`,
		`DELETE FROM ledger_entries`,
		`TRUNCATE ledger_entries CASCADE`,
	} {
		if _, err := db.pool.Exec(ctx, stmt); err == nil {
			t.Errorf("%s succeeded", stmt)
		}
	}
	if as, err := db.Agreements(ctx); err != nil || len(as) != 1 || as[0].Title != "t" {
		t.Errorf("agreements after attempted rewrites: %v, %v", as, err)
	}
	if n, err := db.LedgerSize(ctx); err != nil || n != 2 {
		t.Errorf("ledger after attempted rewrites: %d entries, %v; want 2", n, err)
	}
}

// TestLedgerAcrossServers appends to the ledger through two stores on one
// database at once, as two servers do: on each, goroutines create reports
// and release them, and one issues directives, so that policy changes
// (policy row, then ledger lock), report writes (report lock, then ledger
// lock) and releases (ledger lock) interleave. The log must come out as
// one sequence, indexes 0..n-1 without a gap, one entry per record, each
// entry's record recomputing to its commitment; and no transaction may
// deadlock.
func TestLedgerAcrossServers(t *testing.T) {
	ctx := t.Context()
	stores := twoServers(t)
	const writers, each, directives = 3, 12, 8
	now := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 2*(writers*each*2+directives))
	for s, db := range stores {
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					r, err := db.CreateReport(ctx, benchReport(10000*s+100*w+i, 2, now))
					if err != nil {
						errs <- err
						continue
					}
					rels := []enlace.Release{{ReportID: r.ID, Originator: "DIPOL", Releaser: "DIPOL", Recipient: "DEA",
						RecipientNation: "US", Purpose: enlace.PurposeInterdiction, AgreementID: "AG-1", AgreementVersion: 1, At: now}}
					if i%3 == 2 {
						rels = append(rels, rels[0]) // a batch of two, one transaction
					}
					if _, err := db.CreateReleases(ctx, rels); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Go(func() {
			for range directives {
				if _, err := db.CreateDirective(ctx, enlace.Directive{Action: enlace.ActionSuspend,
					From: enlace.NationScope("CO"), To: enlace.AgencyScope("DEA"), Purposes: enlace.AllPurposes,
					IssuerNation: "CO", EffectiveAt: now, IssuedAt: now}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	releasesEach := each + each/3
	want := int64(len(stores) * (writers*(each+releasesEach) + directives))
	entries := checkLedger(t, stores)
	if int64(len(entries)) != want {
		t.Fatalf("the ledger holds %d entries, want %d", len(entries), want)
	}
	kinds := map[enlace.EntryKind]int{}
	for _, e := range entries {
		kinds[e.Kind]++
	}
	wantKinds := map[enlace.EntryKind]int{
		enlace.EntrySubmission: len(stores) * writers * each,
		enlace.EntryRelease:    len(stores) * writers * releasesEach,
		enlace.EntryDirective:  len(stores) * directives,
	}
	if diff := cmp.Diff(wantKinds, kinds); diff != "" {
		t.Errorf("entries by kind (-want +got):\n%s", diff)
	}
}

// twoServers opens two stores on one fresh database, as two servers do,
// holding CO's DIPOL and the US's DEA.
func twoServers(t *testing.T) []*DB {
	t.Helper()
	ctx := t.Context()
	url := pgtest.NewDatabase(t)
	var stores []*DB
	for range 2 {
		db, err := Open(ctx, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		stores = append(stores, db)
	}
	seedAgency(t, stores[0])
	if _, err := stores[0].CreateNation(ctx, enlace.Nation{Code: "US", Name: "United States"}); err != nil {
		t.Fatal(err)
	}
	if _, err := stores[0].CreateAgency(ctx, enlace.Agency{ID: "DEA", Nation: "US", Name: "DEA"}); err != nil {
		t.Fatal(err)
	}
	return stores
}

// checkLedger checks that the stores share one gapless log whose every
// entry recomputes to its commitment, through either store, and that no
// record lacks its entry. It returns the entries.
func checkLedger(t *testing.T, stores []*DB) []enlace.LedgerEntry {
	t.Helper()
	ctx := t.Context()
	size, err := stores[1].LedgerSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := stores[1].LedgerEntries(ctx, 0, size)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(entries)) != size {
		t.Fatalf("LedgerEntries returned %d entries, want %d", len(entries), size)
	}
	for i, e := range entries {
		if e.Index != int64(i) {
			t.Fatalf("entry %d has index %d: the log has a gap or a duplicate", i, e.Index)
		}
		rec, err := stores[i%len(stores)].LedgerRecord(ctx, e)
		if err != nil {
			t.Fatalf("entry %d (%s %s): %v", i, e.Kind, e.RecordID, err)
		}
		if !bytes.Equal(enlace.Commit(e.Salt, rec), e.Commitment) {
			t.Errorf("entry %d (%s %s): the recomputed record does not match its commitment", i, e.Kind, e.RecordID)
		}
	}
	if un, err := stores[0].UnledgeredRecords(ctx); err != nil || len(un) != 0 {
		t.Errorf("UnledgeredRecords = %v, %v; want none", un, err)
	}
	return entries
}

// TestRefused checks what this engine refuses that the suite does not
// pin: scopes naming no party or two, and text PostgreSQL cannot hold.
func TestRefused(t *testing.T) {
	ctx := t.Context()
	db := benchStore(t)
	_, err := db.CreateAgreement(ctx, enlace.Agreement{Provider: enlace.Scope{Nation: "CO", Agency: "DIPOL"}, Recipient: enlace.NationScope("US")})
	if enlace.ErrorCode(err) != enlace.EInvalid {
		t.Errorf("agreement with a two-party provider: %v, want %s", err, enlace.EInvalid)
	}
	_, err = db.CreateDirective(ctx, enlace.Directive{From: enlace.NationScope("CO")})
	if enlace.ErrorCode(err) != enlace.EInvalid {
		t.Errorf("directive with an empty recipient scope: %v, want %s", err, enlace.EInvalid)
	}
	r := benchReport(1, 1, time.Now())
	r.Title = "nul\x00byte"
	_, err = db.CreateReport(ctx, r)
	if enlace.ErrorCode(err) != enlace.EInvalid {
		t.Errorf("report title with a NUL byte: %v, want %s", err, enlace.EInvalid)
	}
	_, err = db.CreateNation(ctx, enlace.Nation{Code: "XX", Name: "\xff\xfe"})
	if enlace.ErrorCode(err) != enlace.EInvalid {
		t.Errorf("nation name that is not UTF-8: %v, want %s", err, enlace.EInvalid)
	}
}

// TestRawObjects checks that objects come back byte for byte even where
// text or jsonb would change them: duplicate keys, odd spacing, escapes
// and bytes that are not UTF-8.
func TestRawObjects(t *testing.T) {
	ctx := t.Context()
	db := benchStore(t)
	r := benchReport(1, 0, time.Now())
	id := "indicator--00000001-0000-4000-8000-000000000000"
	r.Objects = []json.RawMessage{
		json.RawMessage(`{"type":"indicator","id":"` + id + `","z":1,"a":2,"a":3,"s":"\u0000 \ud83d\ude00","b":"` + "\xff" + `"}`),
		json.RawMessage("{ \"id\" : \"" + id[:len(id)-1] + "1\" ,\n\t\"type\":\"indicator\" }"),
	}
	if _, err := db.CreateReport(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, err := db.Report(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range r.Objects {
		if !bytes.Equal(got.Objects[i], r.Objects[i]) {
			t.Errorf("object %d changed:\n got %q\nwant %q", i, got.Objects[i], r.Objects[i])
		}
	}
}

// TestNilAndEmptyLists checks that a nil list and an empty one read back
// as they were written: the JSON API writes one as null, the other as [].
func TestNilAndEmptyLists(t *testing.T) {
	ctx := t.Context()
	db := open(t)
	defer db.Close()
	for _, ps := range [][]enlace.Purpose{nil, {}, {enlace.PurposeSeizure}} {
		a, err := db.CreateAgreement(ctx, enlace.Agreement{
			Provider: enlace.NationScope("CO"), Recipient: enlace.NationScope("US"), MaxTLP: enlace.TLPAmber,
			AllowedPurposes: []enlace.Purpose{enlace.PurposeInterdiction}, ProhibitedPurposes: ps,
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Agreement(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if (got.ProhibitedPurposes == nil) != (ps == nil) || len(got.ProhibitedPurposes) != len(ps) {
			t.Errorf("prohibited purposes %#v read back as %#v", ps, got.ProhibitedPurposes)
		}
	}
}

// benchReport returns report n with k indicator objects, as the SQLite
// engine's benchmarks build it, so the figures compare.
func benchReport(n, k int, created time.Time) enlace.Report {
	r := enlace.Report{
		ID:         fmt.Sprintf("report--%08x-0000-4000-8000-000000000000", n),
		Originator: "DIPOL", Nation: "CO", Title: fmt.Sprintf("Report %d", n),
		Markings:  enlace.Markings{TLP: enlace.TLPAmber, Handling: []enlace.HandlingCode{enlace.H2}},
		Grading:   enlace.Grading{Scheme: enlace.GradingAdmiralty, Source: "B", Information: "2"},
		CreatedBy: "ana", Published: created, CreatedAt: created,
	}
	for i := range k {
		r.Objects = append(r.Objects, json.RawMessage(fmt.Sprintf(
			`{"type":"indicator","spec_version":"2.1","id":"indicator--%08x-%04x-4000-8000-000000000000",`+
				`"created":"2025-03-14T09:26:53.589Z","modified":"2025-03-14T09:26:53.589Z",`+
				`"pattern":"[ipv4-addr:value = '198.51.100.%d']","pattern_type":"stix","valid_from":"2025-03-14T09:26:53Z"}`,
			n, i, i%256)))
	}
	return r
}

// seedAgency creates Colombia and DIPOL, the originator of benchReport.
func seedAgency(t testing.TB, db *DB) {
	t.Helper()
	if _, err := db.CreateNation(t.Context(), enlace.Nation{Code: "CO", Name: "Colombia"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateAgency(t.Context(), enlace.Agency{ID: "DIPOL", Nation: "CO", Name: "DIPOL"}); err != nil {
		t.Fatal(err)
	}
}

func benchStore(t testing.TB) *DB {
	t.Helper()
	db := open(t)
	t.Cleanup(func() { db.Close() })
	seedAgency(t, db)
	return db
}

// BenchmarkCreateReport measures one durable ingest of a report with ten
// objects, as the SQLite engine's benchmark of the same name does: the
// server's WAL flush at commit dominates.
func BenchmarkCreateReport(b *testing.B) {
	db := benchStore(b)
	now := time.Now()
	n := 0
	for b.Loop() {
		if _, err := db.CreateReport(b.Context(), benchReport(n, 10, now)); err != nil {
			b.Fatal(err)
		}
		n++
	}
}

// BenchmarkReports measures reading a page of 100 reports with ten
// objects each, as a TAXII poll does.
func BenchmarkReports(b *testing.B) {
	db := benchStore(b)
	now := time.Now()
	for n := range 300 {
		if _, err := db.CreateReport(b.Context(), benchReport(n, 10, now)); err != nil {
			b.Fatal(err)
		}
	}
	var after int64
	for b.Loop() {
		page, err := db.Reports(b.Context(), enlace.ReportFilter{AfterSeq: after, Limit: 100})
		if err != nil {
			b.Fatal(err)
		}
		if len(page) != 100 {
			b.Fatalf("page of %d", len(page))
		}
		after = (after + 100) % 200
	}
}

// TestScreeningHitsAcrossServers has two stores on one database save the
// same hits at once, one in reverse order, as two servers re-screening
// after a list change do. Each hit is stored once and returned as new by
// exactly one of them, and neither deadlocks.
func TestScreeningHitsAcrossServers(t *testing.T) {
	ctx := t.Context()
	url := pgtest.NewDatabase(t)
	var stores []*DB
	for range 2 {
		db, err := Open(ctx, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		stores = append(stores, db)
	}
	seedAgency(t, stores[0])
	now := time.Now()
	var hits []enlace.ScreeningHit
	for r := range 4 {
		rep, err := stores[0].CreateReport(ctx, benchReport(r, 1, now))
		if err != nil {
			t.Fatal(err)
		}
		for e := range 10 {
			hits = append(hits, enlace.ScreeningHit{ReportID: rep.ID, ObjectID: "identity--1", Entity: "n", EntityType: "person",
				List: "ofac-sdn", ListVersion: "v1", EntryID: fmt.Sprint(e), Score: 0.9, Explanation: json.RawMessage(`{}`), FoundAt: now})
		}
	}
	reversed := slices.Clone(hits)
	slices.Reverse(reversed)
	const rounds = 5
	fresh := make([]int, 2)
	var wg sync.WaitGroup
	errs := make(chan error, 2*rounds)
	for s, db := range stores {
		wg.Go(func() {
			in := hits
			if s == 1 {
				in = reversed
			}
			for range rounds {
				got, err := db.SaveScreeningHits(ctx, in)
				if err != nil {
					errs <- err
					return
				}
				fresh[s] += len(got)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if fresh[0]+fresh[1] != len(hits) {
		t.Errorf("the servers returned %d and %d new hits, want %d in all", fresh[0], fresh[1], len(hits))
	}
}
