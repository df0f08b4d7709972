package enlace

import (
	"regexp"
	"sort"
)

// Purpose names what intelligence is used for, from a controlled,
// hierarchical vocabulary: a purpose covers itself and every purpose below
// it, so an agreement that allows "interdiction" allows "seizure".
type Purpose string

// The purposes of the default vocabulary.
const (
	PurposeLawEnforcement  Purpose = "law-enforcement"
	PurposeInterdiction    Purpose = "interdiction"
	PurposeSeizure         Purpose = "seizure"
	PurposeInvestigation   Purpose = "investigation"
	PurposeProsecution     Purpose = "prosecution"
	PurposeMilitaryAction  Purpose = "military-action"
	PurposeLethalTargeting Purpose = "lethal-targeting"
)

// PurposeDef defines one purpose and its parent ("" for a root).
type PurposeDef struct {
	ID          Purpose `json:"id"`
	Parent      Purpose `json:"parent,omitempty"`
	Description string  `json:"description,omitempty"`
}

// DefaultPurposes is the vocabulary enlace starts with. Configuration may
// add purposes below or beside these.
var DefaultPurposes = []PurposeDef{
	{ID: PurposeLawEnforcement, Description: "preventing and combating crime"},
	{ID: PurposeInterdiction, Parent: PurposeLawEnforcement, Description: "stopping shipments and vessels in transit"},
	{ID: PurposeSeizure, Parent: PurposeInterdiction, Description: "seizing drugs, vessels and assets"},
	{ID: PurposeInvestigation, Parent: PurposeLawEnforcement, Description: "criminal investigation"},
	{ID: PurposeProsecution, Parent: PurposeLawEnforcement, Description: "use as evidence in judicial proceedings"},
	{ID: PurposeMilitaryAction, Description: "use by armed forces"},
	{ID: PurposeLethalTargeting, Parent: PurposeMilitaryAction, Description: "selecting targets for lethal force"},
}

// Vocabulary is a validated purpose hierarchy. It is immutable once built
// and safe for concurrent use.
type Vocabulary struct {
	defs   []PurposeDef
	parent map[Purpose]Purpose
}

var purposeRE = regexp.MustCompile(`^[a-z][a-z0-9-]{0,63}$`)

// NewVocabulary checks defs (unique ids, lower-case kebab names, known
// parents, no cycles) and returns the hierarchy.
func NewVocabulary(defs []PurposeDef) (*Vocabulary, error) {
	v := &Vocabulary{parent: make(map[Purpose]Purpose, len(defs))}
	for _, d := range defs {
		if !purposeRE.MatchString(string(d.ID)) {
			return nil, Errorf(EInvalid, "purpose %q must be lower-case letters, digits and '-'", d.ID)
		}
		if _, dup := v.parent[d.ID]; dup {
			return nil, Errorf(EInvalid, "purpose %q defined twice", d.ID)
		}
		v.parent[d.ID] = d.Parent
	}
	for _, d := range defs {
		if d.Parent != "" {
			if _, ok := v.parent[d.Parent]; !ok {
				return nil, Errorf(EInvalid, "purpose %q has unknown parent %q", d.ID, d.Parent)
			}
		}
		// Walk up: a cycle would revisit d.ID within len(defs) steps.
		p := d.Parent
		for i := 0; p != ""; i++ {
			if p == d.ID || i > len(defs) {
				return nil, Errorf(EInvalid, "purpose %q is its own ancestor", d.ID)
			}
			p = v.parent[p]
		}
	}
	v.defs = append([]PurposeDef(nil), defs...)
	sort.Slice(v.defs, func(i, j int) bool { return v.defs[i].ID < v.defs[j].ID })
	return v, nil
}

// MustVocabulary is NewVocabulary for vocabularies known to be valid.
func MustVocabulary(defs []PurposeDef) *Vocabulary {
	v, err := NewVocabulary(defs)
	if err != nil {
		panic(err)
	}
	return v
}

// Known reports whether p is in the vocabulary.
func (v *Vocabulary) Known(p Purpose) bool { _, ok := v.parent[p]; return ok }

// Parent returns p's parent, "" for a root or an unknown purpose.
func (v *Vocabulary) Parent(p Purpose) Purpose { return v.parent[p] }

// Covers reports whether a is b or an ancestor of b.
func (v *Vocabulary) Covers(a, b Purpose) bool {
	for p := b; p != ""; p = v.parent[p] {
		if p == a {
			return true
		}
	}
	return false
}

// CoveredByAny reports whether any purpose in set covers p.
func (v *Vocabulary) CoveredByAny(set []Purpose, p Purpose) bool {
	for _, a := range set {
		if v.Covers(a, p) {
			return true
		}
	}
	return false
}

// Ancestry returns p followed by its ancestors up to the root.
func (v *Vocabulary) Ancestry(p Purpose) []Purpose {
	var out []Purpose
	for q := p; q != ""; q = v.parent[q] {
		out = append(out, q)
	}
	return out
}

// Defs returns the definitions sorted by id.
func (v *Vocabulary) Defs() []PurposeDef { return append([]PurposeDef(nil), v.defs...) }

// Purposes returns every purpose id sorted.
func (v *Vocabulary) Purposes() []Purpose {
	out := make([]Purpose, len(v.defs))
	for i, d := range v.defs {
		out[i] = d.ID
	}
	return out
}

// Parse checks that s names a known purpose.
func (v *Vocabulary) Parse(s string) (Purpose, error) {
	p := Purpose(s)
	if s == "" {
		return "", Errorf(EInvalid, "a purpose is required")
	}
	if !v.Known(p) {
		return "", Errorf(EInvalid, "unknown purpose %q (known: %v)", s, v.Purposes())
	}
	return p, nil
}
