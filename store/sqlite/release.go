package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/enlace-exchange/enlace"
)

// CreateRelease appends r and assigns its ID. ENotFound if its report does
// not exist: a release records a report that this exchange holds.
func (db *DB) CreateRelease(ctx context.Context, r enlace.Release) (enlace.Release, error) {
	r.At = norm(r.At)
	op := fmt.Sprintf("create release of %s to %s", r.ReportID, r.Recipient)
	policies, err := jsonText("policies", r.Policies)
	if err != nil {
		return enlace.Release{}, fmt.Errorf("%s: %w", op, err)
	}
	err = db.write(ctx, op, func(tx *sql.Tx) error {
		if err := present(ctx, tx, "report "+r.ReportID, `SELECT 1 FROM reports WHERE id = ?`, r.ReportID); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO releases (report_id, originator, releaser, recipient,
			recipient_nation, purpose, agreement_id, agreement_version, policies, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			r.ReportID, r.Originator, r.Releaser, r.Recipient, r.RecipientNation, string(r.Purpose),
			r.AgreementID, r.AgreementVersion, policies, micros(r.At)).Scan(&r.ID)
	})
	if err != nil {
		return enlace.Release{}, err
	}
	return r, nil
}

// Releases returns releases matching f in id order. Zero fields of f
// select everything, Limit included; After selects releases strictly
// after it.
func (db *DB) Releases(ctx context.Context, f enlace.ReleaseFilter) ([]enlace.Release, error) {
	q := `SELECT id, report_id, originator, releaser, recipient, recipient_nation, purpose, agreement_id,
		agreement_version, policies, at FROM releases WHERE 1 = 1`
	var args []any
	for _, c := range []struct{ column, value string }{
		{"report_id", f.ReportID},
		{"recipient", f.Recipient},
		{"recipient_nation", f.RecipientNation},
		{"originator", f.Originator},
	} {
		if c.value != "" {
			q += ` AND ` + c.column + ` = ?`
			args = append(args, c.value)
		}
	}
	if !f.After.IsZero() {
		q += ` AND at > ?`
		args = append(args, micros(f.After))
	}
	q += ` ORDER BY id`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	var out []enlace.Release
	err := db.read(ctx, "list releases", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r enlace.Release
			var policies string
			var at int64
			if err := rows.Scan(&r.ID, &r.ReportID, &r.Originator, &r.Releaser, &r.Recipient, &r.RecipientNation,
				&r.Purpose, &r.AgreementID, &r.AgreementVersion, &policies, &at); err != nil {
				return err
			}
			if err := fromJSON("policies", policies, &r.Policies); err != nil {
				return err
			}
			r.At = fromMicros(at)
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}
