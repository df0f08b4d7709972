package sqlite

import (
	"context"
	"database/sql"
	"math"

	"github.com/enlace-exchange/enlace"
)

// The accounting aggregates run in SQL over use_credits, which holds each
// accepted use's lineage credits with its consumer and planned time, so
// the share query is one range scan of a covering index per consumer.

// window returns the bounds of [from, to) as stored, unbounded ends open.
func window(q enlace.AccountingQuery) (int64, int64) {
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if !q.From.IsZero() {
		lo = micros(q.From)
	}
	if !q.To.IsZero() {
		hi = micros(q.To)
	}
	return lo, hi
}

// creditScope restricts use_credits (aliased c) to q's consumers and to
// what q.Visible may see.
func creditScope(q enlace.AccountingQuery) (string, []any, bool) {
	var where string
	var args []any
	if len(q.Consumers) > 0 {
		list, a := in(q.Consumers)
		where, args = where+` AND c.consumer`+list, append(args, a...)
	}
	if q.Visible != nil {
		if len(q.Visible) == 0 {
			return "", nil, false
		}
		list, a := in(q.Visible)
		where, args = where+` AND (c.consumer`+list+` OR c.originator`+list+`)`, append(append(args, a...), a...)
	}
	return where, args, true
}

// UsedShares sums the lineage credits of accepted uses by q's consumers
// planned in q's window, by origin nation and agency.
func (db *DB) UsedShares(ctx context.Context, q enlace.AccountingQuery) ([]enlace.ShareRow, error) {
	scope, sargs, ok := creditScope(q)
	if !ok {
		return nil, nil
	}
	lo, hi := window(q)
	query := `SELECT c.nation, c.originator, sum(c.direct), sum(c.weight) FROM use_credits c
		WHERE c.planned_at >= ? AND c.planned_at < ?` + scope + `
		GROUP BY c.nation, c.originator ORDER BY c.nation, c.originator`
	var out []enlace.ShareRow
	err := db.read(ctx, "used shares", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, query, append([]any{lo, hi}, sargs...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r enlace.ShareRow
			if err := rows.Scan(&r.Nation, &r.Originator, &r.Citations, &r.Weight); err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// OutcomesByOriginator counts the current outcomes that occurred in q's
// window by originator agency and kind. It reads outcomes in order and
// looks up each one's use in use_originators (CROSS JOIN keeps that
// order): one small lookup per outcome.
func (db *DB) OutcomesByOriginator(ctx context.Context, q enlace.AccountingQuery) ([]enlace.OutcomeRow, error) {
	scope, sargs, ok := creditScope(q)
	if !ok {
		return nil, nil
	}
	lo, hi := window(q)
	query := `SELECT c.nation, c.originator, o.kind, count(*), sum(c.part), sum(o.quantity_kg), sum(o.persons_detained),
			sum(o.casualties)
		FROM outcomes o CROSS JOIN use_originators c ON c.use_id = o.use_id
		WHERE o.occurred_at >= ? AND o.occurred_at < ?
		  AND NOT EXISTS (SELECT 1 FROM outcomes n WHERE n.corrects = o.id)` + scope + `
		GROUP BY c.nation, c.originator, o.kind ORDER BY c.nation, c.originator, o.kind`
	var out []enlace.OutcomeRow
	err := db.read(ctx, "outcomes by originator", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, query, append([]any{lo, hi}, sargs...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r enlace.OutcomeRow
			if err := rows.Scan(&r.Nation, &r.Originator, &r.Kind, &r.Outcomes, &r.Weighted, &r.QuantityKg,
				&r.PersonsDetained, &r.Casualties); err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// ReportCredits returns the accepted uses whose lineage credits report
// id, with the weight, by use id.
func (db *DB) ReportCredits(ctx context.Context, id string) ([]enlace.Credit, error) {
	var out []enlace.Credit
	err := db.read(ctx, "credits of report "+id, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT use_id, report_id, originator, nation, weight, direct
			FROM use_credits WHERE report_id = ? ORDER BY use_id`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c enlace.Credit
			if err := rows.Scan(&c.UseID, &c.ReportID, &c.Originator, &c.Nation, &c.Weight, &c.Direct); err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}
