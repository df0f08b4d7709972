package screen

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize returns the canonical form of a name: transliterated to Latin
// where a table exists (Cyrillic, Greek, Arabic, Hebrew, Armenian, Georgian),
// accents removed, lower case, punctuation turned into spaces (apostrophes
// and dots inside abbreviations dropped), company legal forms canonicalised
// ("limited" → "ltd", "L.L.C." → "llc") and, for persons written
// "SURNAME, Given", reordered to "given surname".
func Normalize(name string, t EntityType) string {
	return strings.Join(Tokens(name, t), " ")
}

// Tokens returns the tokens of Normalize(name, t).
func Tokens(name string, t EntityType) []string {
	s := Fold(name)
	if t == Person || t == Unknown {
		s = reorderSurnameFirst(s)
	}
	toks := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
	if t != Person {
		toks = canonicalLegalForms(toks)
	}
	return toks
}

// reorderSurnameFirst turns "surname, given names" into "given names surname"
// when the string has exactly one comma and both sides are short.
func reorderSurnameFirst(s string) string {
	i := strings.IndexByte(s, ',')
	if i < 0 || strings.IndexByte(s[i+1:], ',') >= 0 {
		return s
	}
	head, tail := strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
	if head == "" || tail == "" {
		return s
	}
	nh, nt := len(strings.Fields(head)), len(strings.Fields(tail))
	if nh > 4 || nt > 6 {
		return s
	}
	// "ACME, ltd" is not a surname-first person.
	if nt == 1 && legalForms[strings.Fields(tail)[0]] != "" {
		return s
	}
	return tail + " " + head
}

// Fold lowercases s, transliterates non-Latin scripts, removes accents and
// maps punctuation to spaces, keeping commas so that callers can detect
// surname-first order. Runs of spaces collapse to one.
func Fold(s string) string {
	if s == "" {
		return ""
	}
	s = norm.NFKD.String(strings.ToValidUTF8(s, " "))
	var b strings.Builder
	b.Grow(len(s))
	space := true // suppress leading space
	put := func(str string) {
		for _, r := range str {
			if r == ' ' {
				if !space {
					b.WriteByte(' ')
					space = true
				}
				continue
			}
			b.WriteRune(r)
			space = false
		}
	}
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r < utf8.RuneSelf:
			switch {
			case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
				b.WriteRune(r)
				space = false
			case 'A' <= r && r <= 'Z':
				b.WriteRune(r + 'a' - 'A')
				space = false
			case r == '\'' || r == '`':
				// O'Brien → obrien, NU'MAN → numan
			case r == '.':
				// S.A. → sa, but "J. Smith" → "j smith".
				if i+1 < len(rs) && unicode.IsLetter(rs[i+1]) {
					continue
				}
				put(" ")
			case r == ',':
				b.WriteByte(',')
				space = false
				put(" ")
			case r == '&':
				put(" and ")
			default:
				put(" ")
			}
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || r == 0x200c || r == 0x200d:
			// combining marks and joiners vanish
		case r == '’' || r == 'ʻ' || r == 'ʼ' || r == '‘' || r == 'ʿ' || r == 'ʾ':
		default:
			if t, ok := translit[unicode.ToLower(r)]; ok {
				put(t)
				continue
			}
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(unicode.ToLower(r))
				space = false
			default:
				put(" ")
			}
		}
	}
	out := b.String()
	out = strings.TrimRight(out, " ,")
	return out
}

// legalForms maps spellings of company legal forms to a canonical token.
var legalForms = map[string]string{
	"ltd": "ltd", "limited": "ltd", "ltda": "ltd", "llc": "llc", "inc": "inc",
	"incorporated": "inc", "corp": "corp", "corporation": "corp", "co": "co",
	"company": "co", "plc": "plc", "sa": "sa", "sas": "sas", "sarl": "sarl",
	"srl": "srl", "spa": "spa", "ag": "ag", "aktiengesellschaft": "ag",
	"gmbh": "gmbh", "bv": "bv", "nv": "nv", "oy": "oy", "ab": "ab", "jsc": "jsc",
	"ojsc": "ojsc", "cjsc": "cjsc", "pjsc": "pjsc", "oao": "ojsc", "zao": "cjsc",
	"pao": "pjsc", "ooo": "llc", "tov": "llc", "llp": "llp", "lp": "lp",
	"fze": "fze", "fzco": "fzco", "fzc": "fzc", "fzllc": "llc", "pte": "pte",
	"pvt": "pvt", "bhd": "bhd", "sdn": "sdn", "kg": "kg", "kft": "kft",
	"doo": "doo", "dd": "dd", "ad": "ad", "eood": "eood", "ood": "ood",
	"cia": "co", "compania": "co", "cie": "co", "sociedad": "sa",
}

// legalPhrases are multi-token legal forms, longest first.
var legalPhrases = []struct {
	words []string
	canon string
}{
	{[]string{"limited", "liability", "company"}, "llc"},
	{[]string{"limited", "liability", "partnership"}, "llp"},
	{[]string{"public", "joint", "stock", "company"}, "pjsc"},
	{[]string{"open", "joint", "stock", "company"}, "ojsc"},
	{[]string{"closed", "joint", "stock", "company"}, "cjsc"},
	{[]string{"joint", "stock", "company"}, "jsc"},
	{[]string{"public", "limited", "company"}, "plc"},
	{[]string{"sociedad", "anonima"}, "sa"},
	{[]string{"societe", "anonyme"}, "sa"},
	{[]string{"s", "a", "s"}, "sas"},
	{[]string{"s", "a"}, "sa"},
	{[]string{"l", "l", "c"}, "llc"},
	{[]string{"gesellschaft", "mit", "beschrankter", "haftung"}, "gmbh"},
	{[]string{"private", "ltd"}, "pvt ltd"},
	{[]string{"sa", "de", "cv"}, "sa de cv"},
}

