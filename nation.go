package enlace

import (
	"regexp"
	"time"
)

// Nation is a sovereign party to the exchange, named by its ISO 3166-1
// alpha-2 code. Its authority (the office that issues directives for the
// whole nation) is represented by users holding RoleAuthority in one of
// its agencies.
type Nation struct {
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

var nationCodeRE = regexp.MustCompile(`^[A-Z]{2}$`)

// Validate reports whether n is well formed.
func (n Nation) Validate() error {
	if !nationCodeRE.MatchString(n.Code) {
		return Errorf(EInvalid, "nation code %q must be two upper-case letters (ISO 3166-1 alpha-2)", n.Code)
	}
	if n.Name == "" {
		return Errorf(EInvalid, "nation %s needs a name", n.Code)
	}
	return nil
}

// Agency belongs to exactly one nation. Its ID is a short, stable name
// (DIPOL, DEA) used in scopes, agreements and directives.
type Agency struct {
	ID        string    `json:"id"`
	Nation    string    `json:"nation"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

var shortIDRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,63}$`)

// Validate reports whether a is well formed.
func (a Agency) Validate() error {
	if !shortIDRE.MatchString(a.ID) {
		return Errorf(EInvalid, "agency id %q must start with a letter and hold only letters, digits, '-' and '_' (at most 64)", a.ID)
	}
	if !nationCodeRE.MatchString(a.Nation) {
		return Errorf(EInvalid, "agency %s: nation %q must be two upper-case letters", a.ID, a.Nation)
	}
	if a.Name == "" {
		return Errorf(EInvalid, "agency %s needs a name", a.ID)
	}
	return nil
}

// TaskForce is a community of agencies from several nations, such as a
// joint interdiction task force. Agreements and directives may name it as a
// recipient scope; it covers its member agencies.
type TaskForce struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Members   []string  `json:"members"` // agency ids
	CreatedAt time.Time `json:"created_at"`
}

// Validate reports whether t is well formed.
func (t TaskForce) Validate() error {
	if !shortIDRE.MatchString(t.ID) {
		return Errorf(EInvalid, "task force id %q must start with a letter and hold only letters, digits, '-' and '_' (at most 64)", t.ID)
	}
	if t.Name == "" {
		return Errorf(EInvalid, "task force %s needs a name", t.ID)
	}
	seen := map[string]bool{}
	for _, m := range t.Members {
		if seen[m] {
			return Errorf(EInvalid, "task force %s lists agency %s twice", t.ID, m)
		}
		seen[m] = true
	}
	return nil
}

// HasMember reports whether agency is a member of t.
func (t TaskForce) HasMember(agency string) bool {
	for _, m := range t.Members {
		if m == agency {
			return true
		}
	}
	return false
}
