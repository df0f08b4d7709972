package enlace

import (
	"encoding/json"
	"regexp"
	"time"
)

// Report is what an agency shares: a titled, marked and graded set of STIX
// objects. Its ID is the id of the STIX report object enlace emits for it.
type Report struct {
	ID          string            `json:"id"` // "report--<uuid>"
	Seq         int64             `json:"-"`  // order of arrival, for paging
	Originator  string            `json:"originator"`
	Nation      string            `json:"nation"`
	Title       string            `json:"title"`
	Description string            `json:"description,omitempty"`
	Markings    Markings          `json:"markings"`
	Grading     Grading           `json:"grading"`
	DerivedFrom []string          `json:"derived_from,omitempty"` // report ids
	Objects     []json.RawMessage `json:"objects,omitempty"`      // STIX objects the report refers to
	Synthetic   bool              `json:"synthetic,omitempty"`    // demo and test data
	CreatedBy   string            `json:"created_by"`
	Published   time.Time         `json:"published"`
	CreatedAt   time.Time         `json:"created_at"`
}

var stixIDRE = regexp.MustCompile(`^[a-z][a-z0-9-]+[a-z0-9]--[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// ValidSTIXID reports whether id has the form "type--uuid" with an RFC 4122
// UUID, as STIX 2.1 requires.
func ValidSTIXID(id string) bool { return stixIDRE.MatchString(id) }

// STIXType returns the type part of a STIX id ("report" for "report--...").
func STIXType(id string) string {
	for i := 0; i+1 < len(id); i++ {
		if id[i] == '-' && id[i+1] == '-' {
			return id[:i]
		}
	}
	return ""
}

// Validate reports whether r is well formed against v. Each object must be
// a JSON object with a valid STIX id; the STIX package checks the rest.
func (r Report) Validate(v *Vocabulary) error {
	if !ValidSTIXID(r.ID) || STIXType(r.ID) != "report" {
		return Errorf(EInvalid, "report id %q must be report--<uuid>", r.ID)
	}
	if r.Originator == "" {
		return Errorf(EInvalid, "report needs an originator agency")
	}
	if r.Title == "" {
		return Errorf(EInvalid, "report needs a title")
	}
	if err := r.Markings.Validate(v); err != nil {
		return err
	}
	if err := r.Grading.Validate(); err != nil {
		return err
	}
	for _, d := range r.DerivedFrom {
		if !ValidSTIXID(d) || STIXType(d) != "report" {
			return Errorf(EInvalid, "derived_from %q must be a report id", d)
		}
		if d == r.ID {
			return Errorf(EInvalid, "a report cannot derive from itself")
		}
	}
	seen := map[string]bool{}
	for i, o := range r.Objects {
		var head struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		}
		if err := json.Unmarshal(o, &head); err != nil {
			return Errorf(EInvalid, "object %d is not a JSON object", i)
		}
		if !ValidSTIXID(head.ID) || STIXType(head.ID) != head.Type {
			return Errorf(EInvalid, "object %d: id %q must be %s--<uuid>", i, head.ID, head.Type)
		}
		if seen[head.ID] {
			return Errorf(EInvalid, "object %s appears twice", head.ID)
		}
		seen[head.ID] = true
	}
	return nil
}

// ReportFilter selects reports. Zero fields select everything.
type ReportFilter struct {
	Originator string
	Nation     string
	AfterSeq   int64 // only reports that arrived after this one
	Limit      int   // 0: the store's default
}
