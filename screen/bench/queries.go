package bench

import (
	"math/rand/v2"
	"strings"
	"unicode"

	"github.com/enlace-exchange/enlace/screen"
)

// The perturbation classes, in report order.
var classes = []string{
	"exact", "reordered", "typo", "transliteration", "alias",
	"dropped-middle", "initials", "suffix-swap", "vessel-id",
}

// labelled is one generated query with the entry it must find.
type labelled struct {
	class string
	q     screen.Query
	want  string // entry ID in the SDN list
}

// generate draws up to perClass queries per class from SDN entries.
func generate(entries []screen.Entry, perClass int, seed uint64) []labelled {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	order := rng.Perm(len(entries))
	var out []labelled
	for _, class := range classes {
		n := 0
		for _, i := range order {
			if n >= perClass {
				break
			}
			e := &entries[i]
			q, ok := perturb(class, e, rng)
			if !ok {
				continue
			}
			q.Type = e.Type
			out = append(out, labelled{class: class, q: q, want: e.ID})
			n++
		}
	}
	return out
}

func isASCII(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII {
			return false
		}
	}
	return true
}

// split returns an OFAC person name's given names and surname words.
func split(name string) (given, surname []string) {
	s, g, ok := strings.Cut(name, ",")
	if !ok {
		w := strings.Fields(name)
		if len(w) < 2 {
			return nil, w
		}
		return w[:len(w)-1], w[len(w)-1:]
	}
	return strings.Fields(g), strings.Fields(s)
}

func natural(given, surname []string) string {
	return strings.Join(append(append([]string{}, given...), surname...), " ")
}

func perturb(class string, e *screen.Entry, rng *rand.Rand) (screen.Query, bool) {
	name := e.PrimaryName()
	if !isASCII(name) {
		return screen.Query{}, false
	}
	given, surname := split(name)
	switch class {
	case "exact":
		return screen.Query{Name: name}, true
	case "reordered":
		if e.Type != screen.Person || len(given) == 0 {
			return screen.Query{}, false
		}
		w := strings.Fields(natural(given, surname))
		orig := strings.Join(w, " ")
		for k := 0; k < 5; k++ {
			rng.Shuffle(len(w), func(i, j int) { w[i], w[j] = w[j], w[i] })
			if s := strings.Join(w, " "); s != orig || k == 4 {
				return screen.Query{Name: s}, true
			}
		}
	case "typo":
		w := strings.Fields(name)
		if e.Type == screen.Person && len(given) > 0 {
			w = strings.Fields(natural(given, surname))
		}
		var cand []int
		for i, t := range w {
			if len(t) >= 4 && isLetters(t) {
				cand = append(cand, i)
			}
		}
		if len(cand) == 0 {
			return screen.Query{}, false
		}
		i := cand[rng.IntN(len(cand))]
		w[i] = typo(w[i], rng)
		return screen.Query{Name: strings.Join(w, " ")}, true
	case "transliteration":
		if e.Type == screen.Person && len(given) > 0 && rng.IntN(2) == 0 {
			return screen.Query{Name: toCyrillic(natural(given, surname))}, true
		}
		w := strings.Fields(strings.ToLower(name))
		if e.Type == screen.Person && len(given) > 0 {
			w = strings.Fields(strings.ToLower(natural(given, surname)))
		}
		changed := false
		for _, i := range rng.Perm(len(w)) {
			if v, ok := respell(w[i], rng); ok {
				w[i] = v
				changed = true
				if rng.IntN(2) == 0 {
					break
				}
			}
		}
		if !changed {
			return screen.Query{}, false
		}
		return screen.Query{Name: strings.Join(w, " ")}, true
	case "alias":
		var al []string
		for _, n := range e.Names[1:] {
			if (n.Kind == screen.AKA || n.Kind == screen.FKA || n.Kind == screen.NKA) && isASCII(n.Value) && len(screen.Tokens(n.Value, e.Type)) > 0 {
				al = append(al, n.Value)
			}
		}
		if len(al) == 0 {
			return screen.Query{}, false
		}
		return screen.Query{Name: al[rng.IntN(len(al))]}, true
	case "dropped-middle":
		if e.Type != screen.Person || len(given) < 2 {
			return screen.Query{}, false
		}
		i := 1 + rng.IntN(len(given)-1)
		g := append(append([]string{}, given[:i]...), given[i+1:]...)
		return screen.Query{Name: natural(g, surname)}, true
	case "initials":
		if e.Type != screen.Person || len(given) == 0 || len(surname) == 0 {
			return screen.Query{}, false
		}
		g := append([]string{}, given...)
		from := 1
		if len(g) == 1 {
			from = 0
		}
		for i := from; i < len(g); i++ {
			g[i] = g[i][:1] + "."
		}
		return screen.Query{Name: natural(g, surname)}, true
	case "suffix-swap":
		if e.Type != screen.Organization {
			return screen.Query{}, false
		}
		s, ok := swapSuffix(name, rng)
		if !ok {
			return screen.Query{}, false
		}
		return screen.Query{Name: s}, true
	case "vessel-id":
		if e.Type != screen.Vessel || e.IMO == "" {
			return screen.Query{}, false
		}
		q := screen.Query{IMO: "IMO " + e.IMO, MMSI: e.MMSI}
		if rng.IntN(2) == 0 {
			w := strings.Fields(name)
			i := rng.IntN(len(w))
			if len(w[i]) >= 4 {
				w[i] = typo(w[i], rng)
			}
			q.Name = strings.Join(w, " ")
		}
		return q, true
	}
	return screen.Query{}, false
}

