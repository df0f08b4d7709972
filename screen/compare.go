package screen

// Compare scores name a against name b as Search would score a query a
// against an entry named b, using this index's token weights (tokens the
// index has never seen weigh as much as its rarest). It returns the name
// score in [0, 1] and the token alignment.
func (ix *Index) Compare(a, b string, t EntityType) (float64, Explanation) {
	mini := &Index{
		vocab:    map[string]int32{},
		foldIdx:  map[string][]int32{},
		phonIdx:  map[string][]int32{},
		triIdx:   map[string][]int32{},
		delIdx:   map[uint64][]int32{},
		maxIDF:   ix.maxIDF,
		pairType: t,
	}
	in := indexedName{}
	for _, s := range Tokens(b, t) {
		v, ok := mini.vocab[s]
		if !ok {
			v = int32(len(mini.toks))
			mini.vocab[s] = v
			f := FoldToken(s)
			w := tokenWeight(s, ix.maxIDF)
			if iv, ok := ix.vocab[s]; ok {
				w = ix.toks[iv].w
			}
			vt := vocabTok{s: s, fold: f, phon: Phonetic(f), w: w}
			vt.ntri = forTrigrams(f, func(g string) {
				l := mini.triIdx[g]
				if len(l) == 0 || l[len(l)-1] != v {
					mini.triIdx[g] = append(l, v)
				}
			})
			forDeletions(s, func(h uint64) { mini.delIdx[h] = append(mini.delIdx[h], v) })
			mini.toks = append(mini.toks, vt)
			mini.foldIdx[f] = append(mini.foldIdx[f], v)
			if len(vt.phon) >= 2 {
				mini.phonIdx[vt.phon] = append(mini.phonIdx[vt.phon], v)
			}
		}
		in.toks = append(in.toks, v)
		in.weight += mini.toks[v].w
	}
	var ex Explanation
	if len(in.toks) == 0 {
		return 0, ex
	}
	sc := newScratch(1, len(mini.toks))
	qt := mini.prepare(a, t, sc)
	if len(qt) == 0 {
		return 0, ex
	}
	for i := range qt {
		if v, ok := ix.vocab[qt[i].s]; ok {
			qt[i].w = ix.toks[v].w
		}
	}
	s := mini.align(qt, &in, &ex)
	ex.NameScore = round4(s)
	return s, ex
}
