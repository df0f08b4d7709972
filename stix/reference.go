package stix

import ()

// External references (the external_references common property).

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
