package sqlite

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/enlace-exchange/enlace"
)

// insertEntrySQL appends an entry at the next index. The single write
// connection serialises appends, so max(idx)+1 is never handed out twice.
const insertEntrySQL = `INSERT INTO ledger_entries (idx, kind, record_id, from_nation, to_nation, at, salt, commitment)
	VALUES ((SELECT coalesce(max(idx) + 1, 0) FROM ledger_entries), ?, ?, ?, ?, ?, ?, ?)`

// ledger commits to record and appends the entry in tx, the transaction
// of the record it proves, through the statement prepared once on the
// write connection.
func (db *DB) ledger(ctx context.Context, tx *sql.Tx, kind enlace.EntryKind, id, from, to string, at int64, record []byte) error {
	if db.noLedger {
		return nil
	}
	e := enlace.NewLedgerEntry(kind, id, from, to, fromMicros(at), record)
	if _, err := tx.StmtContext(ctx, db.insertEntry).ExecContext(ctx, string(e.Kind), e.RecordID, e.From, e.To,
		micros(e.At), e.Salt, e.Commitment); err != nil {
		return fmt.Errorf("append ledger entry for %s %s: %w", e.Kind, e.RecordID, err)
	}
	return nil
}

// agencyNation returns the nation of agency id, "" if there is none.
func agencyNation(ctx context.Context, tx *sql.Tx, id string) (string, error) {
	var n string
	err := tx.QueryRowContext(ctx, `SELECT nation FROM agencies WHERE id = ?`, id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return n, err
}

// scopeNation returns the nation a scope belongs to: the nation itself or
// an agency's, and "" for a task force, which spans nations.
func scopeNation(ctx context.Context, tx *sql.Tx, s enlace.Scope) (string, error) {
	switch {
	case s.Nation != "":
		return s.Nation, nil
	case s.Agency != "":
		return agencyNation(ctx, tx, s.Agency)
	}
	return "", nil
}

// LedgerSize returns the number of entries.
func (db *DB) LedgerSize(ctx context.Context) (int64, error) {
	var n int64
	err := db.read(ctx, "ledger size", func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM ledger_entries`).Scan(&n)
	})
	return n, err
}

// LedgerEntries returns the entries with index in [start, end), in order.
// EInvalid if the range is not within the log. A gap in the indexes (a
// row deleted behind the store's back) shows as a missing index, for the
// verifier to name.
func (db *DB) LedgerEntries(ctx context.Context, start, end int64) ([]enlace.LedgerEntry, error) {
	if start < 0 || end < start {
		return nil, enlace.Errorf(enlace.EInvalid, "ledger range [%d, %d) is not a range", start, end)
	}
	var out []enlace.LedgerEntry
	err := db.read(ctx, fmt.Sprintf("ledger entries [%d, %d)", start, end), func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT idx, kind, record_id, from_nation, to_nation, at, salt, commitment
			FROM ledger_entries WHERE idx >= ? AND idx < ? ORDER BY idx`, start, end)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e enlace.LedgerEntry
			var kind string
			var at int64
			if err := rows.Scan(&e.Index, &kind, &e.RecordID, &e.From, &e.To, &at, &e.Salt, &e.Commitment); err != nil {
				return err
			}
			e.Kind, e.At = enlace.EntryKind(kind), fromMicros(at)
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// LedgerEntryOf returns the entry of the record of kind and id.
// ENotFound if there is none.
func (db *DB) LedgerEntryOf(ctx context.Context, kind enlace.EntryKind, id string) (enlace.LedgerEntry, error) {
	var e enlace.LedgerEntry
	err := db.read(ctx, fmt.Sprintf("ledger entry of %s %s", kind, id), func(tx *sql.Tx) error {
		var k string
		var at int64
		err := tx.QueryRowContext(ctx, `SELECT idx, kind, record_id, from_nation, to_nation, at, salt, commitment
			FROM ledger_entries WHERE kind = ? AND record_id = ?`, string(kind), id).Scan(
			&e.Index, &k, &e.RecordID, &e.From, &e.To, &at, &e.Salt, &e.Commitment)
		if errors.Is(err, sql.ErrNoRows) {
			return enlace.Errorf(enlace.ENotFound, "no ledger entry for %s %s", kind, id)
		}
		e.Kind, e.At = enlace.EntryKind(k), fromMicros(at)
		return err
	})
	return e, err
}

// LedgerRecord recomputes the canonical record e proves from the tables,
// and checks the entry's header (its nations and time) against the
// record, as the append computed them. ENotFound if the record is gone;
// EInvalid, naming the field, if the header disagrees with the record.
func (db *DB) LedgerRecord(ctx context.Context, e enlace.LedgerEntry) ([]byte, error) {
	var rec []byte
	err := db.read(ctx, fmt.Sprintf("ledger record of entry %d", e.Index), func(tx *sql.Tx) error {
		var h header
		var err error
		rec, h, err = ledgerRecord(ctx, tx, e.Kind, e.RecordID)
		if errors.Is(err, sql.ErrNoRows) {
			return enlace.Errorf(enlace.ENotFound, "%s %s not found", e.Kind, e.RecordID)
		}
		if err != nil {
			return err
		}
		switch {
		case h.from != e.From:
			return enlace.Errorf(enlace.EInvalid, "the entry says it comes from %q, its record from %q", e.From, h.from)
		case h.to != e.To:
			return enlace.Errorf(enlace.EInvalid, "the entry says it concerns %q, its record %q", e.To, h.to)
		case !fromMicros(h.at).Equal(e.At):
			return enlace.Errorf(enlace.EInvalid, "the entry is dated %s, its record %s",
				e.At.Format(enlace.LedgerTimeFormat), fromMicros(h.at).Format(enlace.LedgerTimeFormat))
		}
		return nil
	})
	return rec, err
}

// header is what an entry says of its record besides the commitment.
type header struct {
	from, to string
	at       int64
}

// ledgerRecord recomputes the record of kind and id, and the header its
// entry was appended with.
func ledgerRecord(ctx context.Context, tx *sql.Tx, kind enlace.EntryKind, id string) ([]byte, header, error) {
	num := func() (int64, error) {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return 0, sql.ErrNoRows
		}
		return n, nil
	}
	var h header
	var err error
	nations := func(a, b string) {
		if err == nil {
			h.from, err = agencyNation(ctx, tx, a)
		}
		if err == nil && b != "" {
			h.to, err = agencyNation(ctx, tx, b)
		}
	}
	scopes := func(a, b enlace.Scope) {
		if err == nil {
			h.from, err = scopeNation(ctx, tx, a)
		}
		if err == nil {
			h.to, err = scopeNation(ctx, tx, b)
		}
	}
	switch kind {
	case enlace.EntryRelease:
		n, err := num()
		if err != nil {
			return nil, h, err
		}
		r, err := scanRelease(tx.QueryRowContext(ctx, releaseSelect+` WHERE id = ?`, n))
		if err != nil {
			return nil, h, err
		}
		if err := tx.QueryRowContext(ctx, `SELECT nation FROM reports WHERE id = ?`, r.ReportID).Scan(&h.from); err != nil {
			return nil, h, err
		}
		h.to, h.at = r.RecipientNation, micros(r.At)
		rec, err := enlace.ReleaseRecord(r)
		return rec, h, err
	case enlace.EntryAgreement:
		ag, v, ok := strings.Cut(id, "/")
		n, cerr := strconv.Atoi(v)
		if !ok || cerr != nil {
			return nil, h, sql.ErrNoRows
		}
		a, aerr := scanAgreement(tx.QueryRowContext(ctx, agreementSelect+` WHERE id = ? AND version = ?`, ag, n))
		if aerr != nil {
			return nil, h, aerr
		}
		scopes(a.Provider, a.Recipient)
		h.at = micros(a.CreatedAt)
		if err != nil {
			return nil, h, err
		}
		rec, err := enlace.AgreementRecord(a)
		return rec, h, err
	case enlace.EntryDirective:
		seq, ok := directiveSeq(id)
		if !ok {
			return nil, h, sql.ErrNoRows
		}
		d, derr := scanDirective(tx.QueryRowContext(ctx, directiveSelect+` WHERE seq = ?`, seq))
		if derr != nil {
			return nil, h, derr
		}
		scopes(enlace.Scope{Nation: d.IssuerNation}, d.To)
		h.at = micros(d.IssuedAt)
		if err != nil {
			return nil, h, err
		}
		rec, err := enlace.DirectiveRecord(d)
		return rec, h, err
	case enlace.EntryConsent, enlace.EntryConsentDecision:
		n, nerr := num()
		if nerr != nil {
			return nil, h, nerr
		}
		c, cerr := scanConsent(tx.QueryRowContext(ctx, consentSelect+` WHERE id = ?`, n))
		if cerr != nil {
			return nil, h, cerr
		}
		nations(c.Originator, c.Recipient)
		if err != nil {
			return nil, h, err
		}
		if kind == enlace.EntryConsent {
			h.at = micros(c.CreatedAt)
			rec, err := enlace.ConsentRecord(c)
			return rec, h, err
		}
		if c.Status == enlace.ConsentRequested {
			return nil, h, sql.ErrNoRows
		}
		h.at = micros(c.CreatedAt)
		if c.DecidedAt != nil {
			h.at = micros(*c.DecidedAt)
		}
		rec, err := enlace.ConsentDecisionRecord(c)
		return rec, h, err
	case enlace.EntrySubmission:
		r, rerr := scanReport(tx.QueryRowContext(ctx, reportSelect+` WHERE id = ?`, id))
		if rerr != nil {
			return nil, h, rerr
		}
		digests, derr := objectDigests(ctx, tx, id)
		if derr != nil {
			return nil, h, derr
		}
		h.from, h.at = r.Nation, micros(r.CreatedAt)
		rec, err := enlace.SubmissionRecord(r, digests)
		return rec, h, err
	case enlace.EntryWithdrawal:
		n, nerr := num()
		if nerr != nil {
			return nil, h, nerr
		}
		w, werr := scanWithdrawal(tx.QueryRowContext(ctx, withdrawalSelect+` WHERE id = ?`, n))
		if werr != nil {
			return nil, h, werr
		}
		nations(w.Originator, "")
		h.at = micros(w.At)
		if err != nil {
			return nil, h, err
		}
		rec, err := enlace.WithdrawalRecord(w)
		return rec, h, err
	case enlace.EntryUse:
		n, nerr := num()
		if nerr != nil {
			return nil, h, nerr
		}
		u, uerr := loadUse(ctx, tx, n)
		if uerr != nil {
			return nil, h, uerr
		}
		if h.from, err = useOrigin(ctx, tx, u.ID); err != nil {
			return nil, h, err
		}
		h.to, h.at = u.Nation, micros(u.CreatedAt)
		rec, err := enlace.UseRecord(u)
		return rec, h, err
	case enlace.EntryOutcome:
		n, nerr := num()
		if nerr != nil {
			return nil, h, nerr
		}
		o, oerr := scanOutcome(tx.QueryRowContext(ctx, outcomeSelect+` WHERE o.id = ?`, n))
		if oerr != nil {
			return nil, h, oerr
		}
		if h.from, err = useOrigin(ctx, tx, o.UseID); err != nil {
			return nil, h, err
		}
		h.to, h.at = o.Nation, micros(o.CreatedAt)
		rec, err := enlace.OutcomeRecord(o)
		return rec, h, err
	case enlace.EntryAlert:
		n, nerr := num()
		if nerr != nil {
			return nil, h, nerr
		}
		a, aerr := scanAlert(tx.QueryRowContext(ctx, alertSelect+` WHERE id = ?`, n))
		if aerr != nil {
			return nil, h, aerr
		}
		h.from, h.at = a.Nation, micros(a.At)
		rec, err := enlace.AlertRecord(a)
		return rec, h, err
	}
	return nil, h, sql.ErrNoRows
}

// objectDigests returns the digests of report id's objects in its order.
func objectDigests(ctx context.Context, tx *sql.Tx, report string) ([]enlace.ObjectDigest, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, sha256 FROM objects WHERE report_id = ? ORDER BY position`, report)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []enlace.ObjectDigest
	for rows.Next() {
		var d enlace.ObjectDigest
		if err := rows.Scan(&d.ID, &d.SHA256); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// UnledgeredRecords returns the records that have no ledger entry, as
// "<kind> <id>", in table order.
func (db *DB) UnledgeredRecords(ctx context.Context) ([]string, error) {
	queries := []struct {
		kind  enlace.EntryKind
		query string
	}{
		{enlace.EntrySubmission, `SELECT id AS rid FROM reports`},
		{enlace.EntryRelease, `SELECT CAST(id AS TEXT) AS rid FROM releases`},
		{enlace.EntryAgreement, `SELECT id || '/' || version AS rid FROM agreements`},
		{enlace.EntryDirective, `SELECT 'D-' || seq AS rid FROM directives`},
		{enlace.EntryConsent, `SELECT CAST(id AS TEXT) AS rid FROM consents`},
		{enlace.EntryConsentDecision, `SELECT CAST(id AS TEXT) AS rid FROM consents WHERE status <> 'requested'`},
		{enlace.EntryWithdrawal, `SELECT CAST(id AS TEXT) AS rid FROM withdrawals`},
		{enlace.EntryUse, `SELECT CAST(id AS TEXT) AS rid FROM uses`},
		{enlace.EntryOutcome, `SELECT CAST(id AS TEXT) AS rid FROM outcomes`},
		{enlace.EntryAlert, `SELECT CAST(id AS TEXT) AS rid FROM alerts`},
	}
	var out []string
	err := db.read(ctx, "find unledgered records", func(tx *sql.Tx) error {
		for _, q := range queries {
			rows, err := tx.QueryContext(ctx, `SELECT r.rid FROM (`+q.query+`) AS r
				WHERE NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.kind = ? AND e.record_id = r.rid) ORDER BY r.rid`, string(q.kind))
			if err != nil {
				return err
			}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				out = append(out, string(q.kind)+" "+id)
			}
			if err := rows.Close(); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// SaveCheckpoint stores c. EConflict if a checkpoint of that size with
// another root exists; saving the same one again is no error.
func (db *DB) SaveCheckpoint(ctx context.Context, c enlace.Checkpoint) error {
	return db.write(ctx, fmt.Sprintf("save checkpoint %d", c.Size), func(tx *sql.Tx) error {
		var root []byte
		err := tx.QueryRowContext(ctx, `SELECT root FROM checkpoints WHERE size = ?`, c.Size).Scan(&root)
		if err == nil {
			if hex.EncodeToString(root) != hex.EncodeToString(c.Root) {
				return enlace.Errorf(enlace.EConflict, "a checkpoint of size %d with another root exists", c.Size)
			}
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO checkpoints (size, root, note, at) VALUES (?, ?, ?, ?)`,
			c.Size, c.Root, c.Note, micros(c.At))
		return err
	})
}

