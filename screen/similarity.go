package screen

// jaroWinkler returns the Jaro-Winkler similarity of two byte strings.
func jaroWinkler(a, b string) float64 {
	if a == b {
		return 1
	}
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	if la > lb {
		a, b = b, a
		la, lb = lb, la
	}
	window := lb/2 - 1
	if window < 0 {
		window = 0
	}
	var am, bm [64]bool
	if lb > 64 {
		return levRatio(a, b)
	}
	matches := 0
	for i := 0; i < la; i++ {
		lo, hi := i-window, i+window+1
		if lo < 0 {
			lo = 0
		}
		if hi > lb {
			hi = lb
		}
		for j := lo; j < hi; j++ {
			if !bm[j] && a[i] == b[j] {
				am[i], bm[j] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	trans, k := 0, 0
	for i := 0; i < la; i++ {
		if !am[i] {
			continue
		}
		for !bm[k] {
			k++
		}
		if a[i] != b[k] {
			trans++
		}
		k++
	}
	m := float64(matches)
	jaro := (m/float64(la) + m/float64(lb) + (m-float64(trans/2))/m) / 3
	prefix := 0
	for prefix < la && prefix < 4 && a[prefix] == b[prefix] {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}

// osaDistance is the optimal-string-alignment edit distance (Levenshtein
// with adjacent transpositions) between two byte strings.
func osaDistance(a, b string) int {
	la, lb := len(a), len(b)
	if la == 0 {
		return lb
	}
	if lb == 0 {
		return la
	}
	if la > 63 || lb > 63 {
		return simpleLev(a, b)
	}
	var rows [3][64]int
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= lb; j++ {
		prev[j] = j
	}
	for i := 1; i <= la; i++ {
		cur[0] = i
		for j := 1; j <= lb; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[lb]
}

func simpleLev(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// levRatio is 1 - distance/longer length.
func levRatio(a, b string) float64 {
	n := max(len(a), len(b))
	if n == 0 {
		return 1
	}
	return 1 - float64(osaDistance(a, b))/float64(n)
}

// Token similarity classes, recorded in explanations.
const (
	howExact   = "exact"
	howFolded  = "transliteration"
	howFuzzy   = "fuzzy"
	howInitial = "initial"
	howJoined  = "joined"
)

// minTokenSim is the similarity below which two tokens do not align.
const minTokenSim = 0.80

// tokenSim scores two normalised tokens a, b with folded forms fa, fb.
func tokenSim(a, b, fa, fb string) (float64, string) {
	if a == b {
		return 1, howExact
	}
	if len(a) == 1 || len(b) == 1 {
		if a[0] == b[0] {
			return initialSim, howInitial
		}
		return 0, ""
	}
	if fa == fb {
		// Equal after folding; how far apart the spellings are still counts.
		return 0.85 + 0.1*levRatio(a, b), howFolded
	}
	// Digits must agree exactly: "2004-1" is not "2004-2".
	if isDigits(a) || isDigits(b) {
		return 0, ""
	}
	short := min(len(a), len(b))
	if short <= 3 {
		// Short tokens only match through folding or one edit.
		if osaDistance(a, b) <= 1 && short == 3 {
			return 0.82, howFuzzy
		}
		return 0, ""
	}
	if genderVariant(a, b) {
		return 0, ""
	}
	lr := levRatio(a, b)
	jf := jaroWinkler(fa, fb)
	s := 0.5*lr + 0.5*jf
	if d := osaDistance(a, b); d == 1 {
		s = max(s, 0.9)
	} else if d == 2 && short >= 7 {
		s = max(s, 0.85)
	}
	if lf := levRatio(fa, fb); lf > lr {
		s = max(s, 0.5*lf+0.5*jf)
	}
	if a[0] != b[0] && fa[0] != fb[0] {
		s -= 0.05 // a different first sound is rarely a typo
	}
	if s > 0.94 {
		s = 0.94
	}
	if s < minTokenSim {
		return 0, ""
	}
	return s, howFuzzy
}

// initialSim is the similarity of an initial to a token it begins.
const initialSim = 0.9

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// genderVariant reports whether two given names differ only in a final
// vowel that marks gender ("antonio"/"antonia", "joaquin"/"joaquina").
func genderVariant(a, b string) bool {
	if len(a) < 4 || len(b) < 4 {
		return false
	}
	strip := func(s string) string {
		if c := s[len(s)-1]; c == 'a' || c == 'o' {
			return s[:len(s)-1]
		}
		return s
	}
	sa, sb := strip(a), strip(b)
	return sa == sb || sa == b || sb == a
}
