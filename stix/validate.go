package stix

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
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
	ms   []member
	obj  Object
	spec *typeSpec
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
		return true, p.check(name, m, str)
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

// checkKind names what a property holds.
type checkKind uint8

const (
	cString checkKind = iota + 1
	cStrings
	cTime
	cBool
	cInt
	cNum
	cRef
	cRefs
	cDict
	cHashes
	cKillChain
	cObject
	cObjects
	cHex
	cBin
	cEnum
	cEnums
	cHeaders   // a dictionary of header name to list of strings
	cHeaderMap // a dictionary of header name to a string or a list of two or more
	cExif      // a dictionary of EXIF tag name to a string or an integer
	cStrDict   // a dictionary of strings
	cStreams   // NTFS alternate data streams
)

// prop describes a defined property.
type prop struct {
	c        checkKind
	types    []string // cRef, cRefs: allowed (or, after "!", denied) types
	min, max float64  // cInt, cNum
	enum     []string // cEnum, cEnums
}

var (
	str       = prop{c: cString}
	strs      = prop{c: cStrings}
	ts        = prop{c: cTime}
	boolean   = prop{c: cBool}
	dict      = prop{c: cDict}
	hashes    = prop{c: cHashes}
	killChain = prop{c: cKillChain}
	object    = prop{c: cObject}
	objects   = prop{c: cObjects}
	hexStr    = prop{c: cHex}
	binary    = prop{c: cBin}
	headers   = prop{c: cHeaders}
	headerMap = prop{c: cHeaderMap}
	exif      = prop{c: cExif}
	strDict   = prop{c: cStrDict}
	streams   = prop{c: cStreams}
)

func ref(types ...string) prop       { return prop{c: cRef, types: types} }
func refs(types ...string) prop      { return prop{c: cRefs, types: types} }
func integer(lo, hi float64) prop    { return prop{c: cInt, min: lo, max: hi} }
func number(lo, hi float64) prop     { return prop{c: cNum, min: lo, max: hi} }
func enum(vals ...string) prop       { return prop{c: cEnum, enum: vals} }
func enums(vals ...string) prop      { return prop{c: cEnums, enum: vals} }
func inRange(v, lo, hi float64) bool { return v >= lo && v <= hi }
func quoteAll(vals []string) string  { return `"` + strings.Join(vals, `", "`) + `"` }
func contains(vals []string, s []byte) bool {
	for _, v := range vals {
		if v == string(s) {
			return true
		}
	}
	return false
}

// integral reports whether the JSON number v is an integer.
func integral(v []byte) bool {
	f, err := strconv.ParseFloat(string(v), 64)
	return err == nil && f == math.Trunc(f)
}

