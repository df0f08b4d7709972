package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/enlace-exchange/enlace"
)

// CreateDirective appends d, assigns Seq and ID ("D-<seq>"), and bumps
// the policy version. EInvalid if a scope does not name exactly one party.
// Seq is the last one plus one, read under the policy version's row lock
// (bumped first), so it is unique across servers and has no gaps: a
// sequence would skip the number of a transaction that rolled back.
// Directives are never edited: triggers refuse UPDATE, DELETE and
// TRUNCATE. Its ledger entry, from the issuer's nation to the nation of
// the party it directs, goes in its transaction.
func (db *DB) CreateDirective(ctx context.Context, d enlace.Directive) (enlace.Directive, error) {
	d.EffectiveAt = norm(d.EffectiveAt)
	d.IssuedAt = norm(d.IssuedAt)
	fk, fid, err := scopeColumns("from", d.From)
	if err != nil {
		return enlace.Directive{}, fmt.Errorf("create directive: %w", err)
	}
	tk, tid, err := scopeColumns("to", d.To)
	if err != nil {
		return enlace.Directive{}, fmt.Errorf("create directive: %w", err)
	}
	err = db.write(ctx, "create directive", nil, func(tx pgx.Tx) error {
		if err := bumpPolicy(ctx, tx); err != nil {
			return err
		}
		// The purpose set is stored as its mode and its list, not through
		// its JSON form, which writes an unknown mode as "all".
		err := tx.QueryRow(ctx, `INSERT INTO directives (seq, action, from_kind, from_id, to_kind, to_id,
			purposes_mode, purposes, effective_at, reason, legal_reference, issued_by, issuer_agency,
			issuer_nation, issuer_rank, issued_at)
			SELECT coalesce(max(seq), 0) + 1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15
			FROM directives RETURNING seq`,
			d.Action, fk, fid, tk, tid, d.Purposes.Mode, purposeArray(d.Purposes.Purposes), d.EffectiveAt, d.Reason,
			d.LegalReference, d.IssuedBy, d.IssuerAgency, d.IssuerNation, d.IssuerRank, d.IssuedAt).Scan(&d.Seq)
		if err != nil {
			return err
		}
		d.ID = enlace.DirectiveID(d.Seq)
		rec, err := enlace.DirectiveRecord(d)
		if err != nil {
			return err
		}
		to, err := scopeNation(ctx, tx, d.To)
		if err != nil {
			return err
		}
		return ledger(ctx, tx, enlace.EntryDirective, d.ID, d.IssuerNation, to, d.IssuedAt, rec)
	})
	if err != nil {
		return enlace.Directive{}, err
	}
	return d, nil
}

const directiveSelect = `SELECT seq, action, from_kind, from_id, to_kind, to_id, purposes_mode, purposes,
	effective_at, reason, legal_reference, issued_by, issuer_agency, issuer_nation, issuer_rank, issued_at
	FROM directives`

// Directive returns the directive with id ("D-3"). ENotFound if none, or
// if id is not of that form.
func (db *DB) Directive(ctx context.Context, id string) (enlace.Directive, error) {
	op := "read directive " + id
	seq, ok := directiveSeq(id)
	if !ok {
		return enlace.Directive{}, fmt.Errorf("%s: %w", op, enlace.Errorf(enlace.ENotFound, "directive %s not found", id))
	}
	d, err := scanDirective(db.pool.QueryRow(ctx, directiveSelect+` WHERE seq = $1`, seq))
	if err != nil {
		return enlace.Directive{}, notFound(op, err, "directive %s not found", id)
	}
	return d, nil
}

// directiveSeq returns the sequence number that id names. Only the
// canonical form counts: "D-03" names no directive.
func directiveSeq(id string) (int64, bool) {
	s, ok := strings.CutPrefix(id, "D-")
	if !ok {
		return 0, false
	}
	seq, err := strconv.ParseInt(s, 10, 64)
	if err != nil || enlace.DirectiveID(seq) != id {
		return 0, false
	}
	return seq, true
}

// Directives returns every directive in sequence order.
func (db *DB) Directives(ctx context.Context) ([]enlace.Directive, error) {
	return list(ctx, db, "list directives", scanDirective, directiveSelect+` ORDER BY seq`)
}

func scanDirective(s pgx.Row) (enlace.Directive, error) {
	var d enlace.Directive
	var fk, fid, tk, tid string
	var ps []string
	if err := s.Scan(&d.Seq, &d.Action, &fk, &fid, &tk, &tid, &d.Purposes.Mode, &ps, &d.EffectiveAt,
		&d.Reason, &d.LegalReference, &d.IssuedBy, &d.IssuerAgency, &d.IssuerNation, &d.IssuerRank, &d.IssuedAt); err != nil {
		return enlace.Directive{}, err
	}
	d.ID = enlace.DirectiveID(d.Seq)
	var err error
	if d.From, err = scopeFrom(fk, fid); err != nil {
		return enlace.Directive{}, err
	}
	if d.To, err = scopeFrom(tk, tid); err != nil {
		return enlace.Directive{}, err
	}
	d.Purposes.Purposes = purposes(ps)
	d.EffectiveAt = d.EffectiveAt.UTC()
	d.IssuedAt = d.IssuedAt.UTC()
	return d, nil
}
