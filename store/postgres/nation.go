package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/enlace-exchange/enlace"
)

// CreateNation adds n. EConflict if its code exists.
func (db *DB) CreateNation(ctx context.Context, n enlace.Nation) (enlace.Nation, error) {
	n.CreatedAt = norm(n.CreatedAt)
	_, err := db.pool.Exec(ctx, `INSERT INTO nations (code, name, created_at) VALUES ($1, $2, $3)`,
		n.Code, n.Name, n.CreatedAt)
	if err != nil {
		return enlace.Nation{}, failed("create nation "+n.Code, err, refusals{
			"nations_pkey": enlace.Errorf(enlace.EConflict, "nation %s already exists", n.Code),
		})
	}
	return n, nil
}

// Nation returns the nation with code. ENotFound if none.
func (db *DB) Nation(ctx context.Context, code string) (enlace.Nation, error) {
	n, err := scanNation(db.pool.QueryRow(ctx, `SELECT code, name, created_at FROM nations WHERE code = $1`, code))
	if err != nil {
		return enlace.Nation{}, notFound("read nation "+code, err, "nation %s not found", code)
	}
	return n, nil
}

// Nations returns every nation ordered by code.
func (db *DB) Nations(ctx context.Context) ([]enlace.Nation, error) {
	return list(ctx, db, "list nations", scanNation, `SELECT code, name, created_at FROM nations ORDER BY code`)
}

func scanNation(s pgx.Row) (enlace.Nation, error) {
	var n enlace.Nation
	if err := s.Scan(&n.Code, &n.Name, &n.CreatedAt); err != nil {
		return enlace.Nation{}, err
	}
	n.CreatedAt = n.CreatedAt.UTC()
	return n, nil
}

// CreateAgency adds a and bumps the policy version, since scopes name
// agencies and nations. EConflict if its id exists; ENotFound if its
// nation does not.
func (db *DB) CreateAgency(ctx context.Context, a enlace.Agency) (enlace.Agency, error) {
	a.CreatedAt = norm(a.CreatedAt)
	err := db.write(ctx, "create agency "+a.ID, refusals{
		"agencies_pkey":        enlace.Errorf(enlace.EConflict, "agency %s already exists", a.ID),
		"agencies_nation_fkey": enlace.Errorf(enlace.ENotFound, "nation %s not found", a.Nation),
	}, func(tx pgx.Tx) error {
		if err := bumpPolicy(ctx, tx); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO agencies (id, nation, name, created_at) VALUES ($1, $2, $3, $4)`,
			a.ID, a.Nation, a.Name, a.CreatedAt)
		return err
	})
	if err != nil {
		return enlace.Agency{}, err
	}
	return a, nil
}

// Agency returns the agency with id. ENotFound if none.
func (db *DB) Agency(ctx context.Context, id string) (enlace.Agency, error) {
	a, err := scanAgency(db.pool.QueryRow(ctx, `SELECT id, nation, name, created_at FROM agencies WHERE id = $1`, id))
	if err != nil {
		return enlace.Agency{}, notFound("read agency "+id, err, "agency %s not found", id)
	}
	return a, nil
}

// Agencies returns every agency ordered by id.
func (db *DB) Agencies(ctx context.Context) ([]enlace.Agency, error) {
	return list(ctx, db, "list agencies", scanAgency, `SELECT id, nation, name, created_at FROM agencies ORDER BY id`)
}

func scanAgency(s pgx.Row) (enlace.Agency, error) {
	var a enlace.Agency
	if err := s.Scan(&a.ID, &a.Nation, &a.Name, &a.CreatedAt); err != nil {
		return enlace.Agency{}, err
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return a, nil
}

// CreateTaskForce adds t with its members in the order given, and bumps
// the policy version. EConflict if its id exists; ENotFound if a member
// agency does not.
func (db *DB) CreateTaskForce(ctx context.Context, t enlace.TaskForce) (enlace.TaskForce, error) {
	t.CreatedAt = norm(t.CreatedAt)
	members := t.Members
	if members == nil {
		members = []string{}
	}
	err := db.write(ctx, "create task force "+t.ID, refusals{
		"task_forces_pkey": enlace.Errorf(enlace.EConflict, "task force %s already exists", t.ID),
	}, func(tx pgx.Tx) error {
		if err := bumpPolicy(ctx, tx); err != nil {
			return err
		}
		// Name the missing member, which the foreign key would not.
		var missing string
		err := tx.QueryRow(ctx, `SELECT m FROM unnest($1::text[]) WITH ORDINALITY AS u (m, i)
			WHERE NOT EXISTS (SELECT 1 FROM agencies WHERE id = m) ORDER BY i LIMIT 1`, members).Scan(&missing)
		if err == nil {
			return enlace.Errorf(enlace.ENotFound, "member agency %s not found", missing)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO task_forces (id, name, created_at) VALUES ($1, $2, $3)`,
			t.ID, t.Name, t.CreatedAt); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO task_force_members (task_force, agency, position)
			SELECT $1, m, i - 1 FROM unnest($2::text[]) WITH ORDINALITY AS u (m, i)`, t.ID, members)
		return err
	})
	if err != nil {
		return enlace.TaskForce{}, err
	}
	return t, nil
}

// taskForceSelect reads a task force with its members, in order, in one
// statement.
const taskForceSelect = `SELECT t.id, t.name, t.created_at,
	ARRAY(SELECT m.agency FROM task_force_members m WHERE m.task_force = t.id ORDER BY m.position)
	FROM task_forces t`

// TaskForce returns the task force with id. ENotFound if none.
func (db *DB) TaskForce(ctx context.Context, id string) (enlace.TaskForce, error) {
	t, err := scanTaskForce(db.pool.QueryRow(ctx, taskForceSelect+` WHERE t.id = $1`, id))
	if err != nil {
		return enlace.TaskForce{}, notFound("read task force "+id, err, "task force %s not found", id)
	}
	return t, nil
}

// TaskForces returns every task force ordered by id.
func (db *DB) TaskForces(ctx context.Context) ([]enlace.TaskForce, error) {
	return list(ctx, db, "list task forces", scanTaskForce, taskForceSelect+` ORDER BY t.id`)
}

func scanTaskForce(s pgx.Row) (enlace.TaskForce, error) {
	var t enlace.TaskForce
	if err := s.Scan(&t.ID, &t.Name, &t.CreatedAt, &t.Members); err != nil {
		return enlace.TaskForce{}, err
	}
	t.CreatedAt = t.CreatedAt.UTC()
	if len(t.Members) == 0 {
		t.Members = nil
	}
	return t, nil
}
