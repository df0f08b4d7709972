package sqlite

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/store/storetest"
)

func open(t testing.TB) *DB {
	t.Helper()
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "enlace.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) enlace.Store { return open(t) })
}

// TestReopen checks that data outlives the store and that opening an
// up-to-date file applies no migration.
func TestReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "enlace.db")
	db, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	nation, err := db.CreateNation(ctx, enlace.Nation{Code: "CO", Name: "Colombia", CreatedAt: time.Unix(1, 0).UTC()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateAgency(ctx, enlace.Agency{ID: "DIPOL", Nation: "CO", Name: "DIPOL"}); err != nil {
		t.Fatal(err)
	}
	before := migrationRows(t, db)
	version, err := db.PolicyVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = Open(ctx, path, nil)
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
	if v, err := db.PolicyVersion(ctx); err != nil || v != version {
		t.Errorf("policy version after reopening = %d, %v; want %d", v, err, version)
	}
	if d := cmp.Diff(before, migrationRows(t, db)); d != "" {
		t.Errorf("goose_db_version changed on reopening (-before +after):\n%s", d)
	}
	if len(before) < 2 { // goose's version 0, then ours
		t.Errorf("goose_db_version holds %v, want version 0 and our migrations", before)
	}
}

// migrationRows returns goose's record of applied versions.
func migrationRows(t *testing.T, db *DB) []int64 {
	t.Helper()
	rows, err := db.reader.QueryContext(t.Context(), `SELECT version_id FROM goose_db_version ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPragmas checks the settings durability and integrity depend on, on
// connections from both pools.
func TestPragmas(t *testing.T) {
	db := open(t)
	defer db.Close()
	want := map[string]string{
		"journal_mode": "wal",
		"synchronous":  "2", // FULL
		"foreign_keys": "1",
		"busy_timeout": "10000",
	}
	for _, p := range []struct {
		name      string
		queryOnly string
		query     func(q string) (string, error)
	}{
		{"writer", "0", func(q string) (s string, err error) {
			err = db.writer.QueryRowContext(t.Context(), q).Scan(&s)
			return
		}},
		{"reader", "1", func(q string) (s string, err error) {
			err = db.reader.QueryRowContext(t.Context(), q).Scan(&s)
			return
		}},
	} {
		want["query_only"] = p.queryOnly
		for pragma, w := range want {
			got, err := p.query("PRAGMA " + pragma)
			if err != nil {
				t.Fatalf("%s: PRAGMA %s: %v", p.name, pragma, err)
			}
			if got != w {
				t.Errorf("%s: PRAGMA %s = %s, want %s", p.name, pragma, got, w)
			}
		}
	}
	if _, err := db.reader.ExecContext(t.Context(), `INSERT INTO nations (code, name, created_at) VALUES ('XX', 'x', 0)`); err == nil {
		t.Error("a write through the read pool succeeded")
	}
}

// TestDateAdded checks the TAXII invariant the objects table keeps:
// date_added grows strictly in commit order, one microsecond apart within
// a report, even when a report's CreatedAt is earlier than its
// predecessor's.
func TestDateAdded(t *testing.T) {
	ctx := t.Context()
	db := open(t)
	defer db.Close()
	if _, err := db.CreateNation(ctx, enlace.Nation{Code: "CO", Name: "Colombia"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateAgency(ctx, enlace.Agency{ID: "DIPOL", Nation: "CO", Name: "DIPOL"}); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	for i, created := range []time.Time{base, base.Add(-time.Hour), base.Add(time.Hour)} {
		if _, err := db.CreateReport(ctx, benchReport(i, 3, created)); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := db.reader.QueryContext(ctx, `SELECT date_added FROM objects ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []time.Time
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		got = append(got, fromMicros(v))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	us := time.Microsecond
	want := []time.Time{
		base, base.Add(us), base.Add(2 * us),
		base.Add(3 * us), base.Add(4 * us), base.Add(5 * us), // CreatedAt was earlier: follows on
		base.Add(time.Hour), base.Add(time.Hour + us), base.Add(time.Hour + 2*us),
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("date_added (-want +got):\n%s", d)
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
		`UPDATE directives SET reason = 'rewritten'`,
		`DELETE FROM directives`,
	} {
		if _, err := db.writer.ExecContext(ctx, stmt); err == nil {
			t.Errorf("%s succeeded", stmt)
		}
	}
}

// TestRefusedScopes checks that a scope naming no party, or two, is
// refused rather than stored as something else.
func TestRefusedScopes(t *testing.T) {
	ctx := t.Context()
	db := open(t)
	defer db.Close()
	_, err := db.CreateAgreement(ctx, enlace.Agreement{Provider: enlace.Scope{Nation: "CO", Agency: "DIPOL"}, Recipient: enlace.NationScope("US")})
	if enlace.ErrorCode(err) != enlace.EInvalid {
		t.Errorf("agreement with a two-party provider: %v, want %s", err, enlace.EInvalid)
	}
	_, err = db.CreateDirective(ctx, enlace.Directive{From: enlace.NationScope("CO")})
	if enlace.ErrorCode(err) != enlace.EInvalid {
		t.Errorf("directive with an empty recipient scope: %v, want %s", err, enlace.EInvalid)
	}
}

func TestOpenRefusesPath(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file:enlace.db", "enlace.db?mode=ro", filepath.Join(t.TempDir(), "missing", "enlace.db")} {
		if db, err := Open(t.Context(), path, nil); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded", path)
		}
	}
}

