package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/enlace-exchange/enlace"
)

// Page sizes for Reports.
const (
	DefaultReportLimit = 100
	MaxReportLimit     = 1000
)

// reportLock is the key of the transaction-scoped advisory lock that
// every write of reports and objects (CreateReport, CreateSubmission,
// WithdrawObjects) holds from before its first statement to its commit
// ("enlace" and 1). Advisory locks are per database, so exchanges sharing
// a cluster do not wait for each other. See ledgerLock for the order in
// which a transaction takes its locks.
const reportLock int64 = 0x656e6c6163650001

// CreateReport stores r with its objects and its submission ledger entry,
// and assigns Seq. Each object is kept byte for byte, in one row per
// object with the STIX properties a TAXII query filters on and the SHA-256
// of its bytes. EConflict if its id exists, or an object version (id and
// modified, else created; the id alone for an object without versions)
// is stored already; ENotFound if its originator agency does not exist;
// EInvalid if an object is not a JSON object with a string id and type, or
// its created or modified is not a timestamp.
//
// Objects get a date_added strictly greater than any before them: at
// least r.CreatedAt, one microsecond apart within the report. A TAXII
// client paging by added_after must never skip an object, so date_added
// order must be commit order, across every server on the database. A
// sequence alone cannot give that: its values are handed out at insert,
// and a transaction that drew an earlier value may commit later. So each
// CreateReport takes one transaction-scoped advisory lock first, reads the
// last date_added and draws its seq under it, and holds it until its
// commit is visible (PostgreSQL releases transaction locks after the
// commit is visible). Report writes are serial, as they are in SQLite;
// reads never wait for the lock. An advisory lock rather than LOCK TABLE
// so that other writes to the tables (none today) are not blocked, and
// because it names the rule rather than a table.
func (db *DB) CreateReport(ctx context.Context, r enlace.Report) (enlace.Report, error) {
	var out enlace.Report
	err := db.write(ctx, "create report "+r.ID, nil, func(tx pgx.Tx) error {
		var err error
		out, err = createReport(ctx, tx, r)
		return err
	})
	if err != nil {
		return enlace.Report{}, err
	}
	return out, nil
}

