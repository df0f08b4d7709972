package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/enlace-exchange/enlace"
)

// CreateUse stores u, its reports, its lineage credits when accepted, its
// ledger entry and alerts, in one transaction. The originator and nation
// of each report are the store's, whatever u says.
func (db *DB) CreateUse(ctx context.Context, u enlace.Use, alerts []enlace.Alert) (enlace.Use, []enlace.Alert, error) {
	var out []enlace.Alert
	err := db.write(ctx, "create use for "+u.Operation, func(tx *sql.Tx) error {
		var err error
		u, err = db.insertUse(ctx, tx, u)
		if err != nil {
			return err
		}
		out, err = db.insertAlerts(ctx, tx, alerts, "use/"+strconv.FormatInt(u.ID, 10))
		return err
	})
	if err != nil {
		return enlace.Use{}, nil, err
	}
	return u, out, nil
}

// insertUse writes u and everything that goes with it in tx.
func (db *DB) insertUse(ctx context.Context, tx *sql.Tx, u enlace.Use) (enlace.Use, error) {
	u.PlannedAt, u.CreatedAt = norm(u.PlannedAt), norm(u.CreatedAt)
	if len(u.Reports) == 0 {
		return enlace.Use{}, enlace.Errorf(enlace.EInvalid, "a use names at least one report")
	}
	if err := present(ctx, tx, "agency "+u.Agency, `SELECT 1 FROM agencies WHERE id = ?`, u.Agency); err != nil {
		return enlace.Use{}, err
	}
	u.Reports = append([]enlace.UseReport(nil), u.Reports...)
	for i, r := range u.Reports {
		err := tx.QueryRowContext(ctx, `SELECT originator, nation FROM reports WHERE id = ?`, r.ReportID).Scan(&r.Originator, &r.Nation)
		if errors.Is(err, sql.ErrNoRows) {
			return enlace.Use{}, enlace.Errorf(enlace.ENotFound, "report %s not found", r.ReportID)
		}
		if err != nil {
			return enlace.Use{}, err
		}
		u.Reports[i] = r
	}
	reasons, err := jsonText("reasons", u.Reasons)
	if err != nil {
		return enlace.Use{}, err
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO uses (agency, nation, declared_by, operation, purpose, status, reasons,
		cited, planned_at, synthetic, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		u.Agency, u.Nation, u.DeclaredBy, u.Operation, string(u.Purpose), u.Status, reasons, len(u.Reports),
		micros(u.PlannedAt), u.Synthetic, micros(u.CreatedAt)).Scan(&u.ID); err != nil {
		return enlace.Use{}, err
	}
	for i, r := range u.Reports {
		if _, err := tx.ExecContext(ctx, `INSERT INTO use_reports (use_id, position, report_id, originator, nation,
			agreement_id, agreement_version) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			u.ID, i, r.ReportID, r.Originator, r.Nation, r.AgreementID, r.AgreementVersion); err != nil {
			return enlace.Use{}, err
		}
	}
	if u.Status == enlace.UseAccepted {
		if err := insertCredits(ctx, tx, u); err != nil {
			return enlace.Use{}, err
		}
	}
	rec, err := enlace.UseRecord(u)
	if err != nil {
		return enlace.Use{}, err
	}
	from, err := useOrigin(ctx, tx, u.ID)
	if err != nil {
		return enlace.Use{}, err
	}
	if err := db.ledger(ctx, tx, enlace.EntryUse, strconv.FormatInt(u.ID, 10), from, u.Nation, micros(u.CreatedAt), rec); err != nil {
		return enlace.Use{}, err
	}
	return u, nil
}

// insertCredits divides each citation of accepted use u over the cited
// report's lineage and stores the credits, summed per report.
func insertCredits(ctx context.Context, tx *sql.Tx, u enlace.Use) error {
	load := func(id string) (enlace.LineageNode, bool, error) {
		n := enlace.LineageNode{ID: id}
		var derived string
		err := tx.QueryRowContext(ctx, `SELECT originator, nation, derived_from FROM reports WHERE id = ?`, id).
			Scan(&n.Originator, &n.Nation, &derived)
		if errors.Is(err, sql.ErrNoRows) {
			return n, false, nil
		}
		if err != nil {
			return n, false, err
		}
		return n, true, fromJSON("derived_from", derived, &n.DerivedFrom)
	}
	sum := map[string]enlace.Credit{}
	for _, r := range u.Reports {
		cs, err := enlace.LineageCredits(r.ReportID, load)
		if err != nil {
			return err
		}
		for _, c := range cs {
			if have, ok := sum[c.ReportID]; ok {
				c.Weight += have.Weight
				c.Direct = c.Direct || have.Direct
			}
			sum[c.ReportID] = c
		}
	}
	ids := make([]string, 0, len(sum))
	for id := range sum {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	parts := map[string]enlace.Credit{}
	var originators []string
	for _, id := range ids {
		c := sum[id]
		if _, err := tx.ExecContext(ctx, `INSERT INTO use_credits (use_id, report_id, originator, nation, weight, direct,
			consumer, planned_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			u.ID, c.ReportID, c.Originator, c.Nation, c.Weight, c.Direct, u.Agency, micros(u.PlannedAt)); err != nil {
			return err
		}
		p, ok := parts[c.Originator]
		if !ok {
			originators = append(originators, c.Originator)
			p = enlace.Credit{Originator: c.Originator, Nation: c.Nation}
		}
		p.Weight += c.Weight
		parts[c.Originator] = p
	}
	for _, o := range originators {
		p := parts[o]
		if _, err := tx.ExecContext(ctx, `INSERT INTO use_originators (use_id, originator, nation, consumer, part)
			VALUES (?, ?, ?, ?, ?)`, u.ID, p.Originator, p.Nation, u.Agency, p.Weight/float64(len(u.Reports))); err != nil {
			return err
		}
	}
	return nil
}

// useOrigin returns the one nation whose reports use id names, or ""
// when they come from several (the entry then spans nations, as an
// agreement with a task force does).
func useOrigin(ctx context.Context, tx *sql.Tx, id int64) (string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT nation FROM use_reports WHERE use_id = ? LIMIT 2`, id)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var ns []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return "", err
		}
		ns = append(ns, n)
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	if len(ns) == 1 {
		return ns[0], nil
	}
	return "", nil
}

const useSelect = `SELECT id, agency, nation, declared_by, operation, purpose, status, reasons, planned_at, synthetic,
	created_at FROM uses`

func scanUse(s scanner) (enlace.Use, error) {
	var u enlace.Use
	var reasons string
	var planned, created int64
	if err := s.Scan(&u.ID, &u.Agency, &u.Nation, &u.DeclaredBy, &u.Operation, &u.Purpose, &u.Status, &reasons,
		&planned, &u.Synthetic, &created); err != nil {
		return enlace.Use{}, err
	}
	if err := fromJSON("reasons", reasons, &u.Reasons); err != nil {
		return enlace.Use{}, err
	}
	u.PlannedAt, u.CreatedAt = fromMicros(planned), fromMicros(created)
	return u, nil
}

// loadUseReports fills in the reports of us.
func loadUseReports(ctx context.Context, tx *sql.Tx, us []enlace.Use) error {
	for i := range us {
		rows, err := tx.QueryContext(ctx, `SELECT report_id, originator, nation, agreement_id, agreement_version
			FROM use_reports WHERE use_id = ? ORDER BY position`, us[i].ID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var r enlace.UseReport
			if err := rows.Scan(&r.ReportID, &r.Originator, &r.Nation, &r.AgreementID, &r.AgreementVersion); err != nil {
				rows.Close()
				return err
			}
			us[i].Reports = append(us[i].Reports, r)
		}
		if err := rows.Close(); err != nil {
			return err
		}
	}
	return nil
}

// loadUse reads use id in tx; sql.ErrNoRows if there is none.
func loadUse(ctx context.Context, tx *sql.Tx, id int64) (enlace.Use, error) {
	u, err := scanUse(tx.QueryRowContext(ctx, useSelect+` WHERE id = ?`, id))
	if err != nil {
		return enlace.Use{}, err
	}
	us := []enlace.Use{u}
	if err := loadUseReports(ctx, tx, us); err != nil {
		return enlace.Use{}, err
	}
	return us[0], nil
}

// Use returns the use with id. ENotFound if none.
func (db *DB) Use(ctx context.Context, id int64) (enlace.Use, error) {
	var u enlace.Use
	err := db.read(ctx, fmt.Sprintf("use %d", id), func(tx *sql.Tx) error {
		var err error
		u, err = loadUse(ctx, tx, id)
		if errors.Is(err, sql.ErrNoRows) {
			return enlace.Errorf(enlace.ENotFound, "use %d not found", id)
		}
		return err
	})
	return u, err
}

// in returns " IN (?, ?, ...)" for n values and the values as arguments.
func in[T any](vs []T) (string, []any) {
	args := make([]any, len(vs))
	for i, v := range vs {
		args[i] = v
	}
	return ` IN (?` + strings.Repeat(`, ?`, len(vs)-1) + `)`, args
}

// partyClause selects uses (aliased u) declared by, or naming a report
// of, any agency in party.
func partyClause(party []string) (string, []any) {
	list, args := in(party)
	return ` AND (u.agency` + list + ` OR EXISTS (SELECT 1 FROM use_reports p WHERE p.use_id = u.id AND p.originator` +
		list + `))`, append(args, args...)
}

// Uses returns uses matching f in id order.
func (db *DB) Uses(ctx context.Context, f enlace.UseFilter) ([]enlace.Use, error) {
	q := useSelect + ` u WHERE u.id > ?`
	args := []any{f.AfterID}
	if len(f.Party) > 0 {
		c, a := partyClause(f.Party)
		q, args = q+c, append(args, a...)
	}
	if f.Agency != "" {
		q, args = q+` AND u.agency = ?`, append(args, f.Agency)
	}
	if f.Status != "" {
		q, args = q+` AND u.status = ?`, append(args, f.Status)
	}
	if f.ReportID != "" {
		q, args = q+` AND u.id IN (SELECT r.use_id FROM use_reports r WHERE r.report_id = ?)`, append(args, f.ReportID)
	}
	q += ` ORDER BY u.id`
	if f.Limit > 0 {
		q, args = q+` LIMIT ?`, append(args, f.Limit)
	}
	var out []enlace.Use
	err := db.read(ctx, "list uses", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			u, err := scanUse(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, u)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		return loadUseReports(ctx, tx, out)
	})
	return out, err
}

// CreateOutcome stores o with its ledger entry and alerts in one
// transaction.
func (db *DB) CreateOutcome(ctx context.Context, o enlace.Outcome, alerts []enlace.Alert) (enlace.Outcome, []enlace.Alert, error) {
	var out []enlace.Alert
	err := db.write(ctx, fmt.Sprintf("create outcome of use %d", o.UseID), func(tx *sql.Tx) error {
		var err error
		if o, err = db.insertOutcome(ctx, tx, o); err != nil {
			return err
		}
		out, err = db.insertAlerts(ctx, tx, alerts, "outcome/"+strconv.FormatInt(o.ID, 10))
		return err
	})
	if err != nil {
		return enlace.Outcome{}, nil, err
	}
	return o, out, nil
}

func (db *DB) insertOutcome(ctx context.Context, tx *sql.Tx, o enlace.Outcome) (enlace.Outcome, error) {
	o.OccurredAt, o.CreatedAt = norm(o.OccurredAt), norm(o.CreatedAt)
	var status string
	err := tx.QueryRowContext(ctx, `SELECT agency, nation, status FROM uses WHERE id = ?`, o.UseID).Scan(&o.Agency, &o.Nation, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return enlace.Outcome{}, enlace.Errorf(enlace.ENotFound, "use %d not found", o.UseID)
	}
	if err != nil {
		return enlace.Outcome{}, err
	}
	if status != enlace.UseAccepted {
		return enlace.Outcome{}, enlace.Errorf(enlace.EInvalid, "use %d was refused: nothing may come of it", o.UseID)
	}
	var corrects sql.NullInt64
	if o.Corrects != 0 {
		var use int64
		err := tx.QueryRowContext(ctx, `SELECT use_id FROM outcomes WHERE id = ?`, o.Corrects).Scan(&use)
		if errors.Is(err, sql.ErrNoRows) {
			return enlace.Outcome{}, enlace.Errorf(enlace.ENotFound, "outcome %d not found", o.Corrects)
		}
		if err != nil {
			return enlace.Outcome{}, err
		}
		if use != o.UseID {
			return enlace.Outcome{}, enlace.Errorf(enlace.EInvalid, "outcome %d is of use %d, not %d", o.Corrects, use, o.UseID)
		}
		if err := absent(ctx, tx, fmt.Sprintf("a correction of outcome %d", o.Corrects), `SELECT 1 FROM outcomes WHERE corrects = ?`, o.Corrects); err != nil {
			return enlace.Outcome{}, err
		}
		corrects = sql.NullInt64{Int64: o.Corrects, Valid: true}
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO outcomes (use_id, corrects, agency, nation, kind, substance, quantity_kg,
		persons_detained, casualties, vessel, location, occurred_at, reported_by, synthetic, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		o.UseID, corrects, o.Agency, o.Nation, o.Kind, o.Substance, o.QuantityKg, o.PersonsDetained, o.Casualties,
		o.Vessel, o.Location, micros(o.OccurredAt), o.ReportedBy, o.Synthetic, micros(o.CreatedAt)).Scan(&o.ID); err != nil {
		return enlace.Outcome{}, err
	}
	rec, err := enlace.OutcomeRecord(o)
	if err != nil {
		return enlace.Outcome{}, err
	}
	from, err := useOrigin(ctx, tx, o.UseID)
	if err != nil {
		return enlace.Outcome{}, err
	}
	if err := db.ledger(ctx, tx, enlace.EntryOutcome, strconv.FormatInt(o.ID, 10), from, o.Nation, micros(o.CreatedAt), rec); err != nil {
		return enlace.Outcome{}, err
	}
	return o, nil
}

const outcomeSelect = `SELECT o.id, o.use_id, o.corrects, o.agency, o.nation, o.kind, o.substance, o.quantity_kg,
	o.persons_detained, o.casualties, o.vessel, o.location, o.occurred_at, o.reported_by, o.synthetic, o.created_at
	FROM outcomes o`

func scanOutcome(s scanner) (enlace.Outcome, error) {
	var o enlace.Outcome
	var corrects sql.NullInt64
	var occurred, created int64
	if err := s.Scan(&o.ID, &o.UseID, &corrects, &o.Agency, &o.Nation, &o.Kind, &o.Substance, &o.QuantityKg,
		&o.PersonsDetained, &o.Casualties, &o.Vessel, &o.Location, &occurred, &o.ReportedBy, &o.Synthetic, &created); err != nil {
		return enlace.Outcome{}, err
	}
	o.Corrects = corrects.Int64
	o.OccurredAt, o.CreatedAt = fromMicros(occurred), fromMicros(created)
	return o, nil
}

// Outcome returns the outcome version with id. ENotFound if none.
func (db *DB) Outcome(ctx context.Context, id int64) (enlace.Outcome, error) {
	var o enlace.Outcome
	err := db.read(ctx, fmt.Sprintf("outcome %d", id), func(tx *sql.Tx) error {
		var err error
		o, err = scanOutcome(tx.QueryRowContext(ctx, outcomeSelect+` WHERE o.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return enlace.Errorf(enlace.ENotFound, "outcome %d not found", id)
		}
		return err
	})
	return o, err
}

// Outcomes returns outcome versions matching f in id order.
func (db *DB) Outcomes(ctx context.Context, f enlace.OutcomeFilter) ([]enlace.Outcome, error) {
	q := outcomeSelect + ` JOIN uses u ON u.id = o.use_id WHERE o.id > ?`
	args := []any{f.AfterID}
	if len(f.UseIDs) > 0 {
		list, a := in(f.UseIDs)
		q, args = q+` AND o.use_id`+list, append(args, a...)
	}
	if len(f.Party) > 0 {
		c, a := partyClause(f.Party)
		q, args = q+c, append(args, a...)
	}
	q += ` ORDER BY o.id`
	if f.Limit > 0 {
		q, args = q+` LIMIT ?`, append(args, f.Limit)
	}
	var out []enlace.Outcome
	err := db.read(ctx, "list outcomes", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			o, err := scanOutcome(rows)
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	return out, err
}