const checkpointSelect = `SELECT size, root, note, at FROM checkpoints`

// LatestCheckpoint returns the largest checkpoint with its cosignatures.
// ENotFound if none.
func (db *DB) LatestCheckpoint(ctx context.Context) (enlace.Checkpoint, error) {
	return db.checkpoint(ctx, "latest checkpoint", checkpointSelect+` ORDER BY size DESC LIMIT 1`)
}

// CheckpointAt returns the checkpoint of size n with its cosignatures.
// ENotFound if none.
func (db *DB) CheckpointAt(ctx context.Context, n int64) (enlace.Checkpoint, error) {
	return db.checkpoint(ctx, fmt.Sprintf("checkpoint %d", n), checkpointSelect+` WHERE size = ?`, n)
}

func (db *DB) checkpoint(ctx context.Context, op, query string, args ...any) (enlace.Checkpoint, error) {
	var c enlace.Checkpoint
	err := db.read(ctx, op, func(tx *sql.Tx) error {
		var err error
		c, err = scanCheckpoint(tx.QueryRowContext(ctx, query, args...))
		if errors.Is(err, sql.ErrNoRows) {
			return enlace.Errorf(enlace.ENotFound, "no such checkpoint")
		}
		if err != nil {
			return err
		}
		c.Cosignatures, err = cosignatures(ctx, tx, c.Size)
		return err
	})
	return c, err
}

