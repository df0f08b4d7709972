package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/enlace-exchange/enlace"
)

// CreateRelease appends r and assigns its ID. ENotFound if its report does
// not exist: a release records a report that this exchange holds.
func (db *DB) CreateRelease(ctx context.Context, r enlace.Release) (enlace.Release, error) {
	r.At = norm(r.At)
	err := db.pool.QueryRow(ctx, `INSERT INTO releases (report_id, originator, releaser, recipient,
		recipient_nation, purpose, agreement_id, agreement_version, policies, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		r.ReportID, r.Originator, r.Releaser, r.Recipient, r.RecipientNation, string(r.Purpose),
		r.AgreementID, r.AgreementVersion, r.Policies, r.At).Scan(&r.ID)
	if err != nil {
		return enlace.Release{}, failed(fmt.Sprintf("create release of %s to %s", r.ReportID, r.Recipient), err, refusals{
			"releases_report_id_fkey": enlace.Errorf(enlace.ENotFound, "report %s not found", r.ReportID),
		})
	}
	return r, nil
}

// Releases returns releases matching f in id order. Zero fields of f
// select everything, Limit included; After selects releases strictly
// after it.
func (db *DB) Releases(ctx context.Context, f enlace.ReleaseFilter) ([]enlace.Release, error) {
	q := `SELECT id, report_id, originator, releaser, recipient, recipient_nation, purpose, agreement_id,
		agreement_version, policies, at FROM releases WHERE true`
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