// benchReport returns report n with k indicator objects.
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

func benchStore(b *testing.B) *DB {
	db := open(b)
	b.Cleanup(func() { db.Close() })
	if _, err := db.CreateNation(b.Context(), enlace.Nation{Code: "CO", Name: "Colombia"}); err != nil {
		b.Fatal(err)
	}
	if _, err := db.CreateAgency(b.Context(), enlace.Agency{ID: "DIPOL", Nation: "CO", Name: "DIPOL"}); err != nil {
		b.Fatal(err)
	}
	return db
}

// BenchmarkCreateReport measures one durable ingest of a report with ten
// objects: the fsync of the WAL dominates.
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

// TestImmutableUses checks that use declarations and outcome versions
// cannot be edited or deleted even by SQL that bypasses the store: a
// correction is a new version.
func TestImmutableUses(t *testing.T) {
	ctx := t.Context()
	db := open(t)
	defer db.Close()
	if _, err := db.CreateNation(ctx, enlace.Nation{Code: "US", Name: "United States"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateAgency(ctx, enlace.Agency{ID: "DEA", Nation: "US", Name: "DEA"}); err != nil {
		t.Fatal(err)
	}
	r := enlace.Report{ID: "report--00000001-0000-4000-8000-000000000001", Originator: "DEA", Nation: "US", Title: "t",
		Markings: enlace.Markings{TLP: enlace.TLPGreen}}
	if _, err := db.CreateReport(ctx, r); err != nil {
		t.Fatal(err)
	}
	u, _, err := db.CreateUse(ctx, enlace.Use{Agency: "DEA", Nation: "US", Operation: "op", Purpose: enlace.PurposeSeizure,
		Status: enlace.UseAccepted, Reports: []enlace.UseReport{{ReportID: r.ID}}, PlannedAt: time.Unix(1, 0)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.CreateOutcome(ctx, enlace.Outcome{UseID: u.ID, Kind: enlace.OutcomeSeizure, OccurredAt: time.Unix(2, 0)}, nil); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`UPDATE uses SET purpose = 'lethal-targeting'`,
		`DELETE FROM uses`,
		`UPDATE outcomes SET casualties = 0`,
		`DELETE FROM outcomes`,
	} {
		if _, err := db.writer.ExecContext(ctx, stmt); err == nil {
			t.Errorf("%s succeeded", stmt)
		}
	}
}
