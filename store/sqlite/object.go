package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/enlace-exchange/enlace"
)

// Page sizes for Objects.
const (
	DefaultObjectLimit = 100
	MaxObjectLimit     = 10000
)

// insertObjects stores the objects of r in tx. Each gets a date_added
// strictly greater than any before it, and the first and last flags of
// its object id are kept true to the live versions.
func insertObjects(ctx context.Context, tx *sql.Tx, r enlace.Report, heads []objectHead) error {
	if len(heads) == 0 {
		return nil
	}
	var last sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT max(date_added) FROM objects`).Scan(&last); err != nil {
		return err
	}
	added := micros(r.CreatedAt)
	if last.Valid && last.Int64 >= added {
		added = last.Int64 + 1
	}
	ids := make([]string, len(heads))
	for i, h := range heads {
		ids[i] = h.ID
	}
	known, err := versionBounds(ctx, tx, ids)
	if err != nil {
		return err
	}
	insert, err := tx.PrepareContext(ctx, `INSERT INTO objects (report_id, position, id, type, spec_version,
		created, modified, version_key, date_added, originator, sha256, is_first, is_last, raw)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insert.Close()
	for i, h := range heads {
		vk := h.versionKey()
		kb, n := known[h.ID], 0
		if kb.count > 0 {
			n = kb.count
		}
		first, latest := n == 0 || vk < kb.lo, n == 0 || vk > kb.hi
		if n > 0 && first {
			if _, err := tx.ExecContext(ctx, `UPDATE objects SET is_first = 0 WHERE id = ? AND is_first = 1`, h.ID); err != nil {
				return err
			}
		}
		if n > 0 && latest {
			if _, err := tx.ExecContext(ctx, `UPDATE objects SET is_last = 0 WHERE id = ? AND is_last = 1`, h.ID); err != nil {
				return err
			}
		}
		if _, err := insert.ExecContext(ctx, r.ID, i, h.ID, h.Type, h.SpecVersion, h.Created, h.Modified, vk,
			added+int64(i), r.Originator, h.SHA256, first, latest, string(r.Objects[i])); err != nil {
			if isUnique(err) {
				return enlace.Errorf(enlace.EConflict, "object %s version %s is already stored", h.ID, versionText(vk))
			}
			return fmt.Errorf("object %d (%s): %w", i, h.ID, err)
		}
		// A later object of this report may be another version of this one.
		kb.count++
		if n == 0 || vk < kb.lo {
			kb.lo = vk
		}
		if n == 0 || vk > kb.hi {
			kb.hi = vk
		}
		known[h.ID] = kb
	}
	return nil
}

// bounds are the oldest and newest live versions of an object.
type bounds struct {
	lo, hi int64
	count  int
}

// inChunk bounds the parameters of one IN (...) list.
const inChunk = 500

