package stix

import (
	"bytes"
	"math"
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

// predefined describes one of the extensions STIX 2.1 defines for SCOs:
// the type it extends, the properties it requires, the properties of
// which it needs at least one, and the form of its properties.
type predefined struct {
	owner    string
	required []string
	anyOf    []string
	props    map[string]prop
}

var predefinedExts = map[string]predefined{
	"ntfs-ext": {owner: "file", anyOf: []string{"sid", "alternate_data_streams"}, props: map[string]prop{
		"sid": str, "alternate_data_streams": streams,
	}},
	"raster-image-ext": {owner: "file", anyOf: []string{"image_height", "image_width", "bits_per_pixel", "image_compression_algorithm", "exif_tags"}, props: map[string]prop{
		"image_height": integer(0, inf), "image_width": integer(0, inf), "bits_per_pixel": integer(0, inf), "exif_tags": exif,
	}},
	"pdf-ext": {owner: "file", anyOf: []string{"version", "is_optimized", "document_info_dict", "pdfid0", "pdfid1"}, props: map[string]prop{
		"version": str, "is_optimized": boolean, "document_info_dict": strDict, "pdfid0": str, "pdfid1": str,
	}},
	"archive-ext": {owner: "file", required: []string{"contains_refs"}, props: map[string]prop{
		"contains_refs": refs("file", "directory"), "comment": str,
	}},
	"windows-pebinary-ext": {owner: "file", required: []string{"pe_type"}, anyOf: []string{"imphash", "machine_hex", "number_of_sections", "time_date_stamp", "pointer_to_symbol_table_hex", "number_of_symbols", "size_of_optional_header", "characteristics_hex", "file_header_hashes", "optional_header", "sections"}, props: map[string]prop{
		"pe_type": str, "imphash": str, "machine_hex": hexStr, "number_of_sections": integer(0, inf),
		"time_date_stamp": ts, "pointer_to_symbol_table_hex": hexStr, "number_of_symbols": integer(0, inf),
		"size_of_optional_header": integer(0, inf), "characteristics_hex": hexStr, "file_header_hashes": hashes,
		"optional_header": object, "sections": objects,
	}},
	"http-request-ext": {owner: "network-traffic", required: []string{"request_method", "request_value"}, props: map[string]prop{
		"request_method": str, "request_value": str, "request_version": str, "request_header": headers,
		"message_body_length": integer(0, inf), "message_body_data_ref": ref("artifact"),
	}},
	"icmp-ext": {owner: "network-traffic", required: []string{"icmp_type_hex", "icmp_code_hex"}, props: map[string]prop{
		"icmp_type_hex": hexStr, "icmp_code_hex": hexStr,
	}},
	"socket-ext": {owner: "network-traffic", required: []string{"address_family"}, props: map[string]prop{
		"address_family": enum("AF_UNSPEC", "AF_INET", "AF_IPX", "AF_APPLETALK", "AF_NETBIOS", "AF_INET6", "AF_IRDA", "AF_BTH"),
		"is_blocking":    boolean, "is_listening": boolean, "options": dict,
		"socket_type":       enum("SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_RDM", "SOCK_SEQPACKET"),
		"socket_descriptor": integer(0, inf), "socket_handle": integer(math.Inf(-1), inf),
	}},
	"tcp-ext": {owner: "network-traffic", anyOf: []string{"src_flags_hex", "dst_flags_hex"}, props: map[string]prop{
		"src_flags_hex": hexStr, "dst_flags_hex": hexStr,
	}},
	"windows-process-ext": {owner: "process", anyOf: []string{"aslr_enabled", "dep_enabled", "priority", "owner_sid", "window_title", "startup_info"}, props: map[string]prop{
		"aslr_enabled": boolean, "dep_enabled": boolean, "priority": str, "owner_sid": str, "window_title": str,
		"startup_info": dict, "integrity_level": enum("low", "medium", "high", "system"),
	}},
	"windows-service-ext": {owner: "process", anyOf: []string{"service_name", "descriptions", "display_name", "group_name", "start_type", "service_dll_refs", "service_type", "service_status"}, props: map[string]prop{
		"service_name": str, "descriptions": strs, "display_name": str, "group_name": str,
		"start_type":       enum("SERVICE_AUTO_START", "SERVICE_BOOT_START", "SERVICE_DEMAND_START", "SERVICE_DISABLED", "SERVICE_SYSTEM_ALERT"),
		"service_dll_refs": refs("file"),
		"service_type":     enum("SERVICE_KERNEL_DRIVER", "SERVICE_FILE_SYSTEM_DRIVER", "SERVICE_WIN32_OWN_PROCESS", "SERVICE_WIN32_SHARE_PROCESS"),
		"service_status":   enum("SERVICE_CONTINUE_PENDING", "SERVICE_PAUSE_PENDING", "SERVICE_PAUSED", "SERVICE_RUNNING", "SERVICE_START_PENDING", "SERVICE_STOP_PENDING", "SERVICE_STOPPED"),
	}},
	"unix-account-ext": {owner: "user-account", anyOf: []string{"gid", "groups", "home_dir", "shell"}, props: map[string]prop{
		"gid": integer(math.Inf(-1), inf), "groups": strs, "home_dir": str, "shell": str,
	}},
}

// predefinedExtension checks an extension STIX 2.1 predefines: on the
// type it extends, with the properties it requires. Other "-ext" names
// (STIX 2.0 style custom extensions) are left alone.
func (p *parser) predefinedExtension(name, key string, props []member) error {
	def, ok := predefinedExts[key]
	if !ok {
		return nil
	}
	if p.obj.Type != def.owner {
		return p.fail(name, "has extension %q, which extends %s objects only", key, def.owner)
	}
	has := func(n string) bool {
		for _, m := range props {
			if string(m.name) == n {
				return true
			}
		}
		return false
	}
	for _, r := range def.required {
		if !has(r) {
			return p.fail(name, "has extension %q without its required property %s", key, r)
		}
	}
	for i := range props {
		if pr, ok := def.props[string(props[i].name)]; ok {
			if err := p.check(name+"."+key+"."+string(props[i].name), &props[i], pr); err != nil {
				return err
			}
		}
	}
	for _, a := range def.anyOf {
		if has(a) {
			return nil
		}
	}
	if len(def.anyOf) > 0 {
		return p.fail(name, "has extension %q without any of %s", key, quoteAll(def.anyOf))
	}
	return nil
}