// check checks member m against the definition pr.
func (p *parser) check(name string, m *member, pr prop) error {
	switch pr.c {
	case cString:
		if m.kind != '"' {
			return p.fail(name, "must be a string")
		}
	case cStrings:
		if m.kind != '[' {
			return p.fail(name, "must be a list of strings")
		}
		return elems(m.val, func(_ []byte, kind byte) error {
			if kind != '"' {
				return p.fail(name, "must be a list of strings")
			}
			return nil
		})
	case cTime:
		_, err := p.timestamp(name, m, false)
		return err
	case cBool:
		if m.kind != 't' && m.kind != 'f' {
			return p.fail(name, "must be true or false")
		}
	case cInt, cNum:
		what := "a number"
		if pr.c == cInt {
			what = "an integer"
		}
		if m.kind != '0' {
			return p.fail(name, "must be %s", what)
		}
		v, err := strconv.ParseFloat(string(m.val), 64)
		if err != nil || (pr.c == cInt && v != math.Trunc(v)) {
			return p.fail(name, "must be %s, not %s", what, m.val)
		}
		if !inRange(v, pr.min, pr.max) {
			if pr.max == math.Inf(1) {
				return p.fail(name, "must be at least %v, not %s", pr.min, m.val)
			}
			return p.fail(name, "must be between %v and %v, not %s", pr.min, pr.max, m.val)
		}
	case cRef:
		_, err := p.ref(name, m, pr.types...)
		return err
	case cRefs:
		_, err := p.refList(name, m, pr.types...)
		return err
	case cDict:
		return p.dict(name, m)
	case cStrDict:
		if err := p.dict(name, m); err != nil {
			return err
		}
		for key, val := range objectFields(m.val) {
			if kindOf(val) != '"' {
				return p.fail(name, "has key %q whose value is not a string", key)
			}
		}
	case cStreams:
		if m.kind != '[' {
			return p.fail(name, "must be a list of alternate data streams")
		}
		i := 0
		return elems(m.val, func(e []byte, kind byte) error {
			i++
			if kind != '{' {
				return p.fail(name, "entry %d must be an object", i)
			}
			named := false
			for key, val := range objectFields(e) {
				switch string(key) {
				case "name":
					if kindOf(val) != '"' {
						return p.fail(name, "entry %d: name must be a string", i)
					}
					named = true
				case "size":
					if kindOf(val) != '0' || !integral(val) || val[0] == '-' {
						return p.fail(name, "entry %d: size must be a non-negative integer", i)
					}
				case "hashes":
					if err := p.hashes(name, val, kindOf(val)); err != nil {
						return err
					}
				}
			}
			if !named {
				return p.fail(name, "entry %d needs a name", i)
			}
			return nil
		})
	case cExif:
		if err := p.dict(name, m); err != nil {
			return err
		}
		for key, val := range objectFields(m.val) {
			if key[0] < 'A' || key[0] > 'Z' || len(key) < 2 {
				return p.fail(name, "has key %q, which is not an EXIF tag name such as \"Make\"", key)
			}
			if k := kindOf(val); k != '"' && !(k == '0' && integral(val)) {
				return p.fail(name, "has EXIF tag %q whose value is neither a string nor an integer", key)
			}
		}
	case cHeaders, cHeaderMap:
		if err := p.dict(name, m); err != nil {
			return err
		}
		for key, val := range objectFields(m.val) {
			k, n := kindOf(val), 0
			if k == '[' {
				err := elems(val, func(_ []byte, kind byte) error {
					n++
					if kind != '"' {
						return p.fail(name, "has header %q whose list holds a value that is not a string", key)
					}
					return nil
				})
				if err != nil {
					return err
				}
			}
			switch {
			case pr.c == cHeaders && k != '[':
				return p.fail(name, "has header %q whose value is not a list of strings", key)
			case pr.c == cHeaderMap && k != '"' && !(k == '[' && n >= 2):
				return p.fail(name, "has header %q whose value is neither a string nor a list of two or more strings", key)
			}
		}
	case cHashes:
		return p.hashes(name, m.val, m.kind)
	case cKillChain:
		return p.killChain(name, m)
	case cObject:
		if m.kind != '{' {
			return p.fail(name, "must be an object")
		}
	case cObjects:
		if m.kind != '[' {
			return p.fail(name, "must be a list of objects")
		}
		return elems(m.val, func(_ []byte, kind byte) error {
			if kind != '{' {
				return p.fail(name, "must be a list of objects")
			}
			return nil
		})
	case cHex:
		if m.kind != '"' || !isHexString(strBody(m.val)) {
			return p.fail(name, "must be a string of hexadecimal octets (its name ends in \"_hex\")")
		}
	case cBin:
		if m.kind != '"' || !isBase64(strBody(m.val)) {
			return p.fail(name, "must be a base64 string (its name ends in \"_bin\")")
		}
	case cEnum:
		if m.kind != '"' || !contains(pr.enum, strBody(m.val)) {
			return p.fail(name, "must be one of %s", quoteAll(pr.enum))
		}
	case cEnums:
		if m.kind != '[' {
			return p.fail(name, "must be a list of %s", quoteAll(pr.enum))
		}
		return elems(m.val, func(e []byte, kind byte) error {
			if kind != '"' || !contains(pr.enum, strBody(e)) {
				return p.fail(name, "must hold only %s", quoteAll(pr.enum))
			}
			return nil
		})
	}
	return nil
}

func (p *parser) dict(name string, m *member) error {
	if m.kind != '{' {
		return p.fail(name, "must be a dictionary (a JSON object)")
	}
	fs := fields(m.val)
	if len(fs) == 0 {
		return p.fail(name, "must not be an empty dictionary")
	}
	for _, f := range fs {
		if !validDictKey(f.name) {
			return p.fail(name, "has key %q: dictionary keys are 1 to 250 characters of a-z, A-Z, 0-9, '-' and '_'", f.name)
		}
		if f.kind == 'n' {
			return p.fail(name, "has key %q with a null value", f.name)
		}
		if f.kind == '[' && isEmpty(f.val) {
			return p.fail(name, "has key %q with an empty list", f.name)
		}
	}
	return nil
}

