package policy

import (
	"slices"
	"sort"
	"sync/atomic"
	"time"

	"github.com/enlace-exchange/enlace"
)

// Handling code bits. A report's handling set and an agreement's accepted
// set are compared as masks; codes enlace does not know set hOther and are
// checked one by one.
const (
	hH0 uint8 = 1 << iota
	hH1
	hH2
	hH3
	hORCON
	hOther
)

// handlingBit returns the bit of a known code key, or 0.
func handlingBit(key string) uint8 {
	switch key {
	case "siena:H0":
		return hH0
	case "siena:H1":
		return hH1
	case "siena:H2":
		return hH2
	case "siena:H3":
		return hH3
	case "us:ORCON":
		return hORCON
	}
	return 0
}

// handlingMask returns the bits of hs without building keys.
func handlingMask(hs []enlace.HandlingCode) uint8 {
	var m uint8
	for i := range hs {
		h := &hs[i]
		switch {
		case h.Scheme == enlace.SchemeSIENA && h.Code == "H0":
			m |= hH0
		case h.Scheme == enlace.SchemeSIENA && h.Code == "H1":
			m |= hH1
		case h.Scheme == enlace.SchemeSIENA && h.Code == "H2":
			m |= hH2
		case h.Scheme == enlace.SchemeSIENA && h.Code == "H3":
			m |= hH3
		case h.Scheme == enlace.SchemeUS && h.Code == "ORCON":
			m |= hORCON
		default:
			m |= hOther
		}
	}
	return m
}

// agreement is an Agreement with what the decision needs precomputed.
type agreement struct {
	enlace.Agreement
	policy     string // "agreement AG-1 v2"
	accepted   uint8  // known handling codes accepted
	agencyOnly string // the recipient agency when the recipient scope is one agency
	allow      enlace.Reason
}

// idLess orders agreements for the choice among several that match:
// shorter ids first, then by text, so AG-2 comes before AG-10; then the
// higher version.
func idLess(a, b *enlace.Agreement) bool {
	if len(a.ID) != len(b.ID) {
		return len(a.ID) < len(b.ID)
	}
	if a.ID != b.ID {
		return a.ID < b.ID
	}
	return a.Version > b.Version
}

func (p *Policy) compileAgreements(as []enlace.Agreement) error {
	seen := map[string]bool{}
	for _, a := range as {
		id := agreementPolicyID(a)
		if seen[id] {
			return enlace.Errorf(enlace.EInvalid, "policy: %s listed twice", id)
		}
		seen[id] = true
		c := agreement{Agreement: a, policy: id}
		for _, h := range a.AcceptedHandling {
			c.accepted |= handlingBit(h)
		}
		if a.Recipient.Kind() == enlace.ScopeAgency {
			c.agencyOnly = a.Recipient.Agency
		}
		c.allow = enlace.Reason{Policy: id, Text: "allowed by " + agreementLabel(a)}
		p.agrs = append(p.agrs, c)
	}
	sort.SliceStable(p.agrs, func(i, j int) bool { return idLess(&p.agrs[i].Agreement, &p.agrs[j].Agreement) })
	return nil
}

// accepts reports whether a accepts every handling code of the report.
func (a *agreement) accepts(mask uint8, hs []enlace.HandlingCode) bool {
	if mask&^hOther&^a.accepted != 0 {
		return false
	}
	if mask&hOther != 0 {
		for _, h := range hs {
			if !a.Accepts(h) {
				return false
			}
		}
	}
	return true
}

// directive is a Directive with its reasons precomputed.
type directive struct {
	enlace.Directive
	policy string        // "directive D-3"
	deny   enlace.Reason // when a suspension is in force
	lift   enlace.Reason // when a reinstatement lifted a suspension
}

func (p *Policy) compileDirectives(ds []enlace.Directive) error {
	seen := map[string]bool{}
	for _, d := range ds {
		id := directivePolicyID(d)
		if seen[id] {
			return enlace.Errorf(enlace.EInvalid, "policy: %s listed twice", id)
		}
		seen[id] = true
		p.dirs = append(p.dirs, directive{
			Directive: d,
			policy:    id,
			deny:      enlace.Reason{Policy: id, Text: directiveDenyText(d)},
			lift:      enlace.Reason{Policy: id, Text: directiveLiftText(d)},
		})
	}
	sort.SliceStable(p.dirs, func(i, j int) bool { return p.dirs[i].Before(p.dirs[j].Directive) })
	return nil
}

// lifts reports whether the reinstatement r lifts the suspension s, both
// applicable to the same pair: r comes later and its issuer ranks at least
// as high.
func lifts(s, r *directive) bool {
	return r.Action == enlace.ActionReinstate && s.Before(r.Directive) && r.IssuerRank >= s.IssuerRank
}

// edge is the compiled answer for one (source agency, reader agency,
// purpose): what holds in each interval of time between the validity
// boundaries of its agreements and the effective times of its directives.
type edge struct {
	bounds []time.Time // sorted; segs[i] holds from bounds[i-1] until bounds[i]
	segs   []segment   // len(bounds)+1

	// noAgr caches the words of "no agreement" denials, which depend only
	// on the segment and a few features of the markings (see
	// noAgreementKey). Copied on write.
	noAgr atomic.Pointer[map[uint32]enlace.Reason]
}

