package postgres

import (
	"context"
	"strings"
	"unicode"

	"github.com/jackc/pgx/v5"
	unorm "golang.org/x/text/unicode/norm"

	"github.com/enlace-exchange/enlace"
)

// Page sizes for Search.
const (
	DefaultSearchLimit = 20
	MaxSearchLimit     = 200
)

// fold returns s in lower case without accents: the form both the index
// and the queries are built from, so that matching folds case and
// diacritics the same way whatever the database's locale.
func fold(s string) string {
	var b strings.Builder
	for _, r := range unorm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return unorm.NFC.String(b.String())
}

// words splits text into its words: runs of letters and digits. Nothing
// else survives, so no input reaches a tsquery as syntax.
func words(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

// queueSearchDocs queues the indexing of r's title and description, and
// of the names of its objects, in r's transaction.
func queueSearchDocs(b *pgx.Batch, r enlace.Report, heads []objectHead) {
	const insert = `INSERT INTO search_docs (report_id, object_id, title, body, doc)
		VALUES ($1, $2, $3, $4, to_tsvector('simple', $5))`
	b.Queue(insert, r.ID, "", r.Title, r.Description, fold(strings.Join(words(r.Title+" "+r.Description), " ")))
	for _, h := range heads {
		if h.Name != "" {
			b.Queue(insert, r.ID, h.ID, h.Name, "", fold(strings.Join(words(h.Name), " ")))
		}
	}
}

// tsQuery turns text into a tsquery: every word must match, as a prefix.
// "" when text has no words.
func tsQuery(text string) string {
	ws := words(fold(text))
	terms := make([]string, len(ws))
	for i, w := range ws {
		terms[i] = w + ":*"
	}
	return strings.Join(terms, " & ")
}

// Search returns the best matches for q, best first: one hit per report
// and object, the report's own words ranked as its objects' names. Rank
// is the negated ts_rank, so that lower is better.
func (db *DB) Search(ctx context.Context, q enlace.SearchQuery) ([]enlace.SearchHit, error) {
	query := tsQuery(q.Text)
	if query == "" {
		return nil, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultSearchLimit
	}
	limit = min(limit, MaxSearchLimit)
	qwords := words(fold(q.Text))
	return list(ctx, db, "search", func(s pgx.Row) (enlace.SearchHit, error) {
		var h enlace.SearchHit
		var markings []byte
		var title, body string
		if err := s.Scan(&h.ReportID, &h.ObjectID, &h.Originator, &markings, &h.Title, &title, &body, &h.Rank); err != nil {
			return enlace.SearchHit{}, err
		}
		if err := fromJSON("markings", markings, &h.Markings); err != nil {
			return enlace.SearchHit{}, err
		}
		h.Rank = -h.Rank
		h.Snippet = snippet(strings.TrimSpace(title+" "+body), qwords, 12)
		return h, nil
	}, `SELECT s.report_id, s.object_id, r.originator, r.markings, r.title, s.title, s.body,
			ts_rank(s.doc, q)::float8 AS rank
		FROM search_docs s JOIN reports r ON r.id = s.report_id, to_tsquery('simple', $1) AS q
		WHERE s.doc @@ q
		ORDER BY rank DESC, r.seq, s.object_id COLLATE "C" LIMIT $2`, query, limit)
}

// snippet returns up to n words of text around its first word that one
// of qwords (folded) begins, each such word between [ and ], with … where
// text was cut.
func snippet(text string, qwords []string, n int) string {
	fields := strings.Fields(text)
	matches := func(f string) bool {
		for _, w := range words(fold(f)) {
			for _, q := range qwords {
				if strings.HasPrefix(w, q) {
					return true
				}
			}
		}
		return false
	}
	first := 0
	for i, f := range fields {
		if matches(f) {
			first = i
			break
		}
	}
	start := max(0, first-n/2)
	end := min(len(fields), start+n)
	out := make([]string, 0, end-start+2)
	if start > 0 {
		out = append(out, "…")
	}
	for _, f := range fields[start:end] {
		if matches(f) {
			f = "[" + f + "]"
		}
		out = append(out, f)
	}
	if end < len(fields) {
		out = append(out, "…")
	}
	return strings.Join(out, " ")
}
