package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/enlace-exchange/enlace"
)

// Conversions between Go values and column values that pgx does not make
// by itself.

// jsonText returns v as JSON text for a jsonb column. A value that cannot
// be encoded (a TLP outside the five levels, say) is input the engine
// refuses.
func jsonText(what string, v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", &enlace.Error{Code: enlace.EInvalid, Message: fmt.Sprintf("%s cannot be stored", what), Err: err}
	}
	return string(b), nil
}

// fromJSON decodes a jsonb column into v.
func fromJSON(what string, b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s: %w", what, err)
	}
	return nil
}

// purposeArray returns ps for a text[] column, nil (NULL) for nil, so that
// a nil list and an empty one read back as they were.
func purposeArray(ps []enlace.Purpose) []string {
	if ps == nil {
		return nil
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p)
	}
	return out
}

// purposes returns a scanned text[] column as purposes: NULL as nil, '{}'
// as an empty list.
func purposes(ss []string) []enlace.Purpose {
	if ss == nil {
		return nil
	}
	out := make([]enlace.Purpose, len(ss))
	for i, s := range ss {
		out[i] = enlace.Purpose(s)
	}
	return out
}

// scopeColumns returns s as the (kind, id) column pair. A scope that does
// not name exactly one party has no such pair, so the engine refuses it.
func scopeColumns(what string, s enlace.Scope) (kind, id string, err error) {
	if s.Kind() == "" {
		return "", "", enlace.Errorf(enlace.EInvalid, "%s must name exactly one nation, agency or task force", what)
	}
	return s.Kind(), s.ID(), nil
}

// scopeFrom rebuilds a scope from its column pair.
func scopeFrom(kind, id string) (enlace.Scope, error) {
	switch kind {
	case enlace.ScopeNation:
		return enlace.NationScope(id), nil
	case enlace.ScopeAgency:
		return enlace.AgencyScope(id), nil
	case enlace.ScopeTaskForce:
		return enlace.TaskForceScope(id), nil
	}
	return enlace.Scope{}, fmt.Errorf("unknown scope kind %q", kind)
}

// list runs query and scans each row with scan. No rows is a nil slice, as
// in the SQLite engine, so that an empty list encodes the same way.
func list[T any](ctx context.Context, db *DB, op string, scan func(pgx.Row) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, failed(op, err, nil)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, failed(op, err, nil)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, failed(op, err, nil)
	}
	return out, nil
}
