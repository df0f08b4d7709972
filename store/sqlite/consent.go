package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/enlace-exchange/enlace"
)

// CreateConsent stores a consent request, assigns its ID and bumps the
// policy version. An empty Status is stored as ConsentRequested: a new
// consent is a request until its originator decides. ENotFound if its
// report does not exist.
func (db *DB) CreateConsent(ctx context.Context, c enlace.Consent) (enlace.Consent, error) {
	if c.Status == "" {
		c.Status = enlace.ConsentRequested
	}
	c.ExpiresAt = normPtr(c.ExpiresAt)
	c.DecidedAt = normPtr(c.DecidedAt)
	c.CreatedAt = norm(c.CreatedAt)
	op := "create consent for report " + c.ReportID
	purposes, err := jsonText("purposes", c.Purposes)
	if err != nil {
		return enlace.Consent{}, fmt.Errorf("%s: %w", op, err)
	}
	granted, err := jsonText("granted_purposes", c.GrantedPurposes)
	if err != nil {
		return enlace.Consent{}, fmt.Errorf("%s: %w", op, err)
	}
	err = db.write(ctx, op, func(tx *sql.Tx) error {
		if err := present(ctx, tx, "report "+c.ReportID, `SELECT 1 FROM reports WHERE id = ?`, c.ReportID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO consents (report_id, originator, requested_by, holder,
			recipient, purposes, status, granted_purposes, expires_at, decided_by, decided_at, note, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.ReportID, c.Originator, c.RequestedBy, c.Holder, c.Recipient, purposes, c.Status, granted,
			nullMicros(c.ExpiresAt), c.DecidedBy, nullMicros(c.DecidedAt), c.Note, micros(c.CreatedAt)).Scan(&c.ID); err != nil {
			return err
		}
		if err := db.ledgerConsent(ctx, tx, enlace.EntryConsent, c, micros(c.CreatedAt)); err != nil {
			return err
		}
		if c.Status != enlace.ConsentRequested {
			decided := micros(c.CreatedAt)
			if c.DecidedAt != nil {
				decided = micros(*c.DecidedAt)
			}
			if err := db.ledgerConsent(ctx, tx, enlace.EntryConsentDecision, c, decided); err != nil {
				return err
			}
		}
		return bumpPolicy(ctx, tx)
	})
	if err != nil {
		return enlace.Consent{}, err
	}
	return c, nil
}

// DecideConsent records the originator's answer and bumps the policy
// version. ENotFound if there is no such request; EConflict if it was
// already decided: an answer is final, a new request asks again.
func (db *DB) DecideConsent(ctx context.Context, id int64, d enlace.ConsentDecision, by string, at time.Time) (enlace.Consent, error) {
	op := fmt.Sprintf("decide consent %d", id)
	granted, err := jsonText("granted_purposes", d.GrantedPurposes)
	if err != nil {
		return enlace.Consent{}, fmt.Errorf("%s: %w", op, err)
	}
	var c enlace.Consent
	err = db.write(ctx, op, func(tx *sql.Tx) error {
		var err error
		c, err = scanConsent(tx.QueryRowContext(ctx, consentSelect+` WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return enlace.Errorf(enlace.ENotFound, "consent %d not found", id)
		}
		if err != nil {
			return err
		}
		if c.Status != enlace.ConsentRequested {
			return enlace.Errorf(enlace.EConflict, "consent %d was already %s", id, c.Status)
		}
		c.Status = d.Status
		c.GrantedPurposes = d.GrantedPurposes
		c.ExpiresAt = normPtr(d.ExpiresAt)
		c.Note = d.Note
		c.DecidedBy = by
		c.DecidedAt = normPtr(&at)
		if _, err := tx.ExecContext(ctx, `UPDATE consents SET status = ?, granted_purposes = ?, expires_at = ?,
			note = ?, decided_by = ?, decided_at = ? WHERE id = ?`,
			c.Status, granted, nullMicros(c.ExpiresAt), c.Note, c.DecidedBy, nullMicros(c.DecidedAt), id); err != nil {
			return err
		}
		if err := db.ledgerConsent(ctx, tx, enlace.EntryConsentDecision, c, micros(at)); err != nil {
			return err
		}
		return bumpPolicy(ctx, tx)
	})
	if err != nil {
		return enlace.Consent{}, err
	}
	return c, nil
}

const consentSelect = `SELECT id, report_id, originator, requested_by, holder, recipient, purposes, status,
	granted_purposes, expires_at, decided_by, decided_at, note, created_at FROM consents`

// Consent returns the consent with id. ENotFound if none.
func (db *DB) Consent(ctx context.Context, id int64) (enlace.Consent, error) {
	var c enlace.Consent
	err := db.read(ctx, fmt.Sprintf("read consent %d", id), func(tx *sql.Tx) error {
		var err error
		c, err = scanConsent(tx.QueryRowContext(ctx, consentSelect+` WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return enlace.Errorf(enlace.ENotFound, "consent %d not found", id)
		}
		return err
	})
	return c, err
}

// Consents returns the consents for report, or all when report is "", in
// id order.
func (db *DB) Consents(ctx context.Context, report string) ([]enlace.Consent, error) {
	var out []enlace.Consent
	err := db.read(ctx, "list consents", func(tx *sql.Tx) error {
		q, args := consentSelect+` ORDER BY id`, []any(nil)
		if report != "" {
			q, args = consentSelect+` WHERE report_id = ? ORDER BY id`, []any{report}
		}
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanConsent(rows)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

func scanConsent(s scanner) (enlace.Consent, error) {
	var c enlace.Consent
	var purposes, granted string
	var expires, decided sql.NullInt64
	var created int64
	if err := s.Scan(&c.ID, &c.ReportID, &c.Originator, &c.RequestedBy, &c.Holder, &c.Recipient, &purposes,
		&c.Status, &granted, &expires, &c.DecidedBy, &decided, &c.Note, &created); err != nil {
		return enlace.Consent{}, err
	}
	if err := fromJSON("purposes", purposes, &c.Purposes); err != nil {
		return enlace.Consent{}, err
	}
	if err := fromJSON("granted_purposes", granted, &c.GrantedPurposes); err != nil {
		return enlace.Consent{}, err
	}
	c.ExpiresAt = fromNullMicros(expires)
	c.DecidedAt = fromNullMicros(decided)
	c.CreatedAt = fromMicros(created)
	return c, nil
}

// ledgerConsent appends the entry of a consent request or of its answer,
// between the originator's nation and the recipient's.
func (db *DB) ledgerConsent(ctx context.Context, tx *sql.Tx, kind enlace.EntryKind, c enlace.Consent, at int64) error {
	record := enlace.ConsentRecord
	if kind == enlace.EntryConsentDecision {
		record = enlace.ConsentDecisionRecord
	}
	rec, err := record(c)
	if err != nil {
		return err
	}
	from, err := agencyNation(ctx, tx, c.Originator)
	if err != nil {
		return err
	}
	to, err := agencyNation(ctx, tx, c.Recipient)
	if err != nil {
		return err
	}
	return db.ledger(ctx, tx, kind, strconv.FormatInt(c.ID, 10), from, to, at, rec)
}
