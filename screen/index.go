package screen

import (
	"math"
	"strings"
	"sync"
)

// IndexOptions configures NewIndex.
type IndexOptions struct {
	// Versions are the list versions the entries come from; Search reports
	// them back through Index.Versions.
	Versions []ListVersion
	// Progress, if set, is called with the number of entries indexed so far
	// and the total.
	Progress func(done, total int)
}

// Index is an in-memory search structure over list entries. It is immutable
// once built and safe for concurrent use.
type Index struct {
	entries  []Entry
	versions []ListVersion
	names    []indexedName
	byKey    map[entryKey]int32

	vocab    map[string]int32
	toks     []vocabTok
	postings [][]int32 // vocab id → name ids

	foldIdx map[string][]int32 // folded token → vocab ids
	phonIdx map[string][]int32 // phonetic skeleton → vocab ids
	triIdx  map[string][]int32 // trigram of folded token → vocab ids
	delIdx  map[uint64][]int32 // hash of token or token less one letter → vocab ids

	imo, mmsi, callSign map[string][]int32 // identifier → entry indexes

	maxIDF   float32
	pool     sync.Pool
	pairType EntityType // the type Compare scores under
}

type entryKey struct{ list, id string }

type indexedName struct {
	entry  int32
	name   int16
	weak   bool
	toks   []int32
	weight float32
}

type vocabTok struct {
	s, fold, phon string
	ntri          int
	w             float32
}

// NewIndex builds an index over entries. Entries are copied by reference:
// the caller must not modify them afterwards.
func NewIndex(entries []Entry, opts IndexOptions) *Index {
	ix := &Index{
		entries:  entries,
		versions: append([]ListVersion(nil), opts.Versions...),
		byKey:    make(map[entryKey]int32, len(entries)),
		vocab:    make(map[string]int32),
		foldIdx:  make(map[string][]int32),
		phonIdx:  make(map[string][]int32),
		triIdx:   make(map[string][]int32),
		delIdx:   make(map[uint64][]int32),
		imo:      make(map[string][]int32),
		mmsi:     make(map[string][]int32),
		callSign: make(map[string][]int32),
	}
	df := []int32{}
	for ei := range entries {
		e := &entries[ei]
		ix.byKey[entryKey{e.List, e.ID}] = int32(ei)
		seen := map[string]bool{}
		for ni, n := range e.Names {
			toks := Tokens(n.Value, e.Type)
			if len(toks) == 0 {
				continue
			}
			key := strings.Join(sortedCopy(toks), " ")
			if seen[key] {
				continue // the same name twice adds nothing
			}
			seen[key] = true
			in := indexedName{entry: int32(ei), name: int16(ni), weak: n.Kind == WeakAKA}
			for _, t := range toks {
				v, ok := ix.vocab[t]
				if !ok {
					v = int32(len(ix.toks))
					ix.vocab[t] = v
					f := FoldToken(t)
					ix.toks = append(ix.toks, vocabTok{s: t, fold: f, phon: Phonetic(f)})
					ix.postings = append(ix.postings, nil)
					df = append(df, 0)
				}
				in.toks = append(in.toks, v)
			}
			nid := int32(len(ix.names))
			for i, v := range in.toks {
				if i > 0 && containsBefore(in.toks, i) {
					continue
				}
				ix.postings[v] = append(ix.postings[v], nid)
				df[v]++
			}
			ix.names = append(ix.names, in)
		}
		if id := NormalizeIMO(e.IMO); id != "" {
			ix.imo[id] = append(ix.imo[id], int32(ei))
		}
		if id := normalizeIdent(e.MMSI); id != "" {
			ix.mmsi[id] = append(ix.mmsi[id], int32(ei))
		}
		if id := normalizeIdent(e.CallSign); id != "" {
			ix.callSign[id] = append(ix.callSign[id], int32(ei))
		}
		if opts.Progress != nil && (ei%1000 == 999 || ei == len(entries)-1) {
			opts.Progress(ei+1, len(entries))
		}
	}
	n := float64(len(ix.names) + 1)
	ix.maxIDF = float32(math.Log(n/0.5)) + 1
	for v := range ix.toks {
		t := &ix.toks[v]
		t.w = tokenWeight(t.s, float32(math.Log(n/(float64(df[v])+0.5)))+1)
		ix.foldIdx[t.fold] = append(ix.foldIdx[t.fold], int32(v))
		if len(t.phon) >= 2 {
			ix.phonIdx[t.phon] = append(ix.phonIdx[t.phon], int32(v))
		}
		forDeletions(t.s, func(h uint64) {
			l := ix.delIdx[h]
			if len(l) == 0 || l[len(l)-1] != int32(v) {
				ix.delIdx[h] = append(l, int32(v))
			}
		})
		t.ntri = forTrigrams(t.fold, func(g string) {
			l := ix.triIdx[g]
			if len(l) == 0 || l[len(l)-1] != int32(v) {
				ix.triIdx[g] = append(l, int32(v))
			}
		})
	}
	for i := range ix.names {
		in := &ix.names[i]
		for _, v := range in.toks {
			in.weight += ix.toks[v].w
		}
	}
	ix.pool.New = func() any { return newScratch(len(ix.names), len(ix.toks)) }
	return ix
}

