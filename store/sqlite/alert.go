package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/enlace-exchange/enlace"
)

// CreateAlerts appends alerts and their ledger entries and assigns their
// IDs, in one transaction.
func (db *DB) CreateAlerts(ctx context.Context, alerts []enlace.Alert) ([]enlace.Alert, error) {
	var out []enlace.Alert
	err := db.write(ctx, fmt.Sprintf("create %d alerts", len(alerts)), func(tx *sql.Tx) error {
		var err error
		out, err = db.insertAlerts(ctx, tx, alerts, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// insertAlerts appends alerts and their ledger entries in tx. A non-empty
// subject replaces each alert's: the id of the record raised in the same
// transaction, which the caller could not know.
func (db *DB) insertAlerts(ctx context.Context, tx *sql.Tx, alerts []enlace.Alert, subject string) ([]enlace.Alert, error) {
	out := make([]enlace.Alert, len(alerts))
	for i, a := range alerts {
		a.At = norm(a.At)
		if subject != "" {
			a.Subject = subject
		}
		if len(a.Detail) > 0 {
			b, err := jsonText("alert detail", a.Detail)
			if err != nil {
				return nil, err
			}
			a.Detail = json.RawMessage(b) // compact, as the record will read back
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO alerts (kind, agency, nation, report_id, subject, text, detail, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, a.Kind, a.Agency, a.Nation, a.ReportID, a.Subject, a.Text,
			string(a.Detail), micros(a.At)).Scan(&a.ID); err != nil {
			return nil, err
		}
		rec, err := enlace.AlertRecord(a)
		if err != nil {
			return nil, err
		}
		if err := db.ledger(ctx, tx, enlace.EntryAlert, strconv.FormatInt(a.ID, 10), a.Nation, "", micros(a.At), rec); err != nil {
			return nil, err
		}
		out[i] = a
	}
	return out, nil
}

const alertSelect = `SELECT id, kind, agency, nation, report_id, subject, text, detail, at FROM alerts`

func scanAlert(s scanner) (enlace.Alert, error) {
	var a enlace.Alert
	var detail string
	var at int64
	if err := s.Scan(&a.ID, &a.Kind, &a.Agency, &a.Nation, &a.ReportID, &a.Subject, &a.Text, &detail, &at); err != nil {
		return enlace.Alert{}, err
	}
	if detail != "" {
		a.Detail = json.RawMessage(detail)
	}
	a.At = fromMicros(at)
	return a, nil
}

// Alerts returns alerts matching f in id order.
func (db *DB) Alerts(ctx context.Context, f enlace.AlertFilter) ([]enlace.Alert, error) {
	q := alertSelect + ` WHERE id > ?`
	args := []any{f.AfterID}
	for _, c := range []struct{ column, value string }{
		{"agency", f.Agency}, {"nation", f.Nation}, {"kind", f.Kind}, {"report_id", f.ReportID},
	} {
		if c.value != "" {
			q += ` AND ` + c.column + ` = ?`
			args = append(args, c.value)
		}
	}
	q += ` ORDER BY id`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	var out []enlace.Alert
	err := db.read(ctx, "list alerts", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanAlert(rows)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, err
}

// SaveScreeningHits stores the hits not stored before and returns those.
// ENotFound if a report does not exist.
func (db *DB) SaveScreeningHits(ctx context.Context, hits []enlace.ScreeningHit) ([]enlace.ScreeningHit, error) {
	var fresh []enlace.ScreeningHit
	err := db.write(ctx, fmt.Sprintf("save %d screening hits", len(hits)), func(tx *sql.Tx) error {
		for _, h := range hits {
			h.FoundAt = norm(h.FoundAt)
			if err := present(ctx, tx, "report "+h.ReportID, `SELECT 1 FROM reports WHERE id = ?`, h.ReportID); err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO screening_hits (report_id, object_id, entity, entity_type, list,
				list_version, entry_id, entry_name, matched_name, score, explanation, found_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				h.ReportID, h.ObjectID, h.Entity, h.EntityType, h.List, h.ListVersion, h.EntryID, h.EntryName,
				h.MatchedName, h.Score, string(h.Explanation), micros(h.FoundAt))
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 1 {
				fresh = append(fresh, h)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return fresh, nil
}

// ScreeningHits returns the hits on reportIDs, by report and descending
// score.
func (db *DB) ScreeningHits(ctx context.Context, reportIDs []string) ([]enlace.ScreeningHit, error) {
	if len(reportIDs) == 0 {
		return nil, nil
	}
	q := `SELECT report_id, object_id, entity, entity_type, list, list_version, entry_id, entry_name, matched_name,
		score, explanation, found_at FROM screening_hits WHERE report_id IN (?` + strings.Repeat(`, ?`, len(reportIDs)-1) +
		`) ORDER BY report_id, score DESC, list, entry_id`
	args := make([]any, len(reportIDs))
	for i, id := range reportIDs {
		args[i] = id
	}
	var out []enlace.ScreeningHit
	err := db.read(ctx, "list screening hits", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var h enlace.ScreeningHit
			var expl string
			var at int64
			if err := rows.Scan(&h.ReportID, &h.ObjectID, &h.Entity, &h.EntityType, &h.List, &h.ListVersion, &h.EntryID,
				&h.EntryName, &h.MatchedName, &h.Score, &expl, &at); err != nil {
				return err
			}
			h.Explanation, h.FoundAt = json.RawMessage(expl), fromMicros(at)
			out = append(out, h)
		}
		return rows.Err()
	})
	return out, err
}
