// Package storetest is the conformance suite for enlace.Store: one set of
// table-driven tests that every storage engine runs, so that SQLite and
// PostgreSQL keep one contract and no caller depends on an engine's
// accidents.
//
// An engine's test calls Run with a function that opens a new, empty
// store. The suite pins what the interface documents (error codes,
// ordering, filters, versioning, the policy version) and what callers rely
// on without it being spelled out there:
//
//   - times come back in UTC, truncated to whole microseconds, and a Create
//     method returns its record as a later read will;
//   - a failed write leaves nothing behind;
//   - report objects come back byte for byte, in their order;
//   - a record that refers to a missing nation, agency, user or report is
//     refused with ENotFound;
//   - empty and nil lists are the same (compared with cmpopts.EquateEmpty).
package storetest

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/enlace-exchange/enlace"
)

// Run runs the suite. open must return a new, empty store each time it is
// called and may register cleanups with t; Run closes the store at the end
// of each test and fails the test if Close fails.
func Run(t *testing.T, open func(t *testing.T) enlace.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s enlace.Store)
	}{
		{"Ping", testPing},
		{"Nations", testNations},
		{"Agencies", testAgencies},
		{"TaskForces", testTaskForces},
		{"Users", testUsers},
		{"Tokens", testTokens},
		{"TokenRevocation", testTokenRevocation},
		{"Reports", testReports},
		{"ReportRefused", testReportRefused},
		{"ReportFilters", testReportFilters},
		{"ReportPaging", testReportPaging},
		{"ReportDefaultLimit", testReportDefaultLimit},
		{"ConcurrentWriters", testConcurrentWriters},
		{"Agreements", testAgreements},
		{"AgreementOrder", testAgreementOrder},
		{"Directives", testDirectives},
		{"Consents", testConsents},
		{"ConsentDecisions", testConsentDecisions},
		{"Releases", testReleases},
		{"ReleaseFilters", testReleaseFilters},
		{"PolicyVersion", testPolicyVersion},
		{"TimePrecision", testTimePrecision},
		{"LedgerEntries", testLedgerEntries},
		{"Checkpoints", testCheckpoints},
		{"Objects", testObjects},
		{"ObjectVersions", testObjectVersions},
		{"Withdrawal", testWithdrawal},
		{"Submissions", testSubmissions},
		{"Alerts", testAlerts},
		{"ScreeningHits", testScreeningHits},
		{"Search", testSearch},
		{"Uses", testUses},
		{"Outcomes", testOutcomes},
		{"Accounting", testAccounting},
		{"UseLedger", testUseLedger},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("close: %v", err)
				}
			})
			defer func() {
				if r := recover(); r != nil {
					f, ok := r.(failure)
					if !ok {
						panic(r)
					}
					t.Fatalf("%s: unexpected error: %v", f.where, f.err)
				}
			}()
			tt.run(t, s)
		})
	}
}

// t0 is the suite's epoch. It has whole microseconds, so values built from
// it read back unchanged.
var t0 = time.Date(2025, 3, 14, 9, 26, 53, 589793000, time.UTC)

// at returns t0 plus d minutes.
func at(d int) time.Time { return t0.Add(time.Duration(d) * time.Minute) }

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// opts are the comparison options for every record.
var opts = cmp.Options{cmpopts.EquateEmpty()}

// must returns v, or fails the test at once, naming the caller's line, if
// err is not nil. It takes no *testing.T so that a call can wrap a store
// method's two results; Run turns its panic into t.Fatal.
func must[T any](v T, err error) T {
	if err != nil {
		panic(failure{err: err, where: caller(2)})
	}
	return v
}

// caller names the file and line skip frames above it.
func caller(skip int) string {
	_, file, line, _ := runtime.Caller(skip)
	return fmt.Sprintf("%s:%d", filepath.Base(file), line)
}

// failure is a failed must on its way to Run.
type failure struct {
	err   error
	where string
}

// check fails the test at once if err is not nil.
func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// wantCode reports an error unless err carries code.
func wantCode(t *testing.T, what string, err error, code enlace.Code) {
	t.Helper()
	if got := enlace.ErrorCode(err); got != code {
		t.Errorf("%s: error code %q, want %q (error: %v)", what, got, code, err)
	}
}

// diff reports an error if got differs from want.
func diff(t *testing.T, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got, opts); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

// stixID returns a valid STIX id of type typ, distinct for each n.
func stixID(typ string, n int) string {
	return fmt.Sprintf("%s--%08x-0000-4000-8000-%012x", typ, n, n)
}

// directory is the set of parties most tests start from: three nations,
// five agencies, a task force and two users.
type directory struct {
	nations    []enlace.Nation
	agencies   []enlace.Agency
	taskForce  enlace.TaskForce
	analyst    enlace.User // ana, DIPOL (CO)
	liaison    enlace.User // lee, DEA (US)
	agencyByID map[string]enlace.Agency
}

