package stix

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/enlace-exchange/enlace"
)

// parserPool recycles parsers and their member buffers: nothing of a
// parser outlives Parse, and ATT&CK objects have about twenty members.
var parserPool = sync.Pool{New: func() any { return &parser{ms: make([]member, 0, 48)} }}

// parser validates one object's members and fills in its head.
type parser struct {
	ms     []member
	obj    Object
	spec   *typeSpec
	budget int // left for following granular marking selectors
}

// release returns p to the pool, keeping no reference to the input.
func (p *parser) release() {
	if cap(p.ms) > 1024 {
		return
	}
	clear(p.ms)
	*p = parser{ms: p.ms[:0]}
	parserPool.Put(p)
}

// fail returns the EInvalid error for property prop of the object.
func (p *parser) fail(prop string, format string, args ...any) error {
	name := strings.Clone(prop) // so callers' names can stay on the stack
	return enlace.Errorf(enlace.EInvalid, "%s: property %q %s", p.label(), name, fmt.Sprintf(format, args...))
}

func (p *parser) label() string {
	switch {
	case p.obj.ID != "":
		return "object " + p.obj.ID
	case p.obj.Type != "":
		return fmt.Sprintf("object of type %q", p.obj.Type)
	}
	return "object"
}

// get returns the member named name, or nil.
func (p *parser) get(name string) *member {
	for i := range p.ms {
		if string(p.ms[i].name) == name {
			return &p.ms[i]
		}
	}
	return nil
}

func (p *parser) has(name string) bool { return p.get(name) != nil }

// time returns the already checked timestamp property name, or zero.
func (p *parser) time(name string) time.Time {
	m := p.get(name)
	if m == nil {
		return time.Time{}
	}
	t, _, _ := parseTimestamp(strBody(m.val))
	return t
}

// reservedProps are reserved by STIX 2.1 for future use on every object.
var reservedProps = map[string]bool{"severity": true, "action": true, "username": true, "phone_numbers": true}

func (p *parser) parse() error {
	if err := p.checkDuplicates(); err != nil {
		return err
	}
	if err := p.parseType(); err != nil {
		return err
	}
	if err := p.parseID(); err != nil {
		return err
	}
	cat := p.spec.cat
	for i := range p.ms {
		m := &p.ms[i]
		name := string(m.name)
		if name == "type" || name == "id" {
			continue
		}
		if m.kind == 'n' {
			return p.fail(name, "must not be null: leave the property out instead")
		}
		if reservedProps[name] {
			return p.fail(name, "is reserved by STIX 2.1 and must not be used")
		}
		if m.kind == '[' && isEmpty(m.val) {
			return p.fail(name, "must not be an empty list: leave the property out instead")
		}
		if handled, err := p.common(name, m, cat); handled || err != nil {
			if err != nil {
				return err
			}
			continue
		}
		if pr, ok := p.spec.props[name]; ok {
			if err := p.check(name, m, pr); err != nil {
				return err
			}
			continue
		}
		if err := p.custom(name, m); err != nil {
			return err
		}
	}
	if err := p.required(); err != nil {
		return err
	}
	if p.spec.check != nil {
		return p.spec.check(p)
	}
	return nil
}

func (p *parser) checkDuplicates() error {
	ms := p.ms
	if len(ms) <= 32 {
		for i := 1; i < len(ms); i++ {
			for j := 0; j < i; j++ {
				if bytes.Equal(ms[i].name, ms[j].name) {
					return enlace.Errorf(enlace.EInvalid, "object: property %q appears more than once", ms[i].name)
				}
			}
		}
		return nil
	}
	seen := make(map[string]bool, len(ms))
	for _, m := range ms {
		if seen[string(m.name)] {
			return enlace.Errorf(enlace.EInvalid, "object: property %q appears more than once", m.name)
		}
		seen[string(m.name)] = true
	}
	return nil
}

