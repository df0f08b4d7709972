package screen

import (
	"cmp"
	"slices"
)

// candidateLimit is how many names, ranked by the cheap accumulated score,
// go on to full alignment scoring.
const candidateLimit = 64

// maxQueryTokens caps the tokens of a query that are used.
const maxQueryTokens = 24

type qtok struct {
	s, fold string
	w       float32
	exps    []expansion
}

// expansion is a vocabulary token that a query token may stand for.
type expansion struct {
	v   int32
	sim float32
	how string
}

// Search screens q against the index and returns the matches sorted by
// descending score. It is safe for concurrent use.
func (ix *Index) Search(q Query) []Match {
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	minScore := q.MinScore
	if minScore == 0 {
		minScore = DefaultThreshold
	}
	sc := ix.pool.Get().(*scratch)
	defer ix.pool.Put(sc)

	qt := ix.prepare(q.Name, q.Type, sc)
	var qw float32
	for i := range qt {
		qw += qt[i].w
	}

	cands := ix.candidates(qt, qw, q.Type, sc)
	var ids idQuery
	ids.prepare(q)
	for _, m := range [][]int32{ix.imo[ids.imo], ix.mmsi[ids.mmsi], ix.callSign[ids.callSign]} {
		for _, ei := range m {
			if q.Type != Unknown && ix.entries[ei].Type != q.Type {
				continue
			}
			cands = append(cands, ix.namesOf(ei)...)
		}
	}

	best := map[int32]scored{}
	for _, n := range cands {
		in := &ix.names[n]
		s := scored{name: n}
		if len(qt) > 0 {
			s.nameScore = ix.align(qt, in, nil)
		}
		if b, ok := best[in.entry]; !ok || s.nameScore > b.nameScore {
			best[in.entry] = s
		}
	}
	out := make([]Match, 0, len(best))
	for ei, s := range best {
		e := &ix.entries[ei]
		score, ev := evaluate(s.nameScore, e, q, &ids)
		if score < minScore || (score == 0 && len(ev) == 0) {
			continue
		}
		in := &ix.names[s.name]
		out = append(out, Match{
			List: e.List, EntryID: e.ID, Type: e.Type,
			Name: e.PrimaryName(), MatchedName: e.Names[in.name].Value,
			Score:       round4(score),
			Explanation: Explanation{NameKind: e.Names[in.name].Kind, NameScore: round4(s.nameScore), Evidence: ev},
		})
	}
	slices.SortFunc(out, func(a, b Match) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(a.List, b.List); c != 0 {
			return c
		}
		return cmp.Compare(a.EntryID, b.EntryID)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	// Token-level explanations only for what is returned.
	for i := range out {
		m := &out[i]
		ei := ix.byKey[entryKey{m.List, m.EntryID}]
		s := best[ei]
		if len(qt) > 0 {
			var ex Explanation
			ix.align(qt, &ix.names[s.name], &ex)
			m.Explanation.Tokens, m.Explanation.UnmatchedQuery, m.Explanation.UnmatchedName = ex.Tokens, ex.UnmatchedQuery, ex.UnmatchedName
		}
	}
	return out
}

type scored struct {
	name      int32
	nameScore float64
}

func round4(f float64) float64 {
	return float64(int64(f*10000+0.5)) / 10000
}

func (ix *Index) namesOf(ei int32) []int32 {
	// Names of one entry are contiguous; find them by scanning around a
	// binary search on entry index.
	i, _ := slices.BinarySearchFunc(ix.names, ei, func(n indexedName, e int32) int { return cmp.Compare(n.entry, e) })
	var out []int32
	for ; i < len(ix.names) && ix.names[i].entry == ei; i++ {
		out = append(out, int32(i))
	}
	return out
}

// prepare tokenises the query name and finds each token's expansions in the
// vocabulary through the exact, folded, phonetic and trigram keys.
func (ix *Index) prepare(name string, t EntityType, sc *scratch) []qtok {
	toks := Tokens(name, t)
	if len(toks) > maxQueryTokens {
		toks = toks[:maxQueryTokens]
	}
	qt := make([]qtok, len(toks))
	for i, s := range toks {
		f := FoldToken(s)
		q := qtok{s: s, fold: f}
		if len(s) > 1 {
			q.exps = ix.expand(s, f, sc)
		}
		switch {
		case len(s) == 1 || particles[s] || (t != Person && isLegalForm(s)):
			q.w = tokenWeight(s, 0)
		case len(q.exps) > 0 && q.exps[0].sim == 1:
			q.w = ix.toks[q.exps[0].v].w
		case len(q.exps) > 0:
			q.w = ix.toks[q.exps[0].v].w
		default:
			q.w = ix.maxIDF
		}
		qt[i] = q
	}
	return qt
}

func (ix *Index) expand(s, f string, sc *scratch) []expansion {
	var out []expansion
	sc.vgen++
	if sc.vgen == 0 {
		clear(sc.vstamp)
		sc.vgen = 1
	}
	gen := sc.vgen
	add := func(v int32) {
		if sc.vstamp[v] == gen {
			return
		}
		sc.vstamp[v] = gen
		vt := &ix.toks[v]
		if d := len(vt.s) - len(s); d > 3 || d < -3 {
			return
		}
		sim, how := tokenSim(s, vt.s, f, vt.fold)
		if sim > 0 {
			out = append(out, expansion{v: v, sim: float32(sim), how: how})
		}
	}
	if v, ok := ix.vocab[s]; ok {
		sc.vstamp[v] = gen
		out = append(out, expansion{v: v, sim: 1, how: howExact})
	}
	for _, v := range ix.foldIdx[f] {
		add(v)
	}
	if p := Phonetic(f); len(p) >= 2 {
		for _, v := range ix.phonIdx[p] {
			add(v)
		}
	}
	// Shared deletion variants find single edits, even in short tokens.
	forDeletions(s, func(h uint64) {
		for _, v := range ix.delIdx[h] {
			add(v)
		}
	})
	// Trigram overlap finds typos that change the folded form.
	if len(s) >= 4 {
		sc.triTouc = sc.triTouc[:0]
		nq := forTrigrams(f, func(g string) {
			for _, v := range ix.triIdx[g] {
				if sc.tri[v] == 0 {
					sc.triTouc = append(sc.triTouc, v)
				}
				if sc.tri[v] < 255 {
					sc.tri[v]++
				}
			}
		})
		for _, v := range sc.triTouc {
			c := int(sc.tri[v])
			sc.tri[v] = 0
			// Dice coefficient on trigrams ≥ 0.45.
			if 2*c*100 >= 45*(nq+ix.toks[v].ntri) {
				add(v)
			}
		}
	}
	slices.SortFunc(out, func(a, b expansion) int { return cmp.Compare(b.sim, a.sim) })
	return out
}

// candidates accumulates, for every name sharing an expanded token with the
// query, the IDF-weighted similarity of its best-aligned tokens, and returns
// the candidateLimit names with the highest normalised sums. Every query
// token contributes, so a common token cannot crowd out a rare one.
func (ix *Index) candidates(qt []qtok, qw float32, t EntityType, sc *scratch) []int32 {
	if len(qt) == 0 {
		return nil
	}
	if sc.gen > 1<<30 {
		clear(sc.stamp)
		clear(sc.tokStamp)
		sc.gen = 0
	}
	sc.gen += 64
	base := sc.gen
	sc.touched = sc.touched[:0]
	for i := range qt {
		mark := base + uint32(i) + 1
		for _, e := range qt[i].exps {
			c := e.sim * min(qt[i].w, ix.toks[e.v].w)
			for _, n := range ix.postings[e.v] {
				if sc.stamp[n] < base {
					sc.stamp[n] = base
					sc.acc[n] = 0
					sc.touched = append(sc.touched, n)
				}
				if sc.tokStamp[n] == mark {
					continue
				}
				sc.tokStamp[n] = mark
				sc.acc[n] += c
			}
		}
	}
	// Keep the best candidateLimit by acc / (qw + name weight).
	h := sc.heap[:0]
	for _, n := range sc.touched {
		in := &ix.names[n]
		if t != Unknown && ix.entries[in.entry].Type != t {
			continue
		}
		s := sc.acc[n] / (qw + in.weight)
		if len(h) < candidateLimit {
			h = append(h, cand{n, s})
			if len(h) == candidateLimit {
				heapInit(h)
			}
			continue
		}
		if s > h[0].s {
			h[0] = cand{n, s}
			heapDown(h, 0)
		}
	}
	sc.heap = h
	out := make([]int32, len(h))
	for i, c := range h {
		out[i] = c.n
	}
	return out
}

type cand struct {
	n int32
	s float32
}

func heapInit(h []cand) {
	for i := len(h)/2 - 1; i >= 0; i-- {
		heapDown(h, i)
	}
}

func heapDown(h []cand, i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && h[r].s < h[l].s {
			m = r
		}
		if h[i].s <= h[m].s {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}
