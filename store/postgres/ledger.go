package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/enlace-exchange/enlace"
)

// ledgerLock is the key of the transaction-scoped advisory lock that every
// ledger append holds from before it reads max(idx) to its commit ("enlace"
// and 2).
//
// The log must be one sequence, 0..n-1 without gaps, whichever server
// appends. A sequence cannot give that (a rolled-back transaction leaves
// a gap, and values are drawn in insert order, not commit order), so an
// append takes this lock, then, in a new statement and so under READ
// COMMITTED a new snapshot that sees every append committed before it,
// inserts at max(idx) + 1. PostgreSQL releases the lock after the commit
// is visible, so the next holder sees this entry. The primary key on idx
// would turn any breach into an error rather than a fork.
//
// Lock order. A write takes its locks in this order and never the other
// way round, so no two transactions wait for each other:
//
//  1. the policy_version row (policy changes: agreements, directives,
//     consents), taken first by bumpPolicy;
//  2. reportLock (report and object writes: CreateReport,
//     CreateSubmission, WithdrawObjects);
//  3. ledgerLock, taken by appendEntries as the last step before the
//     entry's INSERT.
//
// Uses, outcomes and alerts take no lock before ledgerLock: their rows
// are the transaction's own. An outcome's row, whose unique corrects may
// wait for another server's correction of the same version, is inserted
// before the lock is taken.
//
// After ledgerLock a transaction only inserts rows nobody else can hold
// (its own releases, alerts, entries) and reads, so holding it to commit
// makes the other appenders wait, never deadlock.
const ledgerLock int64 = 0x656e6c6163650002

// appendEntries appends es to the ledger in tx, the transaction of the
// records they prove, at the next indexes, in order. See ledgerLock.
// The lock and the inserts go in one round trip as separate statements:
// each insert's snapshot is taken when it starts, after the lock is
// granted, and sees the entries inserted before it in tx.
func appendEntries(ctx context.Context, tx pgx.Tx, es ...enlace.LedgerEntry) error {
	if len(es) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock($1)`, ledgerLock)
	for _, e := range es {
		b.Queue(`INSERT INTO ledger_entries (idx, kind, record_id, from_nation, to_nation, at, salt, commitment)
			SELECT coalesce(max(idx) + 1, 0), $1, $2, $3, $4, $5, $6, $7 FROM ledger_entries`,
			string(e.Kind), e.RecordID, e.From, e.To, e.At, e.Salt, e.Commitment)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		if len(es) == 1 {
			return fmt.Errorf("append ledger entry for %s %s: %w", es[0].Kind, es[0].RecordID, err)
		}
		return fmt.Errorf("append %d ledger entries from %s %s: %w", len(es), es[0].Kind, es[0].RecordID, err)
	}
	return nil
}

// ledger commits to record and appends the entry in tx.
func ledger(ctx context.Context, tx pgx.Tx, kind enlace.EntryKind, id, from, to string, at time.Time, record []byte) error {
	return appendEntries(ctx, tx, enlace.NewLedgerEntry(kind, id, from, to, at, record))
}

// agencyNation returns the nation of agency id, "" if there is none.
func agencyNation(ctx context.Context, tx pgx.Tx, id string) (string, error) {
	var n string
	err := tx.QueryRow(ctx, `SELECT nation FROM agencies WHERE id = $1`, id).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return n, err
}

// scopeNation returns the nation a scope belongs to: the nation itself or
// an agency's, and "" for a task force, which spans nations.
func scopeNation(ctx context.Context, tx pgx.Tx, s enlace.Scope) (string, error) {
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
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM ledger_entries`).Scan(&n); err != nil {
		return 0, failed("ledger size", err, nil)
	}
	return n, nil
}

// LedgerEntries returns the entries with index in [start, end), in order.
// EInvalid if the range is not within the log. A gap in the indexes (a
// row deleted behind the store's back) shows as a missing index, for the
// verifier to name.
func (db *DB) LedgerEntries(ctx context.Context, start, end int64) ([]enlace.LedgerEntry, error) {
	if start < 0 || end < start {
		return nil, enlace.Errorf(enlace.EInvalid, "ledger range [%d, %d) is not a range", start, end)
	}
	return list(ctx, db, fmt.Sprintf("ledger entries [%d, %d)", start, end), scanEntry,
		`SELECT idx, kind, record_id, from_nation, to_nation, at, salt, commitment
		FROM ledger_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx`, start, end)
}

