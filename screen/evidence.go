package screen

import (
	"strconv"
	"strings"
	"sync"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Evidence effects on the score.
const (
	imoAgreeFloor      = 0.97
	mmsiAgreeFloor     = 0.95
	callSignAgreeFloor = 0.90
	imoDisagree        = -0.30
	mmsiDisagree       = -0.20
	callSignDisagree   = -0.10
	dobAgree           = 0.03
	dobNear            = -0.05
	dobDisagree        = -0.20
	natAgree           = 0.02
	natDisagree        = -0.05
)

// NormalizeIMO returns the seven digits of an IMO number written with or
// without the "IMO" prefix, or "" if s holds no seven-digit number.
func NormalizeIMO(s string) string {
	d := normalizeIdent(s)
	d = strings.TrimPrefix(d, "IMO")
	if len(d) != 7 || !isDigits(d) {
		return ""
	}
	return d
}

// ValidIMO reports whether s is a seven-digit IMO number whose check digit
// is right: the first six digits weighted 7, 6, 5, 4, 3, 2 sum to a number
// whose last digit is the seventh. A transposed or mistyped digit fails.
func ValidIMO(s string) bool {
	d := NormalizeIMO(s)
	if d == "" {
		return false
	}
	sum := 0
	for i := 0; i < 6; i++ {
		sum += int(d[i]-'0') * (7 - i)
	}
	return sum%10 == int(d[6]-'0')
}

// normalizeIdent upper-cases s and keeps letters and digits only.
func normalizeIdent(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

type idQuery struct {
	imo, mmsi, callSign string
	imoInvalid          bool
	dob                 dateSpec
	hasDOB              bool
	nat                 string
}

func (q *idQuery) prepare(src Query) {
	if src.IMO != "" {
		if ValidIMO(src.IMO) {
			q.imo = NormalizeIMO(src.IMO)
		} else {
			q.imoInvalid = true
		}
	}
	q.mmsi = normalizeIdent(src.MMSI)
	q.callSign = normalizeIdent(src.CallSign)
	q.dob, q.hasDOB = parseDateSpec(src.BirthDate)
	if src.Nationality != "" {
		q.nat = CountryCode(src.Nationality)
	}
}

// evaluate combines the name score with identifier, birth date and
// nationality evidence.
func evaluate(nameScore float64, e *Entry, src Query, q *idQuery) (float64, []Evidence) {
	score := nameScore
	var ev []Evidence
	ident := func(field, query, entry string, floor, disagree float64) {
		if query == "" || entry == "" {
			return
		}
		old := score
		if query == entry {
			score = max(score, floor+(1-floor)*nameScore)
			ev = append(ev, Evidence{Field: field, Query: query, Entry: entry, Result: "agree", Effect: round4(score - old)})
		} else {
			score += disagree
			ev = append(ev, Evidence{Field: field, Query: query, Entry: entry, Result: "disagree", Effect: disagree})
		}
	}
	if q.imoInvalid {
		ev = append(ev, Evidence{Field: "imo", Query: src.IMO, Entry: e.IMO, Result: "invalid"})
	}
	ident("imo", q.imo, NormalizeIMO(e.IMO), imoAgreeFloor, imoDisagree)
	ident("mmsi", q.mmsi, normalizeIdent(e.MMSI), mmsiAgreeFloor, mmsiDisagree)
	ident("call_sign", q.callSign, normalizeIdent(e.CallSign), callSignAgreeFloor, callSignDisagree)
	if q.hasDOB && len(e.BirthDates) > 0 {
		res, eff := "disagree", dobDisagree
		for _, s := range e.BirthDates {
			d, ok := parseDateSpec(s)
			if !ok {
				continue
			}
			switch r := compareDates(q.dob, d); {
			case r == "agree":
				res, eff = r, dobAgree
			case r == "near" && res == "disagree":
				res, eff = r, dobNear
			}
		}
		score += eff
		ev = append(ev, Evidence{Field: "birth_date", Query: src.BirthDate, Entry: strings.Join(e.BirthDates, ", "), Result: res, Effect: eff})
	}
	if q.nat != "" && len(e.Nationalities) > 0 {
		res, eff := "disagree", natDisagree
		for _, n := range e.Nationalities {
			if CountryCode(n) == q.nat {
				res, eff = "agree", natAgree
				break
			}
		}
		score += eff
		ev = append(ev, Evidence{Field: "nationality", Query: src.Nationality, Entry: strings.Join(e.Nationalities, ", "), Result: res, Effect: eff})
	}
	return min(max(score, 0), 1), ev
}

// dateSpec is a date of some precision or a range of years.
type dateSpec struct {
	y0, y1, m, d int
}

// parseDateSpec parses "YYYY", "YYYY-MM", "YYYY-MM-DD" and "YYYY/YYYY".
func parseDateSpec(s string) (dateSpec, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return dateSpec{}, false
	}
	if a, b, ok := strings.Cut(s, "/"); ok {
		y0, e0 := strconv.Atoi(a)
		y1, e1 := strconv.Atoi(b)
		if e0 != nil || e1 != nil || len(a) != 4 || len(b) != 4 || y1 < y0 {
			return dateSpec{}, false
		}
		return dateSpec{y0: y0, y1: y1}, true
	}
	parts := strings.Split(s, "-")
	if len(parts) > 3 || len(parts[0]) != 4 {
		return dateSpec{}, false
	}
	var v [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || (i > 0 && len(p) != 2) {
			return dateSpec{}, false
		}
		v[i] = n
	}
	if (len(parts) > 1 && (v[1] < 1 || v[1] > 12)) || (len(parts) > 2 && (v[2] < 1 || v[2] > 31)) {
		return dateSpec{}, false
	}
	return dateSpec{y0: v[0], y1: v[0], m: v[1], d: v[2]}, true
}

// compareDates returns agree, near (within a year) or disagree.
func compareDates(a, b dateSpec) string {
	if a.y0 <= b.y1 && b.y0 <= a.y1 {
		if a.y0 == a.y1 && b.y0 == b.y1 && a.m != 0 && b.m != 0 {
			if a.m != b.m || (a.d != 0 && b.d != 0 && a.d != b.d) {
				return "near"
			}
		}
		return "agree"
	}
	if a.y0 <= b.y1+1 && b.y0 <= a.y1+1 {
		return "near"
	}
	return "disagree"
}

var countryOnce sync.Once
var countryNames map[string]string

// CountryCode maps a country name, demonym-like list spelling or ISO 3166
// alpha-2 code to an upper-case alpha-2 code; unknown names come back
// folded so that equal spellings still compare equal.
func CountryCode(s string) string {
	countryOnce.Do(initCountries)
	f := Fold(s)
	f = strings.ReplaceAll(f, ",", "")
	if len(f) == 2 {
		if r, err := language.ParseRegion(f); err == nil && r.IsCountry() {
			return strings.ToUpper(f)
		}
	}
	if c, ok := countryNames[f]; ok {
		return c
	}
	return f
}

func initCountries() {
	countryNames = map[string]string{}
	namer := display.English.Regions()
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			r, err := language.ParseRegion(code)
			if err != nil || !r.IsCountry() || r.String() != code {
				continue
			}
			if n := namer.Name(r); n != "" {
				countryNames[strings.ReplaceAll(Fold(n), ",", "")] = code
			}
		}
	}
	for name, code := range map[string]string{
		"russian federation": "RU", "iran islamic republic of": "IR", "syrian arab republic": "SY",
		"north korea": "KP", "korea north": "KP", "democratic people s republic of korea": "KP",
		"korea democratic people s republic of": "KP", "south korea": "KR", "korea south": "KR",
		"republic of korea": "KR", "korea republic of": "KR", "democratic republic of the congo": "CD",
		"congo democratic republic of the": "CD", "congo": "CG", "republic of the congo": "CG",
		"united states": "US", "usa": "US", "united states of america": "US", "united kingdom": "GB",
		"uk": "GB", "burma": "MM", "palestinian": "PS", "palestine": "PS", "west bank": "PS",
		"gaza": "PS", "region gaza": "PS", "viet nam": "VN", "lao people s democratic republic": "LA",
		"laos": "LA", "turkiye": "TR", "turkey": "TR", "tanzania united republic of": "TZ",
		"united republic of tanzania": "TZ", "cote d ivoire": "CI", "ivory coast": "CI",
		"macedonia": "MK", "north macedonia": "MK", "moldova republic of": "MD", "republic of moldova": "MD",
		"libyan arab jamahiriya": "LY", "bolivia plurinational state of": "BO",
		"venezuela bolivarian republic of": "VE", "czech republic": "CZ", "czechia": "CZ",
		"the gambia": "GM", "gambia": "GM", "bahamas the": "BS", "the netherlands": "NL",
		"kosovo": "XK", "crimea": "UA", "taiwan": "TW", "hong kong": "HK", "macau": "MO",
		"iraqi": "IQ", "afghan": "AF", "iranian": "IR", "syrian": "SY", "russian": "RU",
		"chinese": "CN", "lebanese": "LB", "yemeni": "YE", "saudi": "SA", "pakistani": "PK",
		"saudi arabia": "SA", "uae": "AE", "united arab emirates": "AE",
	} {
		countryNames[name] = code
	}
}
