package policy

import (
	"slices"
	"time"

	"github.com/enlace-exchange/enlace"
)

// Decide answers r with the compiled form of the policy. It gives the same
// Allowed, AgreementID and deciding directives as DecideCedar, faster.
//
// Reasons of a denial name every rule found failing, directives first
// (latest first). Reasons of an allowed decision name the agreement, the
// consents used and the reinstatements that lifted a suspension.
func (p *Policy) Decide(r Request) enlace.Decision {
	rs := p.resolve(&r)
	if rs.deny != nil {
		return *rs.deny
	}
	if rs.o == rs.r {
		return enlace.Decision{Allowed: true, Reasons: p.own[rs.o]}
	}
	m := &r.Report.Markings
	mask := handlingMask(m.Handling)
	var deny []enlace.Reason
	var dirs []int32

	// Use restrictions and SIENA H0 bind whoever reads.
	anc := p.ancestry[rs.pu]
	if coveredBy(anc, m.UseRestriction.ProhibitedPurposes) {
		deny = append(deny, prohibitedReason(r.Purpose))
	}
	if len(m.UseRestriction.AllowedPurposes) > 0 && !coveredBy(anc, m.UseRestriction.AllowedPurposes) {
		deny = append(deny, allowedOnlyReason(m.UseRestriction.AllowedPurposes, r.Purpose))
	}
	if mask&hH0 != 0 && !p.lawEnf[rs.pu] {
		deny = append(deny, h0Reason(r.Purpose))
	}
	judicial := (mask&hH1 != 0 || m.UseRestriction.NoJudicialUse) && p.prosec[rs.pu]

	if rs.h < 0 {
		used := p.judicialCheck(judicial, &r, r.Reader, mask, &deny)
		seg, k := p.direct(rs.o, rs.r, rs.pu, r.At, m, mask, &deny, &dirs)
		if len(deny) > 0 || len(dirs) > 0 {
			return p.denial(deny, dirs)
		}
		a := &p.agrs[seg.agrs[k]]
		d := enlace.Decision{Allowed: true, Reasons: seg.allow[k], AgreementID: a.ID, AgreementVersion: a.Version}
		if used != nil {
			d.Reasons = append(slices.Clip(d.Reasons), consentReason(used))
		}
		return d
	}

	// Onward: the holder must itself pass the direct rules.
	holder := p.parties[rs.h].Agency
	usedH := p.judicialCheck(judicial, &r, holder, mask, &deny)
	segH, kH := p.direct(rs.o, rs.h, rs.pu, r.At, m, mask, &deny, &dirs)
	holderOK := len(deny) == 0 && len(dirs) == 0

	// The hop from the holder to the reader, and the originator's
	// directives on the pair it reaches.
	usedR := p.judicialCheck(judicial, &r, r.Reader, mask, &deny)
	hop := p.edgeFor(rs.h, rs.r, rs.pu)
	hopIdx := hop.index(r.At)
	segR := &hop.segs[hopIdx]
	reach := p.edgeFor(rs.o, rs.r, rs.pu).at(r.At)
	dirs = append(dirs, segR.suspends...)
	dirs = append(dirs, reach.suspends...)
	if m.TLP >= enlace.TLPAmberStrict && !listed(m.Recipients, r.Reader) {
		switch {
		case m.TLP == enlace.TLPRed:
			deny = append(deny, redReason(r.Reader))
		case len(m.Recipients) > 0:
			deny = append(deny, amberStrictReason(r.Reader))
		default:
			deny = append(deny, onwardAmberReason(holder, r.Reader))
		}
	}
	kR := -1
	for k, ai := range segR.agrs {
		a := &p.agrs[ai]
		if m.TLP <= a.MaxTLP && a.accepts(mask, m.Handling) {
			kR = k
			break
		}
	}
	if kR < 0 {
		deny = append(deny, p.noAgreement(hop, hopIdx, rs.h, rs.r, rs.pu, r.At, m, mask, true))
	}
	rule := m.UseRestriction.Onward
	var under *agreement
	if rule == "" && holderOK {
		under = &p.agrs[segH.agrs[kH]]
		rule = under.Onward
	}
	if rule == enlace.OnwardNone {
		deny = append(deny, onwardRuleReason(holder, under))
	}
	if mask&(hH2|hORCON) != 0 || rule == enlace.OnwardConsent {
		if c := p.consentFor(r.Consents, r.Reader, r.Purpose, r.At); c != nil {
			usedR = c
		} else {
			deny = append(deny, onwardConsentReason(holder, r.Reader, r.Report.Originator, mask, rule))
		}
	}
	if len(deny) > 0 || len(dirs) > 0 {
		return p.denial(deny, dirs)
	}
	a := &p.agrs[segR.agrs[kR]]
	reasons := make([]enlace.Reason, 0, len(segR.allow[kR])+3)
	reasons = append(reasons, segR.allow[kR][0], p.agrs[segH.agrs[kH]].allow)
	lifted := append(append(slices.Clone(segR.lifts), segH.lifts...), reach.lifts...)
	slices.Sort(lifted)
	for _, l := range slices.Compact(lifted) {
		reasons = append(reasons, p.dirs[l].lift)
	}
	if usedH != nil {
		reasons = append(reasons, consentReason(usedH))
	}
	if usedR != nil {
		reasons = append(reasons, consentReason(usedR))
	}
	return enlace.Decision{Allowed: true, Reasons: reasons, AgreementID: a.ID, AgreementVersion: a.Version}
}

