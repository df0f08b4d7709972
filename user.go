package enlace

import (
	"slices"
	"time"
)

// Role is what a user may do. Roles add up: a liaison officer may also be
// an analyst.
type Role string

// The roles.
const (
	RoleAnalyst     Role = "analyst"      // reads and writes intelligence for the agency
	RoleLiaison     Role = "liaison"      // works with partners: releases, consents
	RoleAgencyAdmin Role = "agency-admin" // manages the agency's users; issues agency directives
	RoleAuthority   Role = "authority"    // issues directives for the whole nation
	RoleAuditor     Role = "auditor"      // reads the ledger and accounting, no intelligence
)

// Roles lists every role, in a stable order.
var Roles = []Role{RoleAnalyst, RoleLiaison, RoleAgencyAdmin, RoleAuthority, RoleAuditor}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// User is a person (or a partner's tool) acting for one agency.
type User struct {
	ID        int64     `json:"id"`
	Username  string    `json:"username"`
	Agency    string    `json:"agency"`
	Nation    string    `json:"nation"` // the agency's nation, filled by the store
	Roles     []Role    `json:"roles"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate reports whether u is well formed. Nation is derived, not checked.
func (u User) Validate() error {
	if !shortIDRE.MatchString(u.Username) {
		return Errorf(EInvalid, "user name %q must start with a letter and hold only letters, digits, '-' and '_' (at most 64)", u.Username)
	}
	if u.Agency == "" {
		return Errorf(EInvalid, "user %s needs an agency", u.Username)
	}
	if len(u.Roles) == 0 {
		return Errorf(EInvalid, "user %s needs at least one role", u.Username)
	}
	for _, r := range u.Roles {
		if !r.Valid() {
			return Errorf(EInvalid, "user %s: unknown role %q (known: analyst, liaison, agency-admin, authority, auditor)", u.Username, r)
		}
	}
	return nil
}

// Has reports whether u holds role r.
func (u User) Has(r Role) bool { return slices.Contains(u.Roles, r) }

// Token is an API credential. Only its hash is stored; the secret is shown
// once, when it is created.
type Token struct {
	ID        int64      `json:"id"`
	UserID    int64      `json:"user_id"`
	Name      string     `json:"name"`
	Hash      []byte     `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}