// createReport stores r, its objects and its submission entry in tx,
// under reportLock and then ledgerLock.
func createReport(ctx context.Context, tx pgx.Tx, r enlace.Report) (enlace.Report, error) {
	r.Published = norm(r.Published)
	r.CreatedAt = norm(r.CreatedAt)
	heads, err := objectHeads(r.Objects)
	if err != nil {
		return enlace.Report{}, err
	}
	markings, err := jsonText("markings", r.Markings)
	if err != nil {
		return enlace.Report{}, err
	}
	grading, err := jsonText("grading", r.Grading)
	if err != nil {
		return enlace.Report{}, err
	}
	// The lock, the report, its objects and their first and last flags go
	// in one round trip, each its own statement: under READ COMMITTED the
	// objects' snapshot is taken after the lock is granted, so it sees the
	// last date_added and every stored version.
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock($1)`, reportLock)
	b.Queue(`INSERT INTO reports (id, originator, nation, title, description, markings, grading,
		derived_from, synthetic, created_by, published, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		RETURNING seq`,
		r.ID, r.Originator, r.Nation, r.Title, r.Description, markings, grading,
		r.DerivedFrom, r.Synthetic, r.CreatedBy, r.Published, r.CreatedAt).
		QueryRow(func(row pgx.Row) error { return row.Scan(&r.Seq) })
	alone := true // no object of r has another live version, stored or in r
	if len(heads) > 0 {
		queueObjects(b, r, heads, &alone)
	}
	queueSearchDocs(b, r, heads)
	err = tx.SendBatch(ctx, b).Close()
	if err == nil && !alone {
		err = unflagStored(ctx, tx, r, heads)
	}
	if err != nil {
		return enlace.Report{}, classify(err, refusals{
			"reports_id_key":                 enlace.Errorf(enlace.EConflict, "report %s already exists", r.ID),
			"reports_originator_fkey":        enlace.Errorf(enlace.ENotFound, "originator agency %s not found", r.Originator),
			"objects_id_version_key_key":     enlace.Errorf(enlace.EConflict, "an object version of report %s is already stored", r.ID),
			"objects_report_id_fkey":         enlace.Errorf(enlace.ENotFound, "report %s not found", r.ID),
			"objects_date_added":             enlace.Errorf(enlace.EConflict, "date_added collided: report writes are not serialised"),
			"objects_report_id_position_key": enlace.Errorf(enlace.EConflict, "report %s objects written twice", r.ID),
		})
	}
	digests := make([]enlace.ObjectDigest, len(heads))
	for i, h := range heads {
		digests[i] = enlace.ObjectDigest{ID: h.ID, SHA256: h.SHA256}
	}
	rec, err := enlace.SubmissionRecord(r, digests)
	if err != nil {
		return enlace.Report{}, err
	}
	if err := ledger(ctx, tx, enlace.EntrySubmission, r.ID, r.Nation, "", r.CreatedAt, rec); err != nil {
		return enlace.Report{}, err
	}
	return r, nil
}

// queueObjects queues one INSERT of every object of r, which sets *alone
// to whether each is the only live version of its id. date_added is
// computed by the statement, after the lock, from the objects committed
// before it: max + 1µs, or r.CreatedAt if that is later, then 1µs apart.
// A new version is first (last) if no live version of its id, stored or
// in r, is older (newer); a stored version loses its flag if one of r's is
// older (newer), see unflagStored. So an older version arriving late
// becomes the first, not the last, and only the stored rows whose flags
// change are written.
func queueObjects(b *pgx.Batch, r enlace.Report, heads []objectHead, alone *bool) {
	n := len(heads)
	ids, types := make([]string, n), make([]string, n)
	specs := make([]*string, n)
	created, modified := make([]*time.Time, n), make([]*time.Time, n)
	keys := make([]int64, n)
	sums := make([]string, n)
	raws := make([][]byte, n)
	for i, h := range heads {
		ids[i], types[i], specs[i] = h.ID, h.Type, h.SpecVersion
		created[i], modified[i] = h.Created, h.Modified
		keys[i], sums[i] = h.versionKey(), h.SHA256
		raws[i] = r.Objects[i]
	}
	b.Queue(`WITH ins AS (INSERT INTO objects (report_id, position, id, type, spec_version, created, modified,
			version_key, date_added, originator, sha256, is_first, is_last, raw)
		SELECT $1, o.i - 1, o.id, o.type, o.spec, o.created, o.modified, o.vk,
			base.t + (o.i - 1) * interval '1 microsecond', $2, o.sum,
			o.vk = min(o.vk) OVER (PARTITION BY o.id) AND NOT EXISTS (SELECT 1 FROM objects x
				WHERE x.id = o.id AND x.withdrawn_at IS NULL AND x.version_key < o.vk),
			o.vk = max(o.vk) OVER (PARTITION BY o.id) AND NOT EXISTS (SELECT 1 FROM objects x
				WHERE x.id = o.id AND x.withdrawn_at IS NULL AND x.version_key > o.vk),
			o.raw
		FROM unnest($3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::bigint[],
				$9::text[], $10::bytea[])
			WITH ORDINALITY AS o (id, type, spec, created, modified, vk, sum, raw, i),
			(SELECT greatest($11::timestamptz, max(date_added) + interval '1 microsecond') AS t FROM objects) AS base
		ORDER BY o.i
		RETURNING is_first AND is_last AS alone)
		SELECT bool_and(alone) FROM ins`,
		r.ID, r.Originator, ids, types, specs, created, modified, keys, sums, raws, r.CreatedAt).
		QueryRow(func(row pgx.Row) error { return row.Scan(alone) })
}

// unflagStored takes the first (last) flag from the stored live versions
// of r's objects that one of r's is older (newer) than. CreateReport runs
// it only when an object of r was not alone: most reports carry objects
// new to the exchange, and then there is nothing to do. A prepared
// statement's plan may be the generic one chosen while the table was
// small, so the statement that most reports need not run is kept out of
// their round trip.
func unflagStored(ctx context.Context, tx pgx.Tx, r enlace.Report, heads []objectHead) error {
	ids, keys := make([]string, len(heads)), make([]int64, len(heads))
	for i, h := range heads {
		ids[i], keys[i] = h.ID, h.versionKey()
	}
	_, err := tx.Exec(ctx, `UPDATE objects o SET is_first = o.is_first AND o.version_key < n.lo, is_last = o.is_last AND o.version_key > n.hi
		FROM (SELECT u.id, min(u.vk) AS lo, max(u.vk) AS hi FROM unnest($1::text[], $2::bigint[]) AS u (id, vk)
			GROUP BY u.id) AS n
		WHERE o.id = ANY($1::text[]) AND o.id = n.id AND o.report_id <> $3 AND o.withdrawn_at IS NULL
			AND ((o.is_first AND o.version_key > n.lo) OR (o.is_last AND o.version_key < n.hi))`, ids, keys, r.ID)
	return err
}

// setVersionFlags makes is_first and is_last true exactly for the oldest
// and newest live version of each object id in $1. WithdrawObjects runs
// it after a withdrawal.
const setVersionFlags = `UPDATE objects o SET is_first = (o.version_key = b.lo), is_last = (o.version_key = b.hi)
	FROM (SELECT id, min(version_key) AS lo, max(version_key) AS hi FROM objects
		WHERE withdrawn_at IS NULL AND id = ANY($1::text[]) GROUP BY id) AS b
	WHERE o.id = ANY($1::text[]) AND o.id = b.id AND o.withdrawn_at IS NULL
		AND (o.is_first <> (o.version_key = b.lo) OR o.is_last <> (o.version_key = b.hi))`

// objectHead is what the objects table indexes of a STIX object.
type objectHead struct {
	ID, Type          string
	SpecVersion       *string
	Created, Modified *time.Time
	SHA256            string // hex of the raw bytes
	Name              string // for full-text search
}

// versionKey is modified, else created, in unix microseconds, else 0 for
// an object without versions: the key enlace.VersionKey names.
func (h objectHead) versionKey() int64 {
	switch {
	case h.Modified != nil:
		return h.Modified.UnixMicro()
	case h.Created != nil:
		return h.Created.UnixMicro()
	}
	return 0
}

// objectHeads reads the indexed properties of each object.
func objectHeads(objects []json.RawMessage) ([]objectHead, error) {
	heads := make([]objectHead, len(objects))
	for i, o := range objects {
		var v struct {
			ID          string  `json:"id"`
			Type        string  `json:"type"`
			SpecVersion *string `json:"spec_version"`
			Created     *string `json:"created"`
			Modified    *string `json:"modified"`
			Name        string  `json:"name"`
		}
		if err := json.Unmarshal(o, &v); err != nil {
			return nil, &enlace.Error{Code: enlace.EInvalid, Message: fmt.Sprintf("object %d is not a STIX object", i), Err: err}
		}
		if v.ID == "" || v.Type == "" {
			return nil, enlace.Errorf(enlace.EInvalid, "object %d needs an id and a type", i)
		}
		h := objectHead{ID: v.ID, Type: v.Type, SpecVersion: v.SpecVersion, Name: v.Name}
		var err error
		if h.Created, err = stixTime(v.Created); err != nil {
			return nil, enlace.Errorf(enlace.EInvalid, "object %s: created %q is not a timestamp", v.ID, *v.Created)
		}
		if h.Modified, err = stixTime(v.Modified); err != nil {
			return nil, enlace.Errorf(enlace.EInvalid, "object %s: modified %q is not a timestamp", v.ID, *v.Modified)
		}
		sum := sha256.Sum256(o)
		h.SHA256 = hex.EncodeToString(sum[:])
		heads[i] = h
	}
	return heads, nil
}

// stixTime parses an optional STIX timestamp, to the microsecond.
func stixTime(s *string) (*time.Time, error) {
	if s == nil {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		return nil, err
	}
	return normPtr(&t), nil
}

// reportSelect reads reports with their live objects, raw and in order,
// in one statement and so one snapshot.
const reportSelect = `SELECT r.seq, r.id, r.originator, r.nation, r.title, r.description, r.markings,
	r.grading, r.derived_from, r.synthetic, r.created_by, r.published, r.created_at,
	ARRAY(SELECT o.raw FROM objects o WHERE o.report_id = r.id AND o.withdrawn_at IS NULL ORDER BY o.position)
	FROM reports r`

// Report returns the report with id and its objects. ENotFound if none.
func (db *DB) Report(ctx context.Context, id string) (enlace.Report, error) {
	r, err := scanReport(db.pool.QueryRow(ctx, reportSelect+` WHERE r.id = $1`, id))
	if err != nil {
		return enlace.Report{}, notFound("read report "+id, err, "report %s not found", id)
	}
	return r, nil
}

// Reports returns reports with their objects in arrival order, after
// f.AfterSeq, at most f.Limit of them (DefaultReportLimit when 0, never
// more than MaxReportLimit). A caller pages by passing the last Seq it got.
func (db *DB) Reports(ctx context.Context, f enlace.ReportFilter) ([]enlace.Report, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultReportLimit
	}
	limit = min(limit, MaxReportLimit)
	q := reportSelect + ` WHERE r.seq > $1`
	args := []any{f.AfterSeq}
	if f.Originator != "" {
		args = append(args, f.Originator)
		q += fmt.Sprintf(` AND r.originator = $%d`, len(args))
	}
	if f.Nation != "" {
		args = append(args, f.Nation)
		q += fmt.Sprintf(` AND r.nation = $%d`, len(args))
	}
	args = append(args, limit)
	q += fmt.Sprintf(` ORDER BY r.seq LIMIT $%d`, len(args))
	return list(ctx, db, "list reports", scanReport, q, args...)
}

func scanReport(s pgx.Row) (enlace.Report, error) {
	var r enlace.Report
	var markings, grading []byte
	var objects [][]byte
	if err := s.Scan(&r.Seq, &r.ID, &r.Originator, &r.Nation, &r.Title, &r.Description, &markings, &grading,
		&r.DerivedFrom, &r.Synthetic, &r.CreatedBy, &r.Published, &r.CreatedAt, &objects); err != nil {
		return enlace.Report{}, err
	}
	r.Published = r.Published.UTC()
	r.CreatedAt = r.CreatedAt.UTC()
	if err := fromJSON("markings", markings, &r.Markings); err != nil {
		return enlace.Report{}, err
	}
	if err := fromJSON("grading", grading, &r.Grading); err != nil {
		return enlace.Report{}, err
	}
	for _, o := range objects {
		r.Objects = append(r.Objects, json.RawMessage(o))
	}
	return r, nil
}