// seed creates the directory in s.
func seed(t *testing.T, s enlace.Store) directory {
	t.Helper()
	ctx := t.Context()
	var d directory
	for i, n := range []enlace.Nation{
		{Code: "CO", Name: "Colombia"},
		{Code: "US", Name: "United States"},
		{Code: "GB", Name: "United Kingdom"},
	} {
		n.CreatedAt = at(i)
		d.nations = append(d.nations, must(s.CreateNation(ctx, n)))
	}
	d.agencyByID = map[string]enlace.Agency{}
	for i, a := range []enlace.Agency{
		{ID: "DIPOL", Nation: "CO", Name: "Dirección de Inteligencia Policial"},
		{ID: "ARC", Nation: "CO", Name: "Armada de Colombia"},
		{ID: "DEA", Nation: "US", Name: "Drug Enforcement Administration"},
		{ID: "USCG", Nation: "US", Name: "United States Coast Guard"},
		{ID: "NCA", Nation: "GB", Name: "National Crime Agency"},
	} {
		a.CreatedAt = at(10 + i)
		a = must(s.CreateAgency(ctx, a))
		d.agencies = append(d.agencies, a)
		d.agencyByID[a.ID] = a
	}
	d.taskForce = must(s.CreateTaskForce(ctx, enlace.TaskForce{
		ID: "JIATF-South", Name: "Joint Interagency Task Force South",
		Members: []string{"USCG", "DEA", "DIPOL"}, CreatedAt: at(20),
	}))
	d.analyst = must(s.CreateUser(ctx, enlace.User{
		Username: "ana", Agency: "DIPOL", Roles: []enlace.Role{enlace.RoleAnalyst}, CreatedAt: at(30),
	}))
	d.liaison = must(s.CreateUser(ctx, enlace.User{
		Username: "lee", Agency: "DEA", Roles: []enlace.Role{enlace.RoleLiaison, enlace.RoleAnalyst}, CreatedAt: at(31),
	}))
	return d
}

// newReport returns report number n from originator, with two objects
// whose raw bytes (spacing, key order, escapes) must survive storage.
func newReport(n int, originator, nation string) enlace.Report {
	ind := stixID("indicator", n)
	loc := stixID("location", n)
	return enlace.Report{
		ID:          stixID("report", n),
		Originator:  originator,
		Nation:      nation,
		Title:       fmt.Sprintf("Go-fast boat sighting %d", n),
		Description: "Semi-submersible seen off Tumaco.",
		Markings: enlace.Markings{
			TLP:      enlace.TLPAmber,
			Handling: []enlace.HandlingCode{enlace.H2, {Scheme: enlace.SchemeSIENA, Code: "H3", Text: "no use before 1 May"}},
			UseRestriction: enlace.UseRestriction{
				AllowedPurposes:    []enlace.Purpose{enlace.PurposeInterdiction},
				ProhibitedPurposes: []enlace.Purpose{enlace.PurposeLethalTargeting},
				Onward:             enlace.OnwardConsent,
				NoJudicialUse:      true,
			},
			Recipients: []string{"DEA"},
		},
		Grading:     enlace.Grading{Scheme: enlace.GradingAdmiralty, Source: "B", Information: "2"},
		DerivedFrom: []string{stixID("report", 100000+n)},
		Objects: []json.RawMessage{
			json.RawMessage(fmt.Sprintf(`{"type":"indicator", "spec_version": "2.1","id":%q,`+
				`"created":"2025-03-14T09:26:53.589Z","modified":"2025-03-14T09:30:00.000123Z",`+
				`"pattern":"[ipv4-addr:value = '198.51.100.7']","pattern_type":"stix","valid_from":"2025-03-14T09:26:53Z",`+
				`"name":"Se\u00f1al  costera"}`, ind)),
			json.RawMessage(fmt.Sprintf("{\n  \"id\": %q,\n  \"type\": \"location\",\n  \"spec_version\": \"2.1\",\n"+
				"  \"created\": \"2025-03-14T09:26:53.589Z\",\n  \"modified\": \"2025-03-14T09:26:53.589Z\",\n"+
				"  \"latitude\": 1.8,\n  \"longitude\": -78.76\n}", loc)),
		},
		Synthetic: true,
		CreatedBy: "ana",
		Published: at(100 + n),
		CreatedAt: at(100 + n).Add(time.Second),
	}
}

// ids returns the ids of reports, in order.
func reportIDs(rs []enlace.Report) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func testPing(t *testing.T, s enlace.Store) {
	check(t, s.Ping(t.Context()))
}
