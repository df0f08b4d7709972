package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"unicode"

	"github.com/enlace-exchange/enlace"
)

// Page sizes for Search.
const (
	DefaultSearchLimit = 20
	MaxSearchLimit     = 200
)

// indexReport adds r's title and description, and the names of its
// objects, to the full-text index.
func indexReport(ctx context.Context, tx *sql.Tx, r enlace.Report, heads []objectHead) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO search (report_id, object_id, title, body) VALUES (?, '', ?, ?)`,
		r.ID, r.Title, r.Description); err != nil {
		return err
	}
	var stmt *sql.Stmt
	for _, h := range heads {
		if h.Name == "" {
			continue
		}
		if stmt == nil {
			var err error
			if stmt, err = tx.PrepareContext(ctx, `INSERT INTO search (report_id, object_id, title, body) VALUES (?, ?, ?, '')`); err != nil {
				return err
			}
			defer stmt.Close()
		}
		if _, err := stmt.ExecContext(ctx, r.ID, h.ID, h.Name); err != nil {
			return err
		}
	}
	return nil
}

// matchExpr turns words into an FTS5 query: every word must match, as a
// prefix. Words are quoted, so no input is read as FTS5 syntax.
func matchExpr(text string) string {
	words := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	terms := make([]string, 0, len(words))
	for _, w := range words {
		terms = append(terms, `"`+w+`"*`)
	}
	return strings.Join(terms, " ")
}

// Search returns the best matches for q, best first: one hit per report
// and object, the report's own words ranked as its objects' names.
func (db *DB) Search(ctx context.Context, q enlace.SearchQuery) ([]enlace.SearchHit, error) {
	expr := matchExpr(q.Text)
	if expr == "" {
		return nil, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultSearchLimit
	}
	limit = min(limit, MaxSearchLimit)
	var out []enlace.SearchHit
	err := db.read(ctx, "search", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT s.report_id, s.object_id, r.originator, r.markings, r.title,
			snippet(search, -1, '[', ']', '…', 12), bm25(search)
			FROM search s JOIN reports r ON r.id = s.report_id
			WHERE search MATCH ? ORDER BY bm25(search) LIMIT ?`, expr, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var h enlace.SearchHit
			var markings string
			if err := rows.Scan(&h.ReportID, &h.ObjectID, &h.Originator, &markings, &h.Title, &h.Snippet, &h.Rank); err != nil {
				return err
			}
			if err := fromJSON("markings", markings, &h.Markings); err != nil {
				return err
			}
			out = append(out, h)
		}
		return rows.Err()
	})
	return out, err
}