// versionBounds returns the live version bounds of those ids that are
// stored, in a query per inChunk ids rather than one per object.
func versionBounds(ctx context.Context, tx *sql.Tx, ids []string) (map[string]bounds, error) {
	out := make(map[string]bounds)
	for start := 0; start < len(ids); start += inChunk {
		chunk := ids[start:min(start+inChunk, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, min(version_key), max(version_key), count(*) FROM objects
			WHERE withdrawn_at IS NULL AND id IN (?`+strings.Repeat(`, ?`, len(chunk)-1)+`) GROUP BY id`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			var b bounds
			if err := rows.Scan(&id, &b.lo, &b.hi, &b.count); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = b
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func versionText(vk int64) string {
	if vk == 0 {
		return "(unversioned)"
	}
	return fromMicros(vk).Format(time.RFC3339Nano)
}

// Objects returns stored objects matching f in date-added order, at most
// f.Limit (DefaultObjectLimit when 0, never more than MaxObjectLimit).
// Withdrawn objects are never returned.
func (db *DB) Objects(ctx context.Context, f enlace.ObjectFilter) ([]enlace.StoredObject, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultObjectLimit
	}
	limit = min(limit, MaxObjectLimit)
	q := `SELECT o.seq, o.report_id, o.originator, o.id, o.type, o.spec_version, o.version_key,
		o.date_added, o.raw FROM objects o
		WHERE o.withdrawn_at IS NULL AND o.date_added > ?`
	args := []any{micros(f.AddedAfter)}
	if f.AddedAfter.IsZero() {
		args[0] = int64(-1 << 62)
	}
	if f.Originator != "" {
		q += ` AND o.originator = ?`
		args = append(args, f.Originator)
	}
	in := func(column string, values []string) {
		if len(values) == 0 {
			return
		}
		q += ` AND ` + column + ` IN (?` + strings.Repeat(`, ?`, len(values)-1) + `)`
		for _, v := range values {
			args = append(args, v)
		}
	}
	in("o.id", f.IDs)
	in("o.type", f.Types)
	in("coalesce(o.spec_version, '2.1')", f.SpecVersions)
	versions := f.Versions
	if len(versions) == 0 {
		versions = []enlace.VersionMatch{{Kind: enlace.VersionLast}}
	}
	if !slicesHasAll(versions) {
		clause, vargs, err := versionClause("o.", versions)
		if err != nil {
			return nil, err
		}
		q += ` AND ` + clause
		args = append(args, vargs...)
	}
	q += ` ORDER BY o.date_added LIMIT ?`
	args = append(args, limit)

	var out []enlace.StoredObject
	err := db.read(ctx, "list objects", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var o enlace.StoredObject
			var spec sql.NullString
			var vk, added int64
			if err := rows.Scan(&o.Seq, &o.ReportID, &o.Originator, &o.ID, &o.Type, &spec, &vk, &added, (*[]byte)(&o.Raw)); err != nil {
				return err
			}
			o.SpecVersion, o.DateAdded = spec.String, fromMicros(added)
			o.Version = o.DateAdded
			if vk != 0 {
				o.Version = fromMicros(vk)
			}
			out = append(out, o)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		// A page's objects come from few reports: read each report's
		// markings once, not once per row.
		return reportMarkings(ctx, tx, out)
	})
	return out, err
}

// reportMarkings fills in the markings of each object's report.
func reportMarkings(ctx context.Context, tx *sql.Tx, objs []enlace.StoredObject) error {
	byReport := map[string]enlace.Markings{}
	var ids []string
	for _, o := range objs {
		if _, ok := byReport[o.ReportID]; !ok {
			byReport[o.ReportID] = enlace.Markings{}
			ids = append(ids, o.ReportID)
		}
	}
	for start := 0; start < len(ids); start += inChunk {
		chunk := ids[start:min(start+inChunk, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, markings FROM reports WHERE id IN (?`+strings.Repeat(`, ?`, len(chunk)-1)+`)`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, text string
			var m enlace.Markings
			if err := rows.Scan(&id, &text); err != nil {
				rows.Close()
				return err
			}
			if err := fromJSON("markings", text, &m); err != nil {
				rows.Close()
				return err
			}
			byReport[id] = m
		}
		if err := rows.Close(); err != nil {
			return err
		}
	}
	for i := range objs {
		objs[i].Markings = byReport[objs[i].ReportID]
	}
	return nil
}

// versionClause returns the SQL condition, ORed, for version selectors
// other than all, on the objects table aliased by prefix.
func versionClause(prefix string, versions []enlace.VersionMatch) (string, []any, error) {
	var ors []string
	var args []any
	for _, v := range versions {
		switch v.Kind {
		case enlace.VersionLast:
			ors = append(ors, prefix+`is_last = 1`)
		case enlace.VersionFirst:
			ors = append(ors, prefix+`is_first = 1`)
		case enlace.VersionAt:
			ors = append(ors, prefix+`version_key = ?`)
			args = append(args, micros(v.At))
		default:
			return "", nil, enlace.Errorf(enlace.EInvalid, "unknown version selector %q", v.Kind)
		}
	}
	return `(` + strings.Join(ors, ` OR `) + `)`, args, nil
}

// slicesHasAll reports whether the selectors include all versions.
func slicesHasAll(vs []enlace.VersionMatch) bool {
	for _, v := range vs {
		if v.Kind == enlace.VersionAll {
			return true
		}
	}
	return false
}

// HasObjectVersions reports which of versions (enlace.VersionKey) the
// store holds, withdrawn ones included: a withdrawn version is not stored
// again.
func (db *DB) HasObjectVersions(ctx context.Context, versions []string) (map[string]bool, error) {
	want := make(map[string]bool, len(versions))
	ids := make([]string, 0, len(versions))
	for _, key := range versions {
		id, v, ok := strings.Cut(key, "|")
		if _, err := strconv.ParseInt(v, 10, 64); !ok || err != nil {
			return nil, enlace.Errorf(enlace.EInvalid, "%q is not an object version key", key)
		}
		if !want[key] {
			ids = append(ids, id)
		}
		want[key] = true
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make(map[string]bool)
	err := db.read(ctx, "find object versions", func(tx *sql.Tx) error {
		for start := 0; start < len(ids); start += inChunk {
			chunk := ids[start:min(start+inChunk, len(ids))]
			args := make([]any, len(chunk))
			for i, id := range chunk {
				args[i] = id
			}
			rows, err := tx.QueryContext(ctx, `SELECT id, version_key FROM objects WHERE id IN (?`+
				strings.Repeat(`, ?`, len(chunk)-1)+`)`, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id string
				var vk int64
				if err := rows.Scan(&id, &vk); err != nil {
					rows.Close()
					return err
				}
				if key := id + "|" + strconv.FormatInt(vk, 10); want[key] {
					out[key] = true
				}
			}
			if err := rows.Close(); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// WithdrawObjects withdraws the live versions of object id in
// originator's reports that versions selects (empty: all of them). Each
// loses its bytes and keeps its digest; a withdrawal record and its ledger
// entry are appended. ENotFound if nothing matched.
func (db *DB) WithdrawObjects(ctx context.Context, originator, id string, versions []enlace.VersionMatch, by string, at time.Time) (int, error) {
	at = norm(at)
	var n int
	err := db.write(ctx, fmt.Sprintf("withdraw %s", id), func(tx *sql.Tx) error {
		q := `SELECT seq, sha256 FROM objects WHERE id = ? AND originator = ? AND withdrawn_at IS NULL`
		args := []any{id, originator}
		if len(versions) > 0 && !slicesHasAll(versions) {
			clause, vargs, err := versionClause("", versions)
			if err != nil {
				return err
			}
			q += ` AND ` + clause
			args = append(args, vargs...)
		}
		rows, err := tx.QueryContext(ctx, q+` ORDER BY version_key`, args...)
		if err != nil {
			return err
		}
		var seqs []int64
		var digests []string
		for rows.Next() {
			var seq int64
			var d string
			if err := rows.Scan(&seq, &d); err != nil {
				rows.Close()
				return err
			}
			seqs, digests = append(seqs, seq), append(digests, d)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if len(seqs) == 0 {
			return enlace.Errorf(enlace.ENotFound, "no object %s", id)
		}
		for _, seq := range seqs {
			if _, err := tx.ExecContext(ctx, `DELETE FROM search WHERE object_id = ?1 AND report_id =
				(SELECT report_id FROM objects WHERE seq = ?2)`, id, seq); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE objects SET withdrawn_at = ?, raw = '', is_first = 0, is_last = 0
				WHERE seq = ?`, micros(at), seq); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE objects SET
			is_first = (version_key = (SELECT min(version_key) FROM objects WHERE id = ?1 AND withdrawn_at IS NULL)),
			is_last = (version_key = (SELECT max(version_key) FROM objects WHERE id = ?1 AND withdrawn_at IS NULL))
			WHERE id = ?1 AND withdrawn_at IS NULL`, id); err != nil {
			return err
		}
		w := enlace.Withdrawal{Originator: originator, ObjectID: id, Digests: digests, By: by, At: at}
		dj, err := jsonText("digests", w.Digests)
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO withdrawals (originator, object_id, digests, by_user, at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, w.Originator, w.ObjectID, dj, w.By, micros(w.At)).Scan(&w.ID); err != nil {
			return err
		}
		rec, err := enlace.WithdrawalRecord(w)
		if err != nil {
			return err
		}
		from, err := agencyNation(ctx, tx, originator)
		if err != nil {
			return err
		}
		n = len(seqs)
		return db.ledger(ctx, tx, enlace.EntryWithdrawal, strconv.FormatInt(w.ID, 10), from, "", micros(at), rec)
	})
	return n, err
}

const withdrawalSelect = `SELECT id, originator, object_id, digests, by_user, at FROM withdrawals`

func scanWithdrawal(s scanner) (enlace.Withdrawal, error) {
	var w enlace.Withdrawal
	var digests string
	var at int64
	if err := s.Scan(&w.ID, &w.Originator, &w.ObjectID, &digests, &w.By, &at); err != nil {
		return enlace.Withdrawal{}, err
	}
	if err := fromJSON("digests", digests, &w.Digests); err != nil {
		return enlace.Withdrawal{}, err
	}
	w.At = fromMicros(at)
	return w, nil
}

// CreateSubmission stores reports and the status of the request that
// brought them in one transaction: one commit, one sync, for a whole TAXII
// envelope. EConflict if the status id, a report id or an object version
// exists.
func (db *DB) CreateSubmission(ctx context.Context, reports []enlace.Report, s enlace.TAXIIStatus) ([]enlace.Report, error) {
	succ, err := jsonText("successes", s.Successes)
	if err != nil {
		return nil, err
	}
	fail, err := jsonText("failures", s.Failures)
	if err != nil {
		return nil, err
	}
	out := make([]enlace.Report, len(reports))
	err = db.write(ctx, "create submission "+s.ID, func(tx *sql.Tx) error {
		if err := absent(ctx, tx, "status "+s.ID, `SELECT 1 FROM taxii_statuses WHERE id = ?`, s.ID); err != nil {
			return err
		}
		for i, r := range reports {
			var err error
			if out[i], err = db.createReport(ctx, tx, r); err != nil {
				return fmt.Errorf("report %s: %w", r.ID, err)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO taxii_statuses (id, user_id, collection, request_timestamp,
			total, successes, failures) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			s.ID, s.UserID, s.Collection, micros(s.RequestTimestamp), s.Total, succ, fail)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Status returns the status with id. ENotFound if none.
func (db *DB) Status(ctx context.Context, id string) (enlace.TAXIIStatus, error) {
	var s enlace.TAXIIStatus
	err := db.read(ctx, "read status "+id, func(tx *sql.Tx) error {
		var succ, fail string
		var ts int64
		err := tx.QueryRowContext(ctx, `SELECT id, user_id, collection, request_timestamp, total, successes, failures
			FROM taxii_statuses WHERE id = ?`, id).Scan(&s.ID, &s.UserID, &s.Collection, &ts, &s.Total, &succ, &fail)
		if errors.Is(err, sql.ErrNoRows) {
			return enlace.Errorf(enlace.ENotFound, "status %s not found", id)
		}
		if err != nil {
			return err
		}
		s.RequestTimestamp = fromMicros(ts)
		if err := fromJSON("successes", succ, &s.Successes); err != nil {
			return err
		}
		return fromJSON("failures", fail, &s.Failures)
	})
	return s, err
}
