package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/enlace-exchange/enlace"
)

// The TLP 1.0 marking-definitions of STIX 2.1 (section 7.2.1.4), mapped to
// the TLP 2.0 levels that replace them: WHITE became CLEAR.
var tlp1 = map[string]enlace.TLP{
	"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": enlace.TLPClear,
	"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": enlace.TLPGreen,
	"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": enlace.TLPAmber,
	"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": enlace.TLPRed,
}

var tlp1Levels = map[string]enlace.TLP{"white": enlace.TLPClear, "green": enlace.TLPGreen, "amber": enlace.TLPAmber, "red": enlace.TLPRed}

// markingDef is what a marking-definition says, read once by Parse.
type markingDef struct {
	tlp       enlace.TLP // 0 when the definition is not a TLP level
	ext       *enlaceExt // enlace's use-restriction extension, if present
	statement bool       // a statement (copyright, terms of use)
}

// enlaceExt is the body of enlace's use-restriction property extension.
type enlaceExt struct {
	ExtensionType  string                 `json:"extension_type"`
	Handling       []enlace.HandlingCode  `json:"handling,omitempty"`
	UseRestriction *enlace.UseRestriction `json:"use_restriction,omitempty"`
	Recipients     []string               `json:"recipients,omitempty"`
}

func checkMarking(p *parser) error {
	md := &markingDef{}
	dt, def, ext := p.get("definition_type"), p.get("definition"), p.get("extensions")
	switch {
	case ext == nil && dt == nil:
		return p.fail("definition_type", "is required unless the marking-definition is defined by an extension")
	case dt != nil && def == nil:
		return p.fail("definition", "is required with definition_type")
	case dt == nil && def != nil:
		return p.fail("definition_type", "is required with definition")
	}
	if dt != nil {
		fs := fields(def.val)
		get := func(name string) *member {
			for i := range fs {
				if string(fs[i].name) == name {
					return &fs[i]
				}
			}
			return nil
		}
		switch string(strBody(dt.val)) {
		case "statement":
			s := get("statement")
			if s == nil || s.kind != '"' {
				return p.fail("definition", "of a statement marking needs the string property statement")
			}
			md.statement = true
		case "tlp":
			t := get("tlp")
			if t == nil || t.kind != '"' {
				return p.fail("definition", "of a TLP 1.0 marking needs tlp: \"white\", \"green\", \"amber\" or \"red\"")
			}
			level, ok := tlp1Levels[string(strBody(t.val))]
			if !ok {
				return p.fail("definition", "has tlp %s; TLP 1.0 levels are \"white\", \"green\", \"amber\" and \"red\"", t.val)
			}
			if tlp1[p.obj.ID] != level {
				return p.fail("id", "of a TLP 1.0 %s marking must be its well-known id", strBody(t.val))
			}
			if err := p.exactTLP1(strBody(t.val)); err != nil {
				return err
			}
			md.tlp = level
		}
	}
	if ext != nil {
		for _, f := range fields(ext.val) {
			switch string(f.name) {
			case enlace.TLP2ExtensionID:
				if err := p.tlp2(md, f.val); err != nil {
					return err
				}
			case ExtensionID:
				e, err := parseEnlaceExt(f.val)
				if err != nil {
					return p.fail("extensions", "has an invalid enlace use-restriction extension: %v", err)
				}
				md.ext = e
			}
		}
	}
	if t, ok := enlace.TLPFromMarkingID(p.obj.ID); ok {
		if md.tlp != 0 && md.tlp != t {
			return p.fail("extensions", "says TLP:%s, but the id is the well-known id of TLP:%s", md.tlp, t)
		}
		md.tlp = t
	}
	p.obj.marking = md
	return nil
}

// tlp1Created is the created time of the TLP 1.0 marking-definitions.
var tlp1Created = time.Date(2017, 1, 20, 0, 0, 0, 0, time.UTC)

