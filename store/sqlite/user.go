package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/enlace-exchange/enlace"
)

// CreateUser adds u with its roles in the order given and assigns its ID.
// Nation comes from the agency, whatever u says. EConflict if the user
// name is taken; ENotFound if its agency does not exist.
func (db *DB) CreateUser(ctx context.Context, u enlace.User) (enlace.User, error) {
	u.CreatedAt = norm(u.CreatedAt)
	err := db.write(ctx, "create user "+u.Username, func(tx *sql.Tx) error {
		if err := absent(ctx, tx, "user "+u.Username, `SELECT 1 FROM users WHERE username = ?`, u.Username); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `SELECT nation FROM agencies WHERE id = ?`, u.Agency).Scan(&u.Nation)
		if errors.Is(err, sql.ErrNoRows) {
			return enlace.Errorf(enlace.ENotFound, "agency %s not found", u.Agency)
		}
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO users (username, agency, created_at) VALUES (?, ?, ?) RETURNING id`,
			u.Username, u.Agency, micros(u.CreatedAt)).Scan(&u.ID)
		if err != nil {
			return err
		}
		for i, r := range u.Roles {
			if _, err := tx.ExecContext(ctx, `INSERT INTO user_roles (user_id, position, role) VALUES (?, ?, ?)`,
				u.ID, i, string(r)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return enlace.User{}, err
	}
	if len(u.Roles) == 0 {
		u.Roles = nil
	}
	return u, nil
}

// userSelect reads a user with its agency's nation and its roles, in one
// statement. Nation is joined on every read, never stored with the user,
// so it cannot disagree with the agency.
const userSelect = `SELECT u.id, u.username, u.agency, a.nation, u.created_at,
	(SELECT json_group_array(r.role ORDER BY r.position) FROM user_roles r WHERE r.user_id = u.id)
	FROM users u JOIN agencies a ON a.id = u.agency`

// User returns the user with id. ENotFound if none.
func (db *DB) User(ctx context.Context, id int64) (enlace.User, error) {
	var u enlace.User
	err := db.read(ctx, "read user "+strconv.FormatInt(id, 10), func(tx *sql.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, userSelect+` WHERE u.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return enlace.Errorf(enlace.ENotFound, "user %d not found", id)
		}
		return err
	})
	return u, err
}

// UserByName returns the user called username. ENotFound if none.
func (db *DB) UserByName(ctx context.Context, username string) (enlace.User, error) {
	var u enlace.User
	err := db.read(ctx, "read user "+username, func(tx *sql.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, userSelect+` WHERE u.username = ?`, username))
		if errors.Is(err, sql.ErrNoRows) {
			return enlace.Errorf(enlace.ENotFound, "user %s not found", username)
		}
		return err
	})
	return u, err
}

// Users returns the users of agency, or every user when agency is "", in
// id order.
func (db *DB) Users(ctx context.Context, agency string) ([]enlace.User, error) {
	var out []enlace.User
	err := db.read(ctx, "list users", func(tx *sql.Tx) error {
		q, args := userSelect+` ORDER BY u.id`, []any(nil)
		if agency != "" {
			q, args = userSelect+` WHERE u.agency = ? ORDER BY u.id`, []any{agency}
		}
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				return err
			}
			out = append(out, u)
		}
		return rows.Err()
	})
	return out, err
}

func scanUser(s scanner) (enlace.User, error) {
	var u enlace.User
	var created int64
	var roles string
	if err := s.Scan(&u.ID, &u.Username, &u.Agency, &u.Nation, &created, &roles); err != nil {
		return enlace.User{}, err
	}
	u.CreatedAt = fromMicros(created)
	if err := fromJSON("user roles", roles, &u.Roles); err != nil {
		return enlace.User{}, err
	}
	if len(u.Roles) == 0 {
		u.Roles = nil
	}
	return u, nil
}

// CreateToken stores t (its hash, never the secret) and assigns its ID.
// ENotFound if the user does not exist; EConflict if the hash is already
// stored, which for a random secret means a bug in the caller.
func (db *DB) CreateToken(ctx context.Context, t enlace.Token) (enlace.Token, error) {
	t.CreatedAt = norm(t.CreatedAt)
	t.RevokedAt = normPtr(t.RevokedAt)
	err := db.write(ctx, fmt.Sprintf("create token %q", t.Name), func(tx *sql.Tx) error {
		if err := present(ctx, tx, fmt.Sprintf("user %d", t.UserID), `SELECT 1 FROM users WHERE id = ?`, t.UserID); err != nil {
			return err
		}
		if err := absent(ctx, tx, "token with this hash", `SELECT 1 FROM tokens WHERE hash = ?`, t.Hash); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO tokens (user_id, name, hash, created_at, revoked_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`,
			t.UserID, t.Name, t.Hash, micros(t.CreatedAt), nullMicros(t.RevokedAt)).Scan(&t.ID)
	})
	if err != nil {
		return enlace.Token{}, err
	}
	return t, nil
}

// TokenByHash returns the unrevoked token with hash and its user, read in
// one snapshot so a token is never paired with a user it no longer has.
// ENotFound if there is none, or it was revoked.
func (db *DB) TokenByHash(ctx context.Context, hash []byte) (enlace.Token, enlace.User, error) {
	var t enlace.Token
	var u enlace.User
	err := db.read(ctx, "read token by hash", func(tx *sql.Tx) error {
		var err error
		t, err = scanToken(tx.QueryRowContext(ctx, tokenSelect+` WHERE hash = ? AND revoked_at IS NULL`, hash))
		if errors.Is(err, sql.ErrNoRows) {
			// The same answer for unknown and revoked: a caller that
			// presents a revoked token learns nothing more.
			return enlace.Errorf(enlace.ENotFound, "token not found")
		}
		if err != nil {
			return err
		}
		u, err = scanUser(tx.QueryRowContext(ctx, userSelect+` WHERE u.id = ?`, t.UserID))
		return err
	})
	if err != nil {
		return enlace.Token{}, enlace.User{}, err
	}
	return t, u, nil
}

// RevokeToken marks the token revoked at at. ENotFound if there is no such
// token; revoking twice keeps the first time, the one that ended its use.
func (db *DB) RevokeToken(ctx context.Context, id int64, at time.Time) error {
	return db.write(ctx, fmt.Sprintf("revoke token %d", id), func(tx *sql.Tx) error {
		if err := present(ctx, tx, fmt.Sprintf("token %d", id), `SELECT 1 FROM tokens WHERE id = ?`, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, micros(at), id)
		return err
	})
}

// Tokens returns the tokens of a user, revoked ones included, in id
// order. A user without tokens, or no such user, yields none.
func (db *DB) Tokens(ctx context.Context, userID int64) ([]enlace.Token, error) {
	var out []enlace.Token
	err := db.read(ctx, fmt.Sprintf("list tokens of user %d", userID), func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, tokenSelect+` WHERE user_id = ? ORDER BY id`, userID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t, err := scanToken(rows)
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	return out, err
}

const tokenSelect = `SELECT id, user_id, name, hash, created_at, revoked_at FROM tokens`

func scanToken(s scanner) (enlace.Token, error) {
	var t enlace.Token
	var created int64
	var revoked sql.NullInt64
	if err := s.Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, &created, &revoked); err != nil {
		return enlace.Token{}, err
	}
	t.CreatedAt = fromMicros(created)
	t.RevokedAt = fromNullMicros(revoked)
	return t, nil
}
