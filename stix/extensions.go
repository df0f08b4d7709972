package stix

import (
	"math"
	"strings"
)

// The extensions common property, and the extensions STIX 2.1 predefines
// for SCOs.

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