// exactTLP1 holds a TLP 1.0 marking-definition to the exact object STIX
// 2.1 defines (section 7.2.1.4): its name, its created time, and no other
// property.
func (p *parser) exactTLP1(level []byte) error {
	if name, _ := p.stringProp("name"); string(name) != "TLP:"+strings.ToUpper(string(level)) {
		return p.fail("name", "of the TLP 1.0 %s marking must be \"TLP:%s\"", level, strings.ToUpper(string(level)))
	}
	if !p.obj.Created.Equal(tlp1Created) {
		return p.fail("created", "of a TLP 1.0 marking must be \"2017-01-20T00:00:00.000Z\"")
	}
	for _, m := range p.ms {
		switch string(m.name) {
		case "type", "spec_version", "id", "created", "name", "definition_type", "definition":
		default:
			return p.fail(string(m.name), "must not be present: a TLP 1.0 marking-definition is a fixed object")
		}
	}
	return nil
}

func (p *parser) tlp2(md *markingDef, v []byte) error {
	for _, f := range fields(v) {
		if string(f.name) != "tlp_2_0" {
			continue
		}
		if f.kind != '"' {
			break
		}
		t, err := enlace.ParseTLP(string(strBody(f.val)))
		if err != nil || bytes.HasPrefix(bytes.ToLower(strBody(f.val)), []byte("tlp:")) {
			break
		}
		md.tlp = t
		return nil
	}
	return p.fail("extensions", "has a TLP 2.0 extension without tlp_2_0: \"clear\", \"green\", \"amber\", \"amber+strict\" or \"red\"")
}

// parseEnlaceExt reads and checks the body of enlace's extension. Purposes
// are checked for form only: the vocabulary is the caller's
// (enlace.Markings.Validate).
func parseEnlaceExt(v []byte) (*enlaceExt, error) {
	// encoding/json reads null and "" as the zero value and {} as an
	// empty restriction; the schema allows none of them, so look at the
	// text first.
	if hasZero(v) {
		return nil, errors.New("no value may be null or an empty string")
	}
	for name, val := range objectFields(v) {
		if string(name) == "use_restriction" && kindOf(val) == '{' && isEmpty(val) {
			return nil, errors.New("use_restriction must not be empty")
		}
	}
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.DisallowUnknownFields()
	var e enlaceExt
	if err := dec.Decode(&e); err != nil {
		return nil, errors.New(jsonProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data")
	}
	if e.ExtensionType != "property-extension" {
		return nil, errors.New(`extension_type must be "property-extension"`)
	}
	if err := checkEnlaceExt(&e); err != nil {
		return nil, err
	}
	return &e, nil
}

// hasZero reports whether the checked JSON value v holds a null or an
// empty string anywhere.
func hasZero(v []byte) bool {
	switch kindOf(v) {
	case 'n':
		return true
	case '"':
		return len(v) == 2
	case '{':
		for _, val := range objectFields(v) {
			if hasZero(val) {
				return true
			}
		}
	case '[':
		found := false
		_ = elems(v, func(e []byte, _ byte) error {
			found = found || hasZero(e)
			return nil
		})
		return found
	}
	return false
}

// jsonProblem words a decoding error for a partner, without Go type names.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "property " + te.Field + " has the wrong type"
	}
	return err.Error()
}

