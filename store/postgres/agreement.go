package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/enlace-exchange/enlace"
)

// CreateAgreement stores a as a new agreement (a.ID empty: the store
// assigns "AG-<n>" and version 1) or as the next version of agreement a.ID,
// whatever a.Version says. ENotFound if a.ID is given and unknown; EInvalid
// if a scope does not name exactly one party. It bumps the policy version
// first, and its row lock makes the next id or version this transaction
// reads its own until commit, whichever server asks. Versions are never
// rewritten: triggers refuse UPDATE, DELETE and TRUNCATE. Each version
// gets its ledger entry, from the provider's nation to the recipient's,
// in its transaction.
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
	err = db.write(ctx, op, nil, func(tx pgx.Tx) error {
		if err := bumpPolicy(ctx, tx); err != nil {
			return err
		}
		if a.ID == "" {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(DISTINCT id) FROM agreements`).Scan(&n); err != nil {
				return err
			}
			a.ID, a.Version = fmt.Sprintf("AG-%d", n+1), 1
		} else {
			var last *int
			if err := tx.QueryRow(ctx, `SELECT max(version) FROM agreements WHERE id = $1`, a.ID).Scan(&last); err != nil {
				return err
			}
			if last == nil {
				return enlace.Errorf(enlace.ENotFound, "agreement %s not found", a.ID)
			}
			a.Version = *last + 1
		}
		_, err := tx.Exec(ctx, `INSERT INTO agreements (id, version, title, provider_kind, provider_id,
			recipient_kind, recipient_id, allowed_purposes, prohibited_purposes, max_tlp, accepted_handling,
			onward, valid_from, valid_until, legal_basis, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
			a.ID, a.Version, a.Title, pk, pid, rk, rid, purposeArray(a.AllowedPurposes),
			purposeArray(a.ProhibitedPurposes), int(a.MaxTLP), a.AcceptedHandling, a.Onward, a.ValidFrom,
			a.ValidUntil, a.LegalBasis, a.CreatedBy, a.CreatedAt)
		if err != nil {
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
		return ledger(ctx, tx, enlace.EntryAgreement, fmt.Sprintf("%s/%d", a.ID, a.Version), from, to, a.CreatedAt, rec)
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
	a, err := scanAgreement(db.pool.QueryRow(ctx, agreementSelect+` WHERE id = $1 ORDER BY version DESC LIMIT 1`, id))
	if err != nil {
		return enlace.Agreement{}, notFound("read agreement "+id, err, "agreement %s not found", id)
	}
	return a, nil
}

// AgreementVersions returns every version of agreement id, oldest first.
// ENotFound if none.
func (db *DB) AgreementVersions(ctx context.Context, id string) ([]enlace.Agreement, error) {
	op := "read agreement versions " + id
	out, err := list(ctx, db, op, scanAgreement, agreementSelect+` WHERE id = $1 ORDER BY version`, id)
	if err == nil && len(out) == 0 {
		return nil, fmt.Errorf("%s: %w", op, enlace.Errorf(enlace.ENotFound, "agreement %s not found", id))
	}
	return out, err
}

// Agreements returns the latest version of every agreement, by id. Ids
// are ordered as numbers would be (AG-2 before AG-10): all are "AG-<n>".
func (db *DB) Agreements(ctx context.Context) ([]enlace.Agreement, error) {
	return list(ctx, db, "list agreements", scanAgreement, `SELECT * FROM (
		SELECT DISTINCT ON (id) * FROM (`+agreementSelect+`) AS a ORDER BY id, version DESC
		) AS latest ORDER BY length(id), id`)
}

func scanAgreement(s pgx.Row) (enlace.Agreement, error) {
	var a enlace.Agreement
	var pk, pid, rk, rid string
	var allowed, prohibited []string
	var maxTLP int
	if err := s.Scan(&a.ID, &a.Version, &a.Title, &pk, &pid, &rk, &rid, &allowed, &prohibited, &maxTLP,
		&a.AcceptedHandling, &a.Onward, &a.ValidFrom, &a.ValidUntil, &a.LegalBasis, &a.CreatedBy, &a.CreatedAt); err != nil {
		return enlace.Agreement{}, err
	}
	var err error
	if a.Provider, err = scopeFrom(pk, pid); err != nil {
		return enlace.Agreement{}, err
	}
	if a.Recipient, err = scopeFrom(rk, rid); err != nil {
		return enlace.Agreement{}, err
	}
	a.AllowedPurposes = purposes(allowed)
	a.ProhibitedPurposes = purposes(prohibited)
	a.MaxTLP = enlace.TLP(maxTLP)
	a.ValidFrom = a.ValidFrom.UTC()
	a.ValidUntil = utcPtr(a.ValidUntil)
	a.CreatedAt = a.CreatedAt.UTC()
	return a, nil
}
