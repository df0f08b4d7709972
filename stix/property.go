package stix

import (
	"math"
	"strconv"
	"strings"
)

// The forms of property values, and the check of a value against its form.

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
