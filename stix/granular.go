package stix

import (
	"bytes"
	"errors"
	"strconv"
)

// granular checks the granular_markings common property: each entry has
// selectors and exactly one of marking_ref and lang.
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
					found, ok := p.resolves(strBody(s))
					if !ok {
						return p.fail(name, "has more selectors than enlace follows in an object of this size")
					}
					if !found {
						return p.fail(name, "entry %d: selector %s names nothing in this object", i, s)
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

// resolves reports whether the selector sel names a property, list item or
// nested property present in the object, as STIX 2.1 requires of the
// selectors of a granular marking. Following a selector costs time in
// proportion to what it walks, so many selectors into a large object
// could cost time in proportion to the square of its size: the parser
// spends at most a budget proportional to the object's size, and ok is
// false once it is spent.
func (p *parser) resolves(sel []byte) (found, ok bool) {
	p.budget -= len(p.ms)
	parts := bytes.Split(sel, []byte("."))
	m := p.get(string(parts[0]))
	if m == nil {
		return false, p.budget > 0
	}
	v := m.val
	for _, part := range parts[1:] {
		var next []byte
		if part[0] == '[' {
			n, err := strconv.Atoi(string(part[1 : len(part)-1]))
			if err != nil || kindOf(v) != '[' {
				return false, true
			}
			i := 0
			_ = elems(v, func(e []byte, _ byte) error {
				if i == n {
					next = e
					return errFound
				}
				i++
				return nil
			})
		} else {
			if kindOf(v) != '{' {
				return false, true
			}
			for name, val := range objectFields(v) {
				if bytes.Equal(name, part) {
					next = val
					break
				}
			}
		}
		if next == nil {
			p.budget -= len(v)
			return false, p.budget > 0
		}
		// Charge what was walked: v up to the end of next.
		if p.budget -= cap(v) - cap(next) + len(next); p.budget <= 0 {
			return false, false
		}
		v = next
	}
	return true, p.budget > 0
}

// selectorBudget is how many times over the bytes of an object following
// its selectors may walk.
const selectorBudget = 64

// errFound stops a walk over a list.
var errFound = errors.New("found")
