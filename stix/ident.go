package stix

import "bytes"

// validTypeName reports whether s is a STIX 2.1 type name: 3 to 250
// characters of a-z, 0-9 and '-', starting with a letter, with no '--' and
// no trailing '-'.
func validTypeName[T string | []byte](s T) bool {
	if len(s) < 3 || len(s) > 250 || s[0] < 'a' || s[0] > 'z' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-':
			if s[i-1] == '-' {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// validPropertyName reports whether s is a valid property name: 3 to 250
// characters of a-z, 0-9 and '_', starting with a letter (the OASIS schemas
// insist on the letter; the specification's examples all have one).
func validPropertyName(s string) bool {
	if len(s) < 3 || len(s) > 250 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// validDictKey reports whether s is a valid dictionary key: 1 to 250
// characters of a-z, A-Z, 0-9, '-' and '_'.
func validDictKey(s []byte) bool {
	if len(s) < 1 || len(s) > 250 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// validUUID reports whether s is an RFC 4122 UUID in its canonical
// 8-4-4-4-12 form: any version 1 to 8, the RFC 4122 variant.
func validUUID[T string | []byte](s T) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isHex(c) {
				return false
			}
		}
	}
	if v := s[14]; v < '1' || v > '8' {
		return false
	}
	switch s[19] {
	case '8', '9', 'a', 'b', 'A', 'B':
		return true
	}
	return false
}

// splitID splits a STIX identifier into its type and UUID, reporting
// whether it is well formed.
func splitID[T string | []byte](id T) (typ T, ok bool) {
	i := -1
	for j := 0; j+1 < len(id); j++ {
		if id[j] == '-' && id[j+1] == '-' {
			i = j
			break
		}
	}
	if i < 0 || !validTypeName(id[:i]) || !validUUID(id[i+2:]) {
		return typ, false
	}
	return id[:i], true
}

func isHexString(s []byte) bool {
	if len(s) == 0 || len(s)%2 != 0 {
		return false
	}
	for _, c := range s {
		if !isHex(c) {
			return false
		}
	}
	return true
}

func isBase64(s []byte) bool {
	if len(s) == 0 || len(s)%4 != 0 {
		return false
	}
	for i, c := range s {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
		case c == '=' && i >= len(s)-2:
			if i == len(s)-2 && s[len(s)-1] != '=' {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// validLangTag reports whether s has the shape of an RFC 5646 language
// tag: subtags of 1 to 8 letters and digits joined by '-', the first of
// 2 to 8 letters (or "i" or "x" for the grandfathered and private forms).
// It does not consult the IANA registry.
func validLangTag(s []byte) bool {
	for i, sub := range bytes.Split(s, []byte("-")) {
		if len(sub) < 1 || len(sub) > 8 {
			return false
		}
		for _, c := range sub {
			letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
			if !letter && (i == 0 || !isDigit(c)) {
				return false
			}
		}
		if i == 0 && len(sub) < 2 && sub[0] != 'i' && sub[0] != 'x' && sub[0] != 'I' && sub[0] != 'X' {
			return false
		}
	}
	return true
}