// LedgerEntryOf returns the entry of the record of kind and id.
// ENotFound if there is none.
func (db *DB) LedgerEntryOf(ctx context.Context, kind enlace.EntryKind, id string) (enlace.LedgerEntry, error) {
	e, err := scanEntry(db.pool.QueryRow(ctx, `SELECT idx, kind, record_id, from_nation, to_nation, at, salt, commitment
		FROM ledger_entries WHERE kind = $1 AND record_id = $2`, string(kind), id))
	if err != nil {
		return enlace.LedgerEntry{}, notFound(fmt.Sprintf("ledger entry of %s %s", kind, id), err, "no ledger entry for %s %s", kind, id)
	}
	return e, nil
}

func scanEntry(s pgx.Row) (enlace.LedgerEntry, error) {
	var e enlace.LedgerEntry
	var kind string
	if err := s.Scan(&e.Index, &kind, &e.RecordID, &e.From, &e.To, &e.At, &e.Salt, &e.Commitment); err != nil {
		return enlace.LedgerEntry{}, err
	}
	e.Kind, e.At = enlace.EntryKind(kind), e.At.UTC()
	return e, nil
}

// LedgerRecord recomputes the canonical record e proves from the tables,
// and checks the entry's header (its nations and time) against the
// record, as the append computed them. It reads in one REPEATABLE READ
// transaction, so that a record and what its header derives from come
// from one snapshot. ENotFound if the record is gone; EInvalid, naming
// the field, if the header disagrees with the record.
func (db *DB) LedgerRecord(ctx context.Context, e enlace.LedgerEntry) ([]byte, error) {
	op := fmt.Sprintf("ledger record of entry %d", e.Index)
	var rec []byte
	var h header
	err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		rec, h, err = ledgerRecord(ctx, tx, e.Kind, e.RecordID)
		return err
	})
	if err != nil {
		return nil, notFound(op, err, "%s %s not found", e.Kind, e.RecordID)
	}
	switch {
	case h.from != e.From:
		err = enlace.Errorf(enlace.EInvalid, "the entry says it comes from %q, its record from %q", e.From, h.from)
	case h.to != e.To:
		err = enlace.Errorf(enlace.EInvalid, "the entry says it concerns %q, its record %q", e.To, h.to)
	case !h.at.Equal(e.At):
		err = enlace.Errorf(enlace.EInvalid, "the entry is dated %s, its record %s",
			e.At.UTC().Format(enlace.LedgerTimeFormat), h.at.UTC().Format(enlace.LedgerTimeFormat))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return rec, nil
}

// header is what an entry says of its record besides the commitment.
type header struct {
	from, to string
	at       time.Time
}