// judicialCheck applies SIENA H1 and the no-judicial-use restriction to
// reader: judicial use needs a granted consent for reader. It returns the
// consent used, if any.
func (p *Policy) judicialCheck(judicial bool, r *Request, reader string, mask uint8, deny *[]enlace.Reason) *enlace.Consent {
	if !judicial {
		return nil
	}
	if c := p.consentFor(r.Consents, reader, r.Purpose, r.At); c != nil {
		return c
	}
	if mask&hH1 != 0 {
		*deny = append(*deny, h1Reason(reader, r.Report.Originator))
	}
	if r.Report.Markings.UseRestriction.NoJudicialUse {
		*deny = append(*deny, noJudicialReason(reader, r.Report.Originator))
	}
	return nil
}

// direct applies the rules of a release from src to rd that depend on the
// pair: directives, TLP and the agreement. It returns the segment and the
// index in it of the chosen agreement, -1 if none.
func (p *Policy) direct(src, rd, pu int32, t time.Time, m *enlace.Markings, mask uint8, deny *[]enlace.Reason, dirs *[]int32) (*segment, int) {
	e := p.edgeFor(src, rd, pu)
	si := e.index(t)
	seg := &e.segs[si]
	*dirs = append(*dirs, seg.suspends...)
	reader := p.parties[rd].Agency
	isListed := listed(m.Recipients, reader)
	if m.TLP == enlace.TLPRed && !isListed {
		*deny = append(*deny, redReason(reader))
	}
	if m.TLP == enlace.TLPAmberStrict && len(m.Recipients) > 0 && !isListed {
		*deny = append(*deny, amberStrictReason(reader))
	}
	agencyOnly := m.TLP == enlace.TLPAmberStrict && len(m.Recipients) == 0
	for k, ai := range seg.agrs {
		a := &p.agrs[ai]
		if m.TLP <= a.MaxTLP && a.accepts(mask, m.Handling) && (!agencyOnly || a.agencyOnly == reader) {
			return seg, k
		}
	}
	*deny = append(*deny, p.noAgreement(e, si, src, rd, pu, t, m, mask, false))
	return seg, -1
}

// denial builds a deny decision: the directives in force (latest first,
// each once), then the other reasons.
func (p *Policy) denial(deny []enlace.Reason, dirs []int32) enlace.Decision {
	out := make([]enlace.Reason, 0, len(dirs)+len(deny))
	slices.Sort(dirs)
	dirs = slices.Compact(dirs)
	for i := len(dirs) - 1; i >= 0; i-- {
		out = append(out, p.dirs[dirs[i]].deny)
	}
	n := len(out)
	for _, d := range deny {
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	slices.SortStableFunc(out[n:], func(a, b enlace.Reason) int { return reasonRank(a.Policy) - reasonRank(b.Policy) })
	return enlace.Decision{Reasons: out}
}

// reasonOrder is the order in which denials list the rules other than
// directives: the report's own restrictions first, then the parties'.
var reasonOrder = []string{
	polProhibited, polAllowedOnly, polH0, polH1, polNoJudicial,
	polRed, polAmberStrict, polOnwardAmber, polNoAgreement, polOnwardRule, polOnwardConsent,
}

func reasonRank(policy string) int {
	if i := slices.Index(reasonOrder, policy); i >= 0 {
		return i
	}
	return len(reasonOrder)
}

// coveredBy reports whether any purpose in set is in anc, the ancestry of
// the requested purpose: that is, whether set covers it.
func coveredBy(anc, set []enlace.Purpose) bool {
	for _, a := range set {
		for _, x := range anc {
			if x == a {
				return true
			}
		}
	}
	return false
}

func listed(recipients []string, agency string) bool {
	for _, r := range recipients {
		if r == agency {
			return true
		}
	}
	return false
}
