package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/enlace-exchange/enlace"
)

// CreateUse stores u, its reports, its lineage credits when accepted, its
// ledger entry and alerts, in one transaction. The originator and nation
// of each report are the store's, whatever u says. It takes no lock
// before the ledger lock: uses and their credits are rows only this
// transaction writes.
func (db *DB) CreateUse(ctx context.Context, u enlace.Use, alerts []enlace.Alert) (enlace.Use, []enlace.Alert, error) {
	var out []enlace.Alert
	why := refusals{"uses_agency_fkey": enlace.Errorf(enlace.ENotFound, "agency %s not found", u.Agency)}
	err := db.write(ctx, "create use for "+u.Operation, why, func(tx pgx.Tx) error {
		var err error
		if u, err = insertUse(ctx, tx, u); err != nil {
			return err
		}
		out, err = insertAlerts(ctx, tx, alerts, "use/"+strconv.FormatInt(u.ID, 10))
		return err
	})
	if err != nil {
		return enlace.Use{}, nil, err
	}
	return u, out, nil
}

// insertUse writes u and everything that goes with it in tx.
func insertUse(ctx context.Context, tx pgx.Tx, u enlace.Use) (enlace.Use, error) {
	u.PlannedAt, u.CreatedAt = norm(u.PlannedAt), norm(u.CreatedAt)
	if len(u.Reports) == 0 {
		return enlace.Use{}, enlace.Errorf(enlace.EInvalid, "a use names at least one report")
	}
	var one int
	if err := tx.QueryRow(ctx, `SELECT 1 FROM agencies WHERE id = $1`, u.Agency).Scan(&one); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return enlace.Use{}, enlace.Errorf(enlace.ENotFound, "agency %s not found", u.Agency)
		}
		return enlace.Use{}, err
	}
	cited := make([]string, len(u.Reports))
	for i, r := range u.Reports {
		cited[i] = r.ReportID
	}
	nodes, err := lineage(ctx, tx, cited)
	if err != nil {
		return enlace.Use{}, err
	}
	u.Reports = slices.Clone(u.Reports)
	for i, r := range u.Reports {
		n, ok := nodes[r.ReportID]
		if !ok {
			return enlace.Use{}, enlace.Errorf(enlace.ENotFound, "report %s not found", r.ReportID)
		}
		r.Originator, r.Nation = n.Originator, n.Nation
		u.Reports[i] = r
	}
	reasons, err := jsonText("reasons", u.Reasons)
	if err != nil {
		return enlace.Use{}, err
	}
	if err := tx.QueryRow(ctx, `INSERT INTO uses (agency, nation, declared_by, operation, purpose, status, reasons,
		cited, planned_at, synthetic, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		u.Agency, u.Nation, u.DeclaredBy, u.Operation, string(u.Purpose), u.Status, reasons, len(u.Reports),
		u.PlannedAt, u.Synthetic, u.CreatedAt).Scan(&u.ID); err != nil {
		return enlace.Use{}, err
	}
	b := &pgx.Batch{}
	for i, r := range u.Reports {
		b.Queue(`INSERT INTO use_reports (use_id, position, report_id, originator, nation, agreement_id,
			agreement_version) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			u.ID, i, r.ReportID, r.Originator, r.Nation, r.AgreementID, r.AgreementVersion)
	}
	if u.Status == enlace.UseAccepted {
		if err := queueCredits(b, u, nodes); err != nil {
			return enlace.Use{}, err
		}
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return enlace.Use{}, err
	}
	rec, err := enlace.UseRecord(u)
	if err != nil {
		return enlace.Use{}, err
	}
	e := enlace.NewLedgerEntry(enlace.EntryUse, strconv.FormatInt(u.ID, 10), origin(u.Reports), u.Nation, u.CreatedAt, rec)
	if err := appendEntries(ctx, tx, e); err != nil {
		return enlace.Use{}, err
	}
	return u, nil
}

