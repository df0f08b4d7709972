package exchange_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/demo"
	"github.com/enlace-exchange/enlace/exchange"
	"github.com/enlace-exchange/enlace/store/sqlite"
)

// indicator returns synthetic STIX indicator n.
func indicator(n int) json.RawMessage {
	id := uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "exchange-bench-%d", n))
	ts := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Millisecond).Format("2006-01-02T15:04:05.000Z")
	return fmt.Appendf(nil, `{"type":"indicator","spec_version":"2.1","id":"indicator--%s","created":%q,"modified":%q,`+
		`"name":"beacon %d","indicator_types":["malicious-activity"],"pattern":"[network-traffic:dst_port = %d]",`+
		`"pattern_type":"stix","valid_from":%q,"object_marking_refs":["%s"]}`,
		id, ts, ts, n, 1024+n%60000, ts, enlace.TLPGreen.MarkingID())
}

// BenchmarkAddObjects measures ingest through the exchange: validation,
// grouping by markings, the store's transaction and its ledger entry.
func BenchmarkAddObjects(b *testing.B) {
	ctx := b.Context()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "enlace.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	x := exchange.New(exchange.Config{Store: st})
	if _, err := demo.Seed(ctx, x, time.Now()); err != nil {
		b.Fatal(err)
	}
	u, err := x.UserByName(ctx, "dipol-analyst")
	if err != nil {
		b.Fatal(err)
	}
	const batch = 1000
	n := 0
	b.ResetTimer()
	for b.Loop() {
		objs := make([]json.RawMessage, batch)
		for i := range objs {
			objs[i] = indicator(n)
			n++
		}
		s, err := x.AddObjects(ctx, u, "shared", objs)
		if err != nil || len(s.Failures) > 0 {
			b.Fatal(err, s.Failures)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "objects/s")
}
