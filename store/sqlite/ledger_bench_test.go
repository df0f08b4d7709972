package sqlite

import (
	"fmt"
	"testing"
	"time"

	"github.com/enlace-exchange/enlace"
)

// BenchmarkLedgerCost measures what the ledger costs the two paths that
// append to it most: ingest (one submission entry per envelope, whose
// record digests every object) and releases (one entry per release).
// Each runs with and without the ledger, side by side:
//
//	go test ./store/sqlite -run '^$' -bench LedgerCost -benchtime 20x
func BenchmarkLedgerCost(b *testing.B) {
	for _, withLedger := range []bool{true, false} {
		name := "ledger"
		if !withLedger {
			name = "no-ledger"
		}
		b.Run("ingest-1000/"+name, func(b *testing.B) {
			db := benchStore(b)
			db.noLedger = !withLedger
			u, err := db.CreateUser(b.Context(), enlace.User{Username: "ana", Agency: "DIPOL", Roles: []enlace.Role{enlace.RoleAnalyst}})
			if err != nil {
				b.Fatal(err)
			}
			now := time.Now()
			n := 0
			for b.Loop() {
				st := enlace.TAXIIStatus{ID: fmt.Sprintf("status-%d", n), UserID: u.ID, Collection: "shared", RequestTimestamp: now, Total: 1000}
				if _, err := db.CreateSubmission(b.Context(), []enlace.Report{benchReport(n, 1000, now)}, st); err != nil {
					b.Fatal(err)
				}
				n++
			}
			b.ReportMetric(float64(n*1000)/b.Elapsed().Seconds(), "objects/s")
		})
		b.Run("releases-100/"+name, func(b *testing.B) {
			db := benchStore(b)
			db.noLedger = !withLedger
			if _, err := db.CreateNation(b.Context(), enlace.Nation{Code: "US", Name: "United States"}); err != nil {
				b.Fatal(err)
			}
			if _, err := db.CreateAgency(b.Context(), enlace.Agency{ID: "DEA", Nation: "US", Name: "DEA"}); err != nil {
				b.Fatal(err)
			}
			now := time.Now()
			r, err := db.CreateReport(b.Context(), benchReport(0, 1, now))
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for b.Loop() {
				rs := make([]enlace.Release, 100)
				for i := range rs {
					rs[i] = enlace.Release{ReportID: r.ID, Originator: "DIPOL", Releaser: "DIPOL", Recipient: "DEA",
						RecipientNation: "US", Purpose: enlace.PurposeInterdiction, AgreementID: "AG-1", AgreementVersion: 1,
						Policies: []string{"agreement AG-1 v1"}, At: now}
				}
				if _, err := db.CreateReleases(b.Context(), rs); err != nil {
					b.Fatal(err)
				}
				n += len(rs)
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "releases/s")
		})
	}
}
