package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/enlace-exchange/enlace"
)

// CreateNation adds n. EConflict if its code exists.
func (db *DB) CreateNation(ctx context.Context, n enlace.Nation) (enlace.Nation, error) {
	n.CreatedAt = norm(n.CreatedAt)
	err := db.write(ctx, "create nation "+n.Code, func(tx *sql.Tx) error {
		if err := absent(ctx, tx, "nation "+n.Code, `SELECT 1 FROM nations WHERE code = ?`, n.Code); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO nations (code, name, created_at) VALUES (?, ?, ?)`,
			n.Code, n.Name, micros(n.CreatedAt))
		return err
	})
	if err != nil {
		return enlace.Nation{}, err
	}
	return n, nil
}

// Nation returns the nation with code. ENotFound if none.
func (db *DB) Nation(ctx context.Context, code string) (enlace.Nation, error) {
	var n enlace.Nation
	err := db.read(ctx, "read nation "+code, func(tx *sql.Tx) error {
		var err error
		n, err = scanNation(tx.QueryRowContext(ctx, `SELECT code, name, created_at FROM nations WHERE code = ?`, code))
		if errors.Is(err, sql.ErrNoRows) {
			return enlace.Errorf(enlace.ENotFound, "nation %s not found", code)
		}
		return err
	})
	return n, err
}

// Nations returns every nation ordered by code.
func (db *DB) Nations(ctx context.Context) ([]enlace.Nation, error) {
	var out []enlace.Nation
	err := db.read(ctx, "list nations", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT code, name, created_at FROM nations ORDER BY code`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			n, err := scanNation(rows)
			if err != nil {
				return err
			}
			out = append(out, n)
		}
		return rows.Err()
	})
	return out, err
}

func scanNation(s scanner) (enlace.Nation, error) {
	var n enlace.Nation
	var created int64
	if err := s.Scan(&n.Code, &n.Name, &created); err != nil {
		return enlace.Nation{}, err
	}
	n.CreatedAt = fromMicros(created)
	return n, nil
}

// CreateAgency adds a and bumps the policy version, since scopes name
// agencies and nations. EConflict if its id exists; ENotFound if its
// nation does not.
func (db *DB) CreateAgency(ctx context.Context, a enlace.Agency) (enlace.Agency, error) {
	a.CreatedAt = norm(a.CreatedAt)
	err := db.write(ctx, "create agency "+a.ID, func(tx *sql.Tx) error {
		if err := absent(ctx, tx, "agency "+a.ID, `SELECT 1 FROM agencies WHERE id = ?`, a.ID); err != nil {
			return err
		}
		if err := present(ctx, tx, "nation "+a.Nation, `SELECT 1 FROM nations WHERE code = ?`, a.Nation); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO agencies (id, nation, name, created_at) VALUES (?, ?, ?, ?)`,
			a.ID, a.Nation, a.Name, micros(a.CreatedAt)); err != nil {
			return err
		}
		return bumpPolicy(ctx, tx)
	})
	if err != nil {
		return enlace.Agency{}, err
	}
	return a, nil
}

// Agency returns the agency with id. ENotFound if none.
func (db *DB) Agency(ctx context.Context, id string) (enlace.Agency, error) {
	var a enlace.Agency
	err := db.read(ctx, "read agency "+id, func(tx *sql.Tx) error {
		var err error
		a, err = scanAgency(tx.QueryRowContext(ctx, `SELECT id, nation, name, created_at FROM agencies WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return enlace.Errorf(enlace.ENotFound, "agency %s not found", id)
		}
		return err
	})
	return a, err
}

// Agencies returns every agency ordered by id.
func (db *DB) Agencies(ctx context.Context) ([]enlace.Agency, error) {
	var out []enlace.Agency
	err := db.read(ctx, "list agencies", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, nation, name, created_at FROM agencies ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanAgency(rows)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, err
}

func scanAgency(s scanner) (enlace.Agency, error) {
	var a enlace.Agency
	var created int64
	if err := s.Scan(&a.ID, &a.Nation, &a.Name, &created); err != nil {
		return enlace.Agency{}, err
	}
	a.CreatedAt = fromMicros(created)
	return a, nil
}

// CreateTaskForce adds t with its members in the order given, and bumps
// the policy version. EConflict if its id exists; ENotFound if a member
// agency does not.
func (db *DB) CreateTaskForce(ctx context.Context, t enlace.TaskForce) (enlace.TaskForce, error) {
	t.CreatedAt = norm(t.CreatedAt)
	err := db.write(ctx, "create task force "+t.ID, func(tx *sql.Tx) error {
		if err := absent(ctx, tx, "task force "+t.ID, `SELECT 1 FROM task_forces WHERE id = ?`, t.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO task_forces (id, name, created_at) VALUES (?, ?, ?)`,
			t.ID, t.Name, micros(t.CreatedAt)); err != nil {
			return err
		}
		for i, m := range t.Members {
			if err := present(ctx, tx, "member agency "+m, `SELECT 1 FROM agencies WHERE id = ?`, m); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO task_force_members (task_force, agency, position) VALUES (?, ?, ?)`,
				t.ID, m, i); err != nil {
				return err
			}
		}
		return bumpPolicy(ctx, tx)
	})
	if err != nil {
		return enlace.TaskForce{}, err
	}
	return t, nil
}

// taskForceSelect reads a task force with its members as a JSON array, in
// one statement.
const taskForceSelect = `SELECT t.id, t.name, t.created_at,
	(SELECT json_group_array(m.agency ORDER BY m.position) FROM task_force_members m WHERE m.task_force = t.id)
	FROM task_forces t`

// TaskForce returns the task force with id. ENotFound if none.
func (db *DB) TaskForce(ctx context.Context, id string) (enlace.TaskForce, error) {
	var t enlace.TaskForce
	err := db.read(ctx, "read task force "+id, func(tx *sql.Tx) error {
		var err error
		t, err = scanTaskForce(tx.QueryRowContext(ctx, taskForceSelect+` WHERE t.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return enlace.Errorf(enlace.ENotFound, "task force %s not found", id)
		}
		return err
	})
	return t, err
}

// TaskForces returns every task force ordered by id.
func (db *DB) TaskForces(ctx context.Context) ([]enlace.TaskForce, error) {
	var out []enlace.TaskForce
	err := db.read(ctx, "list task forces", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, taskForceSelect+` ORDER BY t.id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t, err := scanTaskForce(rows)
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	return out, err
}

func scanTaskForce(s scanner) (enlace.TaskForce, error) {
	var t enlace.TaskForce
	var created int64
	var members string
	if err := s.Scan(&t.ID, &t.Name, &created, &members); err != nil {
		return enlace.TaskForce{}, err
	}
	t.CreatedAt = fromMicros(created)
	if err := fromJSON("task force members", members, &t.Members); err != nil {
		return enlace.TaskForce{}, err
	}
	if len(t.Members) == 0 {
		t.Members = nil
	}
	return t, nil
}
