package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/enlace-exchange/enlace"
)

// The accounting benchmark's world: 21 agencies in three nations, 50,000
// reports (85% Colombian, one in five derived from one or two earlier
// ones), each released to the 20 other agencies (1,000,000 releases with
// their ledger entries), 100,000 accepted uses of one to three reports
// spread over a year, and an outcome for 60% of them (5% corrected).
const (
	benchReports  = 50000
	benchUses     = 100000
	benchOutcomes = 60000
)

var benchAgencies = map[string][]string{
	"CO": {"DIPOL", "DIJIN", "CTI", "ARC", "FAC", "DNI", "UIAF"},
	"US": {"DEA", "FBI", "HSI", "USCG", "CBP", "DOS", "DOD"},
	"GB": {"NCA", "HMRC", "MI6", "RN", "BF", "HO", "NCIS"},
}

var benchTaskForce = []string{"DEA", "HSI", "USCG", "DIPOL"}

// benchID returns the STIX id of bench report n.
func benchID(n int) string { return fmt.Sprintf("report--%08x-0000-4000-8000-%012x", n, n) }

func buildAccountingWorld(b *testing.B, db *DB) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(6, 85))
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	start := time.Now()
	var all []string
	nationOf := map[string]string{}
	for _, n := range []string{"CO", "US", "GB"} {
		if _, err := db.CreateNation(ctx, enlace.Nation{Code: n, Name: n}); err != nil {
			b.Fatal(err)
		}
		for _, a := range benchAgencies[n] {
			if _, err := db.CreateAgency(ctx, enlace.Agency{ID: a, Nation: n, Name: a}); err != nil {
				b.Fatal(err)
			}
			all = append(all, a)
			nationOf[a] = n
		}
	}
	origin := func() string {
		switch k := r.IntN(100); {
		case k < 85:
			return benchAgencies["CO"][r.IntN(7)]
		case k < 95:
			return benchAgencies["US"][r.IntN(7)]
		default:
			return benchAgencies["GB"][r.IntN(7)]
		}
	}
	// Reports, in bulk: the benchmark measures the accounting, not ingest.
	originator := make([]string, benchReports)
	err := db.write(ctx, "bench reports", func(tx *sql.Tx) error {
		for i := range benchReports {
			o := origin()
			originator[i] = o
			derived := "[]"
			if i > 10 && r.IntN(5) == 0 {
				derived = fmt.Sprintf("[%q]", benchID(r.IntN(i)))
				if r.IntN(2) == 0 {
					derived = fmt.Sprintf("[%q,%q]", benchID(r.IntN(i)), benchID(i-1-r.IntN(min(i, 10))))
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO reports (id, originator, nation, title, description, markings,
				grading, derived_from, synthetic, created_by, published, created_at) VALUES (?, ?, ?, ?, '', '{"tlp":"green"}', '{}', ?, 1, 'bench', ?, ?)`,
				benchID(i), o, nationOf[o], "bench report "+strconv.Itoa(i), derived, micros(t0), micros(t0)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// Releases through the store, with their ledger entries.
	batch := make([]enlace.Release, 0, 20000)
	flush := func() {
		if _, err := db.CreateReleases(ctx, batch); err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	for i := range benchReports {
		for _, a := range all {
			if a == originator[i] {
				continue
			}
			batch = append(batch, enlace.Release{ReportID: benchID(i), Originator: originator[i], Releaser: originator[i],
				Recipient: a, RecipientNation: nationOf[a], Purpose: enlace.PurposeSeizure, AgreementID: "AG-1", AgreementVersion: 1,
				Policies: []string{"agreement AG-1 v1"}, At: t0.Add(time.Duration(i) * time.Second)})
			if len(batch) == cap(batch) {
				flush()
			}
		}
	}
	flush()
	b.Logf("reports and releases: %v", time.Since(start))
	// Uses and outcomes through the store's own insert paths, many per
	// transaction.
	consumers := append(append([]string(nil), benchAgencies["US"]...), "DIPOL", "DIJIN", "NCA")
	useIDs := make([]int64, 0, benchUses)
	for done := 0; done < benchUses; {
		err := db.write(ctx, "bench uses", func(tx *sql.Tx) error {
			for k := 0; k < 5000 && done < benchUses; k++ {
				c := consumers[r.IntN(len(consumers))]
				u := enlace.Use{Agency: c, Nation: nationOf[c], DeclaredBy: "bench", Operation: "op " + strconv.Itoa(done),
					Purpose: enlace.PurposeSeizure, Status: enlace.UseAccepted,
					PlannedAt: t0.Add(time.Duration(r.IntN(365*24)) * time.Hour), CreatedAt: t0}
				seen := map[int]bool{}
				for n := 1 + r.IntN(3); n > 0; n-- {
					if rep := r.IntN(benchReports); !seen[rep] {
						seen[rep] = true
						u.Reports = append(u.Reports, enlace.UseReport{ReportID: benchID(rep), AgreementID: "AG-1", AgreementVersion: 1})
					}
				}
				u, err := db.insertUse(ctx, tx, u)
				if err != nil {
					return err
				}
				useIDs = append(useIDs, u.ID)
				done++
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	kinds := enlace.OutcomeKinds
	err = db.write(ctx, "bench outcomes", func(tx *sql.Tx) error {
		for k := range benchOutcomes {
			o := enlace.Outcome{UseID: useIDs[k], Kind: kinds[r.IntN(len(kinds))], QuantityKg: float64(r.IntN(3000)),
				PersonsDetained: r.IntN(5), OccurredAt: t0.Add(time.Duration(r.IntN(400*24)) * time.Hour), CreatedAt: t0}
			if o.Kind == enlace.OutcomeStrike {
				o.Casualties = r.IntN(4)
			}
			first, err := db.insertOutcome(ctx, tx, o)
			if err != nil {
				return err
			}
			if k%20 == 0 {
				o.Corrects, o.QuantityKg = first.ID, o.QuantityKg+1
				if _, err := db.insertOutcome(ctx, tx, o); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("world built in %v", time.Since(start))
}

// BenchmarkAccounting times each accounting query on 1,000,000 releases
// and 100,000 uses. Run it with
//
//	go test ./store/sqlite -run '^$' -bench Accounting -benchtime 10x
//
// ENLACE_BENCH_DB=path keeps (and reuses) the built database.
func BenchmarkAccounting(b *testing.B) {
	ctx := context.Background()
	path := os.Getenv("ENLACE_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "bench.db")
	}
	_, statErr := os.Stat(path)
	db, err := Open(ctx, path, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if statErr != nil {
		buildAccountingWorld(b, db)
	}
	var releases, uses int64
	if err := db.reader.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM releases), (SELECT count(*) FROM uses)`).Scan(&releases, &uses); err != nil {
		b.Fatal(err)
	}
	if releases < 1000000 || uses < 100000 {
		b.Fatalf("world has %d releases and %d uses", releases, uses)
	}
	q3 := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	co := benchAgencies["CO"]
	popular := benchID(12345)
	queries := []struct {
		name string
		run  func() (int, error)
	}{
		{"shares/task-force/year", func() (int, error) {
			rs, err := db.UsedShares(ctx, enlace.AccountingQuery{Consumers: benchTaskForce})
			return len(rs), err
		}},
		{"shares/nation-US/quarter", func() (int, error) {
			rs, err := db.UsedShares(ctx, enlace.AccountingQuery{Consumers: benchAgencies["US"], From: q3, To: q3.AddDate(0, 3, 0)})
			return len(rs), err
		}},
		{"shares/all-consumers/year", func() (int, error) {
			rs, err := db.UsedShares(ctx, enlace.AccountingQuery{})
			return len(rs), err
		}},
		{"outcomes/visible-CO/all-consumers", func() (int, error) {
			rs, err := db.OutcomesByOriginator(ctx, enlace.AccountingQuery{Visible: co})
			return len(rs), err
		}},
		{"outcomes/task-force/visible-US/quarter", func() (int, error) {
			rs, err := db.OutcomesByOriginator(ctx, enlace.AccountingQuery{Consumers: benchTaskForce, Visible: benchAgencies["US"],
				From: q3, To: q3.AddDate(0, 3, 0)})
			return len(rs), err
		}},
		{"report-trail", func() (int, error) {
			rels, err := db.Releases(ctx, enlace.ReleaseFilter{ReportID: popular})
			if err != nil {
				return 0, err
			}
			cs, err := db.ReportCredits(ctx, popular)
			if err != nil {
				return 0, err
			}
			us, err := db.Uses(ctx, enlace.UseFilter{ReportID: popular})
			if err != nil {
				return 0, err
			}
			ids := make([]int64, 0, len(cs))
			for _, c := range cs {
				ids = append(ids, c.UseID)
			}
			os, err := db.Outcomes(ctx, enlace.OutcomeFilter{UseIDs: ids})
			return len(rels) + len(cs) + len(us) + len(os), err
		}},
	}
	for _, q := range queries {
		b.Run(q.name, func(b *testing.B) {
			var rows int
			for b.Loop() {
				n, err := q.run()
				if err != nil {
					b.Fatal(err)
				}
				rows = n
			}
			b.ReportMetric(float64(rows), "rows")
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/query")
		})
	}
}
