package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/enlace-exchange/enlace"
)

// Page sizes for Objects.
const (
	DefaultObjectLimit = 100
	MaxObjectLimit     = 10000
)

// Objects returns stored objects matching f in date-added order, at most
// f.Limit (DefaultObjectLimit when 0, never more than MaxObjectLimit),
// each with its report's markings. Withdrawn objects are never returned.
// An object without spec_version counts as "2.1", as STIX says.
func (db *DB) Objects(ctx context.Context, f enlace.ObjectFilter) ([]enlace.StoredObject, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultObjectLimit
	}
	limit = min(limit, MaxObjectLimit)
	q := `SELECT o.seq, o.report_id, o.originator, r.markings, o.id, o.type, o.spec_version, o.version_key,
		o.date_added, o.raw FROM objects o JOIN reports r ON r.id = o.report_id
		WHERE o.withdrawn_at IS NULL`
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if !f.AddedAfter.IsZero() {
		q += ` AND o.date_added > ` + arg(norm(f.AddedAfter))
	}
	if f.Originator != "" {
		q += ` AND o.originator = ` + arg(f.Originator)
	}
	if len(f.IDs) > 0 {
		q += ` AND o.id = ANY(` + arg(f.IDs) + `::text[])`
	}
	if len(f.Types) > 0 {
		q += ` AND o.type = ANY(` + arg(f.Types) + `::text[])`
	}
	if len(f.SpecVersions) > 0 {
		q += ` AND coalesce(o.spec_version, '2.1') = ANY(` + arg(f.SpecVersions) + `::text[])`
	}
	versions := f.Versions
	if len(versions) == 0 {
		versions = []enlace.VersionMatch{{Kind: enlace.VersionLast}}
	}
	if !hasAll(versions) {
		clause, err := versionClause("o.", versions, arg)
		if err != nil {
			return nil, fmt.Errorf("list objects: %w", err)
		}
		q += ` AND ` + clause
	}
	q += ` ORDER BY o.date_added LIMIT ` + arg(limit)

	markings := map[string]enlace.Markings{} // a page shares few markings: decode each once
	out, err := list(ctx, db, "list objects", func(s pgx.Row) (enlace.StoredObject, error) {
		var o enlace.StoredObject
		var m, raw []byte
		var spec *string
		var vk int64
		if err := s.Scan(&o.Seq, &o.ReportID, &o.Originator, &m, &o.ID, &o.Type, &spec, &vk, &o.DateAdded, &raw); err != nil {
			return enlace.StoredObject{}, err
		}
		mk, ok := markings[string(m)]
		if !ok {
			if err := fromJSON("markings", m, &mk); err != nil {
				return enlace.StoredObject{}, err
			}
			markings[string(m)] = mk
		}
		o.Markings, o.DateAdded, o.Raw = mk, o.DateAdded.UTC(), json.RawMessage(raw)
		if spec != nil {
			o.SpecVersion = *spec
		}
		o.Version = o.DateAdded
		if vk != 0 {
			o.Version = time.UnixMicro(vk).UTC()
		}
		return o, nil
	}, q, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// versionClause returns the SQL condition, ORed, for version selectors
// other than all, on the objects table aliased by prefix; arg adds a
// parameter and returns its placeholder.
func versionClause(prefix string, versions []enlace.VersionMatch, arg func(any) string) (string, error) {
	var ors []string
	for _, v := range versions {
		switch v.Kind {
		case enlace.VersionLast:
			ors = append(ors, prefix+`is_last`)
		case enlace.VersionFirst:
			ors = append(ors, prefix+`is_first`)
		case enlace.VersionAt:
			ors = append(ors, prefix+`version_key = `+arg(v.At.UnixMicro()))
		default:
			return "", enlace.Errorf(enlace.EInvalid, "unknown version selector %q", v.Kind)
		}
	}
	return `(` + strings.Join(ors, ` OR `) + `)`, nil
}

// hasAll reports whether the selectors include all versions.
func hasAll(vs []enlace.VersionMatch) bool {
	return slices.ContainsFunc(vs, func(v enlace.VersionMatch) bool { return v.Kind == enlace.VersionAll })
}

// HasObjectVersions reports which of versions (enlace.VersionKey) the
// store holds, withdrawn ones included: a withdrawn version is not stored
// again. EInvalid for a key not of that form.
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
	if len(ids) == 0 {
		return out, nil
	}
	keys, err := list(ctx, db, "find object versions", func(s pgx.Row) (k string, err error) { return k, s.Scan(&k) },
		`SELECT id || '|' || version_key FROM objects WHERE id = ANY($1::text[])`, ids)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if want[k] {
			out[k] = true
		}
	}
	return out, nil
}

