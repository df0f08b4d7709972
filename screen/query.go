package screen

import (
	"fmt"
	"strings"

	"github.com/enlace-exchange/enlace"
)

// DefaultThreshold is the score at or above which a match is an alert when
// a query sets no MinScore. It was chosen by sweeping 0.80–0.95 over the 826
// labelled name pairs and the first 10,000 rows of each synthetic-negative
// file (name only): 0.89 maximised F1 while keeping name-only false alerts
// under 1 per 1,000. The perturbation queries of package bench played no
// part in the choice.
const DefaultThreshold = 0.89

// DefaultLimit is the number of matches Search returns when a query sets no
// Limit; MaxLimit caps any limit.
const (
	DefaultLimit = 10
	MaxLimit     = 100
)

// Query is one screening request.
type Query struct {
	Name string `json:"name"`
	// Type restricts matches to one entity type; Unknown matches all.
	Type EntityType `json:"type,omitempty"`
	// BirthDate is an ISO 8601 date of any precision ("1971", "1971-01-21").
	BirthDate string `json:"birth_date,omitempty"`
	// Nationality is a country name or ISO 3166 alpha-2 code.
	Nationality string `json:"nationality,omitempty"`
	IMO         string `json:"imo,omitempty"`
	MMSI        string `json:"mmsi,omitempty"`
	CallSign    string `json:"call_sign,omitempty"`
	// Limit caps the number of matches (DefaultLimit if 0, at most MaxLimit).
	Limit int `json:"limit,omitempty"`
	// MinScore drops matches scoring below it. Zero means DefaultThreshold;
	// a negative value keeps every candidate scored.
	MinScore float64 `json:"min_score,omitempty"`
}

// Validate reports an enlace EInvalid error if the query has nothing to
// search for or out-of-range options.
func (q Query) Validate() error {
	if strings.TrimSpace(q.Name) == "" && q.IMO == "" && q.MMSI == "" && q.CallSign == "" {
		return enlace.Errorf(enlace.EInvalid, "a query needs a name or an identifier (imo, mmsi, call_sign)")
	}
	if len(q.Name) > 1000 {
		return enlace.Errorf(enlace.EInvalid, "name longer than 1000 bytes")
	}
	if _, ok := ParseEntityType(string(q.Type)); !ok {
		return enlace.Errorf(enlace.EInvalid, "unknown type %q (person, organization, vessel, aircraft)", q.Type)
	}
	if q.Limit < 0 || q.MinScore > 1 {
		return enlace.Errorf(enlace.EInvalid, "limit must be ≥ 0 and min_score ≤ 1")
	}
	if q.BirthDate != "" {
		if _, ok := parseDateSpec(q.BirthDate); !ok {
			return enlace.Errorf(enlace.EInvalid, "birth_date %q is not an ISO 8601 date", q.BirthDate)
		}
	}
	return nil
}

// Match is one entry that scored against a query.
type Match struct {
	List    string     `json:"list"`
	EntryID string     `json:"entry_id"`
	Type    EntityType `json:"type"`
	// Name is the entry's primary name; MatchedName the name or alias that
	// scored best.
	Name        string      `json:"name"`
	MatchedName string      `json:"matched_name"`
	Score       float64     `json:"score"`
	Explanation Explanation `json:"explanation"`
}

// Explanation says why an entry matched.
type Explanation struct {
	// NameKind is the kind of the matched name (primary, aka, ...).
	NameKind NameKind `json:"name_kind,omitempty"`
	// NameScore is the score of the name alone, before other evidence.
	NameScore float64 `json:"name_score"`
	// Tokens lists the aligned query and name tokens.
	Tokens []TokenAlignment `json:"tokens,omitempty"`
	// UnmatchedQuery and UnmatchedName are the tokens that found no partner.
	UnmatchedQuery []string `json:"unmatched_query,omitempty"`
	UnmatchedName  []string `json:"unmatched_name,omitempty"`
	// Evidence lists the other attributes compared.
	Evidence []Evidence `json:"evidence,omitempty"`
}

// TokenAlignment pairs a query token with a name token.
type TokenAlignment struct {
	Query      string  `json:"query"`
	Name       string  `json:"name"`
	Similarity float64 `json:"similarity"`
	// How is exact, transliteration, fuzzy, initial or joined.
	How string `json:"how"`
}

// Evidence records one attribute comparison and its effect on the score.
type Evidence struct {
	// Field is imo, mmsi, call_sign, birth_date or nationality.
	Field string `json:"field"`
	Query string `json:"query"`
	Entry string `json:"entry,omitempty"`
	// Result is agree, near, disagree, invalid or absent.
	Result string `json:"result"`
	// Effect is the change it made to the score.
	Effect float64 `json:"effect"`
}

// String renders the explanation on one line for logs and the CLI.
func (e Explanation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s name %.2f", e.NameKind, e.NameScore)
	for _, t := range e.Tokens {
		if t.Query == t.Name {
			fmt.Fprintf(&b, "; %s=%s", t.Query, t.How)
		} else {
			fmt.Fprintf(&b, "; %s~%s %s %.2f", t.Query, t.Name, t.How, t.Similarity)
		}
	}
	if len(e.UnmatchedQuery) > 0 {
		fmt.Fprintf(&b, "; query only: %s", strings.Join(e.UnmatchedQuery, " "))
	}
	if len(e.UnmatchedName) > 0 {
		fmt.Fprintf(&b, "; name only: %s", strings.Join(e.UnmatchedName, " "))
	}
	for _, ev := range e.Evidence {
		fmt.Fprintf(&b, "; %s %s (%+.2f)", ev.Field, ev.Result, ev.Effect)
	}
	return b.String()
}
