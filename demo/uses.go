package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/exchange"
)

// The demo's synthetic use declarations: how many each consumer makes.
// The operations, seizures and arrests are invented and marked
// synthetic; they exist so that the accounting answers mean something.
var consumers = []struct {
	analyst string
	uses    int
}{
	{"dea-analyst", 20}, {"hsi-analyst", 10}, {"fbi-analyst", 6}, {"dipol-analyst", 8},
}

// StrikeOperation is the demo's one synthetic strike: a DEA use declared
// for seizure whose outcome was a strike, which the safeguards report to
// the originators whose terms forbid it.
const StrikeOperation = "Operación Marea Ficticia 3"

// seedUses declares synthetic uses by JIATF-South members of the reports
// each may read for seizure, and reports outcomes for most of them.
func seedUses(ctx context.Context, x *exchange.Exchange, by map[string]enlace.User, now time.Time) error {
	r := rand.New(rand.NewPCG(2025, 13))
	n := 0
	for _, c := range consumers {
		u := by[c.analyst]
		page, err := x.List(ctx, u, string(enlace.PurposeSeizure), enlace.ReportFilter{Limit: 1000})
		if err != nil {
			return fmt.Errorf("reports for %s: %w", c.analyst, err)
		}
		if len(page.Reports) == 0 {
			continue
		}
		for range c.uses {
			n++
			var reports []string
			for k := 1 + r.IntN(3); k > 0; k-- {
				id := page.Reports[r.IntN(len(page.Reports))].ID
				if !slices.Contains(reports, id) {
					reports = append(reports, id)
				}
			}
			purpose := enlace.PurposeSeizure
			if r.IntN(3) == 0 {
				purpose = enlace.PurposeInterdiction
			}
			planned := now.Add(-time.Duration(24*30-n*12) * time.Hour).Truncate(time.Minute)
			use, _, err := x.DeclareUse(ctx, u, exchange.UseRequest{
				Reports: reports, Operation: fmt.Sprintf("Operación Marea Ficticia %d", n), Purpose: string(purpose),
				PlannedAt: planned, Synthetic: true,
			})
			if err != nil {
				return fmt.Errorf("use %d by %s: %w", n, c.analyst, err)
			}
			if use.Operation == StrikeOperation {
				_, _, err = x.ReportOutcome(ctx, u, exchange.OutcomeRequest{Use: use.ID, Kind: enlace.OutcomeStrike, Casualties: 3,
					Vessel: "unnamed go-fast", Location: "Eastern Caribbean", OccurredAt: planned.Add(6 * time.Hour), Synthetic: true})
				if err != nil {
					return fmt.Errorf("strike outcome: %w", err)
				}
				continue
			}
			if r.IntN(10) < 3 {
				continue // nothing came of it, or not yet
			}
			if _, _, err := x.ReportOutcome(ctx, u, synthOutcome(r, use.ID, planned)); err != nil {
				return fmt.Errorf("outcome of use %d: %w", use.ID, err)
			}
		}
	}
	return nil
}

func synthOutcome(r *rand.Rand, use int64, planned time.Time) exchange.OutcomeRequest {
	o := exchange.OutcomeRequest{Use: use, OccurredAt: planned.Add(time.Duration(2+r.IntN(48)) * time.Hour), Synthetic: true,
		Location: places[r.IntN(len(places))].name}
	switch k := r.IntN(10); {
	case k < 5:
		o.Kind, o.Substance, o.QuantityKg, o.PersonsDetained = enlace.OutcomeSeizure, "cocaine hydrochloride", float64(200+r.IntN(2800)), r.IntN(5)
		o.Vessel = "go-fast"
	case k < 7:
		o.Kind, o.Vessel, o.PersonsDetained = enlace.OutcomeInterdiction, "semi-submersible", 2+r.IntN(3)
	case k < 9:
		o.Kind, o.PersonsDetained = enlace.OutcomeArrest, 1+r.IntN(3)
	default:
		o.Kind = enlace.OutcomeOther
	}
	return o
}