// WithdrawObjects withdraws the live versions of object id in
// originator's reports that versions selects (empty: all of them). Each
// loses its bytes and keeps its digest; the first and last flags are
// recomputed among the versions left; a withdrawal record and its ledger
// entry are appended. ENotFound if nothing matched. It holds reportLock,
// then ledgerLock, like every object write.
func (db *DB) WithdrawObjects(ctx context.Context, originator, id string, versions []enlace.VersionMatch, by string, at time.Time) (int, error) {
	at = norm(at)
	var n int
	err := db.write(ctx, "withdraw "+id, nil, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, reportLock); err != nil {
			return err
		}
		q := `UPDATE objects SET withdrawn_at = $1, raw = ''::bytea, is_first = false, is_last = false
			WHERE seq IN (SELECT seq FROM objects WHERE id = $2 AND originator = $3 AND withdrawn_at IS NULL`
		args := []any{at, id, originator}
		arg := func(v any) string {
			args = append(args, v)
			return "$" + strconv.Itoa(len(args))
		}
		if len(versions) > 0 && !hasAll(versions) {
			clause, err := versionClause("", versions, arg)
			if err != nil {
				return err
			}
			q += ` AND ` + clause
		}
		q += `) RETURNING version_key, sha256`
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		type withdrawn struct {
			key int64
			sum string
		}
		gone, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (withdrawn, error) {
			var w withdrawn
			err := row.Scan(&w.key, &w.sum)
			return w, err
		})
		if err != nil {
			return err
		}
		if len(gone) == 0 {
			return enlace.Errorf(enlace.ENotFound, "no object %s", id)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM search_docs WHERE object_id = $1 AND report_id IN
			(SELECT report_id FROM objects WHERE id = $1 AND withdrawn_at = $2 AND originator = $3)`, id, at, originator); err != nil {
			return err
		}
		slices.SortFunc(gone, func(a, b withdrawn) int { return cmp.Compare(a.key, b.key) })
		if _, err := tx.Exec(ctx, setVersionFlags, []string{id}); err != nil {
			return err
		}
		w := enlace.Withdrawal{Originator: originator, ObjectID: id, By: by, At: at}
		for _, g := range gone {
			w.Digests = append(w.Digests, g.sum)
		}
		if err := tx.QueryRow(ctx, `INSERT INTO withdrawals (originator, object_id, digests, by_user, at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, w.Originator, w.ObjectID, w.Digests, w.By, w.At).Scan(&w.ID); err != nil {
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
		n = len(gone)
		return ledger(ctx, tx, enlace.EntryWithdrawal, strconv.FormatInt(w.ID, 10), from, "", at, rec)
	})
	return n, err
}

const withdrawalSelect = `SELECT id, originator, object_id, digests, by_user, at FROM withdrawals`

func scanWithdrawal(s pgx.Row) (enlace.Withdrawal, error) {
	var w enlace.Withdrawal
	if err := s.Scan(&w.ID, &w.Originator, &w.ObjectID, &w.Digests, &w.By, &w.At); err != nil {
		return enlace.Withdrawal{}, err
	}
	w.At = w.At.UTC()
	return w, nil
}

// CreateSubmission stores reports, each with its submission entry, and
// the status of the request that brought them in one transaction: all or
// none. EConflict if the status id, a report id or an object version
// exists. The status goes in last, after the reports took reportLock, so
// two requests with one status id wait for each other in lock order.
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
	err = db.write(ctx, "create submission "+s.ID, refusals{
		"taxii_statuses_pkey":         enlace.Errorf(enlace.EConflict, "status %s already exists", s.ID),
		"taxii_statuses_user_id_fkey": enlace.Errorf(enlace.ENotFound, "user %d not found", s.UserID),
	}, func(tx pgx.Tx) error {
		for i, r := range reports {
			var err error
			if out[i], err = createReport(ctx, tx, r); err != nil {
				return fmt.Errorf("report %s: %w", r.ID, err)
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO taxii_statuses (id, user_id, collection, request_timestamp,
			total, successes, failures) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			s.ID, s.UserID, s.Collection, norm(s.RequestTimestamp), s.Total, succ, fail)
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
	var succ, fail []byte
	err := db.pool.QueryRow(ctx, `SELECT id, user_id, collection, request_timestamp, total, successes, failures
		FROM taxii_statuses WHERE id = $1`, id).Scan(&s.ID, &s.UserID, &s.Collection, &s.RequestTimestamp, &s.Total, &succ, &fail)
	if err != nil {
		return enlace.TAXIIStatus{}, notFound("read status "+id, err, "status %s not found", id)
	}
	s.RequestTimestamp = s.RequestTimestamp.UTC()
	if err := fromJSON("successes", succ, &s.Successes); err != nil {
		return enlace.TAXIIStatus{}, err
	}
	if err := fromJSON("failures", fail, &s.Failures); err != nil {
		return enlace.TAXIIStatus{}, err
	}
	return s, nil
}