// hashLengths are the hex lengths of the hash algorithms STIX names.
var hashLengths = map[string]int{"MD5": 32, "SHA-1": 40, "SHA-256": 64, "SHA-512": 128, "SHA3-256": 64, "SHA3-512": 128}

func (p *parser) hashes(name string, v []byte, kind byte) error {
	if kind != '{' {
		return p.fail(name, "must be a dictionary of hash algorithm to hash value")
	}
	if isEmpty(v) {
		return p.fail(name, "must not be an empty dictionary")
	}
	for fname, fval := range objectFields(v) {
		if !validDictKey(fname) || len(fname) < 3 {
			return p.fail(name, "has key %q, which is not a hash algorithm name (3 to 250 characters of a-z, A-Z, 0-9, '-' and '_')", fname)
		}
		if kindOf(fval) != '"' {
			return p.fail(name, "has a %s value that is not a string", fname)
		}
		h := strBody(fval)
		if n, ok := hashLengths[string(fname)]; ok && (len(h) != n || !isHexString(h)) {
			return p.fail(name, "has a %s value that is not %d hexadecimal digits", fname, n)
		}
	}
	return nil
}

func (p *parser) killChain(name string, m *member) error {
	if m.kind != '[' {
		return p.fail(name, "must be a list of kill chain phases")
	}
	return elems(m.val, func(e []byte, kind byte) error {
		if kind != '{' {
			return p.fail(name, "must be a list of kill chain phases (objects)")
		}
		var kc, ph bool
		for fname, fval := range objectFields(e) {
			switch string(fname) {
			case "kill_chain_name":
				kc = kindOf(fval) == '"'
			case "phase_name":
				ph = kindOf(fval) == '"'
			}
		}
		if !kc || !ph {
			return p.fail(name, "has a phase without the strings kill_chain_name and phase_name")
		}
		return nil
	})
}

func (p *parser) externalRefs(name string, m *member) error {
	if m.kind != '[' {
		return p.fail(name, "must be a list of external references")
	}
	i := 0
	return elems(m.val, func(e []byte, kind byte) error {
		i++
		if kind != '{' {
			return p.fail(name, "entry %d must be an object", i)
		}
		var source, extID []byte
		hasSource := false
		for fname, fval := range objectFields(e) {
			switch string(fname) {
			case "source_name", "description", "url", "external_id":
				if kindOf(fval) != '"' {
					return p.fail(name, "entry %d: %s must be a string", i, fname)
				}
				if string(fname) == "source_name" {
					source, hasSource = strBody(fval), true
				} else if string(fname) == "external_id" {
					extID = strBody(fval)
				}
			case "hashes":
				if err := p.hashes(name, fval, kindOf(fval)); err != nil {
					return err
				}
			}
		}
		if !hasSource {
			return p.fail(name, "entry %d needs a source_name", i)
		}
		switch string(source) {
		case "cve":
			if !cveID(extID) {
				return p.fail(name, "entry %d: a \"cve\" reference needs an external_id such as \"CVE-2021-44228\"", i)
			}
		case "capec":
			if !capecID(extID) {
				return p.fail(name, "entry %d: a \"capec\" reference needs an external_id such as \"CAPEC-163\"", i)
			}
		}
		return nil
	})
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return len(b) > 0
}

// cveID reports whether b is CVE-YYYY-NNNN with at least four digits, no
// leading zero past four.
func cveID(b []byte) bool {
	if len(b) < 13 || string(b[:4]) != "CVE-" || !allDigits(b[4:8]) || b[8] != '-' || !allDigits(b[9:]) {
		return false
	}
	return len(b[9:]) == 4 || b[9] != '0'
}

func capecID(b []byte) bool {
	return len(b) > 6 && string(b[:6]) == "CAPEC-" && allDigits(b[6:])
}

