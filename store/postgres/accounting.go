package postgres

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/enlace-exchange/enlace"
)

// The accounting aggregates run in SQL over use_credits, which holds each
// accepted use's lineage credits with its consumer and planned time, so
// the share query is an index-only range scan per consumer, and over
// use_originators, one index lookup per outcome.

// accountingScope returns the conditions restricting a table of credits
// (aliased c, with consumer and originator columns) to q's consumers and
// to what q.Visible may see, and the time column to q's window; false if
// q can see nothing. Only the bounds q sets are written, so the planner
// sees the query it runs.
func accountingScope(q enlace.AccountingQuery, at string) (string, []any, bool) {
	if q.Visible != nil && len(q.Visible) == 0 {
		return "", nil, false
	}
	where := ` WHERE true`
	var args []any
	arg := func(v any) string { args = append(args, v); return `$` + strconv.Itoa(len(args)) }
	if !q.From.IsZero() {
		where += ` AND ` + at + ` >= ` + arg(q.From)
	}
	if !q.To.IsZero() {
		where += ` AND ` + at + ` < ` + arg(q.To)
	}
	if len(q.Consumers) > 0 {
		where += ` AND c.consumer = ANY(` + arg(q.Consumers) + `::text[])`
	}
	if q.Visible != nil {
		v := arg(q.Visible)
		where += ` AND (c.consumer = ANY(` + v + `::text[]) OR c.originator = ANY(` + v + `::text[]))`
	}
	return where, args, true
}

// UsedShares sums the lineage credits of accepted uses by q's consumers
// planned in q's window, by origin nation and agency.
func (db *DB) UsedShares(ctx context.Context, q enlace.AccountingQuery) ([]enlace.ShareRow, error) {
	where, args, ok := accountingScope(q, "c.planned_at")
	if !ok {
		return nil, nil
	}
	return list(ctx, db, "used shares", func(s pgx.Row) (enlace.ShareRow, error) {
		var r enlace.ShareRow
		err := s.Scan(&r.Nation, &r.Originator, &r.Citations, &r.Weight)
		return r, err
	}, `SELECT c.nation, c.originator, count(*) FILTER (WHERE c.direct), sum(c.weight)
		FROM use_credits c`+where+`
		GROUP BY c.nation, c.originator ORDER BY c.nation COLLATE "C", c.originator COLLATE "C"`, args...)
}

// OutcomesByOriginator counts the current outcomes that occurred in q's
// window by originator agency and kind, each weighted by its originator's
// part of the use.
func (db *DB) OutcomesByOriginator(ctx context.Context, q enlace.AccountingQuery) ([]enlace.OutcomeRow, error) {
	where, args, ok := accountingScope(q, "o.occurred_at")
	if !ok {
		return nil, nil
	}
	return list(ctx, db, "outcomes by originator", func(s pgx.Row) (enlace.OutcomeRow, error) {
		var r enlace.OutcomeRow
		err := s.Scan(&r.Nation, &r.Originator, &r.Kind, &r.Outcomes, &r.Weighted, &r.QuantityKg,
			&r.PersonsDetained, &r.Casualties)
		return r, err
	}, `SELECT c.nation, c.originator, o.kind, count(*), sum(c.part), sum(o.quantity_kg),
			sum(o.persons_detained), sum(o.casualties)
		FROM outcomes o JOIN use_originators c ON c.use_id = o.use_id`+where+`
		  AND NOT EXISTS (SELECT 1 FROM outcomes n WHERE n.corrects = o.id)
		GROUP BY c.nation, c.originator, o.kind
		ORDER BY c.nation COLLATE "C", c.originator COLLATE "C", o.kind COLLATE "C"`, args...)
}

// ReportCredits returns the accepted uses whose lineage credits report
// id, with the weight, by use id.
func (db *DB) ReportCredits(ctx context.Context, id string) ([]enlace.Credit, error) {
	return list(ctx, db, "credits of report "+id, func(s pgx.Row) (enlace.Credit, error) {
		var c enlace.Credit
		err := s.Scan(&c.UseID, &c.ReportID, &c.Originator, &c.Nation, &c.Weight, &c.Direct)
		return c, err
	}, `SELECT use_id, report_id, originator, nation, weight, direct FROM use_credits
		WHERE report_id = $1 ORDER BY use_id`, id)
}
