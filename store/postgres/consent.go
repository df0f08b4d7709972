package postgres

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/enlace-exchange/enlace"
)

// CreateConsent stores a consent request, assigns its ID and bumps the
// policy version. An empty Status is stored as ConsentRequested: a new
// consent is a request until its originator decides. ENotFound if its
// report does not exist. The request's ledger entry, and its decision's
// when it is created decided, go in its transaction.
func (db *DB) CreateConsent(ctx context.Context, c enlace.Consent) (enlace.Consent, error) {
	if c.Status == "" {
		c.Status = enlace.ConsentRequested
	}
	c.ExpiresAt = normPtr(c.ExpiresAt)
	c.DecidedAt = normPtr(c.DecidedAt)
	c.CreatedAt = norm(c.CreatedAt)
	err := db.write(ctx, "create consent for report "+c.ReportID, refusals{
		"consents_report_id_fkey": enlace.Errorf(enlace.ENotFound, "report %s not found", c.ReportID),
	}, func(tx pgx.Tx) error {
		if err := bumpPolicy(ctx, tx); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO consents (report_id, originator, requested_by, holder,
			recipient, purposes, status, granted_purposes, expires_at, decided_by, decided_at, note, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
			c.ReportID, c.Originator, c.RequestedBy, c.Holder, c.Recipient, purposeArray(c.Purposes), c.Status,
			purposeArray(c.GrantedPurposes), c.ExpiresAt, c.DecidedBy, c.DecidedAt, c.Note, c.CreatedAt).Scan(&c.ID)
		if err != nil {
			return err
		}
		if err := ledgerConsent(ctx, tx, enlace.EntryConsent, c, c.CreatedAt); err != nil {
			return err
		}
		if c.Status != enlace.ConsentRequested {
			decided := c.CreatedAt
			if c.DecidedAt != nil {
				decided = *c.DecidedAt
			}
			return ledgerConsent(ctx, tx, enlace.EntryConsentDecision, c, decided)
		}
		return nil
	})
	if err != nil {
		return enlace.Consent{}, err
	}
	return c, nil
}

// DecideConsent records the originator's answer and bumps the policy
// version. ENotFound if there is no such request; EConflict if it was
// already decided: an answer is final, a new request asks again. The
// decision's ledger entry goes in its transaction.
func (db *DB) DecideConsent(ctx context.Context, id int64, d enlace.ConsentDecision, by string, at time.Time) (enlace.Consent, error) {
	var c enlace.Consent
	err := db.write(ctx, fmt.Sprintf("decide consent %d", id), nil, func(tx pgx.Tx) error {
		if err := bumpPolicy(ctx, tx); err != nil {
			return err
		}
		var err error
		c, err = scanConsent(tx.QueryRow(ctx, consentSelect+` WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return notFound("read", err, "consent %d not found", id)
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
		_, err = tx.Exec(ctx, `UPDATE consents SET status = $1, granted_purposes = $2, expires_at = $3,
			note = $4, decided_by = $5, decided_at = $6 WHERE id = $7`,
			c.Status, purposeArray(c.GrantedPurposes), c.ExpiresAt, c.Note, c.DecidedBy, c.DecidedAt, id)
		if err != nil {
			return err
		}
		return ledgerConsent(ctx, tx, enlace.EntryConsentDecision, c, norm(at))
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
	c, err := scanConsent(db.pool.QueryRow(ctx, consentSelect+` WHERE id = $1`, id))
	if err != nil {
		return enlace.Consent{}, notFound(fmt.Sprintf("read consent %d", id), err, "consent %d not found", id)
	}
	return c, nil
}

// Consents returns the consents for report, or all when report is "", in
// id order.
func (db *DB) Consents(ctx context.Context, report string) ([]enlace.Consent, error) {
	if report == "" {
		return list(ctx, db, "list consents", scanConsent, consentSelect+` ORDER BY id`)
	}
	return list(ctx, db, "list consents for "+report, scanConsent, consentSelect+` WHERE report_id = $1 ORDER BY id`, report)
}

func scanConsent(s pgx.Row) (enlace.Consent, error) {
	var c enlace.Consent
	var ps, granted []string
	if err := s.Scan(&c.ID, &c.ReportID, &c.Originator, &c.RequestedBy, &c.Holder, &c.Recipient, &ps,
		&c.Status, &granted, &c.ExpiresAt, &c.DecidedBy, &c.DecidedAt, &c.Note, &c.CreatedAt); err != nil {
		return enlace.Consent{}, err
	}
	c.Purposes = purposes(ps)
	c.GrantedPurposes = purposes(granted)
	c.ExpiresAt = utcPtr(c.ExpiresAt)
	c.DecidedAt = utcPtr(c.DecidedAt)
	c.CreatedAt = c.CreatedAt.UTC()
	return c, nil
}

// ledgerConsent appends the entry of a consent request or of its answer,
// from the originator's nation to the recipient's.
func ledgerConsent(ctx context.Context, tx pgx.Tx, kind enlace.EntryKind, c enlace.Consent, at time.Time) error {
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
	return ledger(ctx, tx, kind, strconv.FormatInt(c.ID, 10), from, to, at, rec)
}
