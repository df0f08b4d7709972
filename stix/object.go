package stix

import (
	"fmt"
	"time"

	"github.com/enlace-exchange/enlace"
)

// Category is the kind of STIX object a type belongs to.
type Category uint8

// The categories of STIX 2.1 objects. An object whose type an
// extension-definition introduces (extension_type new-sdo, new-sro or
// new-sco) is an SDO, SRO or SCO.
const (
	SDO    Category = iota + 1 // STIX Domain Object
	SRO                        // STIX Relationship Object
	SCO                        // STIX Cyber-observable Object
	Meta                       // marking-definition, language-content, extension-definition
	Custom                     // a custom object type ("x-...") not defined by an extension
)

// String returns the category's name, such as "SDO".
func (c Category) String() string {
	switch c {
	case SDO:
		return "SDO"
	case SRO:
		return "SRO"
	case SCO:
		return "SCO"
	case Meta:
		return "meta object"
	case Custom:
		return "custom object"
	}
	return fmt.Sprintf("Category(%d)", int(c))
}

// Object is the head of a validated STIX 2.1 object: the properties enlace
// indexes, versions and marks by. The rest stays in the raw JSON the caller
// holds.
type Object struct {
	ID          string
	Type        string
	Category    Category
	SpecVersion string // "2.1", or "" on an SCO that leaves it out
	// Created and Modified are zero where the object has none (SCOs; the
	// modified of a marking-definition). They keep the full precision of
	// the text, up to nanoseconds.
	Created, Modified time.Time
	CreatedByRef      string
	Revoked           bool
	ObjectMarkingRefs []string

	// marking is set on marking-definitions only.
	marking *markingDef
}

// Version returns the time that identifies this version of the object: its
// modified time, else its created time (marking-definitions have only
// that), else the zero time (SCOs have neither).
func (o Object) Version() time.Time {
	if !o.Modified.IsZero() {
		return o.Modified
	}
	return o.Created
}

// Parse validates one STIX 2.1 object given as raw JSON and returns its
// head. Every error is an *enlace.Error with code enlace.EInvalid whose
// message names the object and the offending property.
//
// Parse does not keep raw: the returned Object shares no memory with it.
func Parse(raw []byte) (Object, error) {
	p := parserPool.Get().(*parser)
	defer p.release()
	ms, err := members(raw, p.ms[:0])
	if err != nil {
		if se, ok := err.(*syntaxError); ok && se.prop != "" {
			return Object{}, enlace.Errorf(enlace.EInvalid, "object: property %q is malformed: %v", se.prop, err)
		}
		return Object{}, enlace.Errorf(enlace.EInvalid, "object is not valid JSON: %v", err)
	}
	p.ms, p.budget = ms, selectorBudget*len(raw)+1<<20
	if err := p.parse(); err != nil {
		return Object{}, err
	}
	return p.obj, nil
}