// tokenWeight is the evidential weight of a token with inverse document
// frequency idf: particles, legal forms and initials count little.
func tokenWeight(t string, idf float32) float32 {
	switch {
	case len(t) == 1:
		return 2
	case particles[t]:
		return 0.5
	case isLegalForm(t):
		return 0.5
	}
	return idf
}

func containsBefore(s []int32, i int) bool {
	for j := 0; j < i; j++ {
		if s[j] == s[i] {
			return true
		}
	}
	return false
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	for i := 1; i < len(c); i++ {
		for j := i; j > 0 && c[j] < c[j-1]; j-- {
			c[j], c[j-1] = c[j-1], c[j]
		}
	}
	return c
}

// forTrigrams calls f with each byte trigram of "^t$" and returns their
// number.
func forTrigrams(t string, f func(string)) int {
	p := "^" + t + "$"
	n := 0
	for i := 0; i+3 <= len(p); i++ {
		f(p[i : i+3])
		n++
	}
	return n
}

// Len returns the number of entries in the index.
func (ix *Index) Len() int { return len(ix.entries) }

// Versions returns the list versions the index was built from.
func (ix *Index) Versions() []ListVersion { return append([]ListVersion(nil), ix.versions...) }

// Entry returns the entry with the given list and ID.
func (ix *Index) Entry(list, id string) (Entry, bool) {
	i, ok := ix.byKey[entryKey{list, id}]
	if !ok {
		return Entry{}, false
	}
	return ix.entries[i], true
}

// scratch is per-query working memory.
type scratch struct {
	acc      []float32
	stamp    []uint32
	tokStamp []uint32
	gen      uint32
	heap     []cand
	touched  []int32
	tri      []uint8
	vstamp   []uint32
	vgen     uint32
	triTouc  []int32
}

func newScratch(names, vocab int) *scratch {
	return &scratch{
		acc:      make([]float32, names),
		stamp:    make([]uint32, names),
		tokStamp: make([]uint32, names),
		tri:      make([]uint8, vocab),
		vstamp:   make([]uint32, vocab),
	}
}

// forDeletions calls f with the hash of t and, for tokens of three or more
// bytes, the hash of t less each one of its bytes: two tokens one edit
// (insertion, deletion, substitution or transposition) apart share a key.
func forDeletions(t string, f func(uint64)) {
	f(hashSkip(t, -1))
	if len(t) < 3 {
		return
	}
	for i := 0; i < len(t); i++ {
		if i > 0 && t[i] == t[i-1] {
			continue // same variant as the previous deletion
		}
		f(hashSkip(t, i))
	}
}

// hashSkip is FNV-1a of t without byte skip.
func hashSkip(t string, skip int) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(t); i++ {
		if i == skip {
			continue
		}
		h ^= uint64(t[i])
		h *= 1099511628211
	}
	return h
}
