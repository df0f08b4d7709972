package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/enlace-exchange/enlace"
)

// CreateAgreement stores a as a new agreement (a.ID empty: the store
// assigns "AG-<n>" and version 1) or as the next version of agreement a.ID,
// whatever a.Version says. ENotFound if a.ID is given and unknown; EInvalid
// if a scope does not name exactly one party. It bumps the policy version.
// Versions are never rewritten: triggers refuse UPDATE and DELETE.
func (db *DB) CreateAgreement(ctx context.Context, a enlace.Agreement) (enlace.Agreement, error) {
	a.ValidFrom = norm(a.ValidFrom)
	a.ValidUntil = normPtr(a.ValidUntil)
	a.CreatedAt = norm(a.CreatedAt)
	op := "create agreement"
	if a.ID != "" {
		op += " " + a.ID
	}
	pk, pid, err := scopeColumns("provider", a.Provider)
	if err != nil {
		return enlace.Agreement{}, fmt.Errorf("%s: %w", op, err)
	}
	rk, rid, err := scopeColumns("recipient", a.Recipient)
	if err != nil {
		return enlace.Agreement{}, fmt.Errorf("%s: %w", op, err)
	}
	allowed, err := jsonText("allowed_purposes", a.AllowedPurposes)
	if err != nil {
		return enlace.Agreement{}, fmt.Errorf("%s: %w", op, err)
	}
	prohibited, err := jsonText("prohibited_purposes", a.ProhibitedPurposes)
	if err != nil {
		return enlace.Agreement{}, fmt.Errorf("%s: %w", op, err)
	}
	handling, err := jsonText("accepted_handling", a.AcceptedHandling)
	if err != nil {
		return enlace.Agreement{}, fmt.Errorf("%s: %w", op, err)
	}
	err = db.write(ctx, op, func(tx *sql.Tx) error {
		if a.ID == "" {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(DISTINCT id) FROM agreements`).Scan(&n); err != nil {
				return err
			}
			a.ID, a.Version = fmt.Sprintf("AG-%d", n+1), 1
		} else {
			var last sql.NullInt64
			if err := tx.QueryRowContext(ctx, `SELECT max(version) FROM agreements WHERE id = ?`, a.ID).Scan(&last); err != nil {
				return err
			}
			if !last.Valid {
				return enlace.Errorf(enlace.ENotFound, "agreement %s not found", a.ID)
			}
			a.Version = int(last.Int64) + 1
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO agreements (id, version, title, provider_kind, provider_id,
			recipient_kind, recipient_id, allowed_purposes, prohibited_purposes, max_tlp, accepted_handling,
			onward, valid_from, valid_until, legal_basis, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, a.Version, a.Title, pk, pid, rk, rid, allowed, prohibited, int(a.MaxTLP), handling,
			a.Onward, micros(a.ValidFrom), nullMicros(a.ValidUntil), a.LegalBasis, a.CreatedBy, micros(a.CreatedAt)); err != nil {
			return err
		}
		rec, err := enlace.AgreementRecord(a)
		if err != nil {
			return err
		}
		from, err := scopeNation(ctx, tx, a.Provider)
		if err != nil {
			return err
		}
		to, err := scopeNation(ctx, tx, a.Recipient)
		if err != nil {
			return err
		}
		if err := db.ledger(ctx, tx, enlace.EntryAgreement, fmt.Sprintf("%s/%d", a.ID, a.Version), from, to, micros(a.CreatedAt), rec); err != nil {
			return err
		}
		return bumpPolicy(ctx, tx)
	})
	if err != nil {
		return enlace.Agreement{}, err
	}
	return a, nil
}

const agreementSelect = `SELECT id, version, title, provider_kind, provider_id, recipient_kind, recipient_id,
	allowed_purposes, prohibited_purposes, max_tlp, accepted_handling, onward, valid_from, valid_until,
	legal_basis, created_by, created_at FROM agreements`

// Agreement returns the latest version of agreement id. ENotFound if none.
func (db *DB) Agreement(ctx context.Context, id string) (enlace.Agreement, error) {
	var a enlace.Agreement
	err := db.read(ctx, "read agreement "+id, func(tx *sql.Tx) error {
		var err error
		a, err = scanAgreement(tx.QueryRowContext(ctx, agreementSelect+` WHERE id = ? ORDER BY version DESC LIMIT 1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return enlace.Errorf(enlace.ENotFound, "agreement %s not found", id)
		}
		return err
	})
	return a, err
}

// AgreementVersions returns every version of agreement id, oldest first.
// ENotFound if none.
func (db *DB) AgreementVersions(ctx context.Context, id string) ([]enlace.Agreement, error) {
	var out []enlace.Agreement
	err := db.read(ctx, "read agreement versions "+id, func(tx *sql.Tx) error {
		var err error
		out, err = queryAgreements(ctx, tx, agreementSelect+` WHERE id = ? ORDER BY version`, id)
		if err == nil && len(out) == 0 {
			return enlace.Errorf(enlace.ENotFound, "agreement %s not found", id)
		}
		return err
	})
	return out, err
}

// Agreements returns the latest version of every agreement, by id. Ids
// are ordered as numbers would be (AG-2 before AG-10): all are "AG-<n>".
func (db *DB) Agreements(ctx context.Context) ([]enlace.Agreement, error) {
	var out []enlace.Agreement
	err := db.read(ctx, "list agreements", func(tx *sql.Tx) error {
		var err error
		out, err = queryAgreements(ctx, tx, agreementSelect+` AS a
			WHERE version = (SELECT max(version) FROM agreements WHERE id = a.id)
			ORDER BY length(id), id`)
		return err
	})
	return out, err
}

func queryAgreements(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]enlace.Agreement, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []enlace.Agreement
	for rows.Next() {
		a, err := scanAgreement(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func scanAgreement(s scanner) (enlace.Agreement, error) {
	var a enlace.Agreement
	var pk, pid, rk, rid, allowed, prohibited, handling string
	var validFrom, created int64
	var validUntil sql.NullInt64
	if err := s.Scan(&a.ID, &a.Version, &a.Title, &pk, &pid, &rk, &rid, &allowed, &prohibited, &a.MaxTLP,
		&handling, &a.Onward, &validFrom, &validUntil, &a.LegalBasis, &a.CreatedBy, &created); err != nil {
		return enlace.Agreement{}, err
	}
	var err error
	if a.Provider, err = scopeFrom(pk, pid); err != nil {
		return enlace.Agreement{}, err
	}
	if a.Recipient, err = scopeFrom(rk, rid); err != nil {
		return enlace.Agreement{}, err
	}
	if err := fromJSON("allowed_purposes", allowed, &a.AllowedPurposes); err != nil {
		return enlace.Agreement{}, err
	}
	if err := fromJSON("prohibited_purposes", prohibited, &a.ProhibitedPurposes); err != nil {
		return enlace.Agreement{}, err
	}
	if err := fromJSON("accepted_handling", handling, &a.AcceptedHandling); err != nil {
		return enlace.Agreement{}, err
	}
	a.ValidFrom = fromMicros(validFrom)
	a.ValidUntil = fromNullMicros(validUntil)
	a.CreatedAt = fromMicros(created)
	return a, nil
}