func checkEnlaceExt(e *enlaceExt) error {
	seen := map[string]bool{}
	if e.Handling != nil && len(e.Handling) == 0 {
		return errors.New("handling must not be an empty list")
	}
	for _, h := range e.Handling {
		if err := h.Validate(); err != nil {
			return errors.New(enlace.ErrorMessage(err))
		}
		if seen[h.Key()] {
			return errors.New("handling code " + h.Key() + " is listed twice")
		}
		seen[h.Key()] = true
	}
	if r := e.UseRestriction; r != nil {
		if r.AllowedPurposes != nil && len(r.AllowedPurposes) == 0 || r.ProhibitedPurposes != nil && len(r.ProhibitedPurposes) == 0 {
			return errors.New("use_restriction purposes must not be empty lists")
		}
		for _, list := range [][]enlace.Purpose{r.AllowedPurposes, r.ProhibitedPurposes} {
			for i, p := range list {
				if !validPurpose(string(p)) {
					return errors.New("purpose " + string(p) + " must be lower-case letters, digits and '-'")
				}
				if slices.Contains(list[:i], p) {
					return errors.New("purpose " + string(p) + " is listed twice")
				}
			}
		}
		if r.Onward != "" && !enlace.ValidOnward(r.Onward) {
			return errors.New(`onward must be "none", "consent" or "free"`)
		}
	}
	if e.Recipients != nil && len(e.Recipients) == 0 {
		return errors.New("recipients must not be an empty list")
	}
	for i, r := range e.Recipients {
		if r == "" {
			return errors.New("recipients must not hold an empty name")
		}
		if slices.Contains(e.Recipients[:i], r) {
			return errors.New("recipient " + r + " is listed twice")
		}
	}
	return nil
}

// validPurpose holds the form of enlace.Purpose: ^[a-z][a-z0-9-]{0,63}$.
func validPurpose(s string) bool {
	if len(s) < 1 || len(s) > 64 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || isDigit(c) || c == '-') {
			return false
		}
	}
	return true
}

// MarkingsOf resolves the object_marking_refs of o into enlace Markings.
// The well-known TLP 2.0 and TLP 1.0 marking-definitions need no lookup
// (TLP 1.0 WHITE reads as TLP:CLEAR); any other id is looked up, and
// lookup may be nil when only well-known markings are expected. When o
// carries several TLP levels the most restrictive wins. Statement markings
// (copyright, terms of use) add nothing. Granular markings, which mark
// parts of an object, are not considered.
//
// It returns EInvalid when a marking-definition is unknown, when o carries
// two enlace use-restriction markings, or when it carries no TLP level at
// all: enlace never guesses a level.
func MarkingsOf(o Object, lookup func(id string) (Object, bool)) (enlace.Markings, error) {
	var m enlace.Markings
	var ext *enlaceExt
	for _, id := range o.ObjectMarkingRefs {
		if t, ok := enlace.TLPFromMarkingID(id); ok {
			m.TLP = max(m.TLP, t)
			continue
		}
		if t, ok := tlp1[id]; ok {
			m.TLP = max(m.TLP, t)
			continue
		}
		var def Object
		ok := false
		if lookup != nil {
			def, ok = lookup(id)
		}
		if !ok {
			return enlace.Markings{}, enlace.Errorf(enlace.EInvalid, "object %s: property \"object_marking_refs\" holds %s, a marking-definition enlace does not know: send it before the objects it marks", o.ID, id)
		}
		if def.marking == nil || def.ID != id {
			return enlace.Markings{}, enlace.Errorf(enlace.EInvalid, "object %s: property \"object_marking_refs\" holds %s, which did not resolve to that marking-definition", o.ID, id)
		}
		m.TLP = max(m.TLP, def.marking.tlp)
		if def.marking.ext != nil {
			if ext != nil {
				return enlace.Markings{}, enlace.Errorf(enlace.EInvalid, "object %s: property \"object_marking_refs\" holds two enlace use-restriction markings; combine them into one", o.ID)
			}
			ext = def.marking.ext
		}
	}
	if m.TLP == 0 {
		return enlace.Markings{}, enlace.Errorf(enlace.EInvalid, "object %s: property \"object_marking_refs\" holds no TLP marking; mark the object with a TLP 2.0 marking-definition", o.ID)
	}
	if ext != nil {
		m.Handling = slices.Clone(ext.Handling)
		if ext.UseRestriction != nil {
			m.UseRestriction = *ext.UseRestriction
			m.UseRestriction.AllowedPurposes = slices.Clone(m.UseRestriction.AllowedPurposes)
			m.UseRestriction.ProhibitedPurposes = slices.Clone(m.UseRestriction.ProhibitedPurposes)
		}
		m.Recipients = slices.Clone(ext.Recipients)
	}
	return m, nil
}