func (p *parser) parseType() error {
	m := p.get("type")
	if m == nil {
		return p.fail("type", "is required")
	}
	if m.kind != '"' {
		return p.fail("type", "must be a string")
	}
	typ := strBody(m.val)
	if spec, ok := types[string(typ)]; ok {
		p.obj.Type = spec.name
		p.spec = spec
		p.obj.Category = spec.cat
		return nil
	}
	p.obj.Type = string(typ)
	switch {
	case !validTypeName(p.obj.Type):
		return p.fail("type", "must be a STIX type name: 3 to 250 characters of a-z, 0-9 and '-', starting with a letter, without '--' or a trailing '-'")
	case p.obj.Type == "bundle":
		return p.fail("type", "is \"bundle\": a bundle is an envelope, not an object; send the objects it holds")
	case p.obj.Type == "action":
		return p.fail("type", "is \"action\", a type name STIX 2.1 reserves")
	}
	if spec := p.newTypeSpec(); spec != nil {
		p.spec = spec
		p.obj.Category = spec.cat
		return nil
	}
	if strings.HasPrefix(p.obj.Type, "x-") {
		p.spec = customSpec
		p.obj.Category = Custom
		return nil
	}
	return p.fail("type", "is %q, which is not a STIX 2.1 object type; a custom object type must start with \"x-\" or be defined by an extension (an extensions entry with extension_type \"new-sdo\", \"new-sro\" or \"new-sco\")", p.obj.Type)
}

// newTypeSpec returns the rules for an object whose type an
// extension-definition introduces: its extensions hold an entry whose
// extension_type is new-sdo, new-sro or new-sco.
func (p *parser) newTypeSpec() *typeSpec {
	m := p.get("extensions")
	if m == nil || m.kind != '{' {
		return nil
	}
	for _, f := range fields(m.val) {
		if f.kind != '{' || !bytes.HasPrefix(f.name, []byte("extension-definition--")) {
			continue
		}
		for _, x := range fields(f.val) {
			if string(x.name) != "extension_type" || x.kind != '"' {
				continue
			}
			switch string(strBody(x.val)) {
			case "new-sdo":
				return newSDOSpec
			case "new-sro":
				return newSROSpec
			case "new-sco":
				return newSCOSpec
			}
		}
	}
	return nil
}

func (p *parser) parseID() error {
	m := p.get("id")
	if m == nil {
		return p.fail("id", "is required")
	}
	if m.kind != '"' {
		return p.fail("id", "must be a string")
	}
	id := strBody(m.val)
	typ, ok := splitID(id)
	if !ok {
		return p.fail("id", "is %q, which is not a STIX identifier %s--<RFC 4122 UUID>", id, p.obj.Type)
	}
	if string(typ) != p.obj.Type {
		return p.fail("id", "is %q: an identifier must start with its object's type %q", id, p.obj.Type)
	}
	p.obj.ID = string(id)
	return nil
}

// sdoLike reports whether objects of category c carry the full set of
// common properties (created, modified, labels, ...).
func sdoLike(c Category) bool { return c == SDO || c == SRO || c == Custom }

// common checks the common properties that apply to the object's kind.
// It reports false for a property that is not one of them.
func (p *parser) common(name string, m *member, cat Category) (bool, error) {
	isMarking := p.spec == markingSpec
	full := sdoLike(cat) || (cat == Meta && !isMarking)
	switch name {
	case "spec_version":
		if m.kind != '"' || string(strBody(m.val)) != "2.1" {
			return true, p.fail(name, "must be \"2.1\": enlace accepts STIX 2.1 objects only")
		}
		p.obj.SpecVersion = "2.1"
	case "object_marking_refs":
		refs, err := p.refList(name, m, "marking-definition")
		p.obj.ObjectMarkingRefs = refs
		return true, err
	case "granular_markings":
		return true, p.granular(name, m)
	case "extensions":
		return true, p.extensions(name, m)
	case "created":
		if !full && !isMarking {
			return false, nil
		}
		t, err := p.timestamp(name, m, !isMarking)
		p.obj.Created = t
		return true, err
	case "created_by_ref":
		if !full && !isMarking {
			return false, nil
		}
		s, err := p.ref(name, m, "identity")
		p.obj.CreatedByRef = s
		return true, err
	case "external_references":
		if !full && !isMarking {
			return false, nil
		}
		return true, p.externalRefs(name, m)
	case "modified":
		if !full {
			return false, nil
		}
		t, err := p.timestamp(name, m, true)
		p.obj.Modified = t
		return true, err
	case "revoked":
		if !full {
			return false, nil
		}
		if m.kind != 't' && m.kind != 'f' {
			return true, p.fail(name, "must be true or false")
		}
		p.obj.Revoked = m.kind == 't'
	case "labels":
		if !full {
			return false, nil
		}
		return true, p.check(name, m, strs)
	case "confidence":
		if !full {
			return false, nil
		}
		return true, p.check(name, m, integer(0, 100))
	case "lang":
		if !full {
			return false, nil
		}
		if m.kind != '"' || !validLangTag(strBody(m.val)) {
			return true, p.fail(name, "must be an RFC 5646 language tag such as \"en\" or \"pt-BR\"")
		}
	case "defanged":
		if cat != SCO {
			return false, nil
		}
		return true, p.check(name, m, boolean)
	default:
		return false, nil
	}
	return true, nil
}

