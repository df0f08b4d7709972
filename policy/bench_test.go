package policy

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/enlace-exchange/enlace"
)

// mixedRequests draws n requests over the seed world: every agency as
// originator and reader, every purpose, some onward, markings of every
// kind, at the three times of the scenario.
func mixedRequests(n int, reader string) []Request {
	w := seedWorld()
	rng := rand.New(rand.NewPCG(7, 7))
	times := []time.Time{beforeSuspension, suspended, reinstated}
	markings := []enlace.Markings{
		{TLP: enlace.TLPGreen},
		{TLP: enlace.TLPAmber},
		{TLP: enlace.TLPAmber, Handling: []enlace.HandlingCode{enlace.H2}},
		{TLP: enlace.TLPRed, Recipients: []string{"DEA"}},
		{TLP: enlace.TLPAmberStrict},
		{TLP: enlace.TLPAmber, UseRestriction: enlace.UseRestriction{AllowedPurposes: []enlace.Purpose{enlace.PurposeInterdiction}}},
	}
	purposes := vocab.Purposes()
	out := make([]Request, n)
	for i := range out {
		r := Request{
			Report:  Subject{ID: fmt.Sprintf("report--%d", i), Originator: w.Agencies[rng.IntN(len(w.Agencies))].ID, Markings: markings[rng.IntN(len(markings))]},
			Reader:  reader,
			Purpose: purposes[rng.IntN(len(purposes))],
			At:      times[rng.IntN(len(times))],
		}
		if r.Reader == "" {
			r.Reader = w.Agencies[rng.IntN(len(w.Agencies))].ID
		}
		if rng.IntN(5) == 0 {
			r.Holder = "DEA"
			r.Consents = []enlace.Consent{consent(7, "NCA", enlace.ConsentGranted, nil, enlace.PurposeLawEnforcement)}
		}
		out[i] = r
	}
	return out
}

func benchDecide(b *testing.B, decide func(Request) enlace.Decision, reqs []Request) {
	allowed := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if decide(reqs[i%len(reqs)]).Allowed {
			allowed++
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
	if allowed == 0 {
		b.Fatal("nothing allowed")
	}
}

// BenchmarkDecide measures the compiled form on one goroutine: a single
// allowed request (the hot path of a reader paging through what it may
// see), and a mix of allowed and denied, direct and onward requests.
func BenchmarkDecide(b *testing.B) {
	p := mustNew(b, seedWorld())
	b.Run("allow", func(b *testing.B) {
		req := Request{Report: report("DIPOL", enlace.Markings{TLP: enlace.TLPAmber, Handling: []enlace.HandlingCode{enlace.H2}}), Reader: "DEA", Purpose: enlace.PurposeSeizure, At: reinstated}
		benchDecide(b, p.Decide, []Request{req})
	})
	b.Run("mixed", func(b *testing.B) { benchDecide(b, p.Decide, mixedRequests(4096, "")) })
}

// BenchmarkDecideCedar measures cedar-go on the same requests.
func BenchmarkDecideCedar(b *testing.B) {
	p := mustNew(b, seedWorld())
	b.Run("allow", func(b *testing.B) {
		req := Request{Report: report("DIPOL", enlace.Markings{TLP: enlace.TLPAmber, Handling: []enlace.HandlingCode{enlace.H2}}), Reader: "DEA", Purpose: enlace.PurposeSeizure, At: reinstated}
		benchDecide(b, p.DecideCedar, []Request{req})
	})
	b.Run("mixed", func(b *testing.B) { benchDecide(b, p.DecideCedar, mixedRequests(4096, "")) })
}

// BenchmarkFilterPage1000 decides a page of 1,000 mixed reports for one
// reader, as a listing does.
func BenchmarkFilterPage1000(b *testing.B) {
	p := mustNew(b, seedWorld())
	page := mixedRequests(1000, "DEA")
	b.ReportAllocs()
	visible := 0
	for b.Loop() {
		visible = 0
		for i := range page {
			if p.Decide(page[i]).Allowed {
				visible++
			}
		}
	}
	b.ReportMetric(float64(b.N*len(page))/b.Elapsed().Seconds(), "decisions/s")
	b.ReportMetric(float64(visible), "visible/page")
}

// BenchmarkNew measures building a policy (Cedar text, parse, indexes).
func BenchmarkNew(b *testing.B) {
	w := seedWorld()
	for b.Loop() {
		if _, err := New(w); err != nil {
			b.Fatal(err)
		}
	}
}
