package enlace

import (
	"slices"
	"time"
)

// Consent statuses.
const (
	ConsentRequested = "requested"
	ConsentGranted   = "granted"
	ConsentDenied    = "denied"
)

// Consent is a holder's request to release an originator's report onward
// to a third party, and the originator's answer. Granted consent may be
// narrowed to some purposes and may expire.
type Consent struct {
	ID              int64      `json:"id"`
	ReportID        string     `json:"report"`
	Originator      string     `json:"originator"` // agency that must decide
	RequestedBy     string     `json:"requested_by"`
	Holder          string     `json:"holder"`    // agency that holds the report and asks
	Recipient       string     `json:"recipient"` // third-party agency
	Purposes        []Purpose  `json:"purposes"`  // purposes asked for
	Status          string     `json:"status"`
	GrantedPurposes []Purpose  `json:"granted_purposes,omitempty"` // a subset of Purposes; empty means all asked
	ExpiresAt       *time.Time `json:"expires_at,omitempty"`
	DecidedBy       string     `json:"decided_by,omitempty"`
	DecidedAt       *time.Time `json:"decided_at,omitempty"`
	Note            string     `json:"note,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
}

// Permits reports whether c lets its recipient use the report for purpose
// p at time t, under the vocabulary v.
func (c Consent) Permits(v *Vocabulary, p Purpose, t time.Time) bool {
	if c.Status != ConsentGranted {
		return false
	}
	if c.ExpiresAt != nil && !t.Before(*c.ExpiresAt) {
		return false
	}
	set := c.Purposes
	if len(c.GrantedPurposes) > 0 {
		set = c.GrantedPurposes
	}
	return v.CoveredByAny(set, p)
}

// ConsentDecision is an originator's answer to a consent request.
type ConsentDecision struct {
	Status          string     `json:"status"` // granted or denied
	GrantedPurposes []Purpose  `json:"granted_purposes,omitempty"`
	ExpiresAt       *time.Time `json:"expires_at,omitempty"`
	Note            string     `json:"note,omitempty"`
}

// Validate checks d against the request it answers.
func (d ConsentDecision) Validate(v *Vocabulary, c Consent) error {
	if d.Status != ConsentGranted && d.Status != ConsentDenied {
		return Errorf(EInvalid, `status must be "granted" or "denied"`)
	}
	for _, p := range d.GrantedPurposes {
		if !v.CoveredByAny(c.Purposes, p) {
			return Errorf(EInvalid, "granted purpose %q is not among those requested %v", p, c.Purposes)
		}
	}
	if d.Status == ConsentDenied && (len(d.GrantedPurposes) > 0 || d.ExpiresAt != nil) {
		return Errorf(EInvalid, "a denial takes no purposes or expiry")
	}
	return nil
}

// HasPurpose reports whether c asked for p exactly.
func (c Consent) HasPurpose(p Purpose) bool { return slices.Contains(c.Purposes, p) }
