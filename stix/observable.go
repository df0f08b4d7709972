package stix

import (
	"bytes"
	"net/netip"
)

// Checks of SCO values whose form STIX 2.1 fixes: addresses, MAC
// addresses, MIME types, character set names, CPE names and registry keys.

func (p *parser) stringProp(name string) ([]byte, bool) {
	m := p.get(name)
	if m == nil || m.kind != '"' {
		return nil, false
	}
	return strBody(m.val), true
}

// checkAddr returns a check of the value of an ipv4-addr (v6 false) or
// ipv6-addr: one address, or a CIDR block.
func checkAddr(v6 bool) func(*parser) error {
	return func(p *parser) error {
		v, _ := p.stringProp("value")
		if !validAddr(string(v), v6) {
			if v6 {
				return p.fail("value", "is %q, which is not an IPv6 address or CIDR block such as \"2001:db8::/32\"", v)
			}
			return p.fail("value", "is %q, which is not an IPv4 address or CIDR block such as \"198.51.100.0/24\"", v)
		}
		return nil
	}
}

func validAddr(s string, v6 bool) bool {
	var a netip.Addr
	if pf, err := netip.ParsePrefix(s); err == nil {
		a = pf.Addr()
	} else if a, err = netip.ParseAddr(s); err != nil {
		return false
	}
	if a.Zone() != "" {
		return false
	}
	return a.Is4() != v6
}

// checkMAC: a MAC-48 address, colon-delimited, lower case, with leading
// zeros.
func checkMAC(p *parser) error {
	v, _ := p.stringProp("value")
	ok := len(v) == 17
	for i := 0; ok && i < len(v); i++ {
		if i%3 == 2 {
			ok = v[i] == ':'
		} else {
			ok = isDigit(v[i]) || v[i] >= 'a' && v[i] <= 'f'
		}
	}
	if !ok {
		return p.fail("value", "is %q, which is not a lower-case, colon-delimited MAC-48 address such as \"d2:fb:49:24:37:18\"", v)
	}
	return nil
}

// mediaTypes are the top-level types of the IANA media type registry.
var mediaTypes = []string{"application", "audio", "font", "image", "message", "model", "multipart", "text", "video"}

// validMIME reports whether s starts as an IANA media type does:
// "<registered top-level type>/<subtype>".
func validMIME(s []byte) bool {
	i := bytes.IndexByte(s, '/')
	if i < 0 || !contains(mediaTypes, s[:i]) || i+1 >= len(s) {
		return false
	}
	c := s[i+1]
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '.' || c == '+' || c == '_' || c == '-'
}

// validCharset reports whether s can be an IANA character set name.
func validCharset(s []byte) bool {
	if len(s) < 2 || len(s) > 250 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || bytes.IndexByte([]byte("/.+_:-"), c) >= 0) {
			return false
		}
	}
	return true
}

// validCPE reports whether s is a CPE 2.3 formatted string: "cpe:2.3:"
// then a part (a, h, o, * or -) and ten more colon-separated attributes,
// colons inside an attribute escaped with '\'.
func validCPE(s []byte) bool {
	if !bytes.HasPrefix(s, []byte("cpe:2.3:")) {
		return false
	}
	fields, start := 0, 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] == '\\' {
			i++
			continue
		}
		if i == len(s) || s[i] == ':' {
			if i == start {
				return false // an empty attribute
			}
			if fields == 2 && (i-start != 1 || bytes.IndexByte([]byte("aho*-"), s[start]) < 0) {
				return false
			}
			fields++
			start = i + 1
		}
	}
	return fields == 13
}

// checkFormats checks the SCO properties with a fixed form, where present.
func checkFormats(p *parser) error {
	for _, name := range []string{"mime_type"} {
		if v, ok := p.stringProp(name); ok && !validMIME(v) {
			return p.fail(name, "is %q, which is not an IANA media type such as \"application/zip\"", v)
		}
	}
	for _, name := range []string{"name_enc", "path_enc"} {
		if v, ok := p.stringProp(name); ok && !validCharset(v) {
			return p.fail(name, "is %q, which is not an IANA character set name such as \"UTF-8\"", v)
		}
	}
	if v, ok := p.stringProp("cpe"); ok && !validCPE(v) {
		return p.fail("cpe", "is %q, which is not a CPE 2.3 name such as \"cpe:2.3:a:microsoft:word:2000:*:*:*:*:*:*:*\"", v)
	}
	return nil
}

// abbreviatedHives are the short hive names a windows-registry-key must
// not use.
var abbreviatedHives = []string{"hklm", "hkcc", "hkcr", "hkcu", "hku"}

// registryDataTypes are the values of windows-registry-datatype-enum.
var registryDataTypes = []string{
	"REG_NONE", "REG_SZ", "REG_EXPAND_SZ", "REG_BINARY", "REG_DWORD", "REG_DWORD_BIG_ENDIAN",
	"REG_DWORD_LITTLE_ENDIAN", "REG_LINK", "REG_MULTI_SZ", "REG_RESOURCE_LIST",
	"REG_FULL_RESOURCE_DESCRIPTION", "REG_RESOURCE_REQUIREMENTS_LIST", "REG_QWORD", "REG_INVALID_TYPE",
}

func checkRegistryKey(p *parser) error {
	if m := p.get("values"); m != nil {
		i := 0
		err := elems(m.val, func(e []byte, _ byte) error {
			i++
			n := 0
			for name, val := range objectFields(e) {
				switch string(name) {
				case "name", "data":
					if kindOf(val) != '"' {
						return p.fail("values", "entry %d: %s must be a string", i, name)
					}
				case "data_type":
					if kindOf(val) != '"' || !contains(registryDataTypes, strBody(val)) {
						return p.fail("values", "entry %d: data_type must be one of %s", i, quoteAll(registryDataTypes))
					}
				default:
					continue
				}
				n++
			}
			if n == 0 {
				return p.fail("values", "entry %d needs at least one of name, data and data_type", i)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if v, ok := p.stringProp("key"); ok {
		hive, _, _ := bytes.Cut(v, []byte(`\`))
		if contains(abbreviatedHives, bytes.ToLower(hive)) {
			return p.fail("key", "starts with the abbreviated hive %q: write the full name, such as \"HKEY_LOCAL_MACHINE\"", hive)
		}
	}
	return ownProperty(p)
}
