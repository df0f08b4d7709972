package enlace

import (
	"slices"
	"time"
)

// Agreement says who shares with whom, for what, up to which marking. Each
// change is a new version; an old version is never rewritten, so a release
// can always name the exact terms it was made under. Agreements run in one
// direction: a two-way relationship is two agreements.
type Agreement struct {
	ID                 string     `json:"id"`      // stable across versions, "AG-1"
	Version            int        `json:"version"` // 1, 2, ...
	Title              string     `json:"title"`
	Provider           Scope      `json:"provider"`  // nation or agency
	Recipient          Scope      `json:"recipient"` // nation, agency or task force
	AllowedPurposes    []Purpose  `json:"allowed_purposes"`
	ProhibitedPurposes []Purpose  `json:"prohibited_purposes,omitempty"`
	MaxTLP             TLP        `json:"max_tlp"`
	AcceptedHandling   []string   `json:"accepted_handling,omitempty"` // "siena:H2", "us:ORCON"
	Onward             string     `json:"onward"`                      // OnwardNone, OnwardConsent, OnwardFree
	ValidFrom          time.Time  `json:"valid_from"`
	ValidUntil         *time.Time `json:"valid_until,omitempty"`
	LegalBasis         string     `json:"legal_basis"`
	CreatedBy          string     `json:"created_by"`
	CreatedAt          time.Time  `json:"created_at"`
}

// Validate reports whether a is well formed against the vocabulary v.
func (a Agreement) Validate(v *Vocabulary) error {
	if err := a.Provider.Validate("provider", ScopeNation, ScopeAgency); err != nil {
		return err
	}
	if err := a.Recipient.Validate("recipient", ScopeNation, ScopeAgency, ScopeTaskForce); err != nil {
		return err
	}
	if len(a.AllowedPurposes) == 0 {
		return Errorf(EInvalid, "an agreement must allow at least one purpose")
	}
	for _, p := range append(slices.Clone(a.AllowedPurposes), a.ProhibitedPurposes...) {
		if !v.Known(p) {
			return Errorf(EInvalid, "unknown purpose %q", p)
		}
	}
	if !a.MaxTLP.Valid() {
		return Errorf(EInvalid, "max_tlp must be a TLP 2.0 level (clear, green, amber, amber+strict, red)")
	}
	for _, h := range a.AcceptedHandling {
		if !slices.Contains([]string{H0.Key(), H1.Key(), H2.Key(), H3.Key(), ORCON.Key()}, h) {
			return Errorf(EInvalid, "unknown handling code %q in accepted_handling", h)
		}
	}
	if !ValidOnward(a.Onward) {
		return Errorf(EInvalid, "onward must be none, consent or free")
	}
	if a.ValidFrom.IsZero() {
		return Errorf(EInvalid, "valid_from is required")
	}
	if a.ValidUntil != nil && !a.ValidUntil.After(a.ValidFrom) {
		return Errorf(EInvalid, "valid_until must be after valid_from")
	}
	if a.LegalBasis == "" {
		return Errorf(EInvalid, "legal_basis is required")
	}
	return nil
}

// ActiveAt reports whether t falls in a's validity period.
func (a Agreement) ActiveAt(t time.Time) bool {
	return !t.Before(a.ValidFrom) && (a.ValidUntil == nil || t.Before(*a.ValidUntil))
}

// Accepts reports whether a accepts the handling code h.
func (a Agreement) Accepts(h HandlingCode) bool { return slices.Contains(a.AcceptedHandling, h.Key()) }
