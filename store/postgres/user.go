package postgres

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/enlace-exchange/enlace"
)

// CreateUser adds u with its roles in the order given and assigns its ID.
// Nation comes from the agency, whatever u says. EConflict if the user
// name is taken; ENotFound if its agency does not exist.
func (db *DB) CreateUser(ctx context.Context, u enlace.User) (enlace.User, error) {
	u.CreatedAt = norm(u.CreatedAt)
	roles := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		roles[i] = string(r)
	}
	err := db.pool.QueryRow(ctx, `INSERT INTO users (username, agency, roles, created_at) VALUES ($1, $2, $3, $4)
		RETURNING id, (SELECT nation FROM agencies WHERE id = $2)`,
		u.Username, u.Agency, roles, u.CreatedAt).Scan(&u.ID, &u.Nation)
	if err != nil {
		return enlace.User{}, failed("create user "+u.Username, err, refusals{
			"users_username_key": enlace.Errorf(enlace.EConflict, "user %s already exists", u.Username),
			"users_agency_fkey":  enlace.Errorf(enlace.ENotFound, "agency %s not found", u.Agency),
		})
	}
	if len(u.Roles) == 0 {
		u.Roles = nil
	}
	return u, nil
}

// userSelect reads a user with its agency's nation. Nation is joined on
// every read, never stored with the user, so it cannot disagree with the
// agency.
const userSelect = `SELECT u.id, u.username, u.agency, a.nation, u.roles, u.created_at
	FROM users u JOIN agencies a ON a.id = u.agency`

// User returns the user with id. ENotFound if none.
func (db *DB) User(ctx context.Context, id int64) (enlace.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, userSelect+` WHERE u.id = $1`, id))
	if err != nil {
		return enlace.User{}, notFound("read user "+strconv.FormatInt(id, 10), err, "user %d not found", id)
	}
	return u, nil
}

// UserByName returns the user called username. ENotFound if none.
func (db *DB) UserByName(ctx context.Context, username string) (enlace.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, userSelect+` WHERE u.username = $1`, username))
	if err != nil {
		return enlace.User{}, notFound("read user "+username, err, "user %s not found", username)
	}
	return u, nil
}

// Users returns the users of agency, or every user when agency is "", in
// id order.
func (db *DB) Users(ctx context.Context, agency string) ([]enlace.User, error) {
	if agency == "" {
		return list(ctx, db, "list users", scanUser, userSelect+` ORDER BY u.id`)
	}
	return list(ctx, db, "list users of "+agency, scanUser, userSelect+` WHERE u.agency = $1 ORDER BY u.id`, agency)
}

func scanUser(s pgx.Row) (enlace.User, error) {
	var u enlace.User
	var roles []string
	if err := s.Scan(&u.ID, &u.Username, &u.Agency, &u.Nation, &roles, &u.CreatedAt); err != nil {
		return enlace.User{}, err
	}
	u.CreatedAt = u.CreatedAt.UTC()
	for _, r := range roles {
		u.Roles = append(u.Roles, enlace.Role(r))
	}
	return u, nil
}

// CreateToken stores t (its hash, never the secret) and assigns its ID.
// ENotFound if the user does not exist; EConflict if the hash is already
// stored, which for a random secret means a bug in the caller.
func (db *DB) CreateToken(ctx context.Context, t enlace.Token) (enlace.Token, error) {
	t.CreatedAt = norm(t.CreatedAt)
	t.RevokedAt = normPtr(t.RevokedAt)
	err := db.pool.QueryRow(ctx, `INSERT INTO tokens (user_id, name, hash, created_at, revoked_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		t.UserID, t.Name, t.Hash, t.CreatedAt, t.RevokedAt).Scan(&t.ID)
	if err != nil {
		return enlace.Token{}, failed(fmt.Sprintf("create token %q", t.Name), err, refusals{
			"tokens_user_id_fkey": enlace.Errorf(enlace.ENotFound, "user %d not found", t.UserID),
			"tokens_hash_key":     enlace.Errorf(enlace.EConflict, "token with this hash already exists"),
		})
	}
	return t, nil
}

// TokenByHash returns the unrevoked token with hash and its user, read in
// one statement so a token is never paired with a user it no longer has.
// ENotFound if there is none, or it was revoked.
func (db *DB) TokenByHash(ctx context.Context, hash []byte) (enlace.Token, enlace.User, error) {
	var t enlace.Token
	var u enlace.User
	var roles []string
	err := db.pool.QueryRow(ctx, `SELECT t.id, t.user_id, t.name, t.hash, t.created_at, t.revoked_at,
		u.id, u.username, u.agency, a.nation, u.roles, u.created_at
		FROM tokens t JOIN users u ON u.id = t.user_id JOIN agencies a ON a.id = u.agency
		WHERE t.hash = $1 AND t.revoked_at IS NULL`, hash).Scan(
		&t.ID, &t.UserID, &t.Name, &t.Hash, &t.CreatedAt, &t.RevokedAt,
		&u.ID, &u.Username, &u.Agency, &u.Nation, &roles, &u.CreatedAt)
	if err != nil {
		// The same answer for unknown and revoked: a caller that presents
		// a revoked token learns nothing more.
		return enlace.Token{}, enlace.User{}, notFound("read token by hash", err, "token not found")
	}
	t.CreatedAt = t.CreatedAt.UTC()
	u.CreatedAt = u.CreatedAt.UTC()
	for _, r := range roles {
		u.Roles = append(u.Roles, enlace.Role(r))
	}
	return t, u, nil
}

// RevokeToken marks the token revoked at at. ENotFound if there is no such
// token; revoking twice keeps the first time, the one that ended its use.
func (db *DB) RevokeToken(ctx context.Context, id int64, at time.Time) error {
	op := fmt.Sprintf("revoke token %d", id)
	tag, err := db.pool.Exec(ctx, `UPDATE tokens SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2`, norm(at), id)
	if err != nil {
		return failed(op, err, nil)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s: %w", op, enlace.Errorf(enlace.ENotFound, "token %d not found", id))
	}
	return nil
}

// Tokens returns the tokens of a user, revoked ones included, in id
// order. A user without tokens, or no such user, yields none.
func (db *DB) Tokens(ctx context.Context, userID int64) ([]enlace.Token, error) {
	return list(ctx, db, fmt.Sprintf("list tokens of user %d", userID), scanToken,
		`SELECT id, user_id, name, hash, created_at, revoked_at FROM tokens WHERE user_id = $1 ORDER BY id`, userID)
}

func scanToken(s pgx.Row) (enlace.Token, error) {
	var t enlace.Token
	if err := s.Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, &t.CreatedAt, &t.RevokedAt); err != nil {
		return enlace.Token{}, err
	}
	t.CreatedAt = t.CreatedAt.UTC()
	t.RevokedAt = utcPtr(t.RevokedAt)
	return t, nil
}
