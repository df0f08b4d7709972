package postgres

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/enlace-exchange/enlace"
)

// TestUsesAcrossServers declares uses and posts outcomes with their
// alerts through two stores on one database at once, while reports are
// written, as two servers do, and has both correct the same outcome
// versions: each version is corrected once, the other attempt is
// EConflict, nothing deadlocks, and the log is one gapless sequence whose
// entries all recompute.
func TestUsesAcrossServers(t *testing.T) {
	ctx := t.Context()
	stores := twoServers(t)
	now := time.Now()
	base := benchReport(0, 1, now)
	if _, err := stores[0].CreateReport(ctx, base); err != nil {
		t.Fatal(err)
	}
	derived := benchReport(1, 1, now)
	derived.DerivedFrom = []string{base.ID}
	if _, err := stores[0].CreateReport(ctx, derived); err != nil {
		t.Fatal(err)
	}
	alert := func(text string) []enlace.Alert {
		return []enlace.Alert{{Kind: enlace.AlertViolation, Agency: "DIPOL", Nation: "CO", ReportID: base.ID, Text: text,
			Detail: []byte(`{ "why" : "test" }`), At: now}}
	}
	const rounds = 8
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	conflicts := make(chan int, 2*rounds)
	targets := make([]int64, rounds)
	for i := range rounds {
		u, _, err := stores[0].CreateUse(ctx, enlace.Use{Agency: "DEA", Nation: "US", DeclaredBy: "x", Operation: "o",
			Purpose: enlace.PurposeSeizure, Status: enlace.UseAccepted, PlannedAt: now, CreatedAt: now,
			Reports: []enlace.UseReport{{ReportID: derived.ID}}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		o, _, err := stores[0].CreateOutcome(ctx, enlace.Outcome{UseID: u.ID, Kind: enlace.OutcomeSeizure, OccurredAt: now, CreatedAt: now}, nil)
		if err != nil {
			t.Fatal(err)
		}
		targets[i] = o.ID
	}
	for s, db := range stores {
		wg.Go(func() { // uses with alerts, and their outcomes
			for range rounds {
				u, _, err := db.CreateUse(ctx, enlace.Use{Agency: "DEA", Nation: "US", DeclaredBy: "x", Operation: "o",
					Purpose: enlace.PurposeSeizure, Status: enlace.UseAccepted, PlannedAt: now, CreatedAt: now,
					Reports: []enlace.UseReport{{ReportID: derived.ID}, {ReportID: base.ID}}}, alert("use"))
				if err != nil {
					errs <- err
					continue
				}
				if _, _, err := db.CreateOutcome(ctx, enlace.Outcome{UseID: u.ID, Kind: enlace.OutcomeStrike, Casualties: 1,
					OccurredAt: now, CreatedAt: now}, alert("strike")); err != nil {
					errs <- err
				}
			}
		})
		wg.Go(func() { // corrections of the same versions on both stores
			for _, id := range targets {
				o, err := db.Outcome(ctx, id)
				if err != nil {
					errs <- err
					continue
				}
				_, _, err = db.CreateOutcome(ctx, enlace.Outcome{UseID: o.UseID, Corrects: id, Kind: enlace.OutcomeArrest,
					OccurredAt: now, CreatedAt: now}, alert("correction"))
				switch enlace.ErrorCode(err) {
				case "":
				case enlace.EConflict:
					conflicts <- s
				default:
					errs <- err
				}
			}
		})
		wg.Go(func() { // report writes, under the report lock
			for i := range rounds {
				if _, err := db.CreateReport(ctx, benchReport(100+10*s+i, 1, now)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	close(conflicts)
	for err := range errs {
		t.Fatal(err)
	}
	if n := len(conflicts); n != rounds {
		t.Errorf("%d corrections refused as conflicts, want %d (one per version)", n, rounds)
	}
	checkLedger(t, stores)
	// Each use names derived (direct) and each concurrent one base too;
	// every credit is DIPOL's.
	shares, err := stores[0].UsedShares(ctx, enlace.AccountingQuery{})
	if err != nil || len(shares) != 1 || shares[0].Citations != 5*rounds || shares[0].Weight != float64(5*rounds) {
		t.Errorf("UsedShares = %+v, %v; want DIPOL cited %d times, weight %[3]d", shares, err, 5*rounds)
	}
}

// TestUsesNeverRewritten checks that the triggers refuse to rewrite a
// use, its reports and credits, or an outcome.
func TestUsesNeverRewritten(t *testing.T) {
	ctx := t.Context()
	db := benchStore(t)
	now := time.Now()
	r, err := db.CreateReport(ctx, benchReport(1, 1, now))
	if err != nil {
		t.Fatal(err)
	}
	u, _, err := db.CreateUse(ctx, enlace.Use{Agency: "DIPOL", Nation: "CO", DeclaredBy: "x", Operation: "o",
		Purpose: enlace.PurposeSeizure, Status: enlace.UseAccepted, PlannedAt: now, CreatedAt: now,
		Reports: []enlace.UseReport{{ReportID: r.ID}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.CreateOutcome(ctx, enlace.Outcome{UseID: u.ID, Kind: enlace.OutcomeSeizure, OccurredAt: now, CreatedAt: now}, nil); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"uses", "use_reports", "use_credits", "use_originators", "outcomes"} {
		for _, stmt := range []string{
			`UPDATE ` + table + ` SET use_id = use_id`,
			`DELETE FROM ` + table,
			`TRUNCATE ` + table + ` CASCADE`,
		} {
			if table == "uses" {
				stmt = strings.Replace(stmt, "use_id = use_id", "operation = 'rewritten'", 1)
			}
			if _, err := db.pool.Exec(ctx, stmt); err == nil {
				t.Errorf("%s succeeded", stmt)
			}
		}
	}
	if got, err := db.Use(ctx, u.ID); err != nil || got.Operation != "o" {
		t.Errorf("use after attempted rewrites: %+v, %v", got, err)
	}
}
