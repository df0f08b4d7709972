package screen

import "math/bits"

// maxNameTokens caps the tokens of one name that take part in alignment.
const maxNameTokens = 64

// initialWeight is the weight of a name token matched only by an initial.
const initialWeight = 3

// unmatchedCap caps the cost of a token left without a partner.
const unmatchedCap = 6

// middleCap caps the cost of an unmatched middle name of a person.
const middleCap = 2

// align scores query tokens qt against an indexed name and,
// if ex is not nil, records the alignment in it.
//
// Each query token pairs with at most one name token, chosen greedily by the
// weighted similarity sim·(wq+wn). The score is the weighted Dice
// coefficient Σ sim·(wq+wn) / (Σ wq + Σ wn): identical token multisets
// score exactly 1, and every token left without a partner on either side
// lowers the score in proportion to its weight, so a missing rare surname
// costs much more than a missing common given name or particle. Two
// adjacent tokens may also pair with one token written joined
// ("abdul rahman" ~ "abdulrahman").
func (ix *Index) align(qt []qtok, in *indexedName, ex *Explanation) float64 {
	nt := in.toks
	if len(nt) > maxNameTokens {
		nt = nt[:maxNameTokens]
	}
	type pair struct {
		i, j int
		sim  float32
		how  string
		gain float32
	}
	var buf [64]pair
	ps := buf[:0]
	for i := range qt {
		q := &qt[i]
		for j, v := range nt {
			vt := &ix.toks[v]
			var sim float32
			var how string
			if len(q.s) == 1 || len(vt.s) == 1 {
				if q.s[0] == vt.s[0] {
					sim, how = initialSim, howInitial
					if q.s == vt.s {
						sim, how = 1, howExact
					}
				}
			} else {
				for _, e := range q.exps {
					if e.v == v {
						sim, how = e.sim, e.how
						break
					}
				}
			}
			if sim == 0 {
				continue
			}
			wn := vt.w
			if how == howInitial {
				wn = min(wn, initialWeight)
			}
			ps = append(ps, pair{i, j, sim, how, sim * (q.w + wn)})
		}
	}
	var usedQ, usedN uint64
	var num, mden float32
	var chosen [64]pair
	nc := 0
	for {
		bi := -1
		for k := range ps {
			p := &ps[k]
			if usedQ&(1<<p.i) != 0 || usedN&(1<<p.j) != 0 {
				continue
			}
			if bi < 0 || p.gain > ps[bi].gain {
				bi = k
			}
		}
		if bi < 0 {
			break
		}
		p := ps[bi]
		usedQ |= 1 << p.i
		usedN |= 1 << p.j
		num += p.gain
		mden += p.gain / p.sim
		if nc < len(chosen) {
			chosen[nc] = p
			nc++
		}
	}

	// Joined tokens: two adjacent unmatched tokens on one side against one
	// unmatched token on the other.
	type joined struct {
		q, n string
	}
	var joins []joined
	if bits.OnesCount64(usedQ) < len(qt) && bits.OnesCount64(usedN) < len(nt) {
		for i := 0; i+1 < len(qt) && i+1 < 64; i++ {
			if usedQ&(3<<i) != 0 {
				continue
			}
			cat := FoldToken(qt[i].s + qt[i+1].s)
			for j, v := range nt {
				if usedN&(1<<j) == 0 && cat == ix.toks[v].fold {
					usedQ |= 3 << i
					usedN |= 1 << j
					w := qt[i].w + qt[i+1].w + ix.toks[v].w
					num += 0.95 * w
					mden += w
					joins = append(joins, joined{qt[i].s + " " + qt[i+1].s, ix.toks[v].s})
					break
				}
			}
		}
		for j := 0; j+1 < len(nt) && j+1 < 64; j++ {
			if usedN&(3<<j) != 0 {
				continue
			}
			a, b := &ix.toks[nt[j]], &ix.toks[nt[j+1]]
			cat := FoldToken(a.s + b.s)
			for i := range qt {
				if usedQ&(1<<i) == 0 && qt[i].fold == cat {
					usedQ |= 1 << i
					usedN |= 3 << j
					w := qt[i].w + a.w + b.w
					num += 0.95 * w
					mden += w
					joins = append(joins, joined{qt[i].s, a.s + " " + b.s})
					break
				}
			}
		}
	}
	// Tokens without a partner cost their weight up to unmatchedCap: what
	// the query or the name leaves out is evidence against the match, but
	// how rare the missing token is says little about it.
	// For persons, a middle name (neither first nor last) is often left out,
	// so it costs less.
	person := ix.entryType(in) == Person
	capFor := func(pos, n int) float32 {
		if person && pos > 0 && pos < n-1 {
			return middleCap
		}
		return unmatchedCap
	}
	den := mden
	for i := range qt {
		if usedQ&(1<<i) == 0 {
			den += min(qt[i].w, unmatchedCap)
		}
	}
	for j, v := range nt {
		if usedN&(1<<j) == 0 {
			den += min(ix.toks[v].w, capFor(j, len(nt)))
		}
	}
	score := float64(num / den)
	if score > 1 {
		score = 1
	}
	if in.weak {
		score *= 0.9
	}
	if ex != nil {
		for _, p := range chosen[:nc] {
			ex.Tokens = append(ex.Tokens, TokenAlignment{Query: qt[p.i].s, Name: ix.toks[nt[p.j]].s, Similarity: round4(float64(p.sim)), How: p.how})
		}
		for _, j := range joins {
			ex.Tokens = append(ex.Tokens, TokenAlignment{Query: j.q, Name: j.n, Similarity: 0.95, How: howJoined})
		}
		for i := range qt {
			if usedQ&(1<<i) == 0 {
				ex.UnmatchedQuery = append(ex.UnmatchedQuery, qt[i].s)
			}
		}
		for j, v := range nt {
			if usedN&(1<<j) == 0 {
				ex.UnmatchedName = append(ex.UnmatchedName, ix.toks[v].s)
			}
		}
	}
	return score
}

// entryType returns the type of the entry an indexed name belongs to; names
// compared outside an index carry it in pairType.
func (ix *Index) entryType(in *indexedName) EntityType {
	if ix.entries == nil {
		return ix.pairType
	}
	return ix.entries[in.entry].Type
}
