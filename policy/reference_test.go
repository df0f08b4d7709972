package policy

import (
	"sort"

	"github.com/enlace-exchange/enlace"
)

// refOutcome is what the reference model decides: allow or deny, the
// agreement that allowed it, and the suspensions in force that denied it
// (latest first).
type refOutcome struct {
	allowed    bool
	agreement  string
	version    int
	directives []string
}

// refDecide is the reference model: the rules of the package read
// straight off the brief, as loops over the world. It shares no code with
// the compiled form or the Cedar translation; only domain methods.
func refDecide(w World, r Request) refOutcome {
	v := w.Vocabulary
	party := func(id string) (enlace.Party, bool) {
		for _, a := range w.Agencies {
			if a.ID == id {
				pa := enlace.Party{Agency: a.ID, Nation: a.Nation}
				for _, tf := range w.TaskForces {
					if tf.HasMember(a.ID) {
						pa.TaskForces = append(pa.TaskForces, tf.ID)
					}
				}
				return pa, true
			}
		}
		return enlace.Party{}, false
	}
	O, ok1 := party(r.Report.Originator)
	R, ok2 := party(r.Reader)
	if !ok1 || !ok2 || !v.Known(r.Purpose) {
		return refOutcome{}
	}
	if R.Agency == O.Agency {
		return refOutcome{allowed: true}
	}
	p, t, m := r.Purpose, r.At, r.Report.Markings
	has := func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	}
	consent := func(agency string) bool {
		for _, c := range r.Consents {
			if c.Recipient == agency && c.Permits(v, p, t) {
				return true
			}
		}
		return false
	}

	// Rules 2 and 3 for a reader X.
	marksOK := func(X string) bool {
		ur := m.UseRestriction
		if v.CoveredByAny(ur.ProhibitedPurposes, p) {
			return false
		}
		if len(ur.AllowedPurposes) > 0 && !v.CoveredByAny(ur.AllowedPurposes, p) {
			return false
		}
		if m.HasHandling(enlace.H0) && !v.Covers(enlace.PurposeLawEnforcement, p) {
			return false
		}
		if (m.HasHandling(enlace.H1) || ur.NoJudicialUse) && v.Covers(enlace.PurposeProsecution, p) && !consent(X) {
			return false
		}
		return true
	}

	// Rule 5: the suspensions in force for the pair (S, X).
	inForce := func(S, X enlace.Party) []enlace.Directive {
		applicable := func(d enlace.Directive) bool {
			return !d.EffectiveAt.After(t) && d.From.Covers(S) && d.To.Covers(X) && d.Purposes.Includes(v, p)
		}
		var out []enlace.Directive
		for _, s := range w.Directives {
			if s.Action != enlace.ActionSuspend || !applicable(s) {
				continue
			}
			lifted := false
			for _, re := range w.Directives {
				if re.Action == enlace.ActionReinstate && applicable(re) && s.Before(re) && re.IssuerRank >= s.IssuerRank {
					lifted = true
				}
			}
			if !lifted {
				out = append(out, s)
			}
		}
		return out
	}

	// Rule 4: the agreements that let S give the report to X, best first.
	// direct adds the AMBER+STRICT agency rule of a release by the
	// originator.
	matching := func(S, X enlace.Party, direct bool) []enlace.Agreement {
		var out []enlace.Agreement
	next:
		for _, a := range w.Agreements {
			if !a.ActiveAt(t) || !a.Provider.Covers(S) || !a.Recipient.Covers(X) {
				continue
			}
			if !v.CoveredByAny(a.AllowedPurposes, p) || v.CoveredByAny(a.ProhibitedPurposes, p) {
				continue
			}
			if m.TLP > a.MaxTLP {
				continue
			}
			for _, h := range m.Handling {
				if !a.Accepts(h) {
					continue next
				}
			}
			if direct && m.TLP == enlace.TLPAmberStrict && len(m.Recipients) == 0 && a.Recipient != enlace.AgencyScope(X.Agency) {
				continue
			}
			out = append(out, a)
		}
		sort.Slice(out, func(i, j int) bool {
			a, b := out[i], out[j]
			if len(a.ID) != len(b.ID) {
				return len(a.ID) < len(b.ID)
			}
			if a.ID != b.ID {
				return a.ID < b.ID
			}
			return a.Version > b.Version
		})
		return out
	}
	tlpDirect := func(X string) bool {
		switch m.TLP {
		case enlace.TLPRed:
			return has(m.Recipients, X)
		case enlace.TLPAmberStrict:
			return len(m.Recipients) == 0 || has(m.Recipients, X)
		}
		return true
	}

	out := refOutcome{}
	var suspended []enlace.Directive
	okAll := marksOK(R.Agency)
	var chosen []enlace.Agreement

	holder := r.Holder
	if holder == "" || holder == O.Agency || holder == R.Agency {
		suspended = inForce(O, R)
		chosen = matching(O, R, true)
		okAll = okAll && tlpDirect(R.Agency) && len(chosen) > 0
	} else {
		H, ok := party(holder)
		if !ok {
			return refOutcome{}
		}
		// (a) the holder passes the direct rules itself.
		holderSusp := inForce(O, H)
		holderAgr := matching(O, H, true)
		holderOK := marksOK(H.Agency) && tlpDirect(H.Agency) && len(holderAgr) > 0 && len(holderSusp) == 0
		// (b) a hop agreement.
		chosen = matching(H, R, false)
		// (c) the onward rule.
		rule := m.UseRestriction.Onward
		if rule == "" && holderOK {
			rule = holderAgr[0].Onward
		}
		onwardOK := rule != enlace.OnwardNone
		if m.HasHandling(enlace.H2) || m.HasHandling(enlace.ORCON) || rule == enlace.OnwardConsent {
			onwardOK = onwardOK && consent(R.Agency)
		}
		// (d) TLP.
		tlpOK := (m.TLP != enlace.TLPRed && m.TLP != enlace.TLPAmberStrict) || has(m.Recipients, R.Agency)
		okAll = okAll && holderOK && len(chosen) > 0 && onwardOK && tlpOK
		suspended = append(append(holderSusp, inForce(O, R)...), inForce(H, R)...)
	}
	if len(suspended) > 0 {
		okAll = false
		sort.Slice(suspended, func(i, j int) bool { return suspended[j].Before(suspended[i]) })
		for _, s := range suspended {
			id := "directive " + s.ID
			if len(out.directives) == 0 || out.directives[len(out.directives)-1] != id {
				out.directives = append(out.directives, id)
			}
		}
	}
	if okAll {
		out.allowed = true
		out.agreement, out.version = chosen[0].ID, chosen[0].Version
	}
	return out
}