// ledgerRecord recomputes the record of kind and id, and the header its
// entry was appended with; pgx.ErrNoRows if there is no such record. The
// headers are computed as the appends compute them.
func ledgerRecord(ctx context.Context, tx pgx.Tx, kind enlace.EntryKind, id string) ([]byte, header, error) {
	var h header
	num := func() (int64, error) {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return 0, pgx.ErrNoRows
		}
		return n, nil
	}
	switch kind {
	case enlace.EntryRelease:
		n, err := num()
		if err != nil {
			return nil, h, err
		}
		r, err := scanRelease(tx.QueryRow(ctx, releaseSelect+` WHERE id = $1`, n))
		if err != nil {
			return nil, h, err
		}
		if err := tx.QueryRow(ctx, `SELECT nation FROM reports WHERE id = $1`, r.ReportID).Scan(&h.from); err != nil {
			return nil, h, err
		}
		h.to, h.at = r.RecipientNation, r.At
		rec, err := enlace.ReleaseRecord(r)
		return rec, h, err
	case enlace.EntryAgreement:
		ag, v, ok := strings.Cut(id, "/")
		n, err := strconv.Atoi(v)
		if !ok || err != nil {
			return nil, h, pgx.ErrNoRows
		}
		a, err := scanAgreement(tx.QueryRow(ctx, agreementSelect+` WHERE id = $1 AND version = $2`, ag, n))
		if err != nil {
			return nil, h, err
		}
		if h.from, err = scopeNation(ctx, tx, a.Provider); err != nil {
			return nil, h, err
		}
		if h.to, err = scopeNation(ctx, tx, a.Recipient); err != nil {
			return nil, h, err
		}
		h.at = a.CreatedAt
		rec, err := enlace.AgreementRecord(a)
		return rec, h, err
	case enlace.EntryDirective:
		seq, ok := directiveSeq(id)
		if !ok {
			return nil, h, pgx.ErrNoRows
		}
		d, err := scanDirective(tx.QueryRow(ctx, directiveSelect+` WHERE seq = $1`, seq))
		if err != nil {
			return nil, h, err
		}
		if h.to, err = scopeNation(ctx, tx, d.To); err != nil {
			return nil, h, err
		}
		h.from, h.at = d.IssuerNation, d.IssuedAt
		rec, err := enlace.DirectiveRecord(d)
		return rec, h, err
	case enlace.EntryConsent, enlace.EntryConsentDecision:
		n, err := num()
		if err != nil {
			return nil, h, err
		}
		c, err := scanConsent(tx.QueryRow(ctx, consentSelect+` WHERE id = $1`, n))
		if err != nil {
			return nil, h, err
		}
		if h.from, err = agencyNation(ctx, tx, c.Originator); err != nil {
			return nil, h, err
		}
		if h.to, err = agencyNation(ctx, tx, c.Recipient); err != nil {
			return nil, h, err
		}
		h.at = c.CreatedAt
		if kind == enlace.EntryConsent {
			rec, err := enlace.ConsentRecord(c)
			return rec, h, err
		}
		if c.Status == enlace.ConsentRequested {
			return nil, h, pgx.ErrNoRows
		}
		if c.DecidedAt != nil {
			h.at = *c.DecidedAt
		}
		rec, err := enlace.ConsentDecisionRecord(c)
		return rec, h, err
	case enlace.EntrySubmission:
		r, err := scanReport(tx.QueryRow(ctx, reportSelect+` WHERE r.id = $1`, id))
		if err != nil {
			return nil, h, err
		}
		digests, err := objectDigests(ctx, tx, id)
		if err != nil {
			return nil, h, err
		}
		h.from, h.at = r.Nation, r.CreatedAt
		rec, err := enlace.SubmissionRecord(r, digests)
		return rec, h, err
	case enlace.EntryWithdrawal:
		n, err := num()
		if err != nil {
			return nil, h, err
		}
		w, err := scanWithdrawal(tx.QueryRow(ctx, withdrawalSelect+` WHERE id = $1`, n))
		if err != nil {
			return nil, h, err
		}
		if h.from, err = agencyNation(ctx, tx, w.Originator); err != nil {
			return nil, h, err
		}
		h.at = w.At
		rec, err := enlace.WithdrawalRecord(w)
		return rec, h, err
	case enlace.EntryUse:
		n, err := num()
		if err != nil {
			return nil, h, err
		}
		u, err := loadUse(ctx, tx, n)
		if err != nil {
			return nil, h, err
		}
		h.from, h.to, h.at = origin(u.Reports), u.Nation, u.CreatedAt
		rec, err := enlace.UseRecord(u)
		return rec, h, err
	case enlace.EntryOutcome:
		n, err := num()
		if err != nil {
			return nil, h, err
		}
		o, err := scanOutcome(tx.QueryRow(ctx, outcomeSelect+` WHERE o.id = $1`, n))
		if err != nil {
			return nil, h, err
		}
		u, err := loadUse(ctx, tx, o.UseID)
		if err != nil {
			return nil, h, err
		}
		h.from, h.to, h.at = origin(u.Reports), o.Nation, o.CreatedAt
		rec, err := enlace.OutcomeRecord(o)
		return rec, h, err
	case enlace.EntryAlert:
		n, err := num()
		if err != nil {
			return nil, h, err
		}
		a, err := scanAlert(tx.QueryRow(ctx, alertSelect+` WHERE id = $1`, n))
		if err != nil {
			return nil, h, err
		}
		h.from, h.at = a.Nation, a.At
		rec, err := enlace.AlertRecord(a)
		return rec, h, err
	}
	return nil, h, pgx.ErrNoRows
}

// objectDigests returns the digests of report id's objects in its order,
// withdrawn ones included.
func objectDigests(ctx context.Context, tx pgx.Tx, report string) ([]enlace.ObjectDigest, error) {
	rows, err := tx.Query(ctx, `SELECT id, sha256 FROM objects WHERE report_id = $1 ORDER BY position`, report)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (enlace.ObjectDigest, error) {
		var d enlace.ObjectDigest
		err := row.Scan(&d.ID, &d.SHA256)
		return d, err
	})
}