// Checkpoints returns up to limit checkpoints, largest first, with their
// cosignatures.
func (db *DB) Checkpoints(ctx context.Context, limit int) ([]enlace.Checkpoint, error) {
	if limit <= 0 {
		limit = 100
	}
	var out []enlace.Checkpoint
	err := db.read(ctx, "list checkpoints", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, checkpointSelect+` ORDER BY size DESC LIMIT ?`, limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			c, err := scanCheckpoint(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, c)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for i := range out {
			if out[i].Cosignatures, err = cosignatures(ctx, tx, out[i].Size); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

func scanCheckpoint(s scanner) (enlace.Checkpoint, error) {
	var c enlace.Checkpoint
	var at int64
	if err := s.Scan(&c.Size, &c.Root, &c.Note, &at); err != nil {
		return enlace.Checkpoint{}, err
	}
	c.At = fromMicros(at)
	return c, nil
}

func cosignatures(ctx context.Context, tx *sql.Tx, size int64) ([]enlace.Cosignature, error) {
	rows, err := tx.QueryContext(ctx, `SELECT size, name, signature, at FROM cosignatures WHERE size = ? ORDER BY name`, size)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []enlace.Cosignature
	for rows.Next() {
		var c enlace.Cosignature
		var at int64
		if err := rows.Scan(&c.Size, &c.Name, &c.Signature, &at); err != nil {
			return nil, err
		}
		c.At = fromMicros(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// AddCosignature stores c on the checkpoint of size c.Size. ENotFound if
// there is none; a second cosignature by the same name keeps the first.
func (db *DB) AddCosignature(ctx context.Context, c enlace.Cosignature) error {
	return db.write(ctx, fmt.Sprintf("add cosignature by %s on checkpoint %d", c.Name, c.Size), func(tx *sql.Tx) error {
		if err := present(ctx, tx, fmt.Sprintf("checkpoint %d", c.Size), `SELECT 1 FROM checkpoints WHERE size = ?`, c.Size); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO cosignatures (size, name, signature, at) VALUES (?, ?, ?, ?)
			ON CONFLICT (size, name) DO NOTHING`, c.Size, c.Name, c.Signature, micros(c.At))
		return err
	})
}