func isLetters(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// typo applies one random edit: deletion, insertion, substitution or
// transposition of adjacent letters, away from the first letter.
func typo(t string, rng *rand.Rand) string {
	b := []byte(t)
	upper := t == strings.ToUpper(t)
	letter := byte('a' + rng.IntN(26))
	if upper {
		letter -= 'a' - 'A'
	}
	i := 1 + rng.IntN(len(b)-1)
	switch rng.IntN(4) {
	case 0:
		return string(append(b[:i:i], b[i+1:]...))
	case 1:
		return string(append(append(b[:i:i], letter), b[i:]...))
	case 2:
		for b[i] == letter {
			letter = byte('a'+rng.IntN(26)) - ('a'-'A')*boolByte(upper)
		}
		b[i] = letter
		return string(b)
	default:
		if i == len(b)-1 {
			i--
		}
		if i < 1 || b[i] == b[i+1] {
			return string(append(b[:i:i], b[i+1:]...))
		}
		b[i], b[i+1] = b[i+1], b[i]
		return string(b)
	}
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// respellings are common alternative romanisations.
var respellings = [][2]string{
	{"ou", "u"}, {"u", "ou"}, {"ee", "i"}, {"y", "i"}, {"i", "y"}, {"kh", "h"},
	{"sh", "ch"}, {"ch", "sh"}, {"j", "dj"}, {"dj", "j"}, {"q", "k"}, {"k", "q"},
	{"ph", "f"}, {"f", "ph"}, {"w", "v"}, {"v", "w"}, {"c", "k"}, {"x", "ks"},
	{"oo", "u"}, {"ie", "i"}, {"mm", "m"}, {"ss", "s"}, {"e", "i"}, {"o", "u"},
	{"zh", "j"}, {"ts", "tz"}, {"dh", "d"}, {"th", "t"},
}

func respell(t string, rng *rand.Rand) (string, bool) {
	for _, k := range rng.Perm(len(respellings)) {
		r := respellings[k]
		i := strings.Index(t[min(1, len(t)):], r[0])
		if i < 0 || len(t) < 4 {
			continue
		}
		i += min(1, len(t))
		return t[:i] + r[1] + t[i+len(r[0]):], true
	}
	return "", false
}

var cyrDigraphs = [][2]string{
	{"shch", "щ"}, {"sh", "ш"}, {"ch", "ч"}, {"zh", "ж"}, {"kh", "х"}, {"ts", "ц"},
	{"ya", "я"}, {"yu", "ю"}, {"yo", "ё"}, {"ye", "е"},
}

var cyrLetters = map[byte]string{
	'a': "а", 'b': "б", 'v': "в", 'g': "г", 'd': "д", 'e': "е", 'z': "з", 'i': "и",
	'k': "к", 'l': "л", 'm': "м", 'n': "н", 'o': "о", 'p': "п", 'r': "р", 's': "с",
	't': "т", 'u': "у", 'f': "ф", 'h': "х", 'c': "к", 'y': "й", 'j': "дж", 'w': "в",
	'x': "кс", 'q': "к",
}

// toCyrillic renders a Latin name in Cyrillic letters, as a Russian-language
// source would print it.
func toCyrillic(s string) string {
	s = strings.ToLower(s)
	var b strings.Builder
	for i := 0; i < len(s); {
		done := false
		for _, d := range cyrDigraphs {
			if strings.HasPrefix(s[i:], d[0]) {
				b.WriteString(d[1])
				i += len(d[0])
				done = true
				break
			}
		}
		if done {
			continue
		}
		if c, ok := cyrLetters[s[i]]; ok {
			b.WriteString(c)
		} else {
			b.WriteByte(s[i])
		}
		i++
	}
	return b.String()
}

// suffixGroups are spellings of one legal form.
var suffixGroups = [][]string{
	{"LTD.", "LTD", "LIMITED"},
	{"LLC", "L.L.C.", "LIMITED LIABILITY COMPANY"},
	{"INC.", "INC", "INCORPORATED"},
	{"CORP.", "CORPORATION"},
	{"CO.", "COMPANY"},
	{"S.A.", "SA", "SOCIEDAD ANONIMA"},
	{"JSC", "JOINT STOCK COMPANY"},
	{"GMBH"}, {"AG"}, {"PLC"}, {"FZE"}, {"OOO"},
}

// swapSuffix replaces an organisation's trailing legal form with another
// spelling of it or, half the time, with a different legal form.
func swapSuffix(name string, rng *rand.Rand) (string, bool) {
	up := strings.ToUpper(name)
	for gi, g := range suffixGroups {
		for _, s := range g {
			if !strings.HasSuffix(up, " "+s) && !strings.HasSuffix(up, ", "+s) {
				continue
			}
			base := strings.TrimRight(strings.TrimSuffix(up, s), " ,")
			if base == "" {
				return "", false
			}
			if len(g) > 1 && rng.IntN(2) == 0 {
				for {
					r := g[rng.IntN(len(g))]
					if r != s {
						return base + " " + r, true
					}
				}
			}
			o := suffixGroups[(gi+1+rng.IntN(len(suffixGroups)-1))%len(suffixGroups)]
			return base + " " + o[rng.IntN(len(o))], true
		}
	}
	return "", false
}