// canonicalLegalForms rewrites legal-form tokens and phrases to their
// canonical spelling.
func canonicalLegalForms(toks []string) []string {
	out := toks[:0:0]
	for i := 0; i < len(toks); {
		matched := false
		for _, p := range legalPhrases {
			if i+len(p.words) <= len(toks) && slicesEqual(toks[i:i+len(p.words)], p.words) {
				out = append(out, strings.Fields(p.canon)...)
				i += len(p.words)
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		t := toks[i]
		if c, ok := legalForms[t]; ok && c != "" {
			t = c
		}
		out = append(out, t)
		i++
	}
	return out
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// isLegalForm reports whether a canonical token is a company legal form.
func isLegalForm(t string) bool {
	_, ok := legalCanon[t]
	return ok
}

var legalCanon = func() map[string]bool {
	m := map[string]bool{}
	for _, v := range legalForms {
		if v != "" {
			m[v] = true
		}
	}
	for _, p := range legalPhrases {
		for _, f := range strings.Fields(p.canon) {
			if f != "de" && f != "cv" {
				m[f] = true
			}
		}
	}
	m["cv"] = true
	return m
}()

// particles are name particles and function words; they carry little
// identifying weight.
var particles = map[string]bool{
	"al": true, "el": true, "ul": true, "ad": true, "ud": true, "as": true,
	"ash": true, "ar": true, "an": true, "bin": true, "ben": true, "ibn": true,
	"bint": true, "binti": true, "bn": true, "de": true, "da": true, "del": true, "della": true,
	"der": true, "den": true, "van": true, "von": true, "di": true, "du": true,
	"la": true, "le": true, "y": true, "e": true, "the": true, "of": true,
	"and": true, "for": true, "und": true, "et": true, "do": true, "dos": true,
	"das": true, "los": true, "las": true, "mr": true, "mrs": true, "dr": true,
	"haji": true, "hajji": true, "mullah": true, "mulla": true, "maulvi": true,
	"sheikh": true, "shaykh": true, "general": true, "colonel": true,
}

// FoldToken maps a normalised token to a transliteration-neutral spelling:
// common digraphs collapse (ph→f, ou→u, kh→h, dj→j ...), vowels fold to
// three classes, doubled letters collapse and a non-initial h disappears.
// "mohammed", "mohamed" and "muhamed" share one folded form.
func FoldToken(t string) string {
	if t == "" {
		return t
	}
	b := make([]byte, 0, len(t)+2)
	for i := 0; i < len(t); i++ {
		c := t[i]
		var n byte
		if i+1 < len(t) {
			n = t[i+1]
		}
		switch c {
		case 'p':
			if n == 'h' {
				b = append(b, 'f')
				i++
				continue
			}
		case 'k':
			if n == 'h' {
				b = append(b, 'h')
				i++
				continue
			}
			if n == 's' {
				b = append(b, 'x')
				i++
				continue
			}
		case 'c':
			if n == 'k' || n == 'q' {
				b = append(b, 'k')
				i++
				continue
			}
			if n == 'h' {
				b = append(b, 's')
				i++
				continue
			}
			if n == 'e' || n == 'i' || n == 'y' {
				b = append(b, 's')
				continue
			}
			b = append(b, 'k')
			continue
		case 's':
			if n == 'c' && i+2 < len(t) && t[i+2] == 'h' {
				b = append(b, 's')
				i += 2
				continue
			}
			if n == 'h' {
				b = append(b, 's')
				i++
				continue
			}
		case 't':
			if n == 'h' {
				b = append(b, 't')
				i++
				continue
			}
			if n == 'z' || n == 's' {
				b = append(b, 'z')
				i++
				continue
			}
		case 'd':
			if n == 'h' {
				b = append(b, 'd')
				i++
				continue
			}
			if n == 'j' || n == 'z' {
				b = append(b, 'j')
				i++
				continue
			}
		case 'z':
			if n == 'h' {
				b = append(b, 'j')
				i++
				continue
			}
		case 'g':
			if n == 'h' {
				b = append(b, 'g')
				i++
				continue
			}
		case 'q':
			b = append(b, 'k')
			continue
		case 'w':
			b = append(b, 'v')
			continue
		case 'x':
			b = append(b, 'x')
			continue
		case 'y':
			b = append(b, 'i')
			continue
		case 'e':
			b = append(b, 'i')
			continue
		case 'o':
			b = append(b, 'u')
			continue
		case 'h':
			if i > 0 {
				continue
			}
		}
		b = append(b, c)
	}
	// collapse doubled letters
	out := b[:0]
	for i := 0; i < len(b); i++ {
		if i > 0 && b[i] == b[i-1] {
			continue
		}
		out = append(out, b[i])
	}
	return string(out)
}

// Phonetic returns a coarse phonetic skeleton of a folded token: the first
// letter and the following consonants. It is only a candidate key.
func Phonetic(folded string) string {
	if folded == "" {
		return ""
	}
	b := []byte{folded[0]}
	for i := 1; i < len(folded); i++ {
		switch c := folded[i]; c {
		case 'a', 'i', 'u':
		default:
			if c != b[len(b)-1] {
				b = append(b, c)
			}
		}
	}
	return string(b)
}
