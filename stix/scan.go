package stix

import (
	"bytes"
	"iter"
	"strconv"
	"unicode/utf8"
)

// The scanner walks JSON text without decoding it into values. Parse calls
// members once on the whole object, which checks the syntax of every value;
// the helpers below then read the values they need from those checked
// spans, so they do not check the syntax again.

// maxDepth bounds nesting, so hostile input cannot exhaust the stack.
const maxDepth = 64

// member is one name/value pair of a JSON object. name is unescaped; val is
// the raw value, with its kind ('{', '[', '"', '0' for numbers, 't', 'f',
// 'n').
type member struct {
	name []byte
	val  []byte
	kind byte
}

// syntaxError describes malformed JSON at an offset.
type syntaxError struct {
	off  int
	msg  string
	prop string // the top-level member whose value is malformed, if known
}

func (e *syntaxError) Error() string {
	return "invalid JSON at offset " + strconv.Itoa(e.off) + ": " + e.msg
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(d []byte, i int) int {
	for i < len(d) && isSpace(d[i]) {
		i++
	}
	return i
}

// members splits the top-level object in d into its members, appending
// them to buf. It checks the syntax of the whole text.
func members(d []byte, buf []member) ([]member, error) {
	i := skipSpace(d, 0)
	if i >= len(d) || d[i] != '{' {
		return nil, &syntaxError{off: i, msg: "a STIX object must be a JSON object"}
	}
	buf, i, err := objectMembers(d, i, buf, 1)
	if err != nil {
		return nil, err
	}
	if i = skipSpace(d, i); i != len(d) {
		return nil, &syntaxError{off: i, msg: "text after the object"}
	}
	return buf, nil
}

// objectMembers reads the object starting at d[i] == '{'.
func objectMembers(d []byte, i int, buf []member, depth int) ([]member, int, error) {
	if depth > maxDepth {
		return nil, i, &syntaxError{off: i, msg: "nested too deeply"}
	}
	i = skipSpace(d, i+1)
	if i < len(d) && d[i] == '}' {
		return buf, i + 1, nil
	}
	for {
		if i >= len(d) || d[i] != '"' {
			return nil, i, &syntaxError{off: i, msg: "expected a member name"}
		}
		end, esc, err := scanString(d, i)
		if err != nil {
			return nil, i, err
		}
		name := d[i+1 : end-1]
		if esc {
			name = unescape(name)
		}
		i = skipSpace(d, end)
		if i >= len(d) || d[i] != ':' {
			return nil, i, &syntaxError{off: i, msg: "expected ':'"}
		}
		i = skipSpace(d, i+1)
		start := i
		if i >= len(d) {
			return nil, i, &syntaxError{off: i, msg: "unexpected end"}
		}
		kind := d[i]
		i, err = skipValue(d, i, depth)
		if err != nil {
			if se, ok := err.(*syntaxError); ok && depth == 1 {
				se.prop = string(name)
			}
			return nil, i, err
		}
		if kind == '-' || (kind >= '0' && kind <= '9') {
			kind = '0'
		}
		buf = append(buf, member{name: name, val: d[start:i], kind: kind})
		i = skipSpace(d, i)
		if i >= len(d) {
			return nil, i, &syntaxError{off: i, msg: "unexpected end"}
		}
		switch d[i] {
		case ',':
			i = skipSpace(d, i+1)
		case '}':
			return buf, i + 1, nil
		default:
			return nil, i, &syntaxError{off: i, msg: "expected ',' or '}'"}
		}
	}
}

// skipValue checks the value starting at d[i] and returns its end.
func skipValue(d []byte, i int, depth int) (int, error) {
	if i >= len(d) {
		return i, &syntaxError{off: i, msg: "unexpected end"}
	}
	switch c := d[i]; {
	case c == '"':
		end, _, err := scanString(d, i)
		return end, err
	case c == '{':
		return skipObject(d, i, depth)
	case c == '[':
		if depth+1 > maxDepth {
			return i, &syntaxError{off: i, msg: "nested too deeply"}
		}
		i = skipSpace(d, i+1)
		if i < len(d) && d[i] == ']' {
			return i + 1, nil
		}
		for {
			var err error
			if i, err = skipValue(d, i, depth+1); err != nil {
				return i, err
			}
			i = skipSpace(d, i)
			if i >= len(d) {
				return i, &syntaxError{off: i, msg: "unexpected end"}
			}
			if d[i] == ']' {
				return i + 1, nil
			}
			if d[i] != ',' {
				return i, &syntaxError{off: i, msg: "expected ',' or ']'"}
			}
			i = skipSpace(d, i+1)
		}
	case c == 't':
		return literal(d, i, "true")
	case c == 'f':
		return literal(d, i, "false")
	case c == 'n':
		return literal(d, i, "null")
	case c == '-' || (c >= '0' && c <= '9'):
		return scanNumber(d, i)
	}
	return i, &syntaxError{off: i, msg: "unexpected character"}
}

// skipObject checks the object starting at d[i] == '{', refusing
// duplicate member names: JSON leaves their meaning open, and two readers
// that pick different duplicates could disagree about what was validated.
func skipObject(d []byte, i int, depth int) (int, error) {
	if depth+1 > maxDepth {
		return i, &syntaxError{off: i, msg: "nested too deeply"}
	}
	i = skipSpace(d, i+1)
	if i < len(d) && d[i] == '}' {
		return i + 1, nil
	}
	var names nameSet
	for {
		if i >= len(d) || d[i] != '"' {
			return i, &syntaxError{off: i, msg: "expected a member name"}
		}
		end, esc, err := scanString(d, i)
		if err != nil {
			return i, err
		}
		name := d[i+1 : end-1]
		if esc {
			name = unescape(name)
		}
		if !names.add(name) {
			return i, &syntaxError{off: i, msg: "member name " + strconv.Quote(string(name)) + " appears twice"}
		}
		i = skipSpace(d, end)
		if i >= len(d) || d[i] != ':' {
			return i, &syntaxError{off: i, msg: "expected ':'"}
		}
		if i, err = skipValue(d, skipSpace(d, i+1), depth+1); err != nil {
			return i, err
		}
		i = skipSpace(d, i)
		if i >= len(d) {
			return i, &syntaxError{off: i, msg: "unexpected end"}
		}
		if d[i] == '}' {
			return i + 1, nil
		}
		if d[i] != ',' {
			return i, &syntaxError{off: i, msg: "expected ',' or '}'"}
		}
		i = skipSpace(d, i+1)
	}
}

// nameSet holds the member names of one object: a few in an array, more
// in a map.
type nameSet struct {
	small [8][]byte
	n     int
	big   map[string]struct{}
}

// add adds name, reporting false when it was there already.
func (s *nameSet) add(name []byte) bool {
	if s.big != nil {
		if _, dup := s.big[string(name)]; dup {
			return false
		}
		s.big[string(name)] = struct{}{}
		return true
	}
	for _, k := range s.small[:s.n] {
		if bytes.Equal(k, name) {
			return false
		}
	}
	if s.n < len(s.small) {
		s.small[s.n] = name
		s.n++
		return true
	}
	s.big = make(map[string]struct{}, 2*len(s.small))
	for _, k := range s.small {
		s.big[string(k)] = struct{}{}
	}
	s.big[string(name)] = struct{}{}
	return true
}

func literal(d []byte, i int, lit string) (int, error) {
	if !bytes.HasPrefix(d[i:], []byte(lit)) {
		return i, &syntaxError{off: i, msg: "invalid literal"}
	}
	return i + len(lit), nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// scanNumber checks a JSON number starting at d[i].
func scanNumber(d []byte, i int) (int, error) {
	start := i
	if d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	default:
		return i, &syntaxError{off: start, msg: "invalid number"}
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || !isDigit(d[i]) {
			return i, &syntaxError{off: start, msg: "invalid number"}
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || !isDigit(d[i]) {
			return i, &syntaxError{off: start, msg: "invalid number"}
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	return i, nil
}

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// plain marks the bytes a string holds as they are: printable ASCII other
// than '"' and '\\'.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// scanString checks the string starting at d[i] == '"' (escapes and UTF-8)
// and returns the index after its closing quote and whether it holds
// escapes.
func scanString(d []byte, i int) (int, bool, error) {
	start := i
	i++
	esc := false
	for i < len(d) {
		for i < len(d) && plain[d[i]] {
			i++
		}
		if i >= len(d) {
			break
		}
		c := d[i]
		switch {
		case c == '"':
			return i + 1, esc, nil
		case c == '\\':
			esc = true
			if i+1 >= len(d) {
				return i, esc, &syntaxError{off: i, msg: "unterminated string"}
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(d) || !isHex(d[i+2]) || !isHex(d[i+3]) || !isHex(d[i+4]) || !isHex(d[i+5]) {
					return i, esc, &syntaxError{off: i, msg: "invalid \\u escape"}
				}
				i += 6
			default:
				return i, esc, &syntaxError{off: i, msg: "invalid escape"}
			}
		case c < 0x20:
			return i, esc, &syntaxError{off: i, msg: "control character in string"}
		case c < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && n == 1 {
				return i, esc, &syntaxError{off: i, msg: "invalid UTF-8"}
			}
			i += n
		}
	}
	return i, esc, &syntaxError{off: start, msg: "unterminated string"}
}

// unescape decodes the escapes of a checked string body.
func unescape(s []byte) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		switch s[i+1] {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := hex4(s[i+2:])
			i += 6
			if utf16IsSurrogate(r) {
				r2 := rune(-1)
				if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
					r2 = hex4(s[i+2:])
				}
				if r >= 0xD800 && r < 0xDC00 && r2 >= 0xDC00 && r2 < 0xE000 {
					r = (r-0xD800)<<10 + (r2 - 0xDC00) + 0x10000
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
			continue
		default: // '"', '\\', '/'
			out = append(out, s[i+1])
		}
		i += 2
	}
	return out
}

func utf16IsSurrogate(r rune) bool { return r >= 0xD800 && r < 0xE000 }

func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		r <<= 4
		switch {
		case isDigit(c):
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		default:
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}

// strBody returns the decoded body of a checked JSON string value.
func strBody(v []byte) []byte {
	body := v[1 : len(v)-1]
	if bytes.IndexByte(body, '\\') >= 0 {
		return unescape(body)
	}
	return body
}

// elems calls f with each element of a checked JSON array.
func elems(v []byte, f func(e []byte, kind byte) error) error {
	i := skipSpace(v, 1)
	if i < len(v) && v[i] == ']' {
		return nil
	}
	for i < len(v) {
		end, _ := skipValue(v, i, 0)
		kind := v[i]
		if kind == '-' || isDigit(kind) {
			kind = '0'
		}
		if err := f(v[i:end], kind); err != nil {
			return err
		}
		i = skipSpace(v, end)
		if v[i] == ']' {
			return nil
		}
		i = skipSpace(v, i+1)
	}
	return nil
}

// isEmpty reports whether a checked array or object has no members.
func isEmpty(v []byte) bool {
	i := skipSpace(v, 1)
	return i < len(v) && (v[i] == ']' || v[i] == '}')
}

// fields returns the members of a checked JSON object.
func fields(v []byte) []member {
	ms, _, _ := objectMembers(v, 0, nil, 0)
	return ms
}

// objectFields yields the name and raw value of each member of a checked JSON
// object, without allocating unless a name holds escapes.
func objectFields(v []byte) iter.Seq2[[]byte, []byte] {
	return func(yield func(name, val []byte) bool) {
		i := skipSpace(v, 1)
		for i < len(v) && v[i] == '"' {
			end, esc, _ := scanString(v, i)
			name := v[i+1 : end-1]
			if esc {
				name = unescape(name)
			}
			i = skipSpace(v, skipSpace(v, end)+1) // past ':'
			start := i
			i, _ = skipValue(v, i, 0)
			if !yield(name, v[start:i]) {
				return
			}
			i = skipSpace(v, i)
			if i < len(v) && v[i] == ',' {
				i = skipSpace(v, i+1)
			}
		}
	}
}
