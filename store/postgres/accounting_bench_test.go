package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/store/postgres/pgtest"
)

// The accounting benchmark's world is store/sqlite's, scaled: at scale 1,
// 21 agencies in three nations, 50,000 reports (85% Colombian, one in five
// derived from one or two earlier ones), each released to the 20 other
// agencies (1,000,000 releases with their ledger entries), 100,000
// accepted uses of one to three reports spread over a year, and an
// outcome for 60% of them (5% corrected). ENLACE_BENCH_SCALE sets the
// scale; the default, 0.05, builds in seconds.
const (
	accReports  = 50000
	accUses     = 100000
	accOutcomes = 60000
)

var accAgencies = map[string][]string{
	"CO": {"DIPOL", "DIJIN", "CTI", "ARC", "FAC", "DNI", "UIAF"},
	"US": {"DEA", "FBI", "HSI", "USCG", "CBP", "DOS", "DOD"},
	"GB": {"NCA", "HMRC", "MI6", "RN", "BF", "HO", "NCIS"},
}

var accTaskForce = []string{"DEA", "HSI", "USCG", "DIPOL"}

// accID returns the STIX id of bench report n.
func accID(n int) string { return fmt.Sprintf("report--%08x-0000-4000-8000-%012x", n, n) }

// accWorld is the size of the world at a scale.
type accWorld struct{ reports, uses, outcomes int }

func accScale(b *testing.B) accWorld {
	scale := 0.05
	if s := os.Getenv("ENLACE_BENCH_SCALE"); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f <= 0 || f > 1 {
			b.Fatalf("ENLACE_BENCH_SCALE=%q: want a number in (0, 1]", s)
		}
		scale = f
	}
	return accWorld{int(accReports * scale), int(accUses * scale), int(accOutcomes * scale)}
}

func buildAccounting(b *testing.B, db *DB, w accWorld) {
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
		for _, a := range accAgencies[n] {
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
			return accAgencies["CO"][r.IntN(7)]
		case k < 95:
			return accAgencies["US"][r.IntN(7)]
		default:
			return accAgencies["GB"][r.IntN(7)]
		}
	}
	// Reports, in bulk by COPY: the benchmark measures the accounting,
	// not ingest.
	originator := make([]string, w.reports)
	rows := make([][]any, w.reports)
	for i := range w.reports {
		o := origin()
		originator[i] = o
		var derived []string
		if i > 10 && r.IntN(5) == 0 {
			derived = []string{accID(r.IntN(i))}
			if r.IntN(2) == 0 {
				derived = []string{accID(r.IntN(i)), accID(i - 1 - r.IntN(min(i, 10)))}
			}
		}
		rows[i] = []any{accID(i), o, nationOf[o], "bench report " + strconv.Itoa(i), "", `{"tlp":"green"}`, `{}`,
			derived, true, "bench", t0, t0}
	}
	if _, err := db.pool.CopyFrom(ctx, pgx.Identifier{"reports"}, []string{"id", "originator", "nation", "title",
		"description", "markings", "grading", "derived_from", "synthetic", "created_by", "published", "created_at"},
		pgx.CopyFromRows(rows)); err != nil {
		b.Fatal(err)
	}
	// Releases through the store, with their ledger entries.
	batch := make([]enlace.Release, 0, 20000)
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if _, err := db.CreateReleases(ctx, batch); err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	for i := range w.reports {
		for _, a := range all {
			if a == originator[i] {
				continue
			}
			batch = append(batch, enlace.Release{ReportID: accID(i), Originator: originator[i], Releaser: originator[i],
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
	consumers := append(append([]string(nil), accAgencies["US"]...), "DIPOL", "DIJIN", "NCA")
	useIDs := make([]int64, 0, w.uses)
	for done := 0; done < w.uses; {
		err := db.write(ctx, "bench uses", nil, func(tx pgx.Tx) error {
			for k := 0; k < 5000 && done < w.uses; k++ {
				c := consumers[r.IntN(len(consumers))]
				u := enlace.Use{Agency: c, Nation: nationOf[c], DeclaredBy: "bench", Operation: "op " + strconv.Itoa(done),
					Purpose: enlace.PurposeSeizure, Status: enlace.UseAccepted,
					PlannedAt: t0.Add(time.Duration(r.IntN(365*24)) * time.Hour), CreatedAt: t0}
				seen := map[int]bool{}
				for n := 1 + r.IntN(3); n > 0; n-- {
					if rep := r.IntN(w.reports); !seen[rep] {
						seen[rep] = true
						u.Reports = append(u.Reports, enlace.UseReport{ReportID: accID(rep), AgreementID: "AG-1", AgreementVersion: 1})
					}
				}
				u, err := insertUse(ctx, tx, u)
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
	err := db.write(ctx, "bench outcomes", nil, func(tx pgx.Tx) error {
		for k := range w.outcomes {
			o := enlace.Outcome{UseID: useIDs[k], Kind: kinds[r.IntN(len(kinds))], QuantityKg: float64(r.IntN(3000)),
				PersonsDetained: r.IntN(5), OccurredAt: t0.Add(time.Duration(r.IntN(400*24)) * time.Hour), CreatedAt: t0}
			if o.Kind == enlace.OutcomeStrike {
				o.Casualties = r.IntN(4)
			}
			first, err := insertOutcome(ctx, tx, o)
			if err != nil {
				return err
			}
			if k%20 == 0 {
				o.Corrects, o.QuantityKg = first.ID, o.QuantityKg+1
				if _, err := insertOutcome(ctx, tx, o); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.pool.Exec(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	b.Logf("world built in %v", time.Since(start))
}

// BenchmarkAccounting times each accounting query, as store/sqlite's
// benchmark of the name does. Run it with
//
//	ENLACE_TEST_POSTGRES_URL=postgres://... ENLACE_BENCH_SCALE=1 \
//	    go test ./store/postgres -run '^$' -bench Accounting -benchtime 10x
//
// ENLACE_BENCH_POSTGRES_URL=url names a database to build the world in
// and keep (and reuse on later runs) instead of a throwaway one.
func BenchmarkAccounting(b *testing.B) {
	ctx := context.Background()
	w := accScale(b)
	url := os.Getenv("ENLACE_BENCH_POSTGRES_URL")
	if url == "" {
		url = pgtest.NewDatabase(b)
	}
	db, err := Open(ctx, url, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var reports, releases, uses int64
	count := func() {
		if err := db.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM releases),
			(SELECT count(*) FROM uses)`).Scan(&reports, &releases, &uses); err != nil {
			b.Fatal(err)
		}
	}
	if count(); uses == 0 {
		buildAccounting(b, db, w)
		count()
	}
	b.Logf("world: %d reports, %d releases, %d uses", reports, releases, uses)
	q3 := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	co := accAgencies["CO"]
	popular := accID(12345 % int(reports)) // the world kept may be of another scale
	queries := []struct {
		name string
		run  func() (int, error)
	}{
		{"shares/task-force/year", func() (int, error) {
			rs, err := db.UsedShares(ctx, enlace.AccountingQuery{Consumers: accTaskForce})
			return len(rs), err
		}},
		{"shares/nation-US/quarter", func() (int, error) {
			rs, err := db.UsedShares(ctx, enlace.AccountingQuery{Consumers: accAgencies["US"], From: q3, To: q3.AddDate(0, 3, 0)})
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
			rs, err := db.OutcomesByOriginator(ctx, enlace.AccountingQuery{Consumers: accTaskForce, Visible: accAgencies["US"],
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
