package stix

import (
	"bytes"
	"errors"
	"math/big"
)

// Equal reports whether a and b hold the same JSON value, for round-trip
// tests: member order and whitespace do not matter, strings are compared
// after unescaping, and numbers by their exact decimal value (1, 1.0 and
// 1e0 are equal; 9007199254740993 and 9007199254740992 are not). It returns
// an error when either is not JSON, nests deeper than 64 levels or holds
// an object with a duplicate member name, whose meaning JSON leaves open.
func Equal(a, b []byte) (bool, error) {
	if err := checkJSON(a); err != nil {
		return false, err
	}
	if err := checkJSON(b); err != nil {
		return false, err
	}
	return equalValue(trim(a), trim(b))
}

func checkJSON(d []byte) error {
	i := skipSpace(d, 0)
	end, err := skipValue(d, i, 0)
	if err != nil {
		return err
	}
	if skipSpace(d, end) != len(d) {
		return &syntaxError{off: end, msg: "text after the value"}
	}
	return nil
}

func trim(d []byte) []byte {
	return bytes.TrimFunc(d, func(r rune) bool { return r < 0x80 && isSpace(byte(r)) })
}

func kindOf(v []byte) byte {
	if c := v[0]; c == '-' || isDigit(c) {
		return '0'
	}
	return v[0]
}

var errDuplicate = errors.New("object with a duplicate member name")

func equalValue(x, y []byte) (bool, error) {
	kx, ky := kindOf(x), kindOf(y)
	switch {
	case kx == '{' && ky == '{':
		return equalObjects(fields(x), fields(y))
	case kx == '[' && ky == '[':
		var xs, ys [][]byte
		collect := func(out *[][]byte) func([]byte, byte) error {
			return func(e []byte, _ byte) error { *out = append(*out, e); return nil }
		}
		_ = elems(x, collect(&xs))
		_ = elems(y, collect(&ys))
		// Check every nested object for duplicates, even past a difference.
		eq := len(xs) == len(ys)
		for i := range max(len(xs), len(ys)) {
			var a, b []byte
			if i < len(xs) {
				a = xs[i]
			}
			if i < len(ys) {
				b = ys[i]
			}
			if a == nil || b == nil {
				if err := noDuplicates(a, b); err != nil {
					return false, err
				}
				continue
			}
			ok, err := equalValue(a, b)
			if err != nil {
				return false, err
			}
			eq = eq && ok
		}
		return eq, nil
	case kx != ky:
		return false, noDuplicates(x, y)
	case kx == '"':
		return bytes.Equal(strBody(x), strBody(y)), nil
	case kx == '0':
		return sameNumber(x, y), nil
	}
	return bytes.Equal(x, y), nil // true, false, null
}

// noDuplicates checks values that are not compared with anything.
func noDuplicates(vs ...[]byte) error {
	for _, v := range vs {
		if v != nil {
			if _, err := equalValue(v, v); err != nil {
				return err
			}
		}
	}
	return nil
}

func equalObjects(xs, ys []member) (bool, error) {
	index := func(ms []member) (map[string][]byte, error) {
		m := make(map[string][]byte, len(ms))
		for _, f := range ms {
			if _, dup := m[string(f.name)]; dup {
				return nil, errDuplicate
			}
			m[string(f.name)] = f.val
		}
		return m, nil
	}
	mx, err := index(xs)
	if err != nil {
		return false, err
	}
	my, err := index(ys)
	if err != nil {
		return false, err
	}
	eq := len(mx) == len(my)
	for k, a := range mx {
		b, ok := my[k]
		if !ok {
			if err := noDuplicates(a); err != nil {
				return false, err
			}
			eq = false
			continue
		}
		same, err := equalValue(a, b)
		if err != nil {
			return false, err
		}
		eq = eq && same
	}
	for k, b := range my {
		if _, ok := mx[k]; !ok {
			if err := noDuplicates(b); err != nil {
				return false, err
			}
		}
	}
	return eq, nil
}

// decimal is a JSON number in canonical form: sign, significant digits
// without leading or trailing zeros, and the exponent of the last digit.
type decimal struct {
	neg    bool
	digits string
	exp    big.Int
}

func parseDecimal(v []byte) decimal {
	var d decimal
	i := 0
	if v[0] == '-' {
		d.neg = true
		i++
	}
	var digits []byte
	start := i
	for i < len(v) && isDigit(v[i]) {
		i++
	}
	digits = append(digits, v[start:i]...)
	fracLen := 0
	if i < len(v) && v[i] == '.' {
		i++
		start = i
		for i < len(v) && isDigit(v[i]) {
			i++
		}
		digits = append(digits, v[start:i]...)
		fracLen = i - start
	}
	if i < len(v) { // exponent
		i++
		d.exp.SetString(string(v[i:]), 10) // "+12", "-3" and "7" all parse
	}
	d.exp.Sub(&d.exp, big.NewInt(int64(fracLen)))
	digits = bytes.TrimLeft(digits, "0")
	trimmed := bytes.TrimRight(digits, "0")
	d.exp.Add(&d.exp, big.NewInt(int64(len(digits)-len(trimmed))))
	d.digits = string(trimmed)
	if d.digits == "" { // zero, whatever its sign or exponent
		d.neg = false
		d.exp.SetInt64(0)
	}
	return d
}

func sameNumber(x, y []byte) bool {
	a, b := parseDecimal(x), parseDecimal(y)
	return a.neg == b.neg && a.digits == b.digits && a.exp.Cmp(&b.exp) == 0
}
