package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/enlace-exchange/enlace"
)

// CreateAlerts appends alerts and their ledger entries and assigns their
// IDs, in one transaction.
func (db *DB) CreateAlerts(ctx context.Context, alerts []enlace.Alert) ([]enlace.Alert, error) {
	if len(alerts) == 0 {
		return nil, nil
	}
	var out []enlace.Alert
	err := db.write(ctx, fmt.Sprintf("create %d alerts", len(alerts)), nil, func(tx pgx.Tx) error {
		var err error
		out, err = insertAlerts(ctx, tx, alerts, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// insertAlerts appends alerts and their ledger entries in tx, the rows in
// one round trip and the entries in another. A non-empty subject replaces
// each alert's: the id of the record raised in the same transaction, which
// the caller could not know.
func insertAlerts(ctx context.Context, tx pgx.Tx, alerts []enlace.Alert, subject string) ([]enlace.Alert, error) {
	if len(alerts) == 0 {
		return nil, nil
	}
	out := make([]enlace.Alert, len(alerts))
	b := &pgx.Batch{}
	for i, a := range alerts {
		a.At = norm(a.At)
		if subject != "" {
			a.Subject = subject
		}
		if len(a.Detail) > 0 {
			d, err := jsonText("alert detail", a.Detail)
			if err != nil {
				return nil, err
			}
			a.Detail = json.RawMessage(d) // compact, as the record will read back
		}
		out[i] = a
		b.Queue(`INSERT INTO alerts (kind, agency, nation, report_id, subject, text, detail, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			a.Kind, a.Agency, a.Nation, a.ReportID, a.Subject, a.Text, string(a.Detail), a.At).
			QueryRow(func(row pgx.Row) error { return row.Scan(&out[i].ID) })
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	es := make([]enlace.LedgerEntry, len(out))
	for i, a := range out {
		rec, err := enlace.AlertRecord(a)
		if err != nil {
			return nil, err
		}
		es[i] = enlace.NewLedgerEntry(enlace.EntryAlert, strconv.FormatInt(a.ID, 10), a.Nation, "", a.At, rec)
	}
	if err := appendEntries(ctx, tx, es...); err != nil {
		return nil, err
	}
	return out, nil
}

const alertSelect = `SELECT id, kind, agency, nation, report_id, subject, text, detail, at FROM alerts`

func scanAlert(s pgx.Row) (enlace.Alert, error) {
	var a enlace.Alert
	var detail string
	if err := s.Scan(&a.ID, &a.Kind, &a.Agency, &a.Nation, &a.ReportID, &a.Subject, &a.Text, &detail, &a.At); err != nil {
		return enlace.Alert{}, err
	}
	if detail != "" {
		a.Detail = json.RawMessage(detail)
	}
	a.At = a.At.UTC()
	return a, nil
}

// Alerts returns alerts matching f in id order.
func (db *DB) Alerts(ctx context.Context, f enlace.AlertFilter) ([]enlace.Alert, error) {
	q := alertSelect + ` WHERE id > $1`
	args := []any{f.AfterID}
	for _, c := range []struct{ column, value string }{
		{"agency", f.Agency}, {"nation", f.Nation}, {"kind", f.Kind}, {"report_id", f.ReportID},
	} {
		if c.value != "" {
			args = append(args, c.value)
			q += ` AND ` + c.column + ` = $` + strconv.Itoa(len(args))
		}
	}
	q += ` ORDER BY id`
	if f.Limit > 0 {
		args = append(args, f.Limit)
		q += ` LIMIT $` + strconv.Itoa(len(args))
	}
	return list(ctx, db, "list alerts", scanAlert, q, args...)
}

// SaveScreeningHits stores the hits not stored before (one per report,
// object, list and entry) and returns those, in their order, in one
// transaction. ENotFound if a report does not exist. Two servers
// screening the same report at once store each hit once, and only the one
// that stored it returns it: the second insert waits for the first and
// then does nothing.
func (db *DB) SaveScreeningHits(ctx context.Context, hits []enlace.ScreeningHit) ([]enlace.ScreeningHit, error) {
	if len(hits) == 0 {
		return nil, nil
	}
	hits = slices.Clone(hits)
	stored := make([]bool, len(hits))
	for i := range hits {
		hits[i].FoundAt = norm(hits[i].FoundAt)
	}
	err := db.write(ctx, fmt.Sprintf("save %d screening hits", len(hits)), nil, func(tx pgx.Tx) error {
		// Insert in key order: two servers saving overlapping hits then
		// wait for each other's rows in one order and cannot deadlock.
		order := make([]int, len(hits))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int {
			x, y := hits[a], hits[b]
			return cmp.Or(strings.Compare(x.ReportID, y.ReportID), strings.Compare(x.ObjectID, y.ObjectID),
				strings.Compare(x.List, y.List), strings.Compare(x.EntryID, y.EntryID))
		})
		b := &pgx.Batch{}
		for _, i := range order {
			h := hits[i]
			b.Queue(`INSERT INTO screening_hits (report_id, object_id, entity, entity_type, list,
				list_version, entry_id, entry_name, matched_name, score, explanation, found_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING`,
				h.ReportID, h.ObjectID, h.Entity, h.EntityType, h.List, h.ListVersion, h.EntryID, h.EntryName,
				h.MatchedName, h.Score, string(h.Explanation), h.FoundAt).
				Exec(func(tag pgconn.CommandTag) error { stored[i] = tag.RowsAffected() == 1; return nil })
		}
		err := tx.SendBatch(ctx, b).Close()
		if pe, ok := errors.AsType[*pgconn.PgError](err); ok && pe.ConstraintName == "screening_hits_report_id_fkey" {
			return &enlace.Error{Code: enlace.ENotFound, Message: fmt.Sprintf("a report of the hits was not found: %s", pe.Detail), Err: err}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	var fresh []enlace.ScreeningHit
	for i, h := range hits {
		if stored[i] {
			fresh = append(fresh, h)
		}
	}
	return fresh, nil
}

// ScreeningHits returns the hits on reportIDs, by report and descending
// score, ties by list and entry, names ordered byte by byte.
func (db *DB) ScreeningHits(ctx context.Context, reportIDs []string) ([]enlace.ScreeningHit, error) {
	if len(reportIDs) == 0 {
		return nil, nil
	}
	return list(ctx, db, "list screening hits", func(s pgx.Row) (enlace.ScreeningHit, error) {
		var h enlace.ScreeningHit
		var expl string
		if err := s.Scan(&h.ReportID, &h.ObjectID, &h.Entity, &h.EntityType, &h.List, &h.ListVersion, &h.EntryID,
			&h.EntryName, &h.MatchedName, &h.Score, &expl, &h.FoundAt); err != nil {
			return enlace.ScreeningHit{}, err
		}
		h.Explanation, h.FoundAt = json.RawMessage(expl), h.FoundAt.UTC()
		return h, nil
	}, `SELECT report_id, object_id, entity, entity_type, list, list_version, entry_id, entry_name, matched_name,
		score, explanation, found_at FROM screening_hits WHERE report_id = ANY($1::text[])
		ORDER BY report_id COLLATE "C", score DESC, list COLLATE "C", entry_id COLLATE "C"`, reportIDs)
}
