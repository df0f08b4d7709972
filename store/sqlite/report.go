package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/enlace-exchange/enlace"
)

// Page sizes for Reports.
const (
	DefaultReportLimit = 100
	MaxReportLimit     = 1000
)

// CreateReport stores r with its objects and assigns Seq. Each object is
// kept byte for byte, in one row per object with the STIX properties a
// TAXII query filters on. EConflict if its id exists; ENotFound if its
// originator agency does not; EInvalid if an object is not a JSON object
// with a string id and type, or its created or modified is not a
// timestamp.
//
// Objects get a date_added strictly greater than any before them: at
// least r.CreatedAt, one microsecond apart within the report. Commits are
// serial, so date_added order is commit order and a TAXII client paging by
// added_after never skips an object that committed after a later-stamped
// one.
func (db *DB) CreateReport(ctx context.Context, r enlace.Report) (enlace.Report, error) {
	var out enlace.Report
	err := db.write(ctx, "create report "+r.ID, func(tx *sql.Tx) error {
		var err error
		out, err = db.createReport(ctx, tx, r)
		return err
	})
	if err != nil {
		return enlace.Report{}, err
	}
	return out, nil
}

// createReport stores r, its objects and its submission entry in tx.
func (db *DB) createReport(ctx context.Context, tx *sql.Tx, r enlace.Report) (enlace.Report, error) {
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
	derived, err := jsonText("derived_from", r.DerivedFrom)
	if err != nil {
		return enlace.Report{}, err
	}
	if err := absent(ctx, tx, "report "+r.ID, `SELECT 1 FROM reports WHERE id = ?`, r.ID); err != nil {
		return enlace.Report{}, err
	}
	if err := present(ctx, tx, "originator agency "+r.Originator, `SELECT 1 FROM agencies WHERE id = ?`, r.Originator); err != nil {
		return enlace.Report{}, err
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO reports (id, originator, nation, title, description, markings,
		grading, derived_from, synthetic, created_by, published, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
		r.ID, r.Originator, r.Nation, r.Title, r.Description, markings,
		grading, derived, r.Synthetic, r.CreatedBy, micros(r.Published), micros(r.CreatedAt)).Scan(&r.Seq)
	if err != nil {
		return enlace.Report{}, err
	}
	if err := insertObjects(ctx, tx, r, heads); err != nil {
		return enlace.Report{}, err
	}
	if err := indexReport(ctx, tx, r, heads); err != nil {
		return enlace.Report{}, err
	}
	if db.noLedger {
		return r, nil
	}
	digests := make([]enlace.ObjectDigest, len(heads))
	for i, h := range heads {
		digests[i] = enlace.ObjectDigest{ID: h.ID, SHA256: h.SHA256}
	}
	rec, err := enlace.SubmissionRecord(r, digests)
	if err != nil {
		return enlace.Report{}, err
	}
	if err := db.ledger(ctx, tx, enlace.EntrySubmission, r.ID, r.Nation, "", micros(r.CreatedAt), rec); err != nil {
		return enlace.Report{}, err
	}
	return r, nil
}

// objectHead is what the objects table indexes of a STIX object.
type objectHead struct {
	ID, Type          string
	SpecVersion       sql.NullString
	Created, Modified sql.NullInt64
	SHA256            string // hex of the raw bytes
	Name              string // for full-text search
}

// versionKey is modified, else created, else 0 for an object without
// versions.
func (h objectHead) versionKey() int64 {
	switch {
	case h.Modified.Valid:
		return h.Modified.Int64
	case h.Created.Valid:
		return h.Created.Int64
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
		h := objectHead{ID: v.ID, Type: v.Type, Name: v.Name}
		if v.SpecVersion != nil {
			h.SpecVersion = sql.NullString{String: *v.SpecVersion, Valid: true}
		}
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

// stixTime parses an optional STIX timestamp into microseconds.
func stixTime(s *string) (sql.NullInt64, error) {
	if s == nil {
		return sql.NullInt64{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		return sql.NullInt64{}, err
	}
	return sql.NullInt64{Int64: micros(t), Valid: true}, nil
}

const reportSelect = `SELECT seq, id, originator, nation, title, description, markings, grading,
	derived_from, synthetic, created_by, published, created_at FROM reports`

// Report returns the report with id and its objects. ENotFound if none.
func (db *DB) Report(ctx context.Context, id string) (enlace.Report, error) {
	var r enlace.Report
	err := db.read(ctx, "read report "+id, func(tx *sql.Tx) error {
		var err error
		r, err = scanReport(tx.QueryRowContext(ctx, reportSelect+` WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return enlace.Errorf(enlace.ENotFound, "report %s not found", id)
		}
		if err != nil {
			return err
		}
		reports := []enlace.Report{r}
		if err := loadObjects(ctx, tx, reports); err != nil {
			return err
		}
		r = reports[0]
		return nil
	})
	return r, err
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
	var out []enlace.Report
	err := db.read(ctx, "list reports", func(tx *sql.Tx) error {
		q := reportSelect + ` WHERE seq > ?`
		args := []any{f.AfterSeq}
		if f.Originator != "" {
			q += ` AND originator = ?`
			args = append(args, f.Originator)
		}
		if f.Nation != "" {
			q += ` AND nation = ?`
			args = append(args, f.Nation)
		}
		q += ` ORDER BY seq LIMIT ?`
		args = append(args, limit)
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanReport(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return loadObjects(ctx, tx, out)
	})
	return out, err
}

func scanReport(s scanner) (enlace.Report, error) {
	var r enlace.Report
	var markings, grading, derived string
	var published, created int64
	if err := s.Scan(&r.Seq, &r.ID, &r.Originator, &r.Nation, &r.Title, &r.Description, &markings, &grading,
		&derived, &r.Synthetic, &r.CreatedBy, &published, &created); err != nil {
		return enlace.Report{}, err
	}
	r.Published = fromMicros(published)
	r.CreatedAt = fromMicros(created)
	if err := fromJSON("markings", markings, &r.Markings); err != nil {
		return enlace.Report{}, err
	}
	if err := fromJSON("grading", grading, &r.Grading); err != nil {
		return enlace.Report{}, err
	}
	if err := fromJSON("derived_from", derived, &r.DerivedFrom); err != nil {
		return enlace.Report{}, err
	}
	return r, nil
}

// loadObjects fills in the objects of reports, in their original order,
// with one query.
func loadObjects(ctx context.Context, tx *sql.Tx, reports []enlace.Report) error {
	if len(reports) == 0 {
		return nil
	}
	index := make(map[string]int, len(reports))
	args := make([]any, len(reports))
	for i, r := range reports {
		index[r.ID] = i
		args[i] = r.ID
	}
	q := `SELECT report_id, raw FROM objects WHERE withdrawn_at IS NULL AND report_id IN (?` +
		strings.Repeat(`, ?`, len(reports)-1) + `) ORDER BY report_id, position`
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("load objects: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, raw string
		if err := rows.Scan(&id, &raw); err != nil {
			return fmt.Errorf("load objects: %w", err)
		}
		i := index[id]
		reports[i].Objects = append(reports[i].Objects, json.RawMessage(raw))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load objects: %w", err)
	}
	return nil
}
