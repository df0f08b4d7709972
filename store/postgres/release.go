package postgres

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/enlace-exchange/enlace"
)

// CreateRelease appends r and its ledger entry, and assigns its ID.
// ENotFound if its report does not exist: a release records a report that
// this exchange holds.
func (db *DB) CreateRelease(ctx context.Context, r enlace.Release) (enlace.Release, error) {
	rs, err := db.CreateReleases(ctx, []enlace.Release{r})
	if err != nil {
		return enlace.Release{}, err
	}
	return rs[0], nil
}

// CreateReleases appends rs and their ledger entries in one transaction,
// assigning IDs in order: all or none. The entry goes from the report's
// nation to the recipient's.
func (db *DB) CreateReleases(ctx context.Context, rs []enlace.Release) ([]enlace.Release, error) {
	if len(rs) == 0 {
		return nil, nil
	}
	out := make([]enlace.Release, len(rs))
	op := fmt.Sprintf("create release of %s to %s", rs[0].ReportID, rs[0].Recipient)
	if len(rs) > 1 {
		op = fmt.Sprintf("create %d releases", len(rs))
	}
	err := db.write(ctx, op, nil, func(tx pgx.Tx) error {
		for i, r := range rs {
			r.At = norm(r.At)
			var from string
			err := tx.QueryRow(ctx, `INSERT INTO releases (report_id, originator, releaser, recipient,
				recipient_nation, purpose, agreement_id, agreement_version, policies, at)
				SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 FROM reports WHERE id = $1
				RETURNING id, (SELECT nation FROM reports WHERE id = $1)`,
				r.ReportID, r.Originator, r.Releaser, r.Recipient, r.RecipientNation, string(r.Purpose),
				r.AgreementID, r.AgreementVersion, r.Policies, r.At).Scan(&r.ID, &from)
			if err != nil {
				return notFound("insert", err, "report %s not found", r.ReportID)
			}
			rec, err := enlace.ReleaseRecord(r)
			if err != nil {
				return err
			}
			if err := ledger(ctx, tx, enlace.EntryRelease, strconv.FormatInt(r.ID, 10), from, r.RecipientNation, r.At, rec); err != nil {
				return err
			}
			out[i] = r
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

const releaseSelect = `SELECT id, report_id, originator, releaser, recipient, recipient_nation, purpose,
	agreement_id, agreement_version, policies, at FROM releases`

// Releases returns releases matching f in id order. Zero fields of f
// select everything, Limit included; After selects releases strictly
// after it.
func (db *DB) Releases(ctx context.Context, f enlace.ReleaseFilter) ([]enlace.Release, error) {
	q := releaseSelect + ` WHERE true`
	var args []any
	for _, c := range []struct{ column, value string }{
		{"report_id", f.ReportID},
		{"recipient", f.Recipient},
		{"recipient_nation", f.RecipientNation},
		{"originator", f.Originator},
	} {
		if c.value != "" {
			args = append(args, c.value)
			q += fmt.Sprintf(` AND %s = $%d`, c.column, len(args))
		}
	}
	if len(f.ReportIDs) > 0 {
		args = append(args, f.ReportIDs)
		q += fmt.Sprintf(` AND report_id = ANY($%d)`, len(args))
	}
	if !f.After.IsZero() {
		args = append(args, norm(f.After))
		q += fmt.Sprintf(` AND at > $%d`, len(args))
	}
	q += ` ORDER BY id`
	if f.Limit > 0 {
		args = append(args, f.Limit)
		q += fmt.Sprintf(` LIMIT $%d`, len(args))
	}
	return list(ctx, db, "list releases", scanRelease, q, args...)
}

func scanRelease(s pgx.Row) (enlace.Release, error) {
	var r enlace.Release
	if err := s.Scan(&r.ID, &r.ReportID, &r.Originator, &r.Releaser, &r.Recipient, &r.RecipientNation,
		&r.Purpose, &r.AgreementID, &r.AgreementVersion, &r.Policies, &r.At); err != nil {
		return enlace.Release{}, err
	}
	r.At = r.At.UTC()
	return r, nil
}
