package exchange

import (
	"context"
	"slices"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/auth"
)

// Authenticate returns the user a token belongs to. With HTTP Basic the
// user name must match the token's owner. Every failure is EUnauthorized
// with the same message, so a caller learns nothing about which part was
// wrong.
func (x *Exchange) Authenticate(ctx context.Context, c auth.Credentials) (enlace.User, error) {
	_, u, err := x.store.TokenByHash(ctx, auth.Hash(c.Secret))
	if err != nil {
		if enlace.ErrorCode(err) == enlace.ENotFound {
			return enlace.User{}, enlace.Errorf(enlace.EUnauthorized, "invalid or revoked credentials")
		}
		return enlace.User{}, err
	}
	if c.Username != "" && c.Username != u.Username {
		return enlace.User{}, enlace.Errorf(enlace.EUnauthorized, "invalid or revoked credentials")
	}
	return u, nil
}

// CreateNation adds a nation. It is an operator's command, not a user's.
func (x *Exchange) CreateNation(ctx context.Context, n enlace.Nation) (enlace.Nation, error) {
	if err := n.Validate(); err != nil {
		return enlace.Nation{}, err
	}
	n.CreatedAt = x.now().UTC()
	return x.store.CreateNation(ctx, n)
}

// CreateAgency adds an agency to an existing nation. Operator only.
func (x *Exchange) CreateAgency(ctx context.Context, a enlace.Agency) (enlace.Agency, error) {
	if err := a.Validate(); err != nil {
		return enlace.Agency{}, err
	}
	a.CreatedAt = x.now().UTC()
	return x.store.CreateAgency(ctx, a)
}

// CreateTaskForce adds a task force of existing agencies. Operator only.
func (x *Exchange) CreateTaskForce(ctx context.Context, t enlace.TaskForce) (enlace.TaskForce, error) {
	if err := t.Validate(); err != nil {
		return enlace.TaskForce{}, err
	}
	t.CreatedAt = x.now().UTC()
	return x.store.CreateTaskForce(ctx, t)
}

// CreateUser adds a user. Operator only; agency administrators use
// CreateUserAs.
func (x *Exchange) CreateUser(ctx context.Context, u enlace.User) (enlace.User, error) {
	if err := u.Validate(); err != nil {
		return enlace.User{}, err
	}
	u.CreatedAt = x.now().UTC()
	return x.store.CreateUser(ctx, u)
}

// CreateUserAs adds a user on behalf of actor, who must administer the
// new user's agency. The authority role can only be granted by an
// operator: a nation's authority is not an agency's to create.
func (x *Exchange) CreateUserAs(ctx context.Context, actor enlace.User, u enlace.User) (enlace.User, error) {
	if !actor.Has(enlace.RoleAgencyAdmin) || actor.Agency != u.Agency {
		return enlace.User{}, enlace.Errorf(enlace.EForbidden, "only an agency-admin of %s may add its users", u.Agency)
	}
	if slices.Contains(u.Roles, enlace.RoleAuthority) {
		return enlace.User{}, enlace.Errorf(enlace.EForbidden, "the authority role is granted by the operator, not by an agency")
	}
	return x.CreateUser(ctx, u)
}

// IssueToken creates a token for the user called username and returns the
// secret, which is never stored and cannot be shown again. Operator only.
func (x *Exchange) IssueToken(ctx context.Context, username, name string) (enlace.Token, string, error) {
	u, err := x.store.UserByName(ctx, username)
	if err != nil {
		return enlace.Token{}, "", err
	}
	return x.issueToken(ctx, u, name)
}

// IssueTokenAs creates a token for actor itself.
func (x *Exchange) IssueTokenAs(ctx context.Context, actor enlace.User, name string) (enlace.Token, string, error) {
	return x.issueToken(ctx, actor, name)
}

func (x *Exchange) issueToken(ctx context.Context, u enlace.User, name string) (enlace.Token, string, error) {
	if name == "" {
		name = "default"
	}
	secret, hash := auth.NewToken()
	t, err := x.store.CreateToken(ctx, enlace.Token{UserID: u.ID, Name: name, Hash: hash, CreatedAt: x.now().UTC()})
	if err != nil {
		return enlace.Token{}, "", err
	}
	return t, secret, nil
}

// RevokeToken revokes a token by id. Operator only.
func (x *Exchange) RevokeToken(ctx context.Context, id int64) error {
	return x.store.RevokeToken(ctx, id, x.now().UTC())
}

// RevokeTokenAs revokes one of actor's own tokens. Another user's token
// is not found, whether it exists or not.
func (x *Exchange) RevokeTokenAs(ctx context.Context, actor enlace.User, id int64) error {
	toks, err := x.store.Tokens(ctx, actor.ID)
	if err != nil {
		return err
	}
	for _, t := range toks {
		if t.ID == id {
			return x.store.RevokeToken(ctx, id, x.now().UTC())
		}
	}
	return enlace.Errorf(enlace.ENotFound, "no token %d", id)
}

// Tokens lists actor's own tokens (never their secrets).
func (x *Exchange) Tokens(ctx context.Context, actor enlace.User) ([]enlace.Token, error) {
	return x.store.Tokens(ctx, actor.ID)
}

// Nations lists the nations of the exchange. The directory is public to
// every member: knowing who takes part is what makes agreements legible.
func (x *Exchange) Nations(ctx context.Context) ([]enlace.Nation, error) {
	return x.store.Nations(ctx)
}

// Agencies lists the agencies of the exchange.
func (x *Exchange) Agencies(ctx context.Context) ([]enlace.Agency, error) {
	return x.store.Agencies(ctx)
}

// TaskForces lists the task forces of the exchange.
func (x *Exchange) TaskForces(ctx context.Context) ([]enlace.TaskForce, error) {
	return x.store.TaskForces(ctx)
}

// Users lists the users actor may see: those of its own agency.
func (x *Exchange) Users(ctx context.Context, actor enlace.User) ([]enlace.User, error) {
	return x.store.Users(ctx, actor.Agency)
}

// UserByName returns the user called username, for commands run on the
// exchange's own machine. ENotFound if none.
func (x *Exchange) UserByName(ctx context.Context, username string) (enlace.User, error) {
	return x.store.UserByName(ctx, username)
}