// lineage reads the reports ids name and everything they derive from,
// transitively, in one statement. A report that does not exist is absent
// from the map; UNION, not UNION ALL, ends a cycle.
func lineage(ctx context.Context, tx pgx.Tx, ids []string) (map[string]enlace.LineageNode, error) {
	rows, err := tx.Query(ctx, `WITH RECURSIVE l (id) AS (
			SELECT unnest($1::text[])
			UNION SELECT unnest(r.derived_from) FROM reports r JOIN l ON r.id = l.id
		)
		SELECT r.id, r.originator, r.nation, r.derived_from FROM reports r JOIN l ON r.id = l.id`, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	nodes := map[string]enlace.LineageNode{}
	for rows.Next() {
		var n enlace.LineageNode
		if err := rows.Scan(&n.ID, &n.Originator, &n.Nation, &n.DerivedFrom); err != nil {
			return nil, err
		}
		nodes[n.ID] = n
	}
	return nodes, rows.Err()
}

// queueCredits divides each citation of accepted use u over the cited
// report's lineage and queues the credits, summed per report, and each
// originator's part of the use.
func queueCredits(b *pgx.Batch, u enlace.Use, nodes map[string]enlace.LineageNode) error {
	load := func(id string) (enlace.LineageNode, bool, error) {
		n, ok := nodes[id]
		return n, ok, nil
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
	slices.Sort(ids)
	parts := map[string]enlace.Credit{}
	var originators []string
	for _, id := range ids {
		c := sum[id]
		b.Queue(`INSERT INTO use_credits (use_id, report_id, originator, nation, weight, direct, consumer, planned_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			u.ID, c.ReportID, c.Originator, c.Nation, c.Weight, c.Direct, u.Agency, u.PlannedAt)
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
		b.Queue(`INSERT INTO use_originators (use_id, originator, nation, consumer, part) VALUES ($1, $2, $3, $4, $5)`,
			u.ID, p.Originator, p.Nation, u.Agency, p.Weight/float64(len(u.Reports)))
	}
	return nil
}

// origin returns the one nation the reports of a use come from, or ""
// when they come from several (the entry then spans nations, as an
// agreement with a task force does).
func origin(rs []enlace.UseReport) string {
	if len(rs) == 0 {
		return ""
	}
	for _, r := range rs[1:] {
		if r.Nation != rs[0].Nation {
			return ""
		}
	}
	return rs[0].Nation
}

const useSelect = `SELECT u.id, u.agency, u.nation, u.declared_by, u.operation, u.purpose, u.status, u.reasons,
	u.planned_at, u.synthetic, u.created_at FROM uses u`

func scanUse(s pgx.Row) (enlace.Use, error) {
	var u enlace.Use
	var reasons []byte
	if err := s.Scan(&u.ID, &u.Agency, &u.Nation, &u.DeclaredBy, &u.Operation, &u.Purpose, &u.Status, &reasons,
		&u.PlannedAt, &u.Synthetic, &u.CreatedAt); err != nil {
		return enlace.Use{}, err
	}
	if err := fromJSON("reasons", reasons, &u.Reasons); err != nil {
		return enlace.Use{}, err
	}
	u.PlannedAt, u.CreatedAt = u.PlannedAt.UTC(), u.CreatedAt.UTC()
	return u, nil
}

// querier is what reads need of a transaction or the pool.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// loadUseReports fills in the reports of us, in one statement.
func loadUseReports(ctx context.Context, q querier, us []enlace.Use) error {
	if len(us) == 0 {
		return nil
	}
	ids := make([]int64, len(us))
	at := make(map[int64]int, len(us))
	for i, u := range us {
		ids[i], at[u.ID] = u.ID, i
	}
	rows, err := q.Query(ctx, `SELECT use_id, report_id, originator, nation, agreement_id, agreement_version
		FROM use_reports WHERE use_id = ANY($1::bigint[]) ORDER BY use_id, position`, ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var r enlace.UseReport
		if err := rows.Scan(&id, &r.ReportID, &r.Originator, &r.Nation, &r.AgreementID, &r.AgreementVersion); err != nil {
			return err
		}
		us[at[id]].Reports = append(us[at[id]].Reports, r)
	}
	return rows.Err()
}

// loadUse reads use id; pgx.ErrNoRows if there is none.
func loadUse(ctx context.Context, q querier, id int64) (enlace.Use, error) {
	u, err := scanUse(q.QueryRow(ctx, useSelect+` WHERE u.id = $1`, id))
	if err != nil {
		return enlace.Use{}, err
	}
	us := []enlace.Use{u}
	if err := loadUseReports(ctx, q, us); err != nil {
		return enlace.Use{}, err
	}
	return us[0], nil
}

// Use returns the use with id. ENotFound if none. A use and its reports
// are written in one transaction and never changed, so two statements
// outside a transaction read them whole.
func (db *DB) Use(ctx context.Context, id int64) (enlace.Use, error) {
	u, err := loadUse(ctx, db.pool, id)
	if err != nil {
		return enlace.Use{}, notFound(fmt.Sprintf("use %d", id), err, "use %d not found", id)
	}
	return u, nil
}

// partyClause selects uses (aliased u) declared by, or naming a report
// of, any agency in party, given as argument n.
func partyClause(n int) string {
	p := `$` + strconv.Itoa(n) + `::text[]`
	return ` AND (u.agency = ANY(` + p + `) OR EXISTS (SELECT 1 FROM use_reports p
		WHERE p.use_id = u.id AND p.originator = ANY(` + p + `)))`
}

// Uses returns uses matching f in id order.
func (db *DB) Uses(ctx context.Context, f enlace.UseFilter) ([]enlace.Use, error) {
	q := useSelect + ` WHERE u.id > $1`
	args := []any{f.AfterID}
	arg := func(v any) int { args = append(args, v); return len(args) }
	if len(f.Party) > 0 {
		q += partyClause(arg(f.Party))
	}
	if f.Agency != "" {
		q += ` AND u.agency = $` + strconv.Itoa(arg(f.Agency))
	}
	if f.Status != "" {
		q += ` AND u.status = $` + strconv.Itoa(arg(f.Status))
	}
	if f.ReportID != "" {
		q += ` AND u.id IN (SELECT r.use_id FROM use_reports r WHERE r.report_id = $` + strconv.Itoa(arg(f.ReportID)) + `)`
	}
	q += ` ORDER BY u.id`
	if f.Limit > 0 {
		q += ` LIMIT $` + strconv.Itoa(arg(f.Limit))
	}
	out, err := list(ctx, db, "list uses", scanUse, q, args...)
	if err != nil {
		return nil, err
	}
	if err := loadUseReports(ctx, db.pool, out); err != nil {
		return nil, failed("list uses", err, nil)
	}
	return out, nil
}

// CreateOutcome stores o with its ledger entry and alerts in one
// transaction. Two servers correcting one version at once both pass the
// check; the unique index on corrects makes the second wait for the first
// and fail.
func (db *DB) CreateOutcome(ctx context.Context, o enlace.Outcome, alerts []enlace.Alert) (enlace.Outcome, []enlace.Alert, error) {
	var out []enlace.Alert
	why := refusals{"outcomes_corrects_key": enlace.Errorf(enlace.EConflict, "outcome %d was corrected already", o.Corrects)}
	err := db.write(ctx, fmt.Sprintf("create outcome of use %d", o.UseID), why, func(tx pgx.Tx) error {
		var err error
		if o, err = insertOutcome(ctx, tx, o); err != nil {
			return err
		}
		out, err = insertAlerts(ctx, tx, alerts, "outcome/"+strconv.FormatInt(o.ID, 10))
		return err
	})
	if err != nil {
		return enlace.Outcome{}, nil, err
	}
	return o, out, nil
}

func insertOutcome(ctx context.Context, tx pgx.Tx, o enlace.Outcome) (enlace.Outcome, error) {
	o.OccurredAt, o.CreatedAt = norm(o.OccurredAt), norm(o.CreatedAt)
	var status string
	err := tx.QueryRow(ctx, `SELECT agency, nation, status FROM uses WHERE id = $1`, o.UseID).Scan(&o.Agency, &o.Nation, &status)
	if errors.Is(err, pgx.ErrNoRows) {
		return enlace.Outcome{}, enlace.Errorf(enlace.ENotFound, "use %d not found", o.UseID)
	}
	if err != nil {
		return enlace.Outcome{}, err
	}
	if status != enlace.UseAccepted {
		return enlace.Outcome{}, enlace.Errorf(enlace.EInvalid, "use %d was refused: nothing may come of it", o.UseID)
	}
	var corrects *int64
	if o.Corrects != 0 {
		var use int64
		var corrected bool
		err := tx.QueryRow(ctx, `SELECT use_id, EXISTS (SELECT 1 FROM outcomes n WHERE n.corrects = o.id)
			FROM outcomes o WHERE o.id = $1`, o.Corrects).Scan(&use, &corrected)
		if errors.Is(err, pgx.ErrNoRows) {
			return enlace.Outcome{}, enlace.Errorf(enlace.ENotFound, "outcome %d not found", o.Corrects)
		}
		if err != nil {
			return enlace.Outcome{}, err
		}
		if use != o.UseID {
			return enlace.Outcome{}, enlace.Errorf(enlace.EInvalid, "outcome %d is of use %d, not %d", o.Corrects, use, o.UseID)
		}
		if corrected {
			return enlace.Outcome{}, enlace.Errorf(enlace.EConflict, "outcome %d was corrected already", o.Corrects)
		}
		corrects = &o.Corrects
	}
	var reports []enlace.UseReport
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO outcomes (use_id, corrects, agency, nation, kind, substance, quantity_kg, persons_detained,
		casualties, vessel, location, occurred_at, reported_by, synthetic, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
		o.UseID, corrects, o.Agency, o.Nation, o.Kind, o.Substance, o.QuantityKg, o.PersonsDetained, o.Casualties,
		o.Vessel, o.Location, o.OccurredAt, o.ReportedBy, o.Synthetic, o.CreatedAt).
		QueryRow(func(row pgx.Row) error { return row.Scan(&o.ID) })
	b.Queue(`SELECT DISTINCT nation FROM use_reports WHERE use_id = $1 LIMIT 2`, o.UseID).
		Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var r enlace.UseReport
				if err := rows.Scan(&r.Nation); err != nil {
					return err
				}
				reports = append(reports, r)
			}
			return rows.Err()
		})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return enlace.Outcome{}, err
	}
	rec, err := enlace.OutcomeRecord(o)
	if err != nil {
		return enlace.Outcome{}, err
	}
	e := enlace.NewLedgerEntry(enlace.EntryOutcome, strconv.FormatInt(o.ID, 10), origin(reports), o.Nation, o.CreatedAt, rec)
	if err := appendEntries(ctx, tx, e); err != nil {
		return enlace.Outcome{}, err
	}
	return o, nil
}

const outcomeSelect = `SELECT o.id, o.use_id, o.corrects, o.agency, o.nation, o.kind, o.substance, o.quantity_kg,
	o.persons_detained, o.casualties, o.vessel, o.location, o.occurred_at, o.reported_by, o.synthetic, o.created_at
	FROM outcomes o`

func scanOutcome(s pgx.Row) (enlace.Outcome, error) {
	var o enlace.Outcome
	var corrects *int64
	if err := s.Scan(&o.ID, &o.UseID, &corrects, &o.Agency, &o.Nation, &o.Kind, &o.Substance, &o.QuantityKg,
		&o.PersonsDetained, &o.Casualties, &o.Vessel, &o.Location, &o.OccurredAt, &o.ReportedBy, &o.Synthetic,
		&o.CreatedAt); err != nil {
		return enlace.Outcome{}, err
	}
	if corrects != nil {
		o.Corrects = *corrects
	}
	o.OccurredAt, o.CreatedAt = o.OccurredAt.UTC(), o.CreatedAt.UTC()
	return o, nil
}

// Outcome returns the outcome version with id. ENotFound if none.
func (db *DB) Outcome(ctx context.Context, id int64) (enlace.Outcome, error) {
	o, err := scanOutcome(db.pool.QueryRow(ctx, outcomeSelect+` WHERE o.id = $1`, id))
	if err != nil {
		return enlace.Outcome{}, notFound(fmt.Sprintf("outcome %d", id), err, "outcome %d not found", id)
	}
	return o, nil
}

// Outcomes returns outcome versions matching f in id order.
func (db *DB) Outcomes(ctx context.Context, f enlace.OutcomeFilter) ([]enlace.Outcome, error) {
	q := outcomeSelect + ` JOIN uses u ON u.id = o.use_id WHERE o.id > $1`
	args := []any{f.AfterID}
	arg := func(v any) int { args = append(args, v); return len(args) }
	if len(f.UseIDs) > 0 {
		q += ` AND o.use_id = ANY($` + strconv.Itoa(arg(f.UseIDs)) + `::bigint[])`
	}
	if len(f.Party) > 0 {
		q += partyClause(arg(f.Party))
	}
	q += ` ORDER BY o.id`
	if f.Limit > 0 {
		q += ` LIMIT $` + strconv.Itoa(arg(f.Limit))
	}
	return list(ctx, db, "list outcomes", scanOutcome, q, args...)
}
