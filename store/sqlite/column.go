package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/enlace-exchange/enlace"
)

// Conversions between Go values and column values. Times are INTEGER unix
// microseconds: they sort and compare in SQL, and keep the precision a
// TAXII date_added needs.

// micros returns t as stored.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros returns the stored time v in UTC.
func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

// norm returns t as it will read back: UTC, whole microseconds, no
// monotonic reading. Create methods return normalized values so that what
// they return equals what a later read returns.
func norm(t time.Time) time.Time { return fromMicros(micros(t)) }

// normPtr is norm for optional times.
func normPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	n := norm(*t)
	return &n
}

// nullMicros returns an optional time as stored: NULL when absent.
func nullMicros(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: micros(*t), Valid: true}
}

// fromNullMicros returns a stored optional time.
func fromNullMicros(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

// jsonText returns v as JSON text for a JSON column. A value that cannot be
// encoded (a TLP outside the five levels, say) is input the engine
// refuses.
func jsonText(what string, v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", &enlace.Error{Code: enlace.EInvalid, Message: fmt.Sprintf("%s cannot be stored", what), Err: err}
	}
	return string(b), nil
}

// fromJSON decodes a JSON column into v.
func fromJSON(what, text string, v any) error {
	if err := json.Unmarshal([]byte(text), v); err != nil {
		return fmt.Errorf("decode %s: %w", what, err)
	}
	return nil
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
