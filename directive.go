package enlace

import (
	"encoding/json"
	"fmt"
	"time"
)

// Directive actions.
const (
	ActionSuspend   = "suspend"
	ActionReinstate = "reinstate"
)

// Issuer ranks: a reinstatement lifts a suspension only when its issuer
// ranks at least as high, so an agency cannot undo its nation's order.
const (
	RankAgency = 1 // an agency-admin, for its own agency
	RankNation = 2 // the nation's authority
)

// PurposeSet selects purposes for a directive: all of them, all but some,
// or only some. In JSON: "all", {"except": [...]}, {"only": [...]}.
type PurposeSet struct {
	Mode     string    // "all", "except" or "only"
	Purposes []Purpose // for except and only
}

// Purpose set modes.
const (
	PurposesAll    = "all"
	PurposesExcept = "except"
	PurposesOnly   = "only"
)

// AllPurposes is the set of every purpose.
var AllPurposes = PurposeSet{Mode: PurposesAll}

// Includes reports whether p is in the set under the vocabulary v: "only"
// includes the listed purposes and those below them; "except" includes
// everything else.
func (s PurposeSet) Includes(v *Vocabulary, p Purpose) bool {
	switch s.Mode {
	case PurposesAll:
		return true
	case PurposesOnly:
		return v.CoveredByAny(s.Purposes, p)
	case PurposesExcept:
		return !v.CoveredByAny(s.Purposes, p)
	}
	return false
}

// Validate reports whether s is well formed against v.
func (s PurposeSet) Validate(v *Vocabulary) error {
	switch s.Mode {
	case PurposesAll:
		if len(s.Purposes) != 0 {
			return Errorf(EInvalid, `purposes "all" takes no list`)
		}
	case PurposesOnly, PurposesExcept:
		if len(s.Purposes) == 0 {
			return Errorf(EInvalid, "purposes %q needs at least one purpose", s.Mode)
		}
		for _, p := range s.Purposes {
			if !v.Known(p) {
				return Errorf(EInvalid, "unknown purpose %q", p)
			}
		}
	default:
		return Errorf(EInvalid, `purposes must be "all", {"except": [...]} or {"only": [...]}`)
	}
	return nil
}

func (s PurposeSet) String() string {
	if s.Mode == PurposesAll {
		return "all purposes"
	}
	if s.Mode == PurposesExcept {
		return fmt.Sprintf("all purposes except %v", s.Purposes)
	}
	return fmt.Sprintf("only %v", s.Purposes)
}

// MarshalJSON writes "all", {"except": [...]} or {"only": [...]}.
func (s PurposeSet) MarshalJSON() ([]byte, error) {
	switch s.Mode {
	case PurposesExcept:
		return json.Marshal(map[string][]Purpose{"except": s.Purposes})
	case PurposesOnly:
		return json.Marshal(map[string][]Purpose{"only": s.Purposes})
	case PurposesAll:
		return []byte(`"all"`), nil
	}
	return nil, fmt.Errorf("purpose set with unknown mode %q", s.Mode)
}

// UnmarshalJSON reads the forms MarshalJSON writes.
func (s *PurposeSet) UnmarshalJSON(b []byte) error {
	var str string
	if json.Unmarshal(b, &str) == nil {
		if str != PurposesAll {
			return Errorf(EInvalid, `purposes must be "all", {"except": [...]} or {"only": [...]}`)
		}
		*s = PurposeSet{Mode: PurposesAll}
		return nil
	}
	var m map[string][]Purpose
	if err := json.Unmarshal(b, &m); err != nil || len(m) != 1 {
		return Errorf(EInvalid, `purposes must be "all", {"except": [...]} or {"only": [...]}`)
	}
	for k, v := range m {
		if k != PurposesExcept && k != PurposesOnly {
			return Errorf(EInvalid, `purposes must be "all", {"except": [...]} or {"only": [...]}`)
		}
		*s = PurposeSet{Mode: k, Purposes: v}
	}
	return nil
}

// Directive is an order to suspend or reinstate sharing from one scope to
// another. Directives are appended and never edited; the latest one in
// force (by effective time, then by sequence) decides each case it covers.
type Directive struct {
	Seq            int64      `json:"seq"`
	ID             string     `json:"id"` // "D-<seq>"
	Action         string     `json:"action"`
	From           Scope      `json:"from"` // nation or agency
	To             Scope      `json:"to"`   // nation, agency or task force
	Purposes       PurposeSet `json:"purposes"`
	EffectiveAt    time.Time  `json:"effective_at"`
	Reason         string     `json:"reason"`
	LegalReference string     `json:"legal_reference,omitempty"`
	IssuedBy       string     `json:"issued_by"` // user name
	IssuerAgency   string     `json:"issuer_agency"`
	IssuerNation   string     `json:"issuer_nation"`
	IssuerRank     int        `json:"issuer_rank"` // RankAgency or RankNation
	IssuedAt       time.Time  `json:"issued_at"`
}

// DirectiveID returns the label of the directive with sequence seq.
func DirectiveID(seq int64) string { return fmt.Sprintf("D-%d", seq) }

// Validate reports whether d is well formed against v. Who may issue it
// is the exchange's business, not the type's.
func (d Directive) Validate(v *Vocabulary) error {
	if d.Action != ActionSuspend && d.Action != ActionReinstate {
		return Errorf(EInvalid, `action must be "suspend" or "reinstate"`)
	}
	if err := d.From.Validate("from", ScopeNation, ScopeAgency); err != nil {
		return err
	}
	if err := d.To.Validate("to", ScopeNation, ScopeAgency, ScopeTaskForce); err != nil {
		return err
	}
	if err := d.Purposes.Validate(v); err != nil {
		return err
	}
	if d.EffectiveAt.IsZero() {
		return Errorf(EInvalid, "effective_at is required")
	}
	if d.Reason == "" {
		return Errorf(EInvalid, "a reason is required")
	}
	if d.IssuerRank != RankAgency && d.IssuerRank != RankNation {
		return Errorf(EInvalid, "issuer rank must be agency or nation")
	}
	return nil
}

// Before reports whether d takes effect before e: by effective time, then
// by sequence.
func (d Directive) Before(e Directive) bool {
	if !d.EffectiveAt.Equal(e.EffectiveAt) {
		return d.EffectiveAt.Before(e.EffectiveAt)
	}
	return d.Seq < e.Seq
}

// IssuerTitle names the issuer for a person: "the CO authority" or "the
// DIPOL agency administration".
func (d Directive) IssuerTitle() string {
	if d.IssuerRank == RankNation {
		return "the " + d.IssuerNation + " authority"
	}
	return "the " + d.IssuerAgency + " agency administration"
}
