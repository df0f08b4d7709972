package enlace

import (
	"fmt"
	"strings"
)

// Scope names one party to an agreement or directive: a whole nation, one
// agency, or a task force. Exactly one field is set. In JSON it reads
// {"nation": "CO"}, {"agency": "DEA"} or {"task_force": "JIATF-South"}.
type Scope struct {
	Nation    string `json:"nation,omitempty"`
	Agency    string `json:"agency,omitempty"`
	TaskForce string `json:"task_force,omitempty"`
}

// Scope kinds, as Kind returns them.
const (
	ScopeNation    = "nation"
	ScopeAgency    = "agency"
	ScopeTaskForce = "task_force"
)

// NationScope returns the scope of a whole nation.
func NationScope(code string) Scope { return Scope{Nation: code} }

// AgencyScope returns the scope of one agency.
func AgencyScope(id string) Scope { return Scope{Agency: id} }

// TaskForceScope returns the scope of a task force's member agencies.
func TaskForceScope(id string) Scope { return Scope{TaskForce: id} }

// Kind returns which field is set, or "" when none or several are.
func (s Scope) Kind() string {
	n := 0
	k := ""
	if s.Nation != "" {
		n, k = n+1, ScopeNation
	}
	if s.Agency != "" {
		n, k = n+1, ScopeAgency
	}
	if s.TaskForce != "" {
		n, k = n+1, ScopeTaskForce
	}
	if n != 1 {
		return ""
	}
	return k
}

// ID returns the value of the field that is set.
func (s Scope) ID() string { return s.Nation + s.Agency + s.TaskForce }

func (s Scope) String() string {
	if s.Kind() == "" {
		return "invalid scope"
	}
	return s.Kind() + " " + s.ID()
}

// Validate reports whether s names exactly one party, of an allowed kind.
func (s Scope) Validate(what string, kinds ...string) error {
	k := s.Kind()
	if k == "" {
		return Errorf(EInvalid, "%s must name exactly one of %v", what, kinds)
	}
	for _, want := range kinds {
		if k == want {
			return nil
		}
	}
	return Errorf(EInvalid, "%s may not be a %s (allowed: %v)", what, k, kinds)
}

// Party is an agency seen with everything a scope can match: its nation
// and the task forces it belongs to.
type Party struct {
	Agency     string   `json:"agency"`
	Nation     string   `json:"nation"`
	TaskForces []string `json:"task_forces,omitempty"`
}

// Covers reports whether s includes p.
func (s Scope) Covers(p Party) bool {
	switch s.Kind() {
	case ScopeNation:
		return s.Nation == p.Nation
	case ScopeAgency:
		return s.Agency == p.Agency
	case ScopeTaskForce:
		for _, tf := range p.TaskForces {
			if tf == s.TaskForce {
				return true
			}
		}
	}
	return false
}

// Describe writes s for a person: "nation CO", "agency DEA".
func (s Scope) Describe() string {
	return fmt.Sprintf("%s %s", strings.ReplaceAll(s.Kind(), "_", " "), s.ID())
}