// UnledgeredRecords returns the records that have no ledger entry, as
// "<kind> <id>", kind by kind, ids ordered byte by byte. One statement,
// so one snapshot.
func (db *DB) UnledgeredRecords(ctx context.Context) ([]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT r.kind || ' ' || r.rid FROM (
			SELECT 1 AS k, 'submission' AS kind, id AS rid FROM reports
			UNION ALL SELECT 2, 'release', id::text FROM releases
			UNION ALL SELECT 3, 'agreement', id || '/' || version FROM agreements
			UNION ALL SELECT 4, 'directive', 'D-' || seq FROM directives
			UNION ALL SELECT 5, 'consent', id::text FROM consents
			UNION ALL SELECT 6, 'consent-decision', id::text FROM consents WHERE status <> 'requested'
			UNION ALL SELECT 7, 'withdrawal', id::text FROM withdrawals
			UNION ALL SELECT 8, 'use', id::text FROM uses
			UNION ALL SELECT 9, 'outcome', id::text FROM outcomes
			UNION ALL SELECT 10, 'alert', id::text FROM alerts
		) AS r
		WHERE NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.kind = r.kind AND e.record_id = r.rid)
		ORDER BY r.k, r.rid COLLATE "C"`)
	if err != nil {
		return nil, failed("find unledgered records", err, nil)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, failed("find unledgered records", err, nil)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// SaveCheckpoint stores c. EConflict if a checkpoint of that size with
// another root exists; saving the same one again is no error, whichever
// server saves it first.
func (db *DB) SaveCheckpoint(ctx context.Context, c enlace.Checkpoint) error {
	op := fmt.Sprintf("save checkpoint %d", c.Size)
	return db.write(ctx, op, nil, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO checkpoints (size, root, note, at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (size) DO NOTHING`, c.Size, c.Root, c.Note, norm(c.At))
		if err != nil || tag.RowsAffected() == 1 {
			return err
		}
		var root []byte
		if err := tx.QueryRow(ctx, `SELECT root FROM checkpoints WHERE size = $1`, c.Size).Scan(&root); err != nil {
			return err
		}
		if !bytes.Equal(root, c.Root) {
			return enlace.Errorf(enlace.EConflict, "a checkpoint of size %d with another root exists", c.Size)
		}
		return nil
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
	return db.checkpoint(ctx, fmt.Sprintf("checkpoint %d", n), checkpointSelect+` WHERE size = $1`, n)
}

func (db *DB) checkpoint(ctx context.Context, op, query string, args ...any) (enlace.Checkpoint, error) {
	cs, err := list(ctx, db, op, scanCheckpoint, query, args...)
	if err != nil {
		return enlace.Checkpoint{}, err
	}
	if len(cs) == 0 {
		return enlace.Checkpoint{}, fmt.Errorf("%s: %w", op, enlace.Errorf(enlace.ENotFound, "no such checkpoint"))
	}
	if err := db.cosignatures(ctx, op, cs); err != nil {
		return enlace.Checkpoint{}, err
	}
	return cs[0], nil
}

// Checkpoints returns up to limit checkpoints (100 when limit <= 0),
// largest first, with their cosignatures.
func (db *DB) Checkpoints(ctx context.Context, limit int) ([]enlace.Checkpoint, error) {
	if limit <= 0 {
		limit = 100
	}
	cs, err := list(ctx, db, "list checkpoints", scanCheckpoint, checkpointSelect+` ORDER BY size DESC LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	if err := db.cosignatures(ctx, "list checkpoints", cs); err != nil {
		return nil, err
	}
	return cs, nil
}

func scanCheckpoint(s pgx.Row) (enlace.Checkpoint, error) {
	var c enlace.Checkpoint
	if err := s.Scan(&c.Size, &c.Root, &c.Note, &c.At); err != nil {
		return enlace.Checkpoint{}, err
	}
	c.At = c.At.UTC()
	return c, nil
}

// cosignatures fills in the cosignatures of cs, by name, in one query.
// Cosignatures are only added, and a checkpoint is never removed, so a
// second statement adds at most what arrived in between.
func (db *DB) cosignatures(ctx context.Context, op string, cs []enlace.Checkpoint) error {
	if len(cs) == 0 {
		return nil
	}
	sizes := make([]int64, len(cs))
	index := make(map[int64]int, len(cs))
	for i, c := range cs {
		sizes[i], index[c.Size] = c.Size, i
	}
	sigs, err := list(ctx, db, op, func(s pgx.Row) (enlace.Cosignature, error) {
		var c enlace.Cosignature
		err := s.Scan(&c.Size, &c.Name, &c.Signature, &c.At)
		c.At = c.At.UTC()
		return c, err
	}, `SELECT size, name, signature, at FROM cosignatures WHERE size = ANY($1) ORDER BY size, name`, sizes)
	if err != nil {
		return err
	}
	for _, s := range sigs {
		i := index[s.Size]
		cs[i].Cosignatures = append(cs[i].Cosignatures, s)
	}
	return nil
}

// AddCosignature stores c on the checkpoint of size c.Size. ENotFound if
// there is none; a second cosignature by the same name keeps the first.
func (db *DB) AddCosignature(ctx context.Context, c enlace.Cosignature) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO cosignatures (size, name, signature, at)
		VALUES ($1, $2, coalesce($3, ''::bytea), $4) ON CONFLICT (size, name) DO NOTHING`, c.Size, c.Name, c.Signature, norm(c.At))
	if err != nil {
		return failed(fmt.Sprintf("add cosignature by %s on checkpoint %d", c.Name, c.Size), err, refusals{
			"cosignatures_size_fkey": enlace.Errorf(enlace.ENotFound, "checkpoint %d not found", c.Size),
		})
	}
	return nil
}
