package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/enlace-exchange/enlace"
)

// CreateRelease appends r and its ledger entry, and assigns its ID.
// ENotFound if its report does not exist: a release records a report that
// this exchange holds.
func (db *DB) CreateRelease(ctx context.Context, r enlace.Release) (enlace.Release, error) {
	rs, err := db.CreateReleases(ctx, []enlace.Release{r})
	if err != nil {
		return enlace.Release{}, err
	}
	return rs[0], nil
}

// CreateReleases appends rs and their ledger entries in one transaction,
// assigning IDs in order: all or none.
func (db *DB) CreateReleases(ctx context.Context, rs []enlace.Release) ([]enlace.Release, error) {
	if len(rs) == 0 {
		return nil, nil
	}
	out := make([]enlace.Release, len(rs))
	op := fmt.Sprintf("create release of %s to %s", rs[0].ReportID, rs[0].Recipient)
	if len(rs) > 1 {
		op = fmt.Sprintf("create %d releases", len(rs))
	}
	err := db.write(ctx, op, func(tx *sql.Tx) error {
		for i, r := range rs {
			r.At = norm(r.At)
			policies, err := jsonText("policies", r.Policies)
			if err != nil {
				return err
			}
			var from string
			err = tx.QueryRowContext(ctx, `SELECT nation FROM reports WHERE id = ?`, r.ReportID).Scan(&from)
			if err == sql.ErrNoRows {
				return enlace.Errorf(enlace.ENotFound, "report %s not found", r.ReportID)
			}
			if err != nil {
				return err
			}
			if err := tx.QueryRowContext(ctx, `INSERT INTO releases (report_id, originator, releaser, recipient,
				recipient_nation, purpose, agreement_id, agreement_version, policies, at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				r.ReportID, r.Originator, r.Releaser, r.Recipient, r.RecipientNation, string(r.Purpose),
				r.AgreementID, r.AgreementVersion, policies, micros(r.At)).Scan(&r.ID); err != nil {
				return err
			}
			rec, err := enlace.ReleaseRecord(r)
			if err != nil {
				return err
			}
			if err := db.ledger(ctx, tx, enlace.EntryRelease, strconv.FormatInt(r.ID, 10), from, r.RecipientNation, micros(r.At), rec); err != nil {
				return err
			}
			out[i] = r
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

const releaseSelect = `SELECT id, report_id, originator, releaser, recipient, recipient_nation, purpose,
	agreement_id, agreement_version, policies, at FROM releases`

// Releases returns releases matching f in id order. Zero fields of f
// select everything, Limit included; After selects releases strictly
// after it.
func (db *DB) Releases(ctx context.Context, f enlace.ReleaseFilter) ([]enlace.Release, error) {
	q := releaseSelect + ` WHERE 1 = 1`
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
	if len(f.ReportIDs) > 0 {
		q += ` AND report_id IN (?` + strings.Repeat(`, ?`, len(f.ReportIDs)-1) + `)`
		for _, id := range f.ReportIDs {
			args = append(args, id)
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
			r, err := scanRelease(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

func scanRelease(s scanner) (enlace.Release, error) {
	var r enlace.Release
	var policies string
	var at int64
	if err := s.Scan(&r.ID, &r.ReportID, &r.Originator, &r.Releaser, &r.Recipient, &r.RecipientNation,
		&r.Purpose, &r.AgreementID, &r.AgreementVersion, &policies, &at); err != nil {
		return enlace.Release{}, err
	}
	if err := fromJSON("policies", policies, &r.Policies); err != nil {
		return enlace.Release{}, err
	}
	r.At = fromMicros(at)
	return r, nil
}