// required checks the properties the object's kind and type require.
func (p *parser) required() error {
	var need []string
	switch {
	case p.spec == markingSpec:
		need = []string{"spec_version", "created"}
	case p.spec.cat != SCO:
		need = []string{"spec_version", "created", "modified"}
	}
	for _, list := range [][]string{need, p.spec.required} {
		for _, name := range list {
			if !p.has(name) {
				return p.fail(name, "is required")
			}
		}
	}
	if !p.obj.Created.IsZero() && !p.obj.Modified.IsZero() && p.obj.Modified.Before(p.obj.Created) {
		return p.fail("modified", "must not be earlier than created")
	}
	return nil
}

// custom checks a property STIX does not define for the object's type.
func (p *parser) custom(name string, m *member) error {
	if !validPropertyName(name) {
		return p.fail(name, "is not a valid custom property name: use 3 to 250 characters of a-z, 0-9 and '_', starting with a letter (by convention \"x_<source>_<name>\")")
	}
	switch {
	case strings.HasSuffix(name, "_hex"):
		return p.check(name, m, hexStr)
	case strings.HasSuffix(name, "_bin"):
		return p.check(name, m, binary)
	}
	return nil
}

func (p *parser) timestamp(name string, m *member, millis bool) (time.Time, error) {
	if m.kind != '"' {
		return time.Time{}, p.fail(name, "must be a timestamp string such as \"2024-01-31T12:00:00.000Z\"")
	}
	t, frac, ok := parseTimestamp(strBody(m.val))
	if !ok {
		return time.Time{}, p.fail(name, "is %s, which is not a STIX timestamp: RFC 3339 in UTC ending in \"Z\", such as \"2024-01-31T12:00:00.000Z\", at most nanosecond precision", m.val)
	}
	if millis && frac < 3 {
		return time.Time{}, p.fail(name, "is %s: it must be precise to at least the millisecond, such as \"2024-01-31T12:00:00.000Z\"", m.val)
	}
	return t, nil
}

// ref checks an identifier, whose type must be one of types when given.
func (p *parser) ref(name string, m *member, types ...string) (string, error) {
	if m.kind != '"' {
		return "", p.fail(name, "must be a STIX identifier string")
	}
	id := strBody(m.val)
	if err := p.refOK(name, id, types); err != nil {
		return "", err
	}
	return string(id), nil
}

func (p *parser) refOK(name string, id []byte, types []string) error {
	typ, ok := splitID(id)
	if !ok {
		return p.fail(name, "holds %q, which is not a STIX identifier <type>--<RFC 4122 UUID>", id)
	}
	if len(types) == 0 {
		return nil
	}
	if types[0] == "!" { // a deny list
		for _, t := range types[1:] {
			if string(typ) == t {
				return p.fail(name, "must not refer to a %s object, but holds %q", t, id)
			}
		}
		return nil
	}
	for _, t := range types {
		if string(typ) == t {
			return nil
		}
	}
	return p.fail(name, "must refer to %s objects, but holds %q", strings.Join(types, " or "), id)
}

func (p *parser) refList(name string, m *member, types ...string) ([]string, error) {
	if m.kind != '[' {
		return nil, p.fail(name, "must be a list of STIX identifiers")
	}
	out := make([]string, 0, 4)
	err := elems(m.val, func(e []byte, kind byte) error {
		if kind != '"' {
			return p.fail(name, "must be a list of STIX identifier strings")
		}
		id := strBody(e)
		if err := p.refOK(name, id, types); err != nil {
			return err
		}
		out = append(out, string(id))
		return nil
	})
	return out, err
}