func (p *parser) granular(name string, m *member) error {
	if m.kind != '[' {
		return p.fail(name, "must be a list of granular markings")
	}
	i := 0
	return elems(m.val, func(e []byte, kind byte) error {
		i++
		if kind != '{' {
			return p.fail(name, "entry %d must be an object", i)
		}
		var sel, ref, lang bool
		for fname, fval := range objectFields(e) {
			switch string(fname) {
			case "selectors":
				if kindOf(fval) != '[' || isEmpty(fval) {
					return p.fail(name, "entry %d: selectors must be a non-empty list of strings", i)
				}
				if err := elems(fval, func(s []byte, k byte) error {
					if k != '"' || !validSelector(strBody(s)) {
						return p.fail(name, "entry %d: selector %s is not a property path such as \"description\" or \"external_references.[0].url\"", i, s)
					}
					return nil
				}); err != nil {
					return err
				}
				sel = true
			case "marking_ref":
				if kindOf(fval) != '"' {
					return p.fail(name, "entry %d: marking_ref must be a marking-definition id", i)
				}
				if err := p.refOK(name, strBody(fval), []string{"marking-definition"}); err != nil {
					return err
				}
				ref = true
			case "lang":
				if kindOf(fval) != '"' {
					return p.fail(name, "entry %d: lang must be a string", i)
				}
				lang = true
			}
		}
		switch {
		case !sel:
			return p.fail(name, "entry %d needs selectors", i)
		case ref == lang:
			return p.fail(name, "entry %d needs exactly one of marking_ref and lang", i)
		}
		return nil
	})
}

// validSelector reports whether s is a granular marking selector: a
// property name followed by ".name" or ".[index]" steps.
func validSelector(s []byte) bool {
	if string(s) == "id" {
		return true
	}
	parts := bytes.Split(s, []byte("."))
	if len(parts[0]) < 3 || len(parts[0]) > 249 {
		return false
	}
	for i, part := range parts {
		if i > 0 && len(part) > 2 && part[0] == '[' && part[len(part)-1] == ']' && allDigits(part[1:len(part)-1]) {
			continue
		}
		if len(part) == 0 || len(part) > 250 {
			return false
		}
		for _, c := range part {
			if !(c >= 'a' && c <= 'z' || isDigit(c) || c == '_' || c == '-') {
				return false
			}
		}
	}
	return true
}

// Extension types of STIX 2.1 extension definitions.
var extensionTypes = []string{"new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension"}

// extensions checks the extensions dictionary: keys are extension-definition
// ids (or, except on marking-definitions, predefined "-ext" names) and each
// value is an object whose property names are valid.
func (p *parser) extensions(name string, m *member) error {
	if m.kind != '{' {
		return p.fail(name, "must be a dictionary of extensions")
	}
	fs := fields(m.val)
	if len(fs) == 0 {
		return p.fail(name, "must not be an empty dictionary")
	}
	for _, f := range fs {
		key := string(f.name)
		if f.kind != '{' {
			return p.fail(name, "has extension %q whose value is not an object", key)
		}
		props := fields(f.val)
		if strings.HasPrefix(key, "extension-definition--") {
			if typ, ok := splitID(key); !ok || typ != "extension-definition" {
				return p.fail(name, "has key %q, which is not an extension-definition id", key)
			}
			et := -1
			for i, x := range props {
				if string(x.name) == "extension_type" {
					et = i
				}
			}
			if et < 0 {
				return p.fail(name, "has extension %q without extension_type", key)
			}
			if props[et].kind != '"' || !contains(extensionTypes, strBody(props[et].val)) {
				return p.fail(name, "has extension %q whose extension_type is not one of %s", key, quoteAll(extensionTypes))
			}
		} else if p.spec == markingSpec || !strings.HasSuffix(key, "-ext") || !validTypeName(key) {
			return p.fail(name, "has key %q: an extension key is an extension-definition id or a predefined extension name ending in \"-ext\"", key)
		} else if len(props) == 0 {
			return p.fail(name, "has extension %q with no properties", key)
		} else if err := p.predefinedExtension(name, key, props); err != nil {
			return err
		}
		for _, x := range props {
			if !validPropertyName(string(x.name)) {
				return p.fail(name, "has extension %q with property %q, which is not a valid property name (3 to 250 characters of a-z, 0-9 and '_')", key, x.name)
			}
			if x.kind == 'n' {
				return p.fail(name, "has extension %q with property %q set to null", key, x.name)
			}
			if x.kind == '[' && isEmpty(x.val) {
				return p.fail(name, "has extension %q with property %q set to an empty list", key, x.name)
			}
		}
	}
	return nil
}
