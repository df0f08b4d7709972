package policy

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/enlace-exchange/enlace"
)

// genWorld builds a random world: agencies in three nations, task forces,
// agreements and directives with times on a small grid (so that boundaries
// coincide often), some of them off the millisecond.
type gen struct {
	rng      *rand.Rand
	nations  []string
	agencies []string
	tfs      []string
	purposes []enlace.Purpose
	times    []time.Time
	dense    bool // a world where most pairs share, so that allow paths are common
}

var t0 = time.Date(2025, 11, 10, 14, 0, 0, 0, time.UTC)

func (g *gen) pick(n int) int { return g.rng.IntN(n) }

func (g *gen) when() time.Time {
	t := g.times[g.pick(len(g.times))]
	if g.pick(8) == 0 {
		t = t.Add(time.Duration(g.pick(3)-1) * 1500 * time.Nanosecond) // off the millisecond
	}
	return t
}

func (g *gen) purposeList(max int) []enlace.Purpose {
	n := 1 + g.pick(max)
	var out []enlace.Purpose
	for range n {
		p := g.purposes[g.pick(len(g.purposes))]
		if g.pick(3) == 0 {
			p = enlace.PurposeLawEnforcement
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

func (g *gen) source() enlace.Scope {
	if g.pick(5) < 3 {
		return enlace.NationScope(g.nations[g.pick(len(g.nations))])
	}
	return enlace.AgencyScope(g.agencies[g.pick(len(g.agencies))])
}

func (g *gen) target() enlace.Scope {
	switch k := g.pick(5); {
	case k < 2:
		return enlace.NationScope(g.nations[g.pick(len(g.nations))])
	case k < 4 || len(g.tfs) == 0:
		return enlace.AgencyScope(g.agencies[g.pick(len(g.agencies))])
	default:
		return enlace.TaskForceScope(g.tfs[g.pick(len(g.tfs))])
	}
}

var allCodes = []enlace.HandlingCode{enlace.H0, enlace.H1, enlace.H2, {Scheme: "siena", Code: "H3", Text: "no use abroad"}, enlace.ORCON}

func (g *gen) world() World {
	g.nations = []string{"CO", "US", "GB"}
	g.agencies = nil
	var w World
	w.Vocabulary = vocab
	for _, n := range g.nations {
		for i := range 1 + g.pick(3) {
			id := fmt.Sprintf("%s%d", n, i+1)
			g.agencies = append(g.agencies, id)
			w.Agencies = append(w.Agencies, enlace.Agency{ID: id, Nation: n, Name: id})
		}
	}
	g.tfs = nil
	for i := range g.pick(3) {
		tf := enlace.TaskForce{ID: fmt.Sprintf("TF%d", i+1), Name: "tf"}
		for _, a := range g.agencies {
			if g.pick(3) == 0 {
				tf.Members = append(tf.Members, a)
			}
		}
		g.tfs = append(g.tfs, tf.ID)
		w.TaskForces = append(w.TaskForces, tf)
	}
	g.dense = g.pick(2) == 0
	used := map[int]bool{}
	if g.dense {
		for _, from := range g.nations {
			for _, to := range g.nations {
				n := 1 + g.pick(12)
				if from == to || g.pick(5) == 0 || used[n] {
					continue
				}
				used[n] = true
				w.Agreements = append(w.Agreements, enlace.Agreement{
					ID: fmt.Sprintf("AG-%d", n), Version: 1, Title: "dense",
					Provider: enlace.NationScope(from), Recipient: enlace.NationScope(to),
					AllowedPurposes:  []enlace.Purpose{enlace.PurposeLawEnforcement, enlace.PurposeMilitaryAction}[:1+g.pick(2)],
					MaxTLP:           enlace.TLP(3 + g.pick(3)),
					AcceptedHandling: []string{"siena:H0", "siena:H1", "siena:H2", "siena:H3", "us:ORCON"},
					Onward:           []string{enlace.OnwardConsent, enlace.OnwardFree, enlace.OnwardFree}[g.pick(3)],
					ValidFrom:        g.times[g.pick(2)],
					LegalBasis:       "l",
				})
			}
		}
	}
	for range 1 + g.pick(8) {
		n := 1 + g.pick(12)
		if used[n] {
			continue
		}
		used[n] = true
		a := enlace.Agreement{
			ID: fmt.Sprintf("AG-%d", n), Version: 1 + g.pick(3), Title: "t",
			Provider: g.source(), Recipient: g.target(),
			AllowedPurposes: g.purposeList(2),
			MaxTLP:          enlace.TLP(2 + g.pick(4)),
			Onward:          []string{enlace.OnwardNone, enlace.OnwardConsent, enlace.OnwardFree}[g.pick(3)],
			ValidFrom:       g.when(),
			LegalBasis:      "l",
		}
		if g.pick(5) == 0 {
			a.ProhibitedPurposes = g.purposeList(1)
		}
		for _, h := range allCodes {
			if g.pick(4) != 0 {
				a.AcceptedHandling = append(a.AcceptedHandling, h.Key())
			}
		}
		if g.pick(2) == 0 {
			u := g.when()
			if u.After(a.ValidFrom) {
				a.ValidUntil = &u
			}
		}
		w.Agreements = append(w.Agreements, a)
	}
	nd := g.pick(7)
	if g.dense {
		nd = 2 + g.pick(6)
	}
	seqs := g.rng.Perm(nd)
	for i := range nd {
		seq := int64(seqs[i] + 1)
		d := enlace.Directive{
			Seq: seq, ID: enlace.DirectiveID(seq),
			Action: []string{enlace.ActionSuspend, enlace.ActionReinstate}[g.pick(2)],
			From:   g.source(), To: g.target(),
			EffectiveAt:  g.when(),
			Reason:       "r" + fmt.Sprint(seq),
			IssuerAgency: g.agencies[g.pick(len(g.agencies))],
			IssuerNation: g.nations[g.pick(3)],
			IssuerRank:   1 + g.pick(2),
		}
		if g.dense && g.pick(3) > 0 {
			d.From, d.To = enlace.NationScope(g.nations[g.pick(3)]), enlace.NationScope(g.nations[g.pick(3)])
		}
		if i > 0 && g.pick(5) < 2 {
			// Often a directive answers an earlier one on the same pair.
			prev := w.Directives[g.pick(len(w.Directives))]
			d.From, d.To = prev.From, prev.To
			if prev.Action == enlace.ActionSuspend {
				d.Action = enlace.ActionReinstate
				if g.pick(2) == 0 {
					d.IssuerRank = max(d.IssuerRank, prev.IssuerRank)
					d.EffectiveAt = prev.EffectiveAt.Add(time.Duration(g.pick(3)) * time.Hour)
				}
			}
		}
		switch g.pick(3) {
		case 0:
			d.Purposes = enlace.AllPurposes
		case 1:
			d.Purposes = enlace.PurposeSet{Mode: enlace.PurposesOnly, Purposes: g.purposeList(2)}
		default:
			d.Purposes = enlace.PurposeSet{Mode: enlace.PurposesExcept, Purposes: g.purposeList(2)}
		}
		w.Directives = append(w.Directives, d)
	}
	return w
}

func (g *gen) agencyOrUnknown() string {
	if g.pick(25) == 0 {
		return "XX9"
	}
	return g.agencies[g.pick(len(g.agencies))]
}

func (g *gen) request() Request {
	m := enlace.Markings{TLP: enlace.TLP(1 + g.pick(5))}
	rare := 8
	if g.dense {
		m.TLP = enlace.TLP(1 + g.pick(3))
		rare = 20
	}
	for _, h := range allCodes {
		if g.pick(rare) == 0 {
			m.Handling = append(m.Handling, h)
		}
	}
	if g.pick(40) == 0 {
		m.Handling = append(m.Handling, enlace.HandlingCode{Scheme: "xx", Code: "Y"})
	}
	if g.pick(rare/2) == 0 {
		m.UseRestriction.AllowedPurposes = g.purposeList(2)
	}
	if g.pick(rare/2) == 0 {
		m.UseRestriction.ProhibitedPurposes = g.purposeList(1)
	}
	if g.pick(3) == 0 {
		m.UseRestriction.Onward = []string{enlace.OnwardNone, enlace.OnwardConsent, enlace.OnwardFree}[g.pick(3)]
	}
	m.UseRestriction.NoJudicialUse = g.pick(rare) == 0
	for range g.pick(4) {
		m.Recipients = append(m.Recipients, g.agencies[g.pick(len(g.agencies))])
	}
	r := Request{
		Report: Subject{ID: "report--1", Originator: g.agencyOrUnknown(), Markings: m},
		Reader: g.agencyOrUnknown(),
		At:     g.when(),
	}
	if g.pick(30) == 0 {
		r.Purpose = "astrology"
	} else {
		r.Purpose = g.purposes[g.pick(len(g.purposes))]
	}
	switch k := g.pick(20); {
	case k < 8:
	case k < 19:
		r.Holder = g.agencies[g.pick(len(g.agencies))]
	default:
		r.Holder = "XX8"
	}
	for i := range g.pick(4) {
		c := enlace.Consent{
			ID: int64(10 - i), ReportID: r.Report.ID, Originator: r.Report.Originator,
			Recipient: g.agencies[g.pick(len(g.agencies))],
			Purposes:  g.purposeList(2),
			Status:    []string{enlace.ConsentGranted, enlace.ConsentGranted, enlace.ConsentGranted, enlace.ConsentDenied, enlace.ConsentRequested}[g.pick(5)],
		}
		if g.pick(2) == 0 {
			c.Recipient = r.Reader
		}
		if g.pick(3) == 0 {
			c.GrantedPurposes = c.Purposes[:1]
		}
		if g.pick(3) == 0 {
			e := g.when()
			c.ExpiresAt = &e
		}
		r.Consents = append(r.Consents, c)
	}
	return r
}

func directiveIDs(d enlace.Decision) []string {
	var out []string
	for _, r := range d.Reasons {
		if strings.HasPrefix(r.Policy, "directive ") {
			out = append(out, r.Policy)
		}
	}
	return out
}

// TestPropertyAgainstReference holds Decide and DecideCedar to the
// reference model over random worlds and requests: 10,000 worlds with 10
// requests each; 1,000 worlds with -short.
func TestPropertyAgainstReference(t *testing.T) {
	worlds, perWorld := 10000, 10
	if testing.Short() {
		worlds = 1000
	}
	const shards = 2
	type stats struct{ cases, allowed, onwardAllowed, byDirective, lifted int }
	var mu sync.Mutex
	var total stats
	start := time.Now()
	var wg sync.WaitGroup
	for s := range shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := &gen{rng: rand.New(rand.NewPCG(uint64(s)+1, 42)), purposes: vocab.Purposes()}
			for k := range 7 {
				g.times = append(g.times, t0.Add(time.Duration(k)*time.Hour))
			}
			var st stats
			for range worlds / shards {
				w := g.world()
				p, err := New(w)
				if err != nil {
					t.Errorf("New: %v", err)
					return
				}
				for range perWorld {
					r := g.request()
					want := refDecide(w, r)
					fast, ced := p.Decide(r), p.DecideCedar(r)
					st.cases++
					for _, got := range []struct {
						name string
						d    enlace.Decision
					}{{"Decide", fast}, {"DecideCedar", ced}} {
						ok := got.d.Allowed == want.allowed
						if ok && want.allowed && (got.d.AgreementID != want.agreement || got.d.AgreementVersion != want.version) {
							ok = false
						}
						if ok && !want.allowed && !slices.Equal(directiveIDs(got.d), want.directives) {
							ok = false
						}
						if !ok {
							t.Errorf("%s disagrees with the reference:\nwant %+v\ngot  %+v\nrequest %+v\nworld %+v\npolicy:\n%s", got.name, want, got.d, r, w, p.Text())
							return
						}
					}
					if want.allowed {
						st.allowed++
						if r.Holder != "" && r.Holder != r.Report.Originator && r.Holder != r.Reader && want.agreement != "" {
							st.onwardAllowed++
						}
						for _, rs := range fast.Reasons {
							if strings.HasPrefix(rs.Text, "suspension lifted") {
								st.lifted++
								break
							}
						}
					} else if len(want.directives) > 0 {
						st.byDirective++
					}
				}
			}
			mu.Lock()
			total.cases += st.cases
			total.allowed += st.allowed
			total.onwardAllowed += st.onwardAllowed
			total.byDirective += st.byDirective
			total.lifted += st.lifted
			mu.Unlock()
		}()
	}
	wg.Wait()
	t.Logf("%d cases in %v: %d allowed (%d onward, %d after a lifted suspension), %d denied by directives",
		total.cases, time.Since(start), total.allowed, total.onwardAllowed, total.lifted, total.byDirective)
	if total.allowed < total.cases/50 || total.onwardAllowed == 0 || total.byDirective < total.cases/50 || total.lifted == 0 {
		t.Errorf("the random worlds exercise too little: %+v", total)
	}
}