// segment is the state of an edge over an interval of time in which
// nothing changes.
type segment struct {
	agrs     []int32           // active agreements, in decision order
	allow    [][]enlace.Reason // per agrs entry: its reason and the lifts
	suspends []int32           // suspensions in force, latest first
	lifts    []int32           // reinstatements that lifted a suspension, in effect order
}

// at returns the segment in force at t.
func (e *edge) at(t time.Time) *segment { return &e.segs[e.index(t)] }

// index returns the index of the segment in force at t.
func (e *edge) index(t time.Time) int {
	i := len(e.bounds)
	for i > 0 && t.Before(e.bounds[i-1]) {
		i--
	}
	return i
}

// noAgreement returns the "no agreement" reason for a release over e from
// src to rd, from the cache when it can.
func (p *Policy) noAgreement(e *edge, si int, src, rd, pu int32, t time.Time, m *enlace.Markings, mask uint8, onward bool) enlace.Reason {
	if mask&hOther != 0 || !m.TLP.Valid() {
		return p.noAgreementReason(p.parties[src], p.parties[rd], p.purposes[pu], t, m, onward)
	}
	// Within a segment the words depend on the TLP, the known handling
	// codes, whether the release is onward, and whether the report names
	// recipients (the AMBER+STRICT agency rule).
	key := uint32(si)<<12 | uint32(m.TLP)<<8 | uint32(mask)<<2
	if onward {
		key |= 2
	}
	if len(m.Recipients) == 0 {
		key |= 1
	}
	old := e.noAgr.Load()
	if old != nil {
		if r, ok := (*old)[key]; ok {
			return r
		}
	}
	r := p.noAgreementReason(p.parties[src], p.parties[rd], p.purposes[pu], t, m, onward)
	for {
		next := map[uint32]enlace.Reason{key: r}
		if old != nil {
			if len(*old) >= 256 {
				return r // enough remembered
			}
			for k, v := range *old {
				next[k] = v
			}
		}
		if e.noAgr.CompareAndSwap(old, &next) {
			return r
		}
		old = e.noAgr.Load()
	}
}

// edgeFor returns the compiled edge, compiling it on first use. Two
// goroutines may compile the same edge at once; they compute the same
// value and either may win.
func (p *Policy) edgeFor(s, r, pu int32) *edge {
	i := (int(s)*len(p.parties)+int(r))*len(p.purposes) + int(pu)
	if e := p.edges[i].Load(); e != nil {
		return e
	}
	e := p.compileEdge(s, r, pu)
	p.edges[i].Store(e)
	return e
}

func (p *Policy) compileEdge(s, r, pu int32) *edge {
	src, rd, purpose := p.parties[s], p.parties[r], p.purposes[pu]
	var cand, sus, rein []int32
	var bounds []time.Time
	for i := range p.agrs {
		a := &p.agrs[i]
		if a.Provider.Covers(src) && a.Recipient.Covers(rd) &&
			p.vocab.CoveredByAny(a.AllowedPurposes, purpose) && !p.vocab.CoveredByAny(a.ProhibitedPurposes, purpose) {
			cand = append(cand, int32(i))
			bounds = append(bounds, a.ValidFrom)
			if a.ValidUntil != nil {
				bounds = append(bounds, *a.ValidUntil)
			}
		}
	}
	for i := range p.dirs {
		d := &p.dirs[i]
		if !d.From.Covers(src) || !d.To.Covers(rd) || !d.Purposes.Includes(p.vocab, purpose) {
			continue
		}
		switch d.Action {
		case enlace.ActionSuspend:
			sus = append(sus, int32(i))
		case enlace.ActionReinstate:
			rein = append(rein, int32(i))
		default:
			continue
		}
		bounds = append(bounds, d.EffectiveAt)
	}
	slices.SortFunc(bounds, func(a, b time.Time) int { return a.Compare(b) })
	bounds = slices.CompactFunc(bounds, func(a, b time.Time) bool { return a.Equal(b) })

	e := &edge{bounds: bounds, segs: make([]segment, len(bounds)+1)}
	for k := range e.segs {
		var t time.Time
		switch {
		case len(bounds) == 0:
		case k == 0:
			t = bounds[0].Add(-1)
		default:
			t = bounds[k-1]
		}
		e.segs[k] = p.segmentAt(t, cand, sus, rein)
	}
	return e
}

// segmentAt computes the state of an edge at t from its candidate
// agreements and its applicable suspensions and reinstatements.
func (p *Policy) segmentAt(t time.Time, cand, sus, rein []int32) segment {
	var sg segment
	for _, i := range cand {
		if p.agrs[i].ActiveAt(t) {
			sg.agrs = append(sg.agrs, i)
		}
	}
	var lifted []int32
	for j := len(sus) - 1; j >= 0; j-- { // latest first
		s := &p.dirs[sus[j]]
		if t.Before(s.EffectiveAt) {
			continue
		}
		inForce := true
		for _, ri := range rein {
			r := &p.dirs[ri]
			if !t.Before(r.EffectiveAt) && lifts(s, r) {
				inForce = false
				if !slices.Contains(lifted, ri) {
					lifted = append(lifted, ri)
				}
			}
		}
		if inForce {
			sg.suspends = append(sg.suspends, sus[j])
		}
	}
	slices.Sort(lifted)
	sg.lifts = lifted
	for _, i := range sg.agrs {
		rs := []enlace.Reason{p.agrs[i].allow}
		for _, l := range lifted {
			rs = append(rs, p.dirs[l].lift)
		}
		sg.allow = append(sg.allow, rs)
	}
	return sg
}
