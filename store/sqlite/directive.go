package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/enlace-exchange/enlace"
)

// CreateDirective appends d, assigns Seq and ID ("D-<seq>"), and bumps
// the policy version. EInvalid if a scope does not name exactly one party.
// Directives are never edited: triggers refuse UPDATE and DELETE.
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
	// The purpose set is stored as its mode and its list, not through its
	// JSON form, which writes an unknown mode as "all".
	purposes, err := jsonText("purposes", d.Purposes.Purposes)
	if err != nil {
		return enlace.Directive{}, fmt.Errorf("create directive: %w", err)
	}
	err = db.write(ctx, "create directive", func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO directives (action, from_kind, from_id, to_kind, to_id,
			purposes_mode, purposes, effective_at, reason, legal_reference, issued_by, issuer_agency,
			issuer_nation, issuer_rank, issued_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
			d.Action, fk, fid, tk, tid, d.Purposes.Mode, purposes, micros(d.EffectiveAt), d.Reason,
			d.LegalReference, d.IssuedBy, d.IssuerAgency, d.IssuerNation, d.IssuerRank, micros(d.IssuedAt)).Scan(&d.Seq); err != nil {
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
		if err := db.ledger(ctx, tx, enlace.EntryDirective, d.ID, d.IssuerNation, to, micros(d.IssuedAt), rec); err != nil {
			return err
		}
		return bumpPolicy(ctx, tx)
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
	var d enlace.Directive
	err := db.read(ctx, "read directive "+id, func(tx *sql.Tx) error {
		seq, ok := directiveSeq(id)
		if !ok {
			return enlace.Errorf(enlace.ENotFound, "directive %s not found", id)
		}
		var err error
		d, err = scanDirective(tx.QueryRowContext(ctx, directiveSelect+` WHERE seq = ?`, seq))
		if errors.Is(err, sql.ErrNoRows) {
			return enlace.Errorf(enlace.ENotFound, "directive %s not found", id)
		}
		return err
	})
	return d, err
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
	var out []enlace.Directive
	err := db.read(ctx, "list directives", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, directiveSelect+` ORDER BY seq`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDirective(rows)
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	return out, err
}

func scanDirective(s scanner) (enlace.Directive, error) {
	var d enlace.Directive
	var fk, fid, tk, tid, purposes string
	var effective, issued int64
	if err := s.Scan(&d.Seq, &d.Action, &fk, &fid, &tk, &tid, &d.Purposes.Mode, &purposes, &effective,
		&d.Reason, &d.LegalReference, &d.IssuedBy, &d.IssuerAgency, &d.IssuerNation, &d.IssuerRank, &issued); err != nil {
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
	if err := fromJSON("purposes", purposes, &d.Purposes.Purposes); err != nil {
		return enlace.Directive{}, err
	}
	d.EffectiveAt = fromMicros(effective)
	d.IssuedAt = fromMicros(issued)
	return d, nil
}
