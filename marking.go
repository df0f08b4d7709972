package enlace

import (
	"fmt"
	"slices"
	"strings"
)

// TLP is a FIRST Traffic Light Protocol 2.0 level. The zero value is
// invalid, so a report cannot be left unmarked by accident.
type TLP int

// The TLP 2.0 levels, from least to most restrictive.
const (
	TLPClear TLP = iota + 1
	TLPGreen
	TLPAmber
	TLPAmberStrict
	TLPRed
)

var tlpNames = map[TLP]string{
	TLPClear: "clear", TLPGreen: "green", TLPAmber: "amber",
	TLPAmberStrict: "amber+strict", TLPRed: "red",
}

// TLP 2.0 marking-definition ids, fixed by the STIX TLP 2.0 extension.
var tlpMarkingIDs = map[TLP]string{
	TLPClear:       "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
	TLPGreen:       "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
	TLPAmber:       "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
	TLPAmberStrict: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
	TLPRed:         "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}

// TLP2ExtensionID is the STIX extension-definition of TLP 2.0 markings.
const TLP2ExtensionID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

func (t TLP) String() string {
	if s, ok := tlpNames[t]; ok {
		return s
	}
	return fmt.Sprintf("TLP(%d)", int(t))
}

// Valid reports whether t is one of the five levels.
func (t TLP) Valid() bool { _, ok := tlpNames[t]; return ok }

// MarkingID returns the STIX marking-definition id of t.
func (t TLP) MarkingID() string { return tlpMarkingIDs[t] }

// ParseTLP reads a level written as "amber+strict", "TLP:AMBER+STRICT" or
// "AMBER+STRICT".
func ParseTLP(s string) (TLP, error) {
	k := strings.ToLower(strings.TrimSpace(s))
	k = strings.TrimPrefix(k, "tlp:")
	for t, n := range tlpNames {
		if n == k {
			return t, nil
		}
	}
	return 0, Errorf(EInvalid, "unknown TLP level %q (known: clear, green, amber, amber+strict, red)", s)
}

// TLPFromMarkingID returns the level whose STIX marking-definition id is id.
func TLPFromMarkingID(id string) (TLP, bool) {
	for t, m := range tlpMarkingIDs {
		if m == id {
			return t, true
		}
	}
	return 0, false
}

// MarshalText writes the level's lower-case name.
func (t TLP) MarshalText() ([]byte, error) {
	if !t.Valid() {
		return nil, fmt.Errorf("invalid TLP %d", int(t))
	}
	return []byte(t.String()), nil
}

// UnmarshalText reads a level as ParseTLP does.
func (t *TLP) UnmarshalText(b []byte) error {
	v, err := ParseTLP(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// Handling code schemes. Codes are kept in their scheme, never converted.
const (
	SchemeSIENA = "siena" // Europol SIENA handling codes H0..H3
	SchemeUS    = "us"    // US dissemination controls (ORCON)
)

// HandlingCode is one restriction in a scheme, such as SIENA H2 or US
// ORCON. A report may carry several: they are a set, not a ladder.
type HandlingCode struct {
	Scheme string `json:"scheme"`
	Code   string `json:"code"`
	Text   string `json:"text,omitempty"` // the free text of SIENA H3
}

// The handling codes enlace knows how to enforce.
var (
	H0    = HandlingCode{Scheme: SchemeSIENA, Code: "H0"} // only for preventing and combating crime
	H1    = HandlingCode{Scheme: SchemeSIENA, Code: "H1"} // not in judicial proceedings without the provider's permission
	H2    = HandlingCode{Scheme: SchemeSIENA, Code: "H2"} // not to be disseminated without the provider's permission
	H3    = HandlingCode{Scheme: SchemeSIENA, Code: "H3"} // other restrictions, in Text
	ORCON = HandlingCode{Scheme: SchemeUS, Code: "ORCON"} // originator controls further release
)

// Key returns "scheme:code", the form used in agreements' accepted lists.
func (h HandlingCode) Key() string { return h.Scheme + ":" + h.Code }

// Validate reports whether h is a known code.
func (h HandlingCode) Validate() error {
	switch h.Key() {
	case "siena:H0", "siena:H1", "siena:H2":
		return nil
	case "siena:H3":
		if strings.TrimSpace(h.Text) == "" {
			return Errorf(EInvalid, "SIENA H3 needs the text of its restriction")
		}
		return nil
	case "us:ORCON":
		return nil
	}
	return Errorf(EInvalid, "unknown handling code %s (known: siena:H0, siena:H1, siena:H2, siena:H3, us:ORCON)", h.Key())
}

// NeedsConsentOnward reports whether h makes onward release depend on the
// originator's consent.
func (h HandlingCode) NeedsConsentOnward() bool {
	k := h.Key()
	return k == H2.Key() || k == ORCON.Key()
}

// Grading schemes.
const (
	GradingAdmiralty = "admiralty" // source A..F, information 1..6
	GradingEuropol   = "europol"   // source A,B,C,X, information 1..4
	GradingUK3x5x2   = "uk-3x5x2"  // source 1..3, intelligence A..E, handling P or C
)

// Grading is the originator's assessment of a report, kept in the
// originator's scheme.
type Grading struct {
	Scheme      string `json:"scheme"`
	Source      string `json:"source"`
	Information string `json:"information"`
	Handling    string `json:"handling,omitempty"` // UK 3x5x2 only
}

// Validate reports whether g is a valid grading in its scheme.
func (g Grading) Validate() error {
	in := func(v string, set ...string) bool { return slices.Contains(set, v) }
	switch g.Scheme {
	case GradingAdmiralty:
		if !in(g.Source, "A", "B", "C", "D", "E", "F") || !in(g.Information, "1", "2", "3", "4", "5", "6") {
			return Errorf(EInvalid, "Admiralty grading %s%s: source must be A-F and information 1-6", g.Source, g.Information)
		}
	case GradingEuropol:
		if !in(g.Source, "A", "B", "C", "X") || !in(g.Information, "1", "2", "3", "4") {
			return Errorf(EInvalid, "Europol grading %s%s: source must be A, B, C or X and information 1-4", g.Source, g.Information)
		}
	case GradingUK3x5x2:
		if !in(g.Source, "1", "2", "3") || !in(g.Information, "A", "B", "C", "D", "E") || !in(g.Handling, "P", "C") {
			return Errorf(EInvalid, "UK 3x5x2 grading %s%s%s: source 1-3, intelligence A-E, handling P or C", g.Source, g.Information, g.Handling)
		}
	default:
		return Errorf(EInvalid, "unknown grading scheme %q (known: admiralty, europol, uk-3x5x2)", g.Scheme)
	}
	return nil
}

// String writes the grading as analysts write it: "B2", "1AP".
func (g Grading) String() string { return g.Source + g.Information + g.Handling }

// Onward rules: what a recipient may do with material it received.
const (
	OnwardNone    = "none"    // no onward release at all
	OnwardConsent = "consent" // onward release needs the originator's consent
	OnwardFree    = "free"    // onward release within the agreement's terms
)

// ValidOnward reports whether s is an onward rule.
func ValidOnward(s string) bool { return s == OnwardNone || s == OnwardConsent || s == OnwardFree }

// UseRestriction is enlace's own marking: the purposes a report may and may
// not serve, whether onward release needs consent, and whether it may be
// used in judicial proceedings. It travels in STIX as a marking-definition
// with enlace's property extension.
type UseRestriction struct {
	AllowedPurposes    []Purpose `json:"allowed_purposes,omitempty"` // empty: any the agreement allows
	ProhibitedPurposes []Purpose `json:"prohibited_purposes,omitempty"`
	Onward             string    `json:"onward,omitempty"` // OnwardNone, OnwardConsent, OnwardFree; empty: the agreement's rule
	NoJudicialUse      bool      `json:"no_judicial_use,omitempty"`
}

// Markings are everything that governs where a report may go.
type Markings struct {
	TLP            TLP            `json:"tlp"`
	Handling       []HandlingCode `json:"handling,omitempty"`
	UseRestriction UseRestriction `json:"use_restriction"`
	// Recipients names the agencies a TLP:RED or TLP:AMBER+STRICT report
	// is meant for. They still need an agreement that covers them.
	Recipients []string `json:"recipients,omitempty"`
}

// Validate reports whether m is well formed against the vocabulary v.
func (m Markings) Validate(v *Vocabulary) error {
	if !m.TLP.Valid() {
		return Errorf(EInvalid, "a TLP 2.0 level is required (clear, green, amber, amber+strict, red)")
	}
	seen := map[string]bool{}
	for _, h := range m.Handling {
		if err := h.Validate(); err != nil {
			return err
		}
		if seen[h.Key()] {
			return Errorf(EInvalid, "handling code %s listed twice", h.Key())
		}
		seen[h.Key()] = true
	}
	for _, p := range append(slices.Clone(m.UseRestriction.AllowedPurposes), m.UseRestriction.ProhibitedPurposes...) {
		if !v.Known(p) {
			return Errorf(EInvalid, "unknown purpose %q in use restriction", p)
		}
	}
	if o := m.UseRestriction.Onward; o != "" && !ValidOnward(o) {
		return Errorf(EInvalid, "unknown onward rule %q (known: none, consent, free)", o)
	}
	return nil
}

// HasHandling reports whether m carries the code h (scheme and code).
func (m Markings) HasHandling(h HandlingCode) bool {
	for _, x := range m.Handling {
		if x.Key() == h.Key() {
			return true
		}
	}
	return false
}
