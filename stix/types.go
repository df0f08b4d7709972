package stix

import (
	"math"

	"github.com/enlace-exchange/enlace"
)

// typeSpec defines one STIX 2.1 object type: its category, the properties
// it requires beyond the common ones, the properties whose form is known,
// and the constraints that tie properties together.
type typeSpec struct {
	name     string
	cat      Category
	required []string
	props    map[string]prop
	check    func(p *parser) error
}

var inf = math.Inf(1)

// Lists of identifier types, shared by several properties.
var (
	notSRO     = []string{"!", "relationship", "sighting", "bundle", "marking-definition", "language-content"}
	addrTypes  = []string{"ipv4-addr", "ipv6-addr", "mac-addr", "domain-name"}
	motivation = str // open vocabularies are strings
)

// customSpec applies to custom object types ("x-..."): the common
// properties of SDOs and nothing more.
var customSpec = &typeSpec{cat: Custom}

// Object types introduced by an extension-definition follow the rules of
// their kind's common properties.
var (
	newSDOSpec = &typeSpec{cat: SDO}
	newSROSpec = &typeSpec{cat: SRO}
	newSCOSpec = &typeSpec{cat: SCO}
)

// markingSpec is the marking-definition type, whose rules differ from every
// other object's.
var markingSpec = &typeSpec{
	name:  "marking-definition",
	cat:   Meta,
	props: map[string]prop{"name": str, "definition_type": str, "definition": object},
	check: checkMarking,
}

// types holds every STIX 2.1 object type.
var types = map[string]*typeSpec{}

func init() {
	add := func(name string, cat Category, required []string, props map[string]prop, check func(*parser) error) {
		types[name] = &typeSpec{name: name, cat: cat, required: required, props: props, check: check}
	}
	named := map[string]prop{"name": str, "description": str}
	with := func(base map[string]prop, more map[string]prop) map[string]prop {
		out := make(map[string]prop, len(base)+len(more))
		for k, v := range base {
			out[k] = v
		}
		for k, v := range more {
			out[k] = v
		}
		return out
	}
	req := func(names ...string) []string { return names }

	// SDOs.
	add("attack-pattern", SDO, req("name"), with(named, map[string]prop{"aliases": strs, "kill_chain_phases": killChain}), nil)
	add("campaign", SDO, req("name"), with(named, map[string]prop{"aliases": strs, "first_seen": ts, "last_seen": ts, "objective": str}), seen("first_seen", "last_seen"))
	add("course-of-action", SDO, req("name"), named, nil)
	add("grouping", SDO, req("context", "object_refs"), with(named, map[string]prop{"context": str, "object_refs": refs()}), nil)
	add("identity", SDO, req("name"), with(named, map[string]prop{"roles": strs, "identity_class": str, "sectors": strs, "contact_information": str}), nil)
	add("incident", SDO, req("name"), with(named, map[string]prop{"kill_chain_phases": killChain}), nil)
	add("indicator", SDO, req("pattern", "pattern_type", "valid_from"), with(named, map[string]prop{
		"indicator_types": strs, "pattern": str, "pattern_type": str, "pattern_version": str,
		"valid_from": ts, "valid_until": ts, "kill_chain_phases": killChain,
	}), checkIndicator)
	add("infrastructure", SDO, req("name"), with(named, map[string]prop{
		"infrastructure_types": strs, "aliases": strs, "kill_chain_phases": killChain, "first_seen": ts, "last_seen": ts,
	}), seen("first_seen", "last_seen"))
	add("intrusion-set", SDO, req("name"), with(named, map[string]prop{
		"aliases": strs, "first_seen": ts, "last_seen": ts, "goals": strs, "resource_level": str,
		"primary_motivation": motivation, "secondary_motivations": strs,
	}), seen("first_seen", "last_seen"))
	add("location", SDO, nil, with(named, map[string]prop{
		"latitude": number(-90, 90), "longitude": number(-180, 180), "precision": number(0, inf),
		"region": str, "country": str, "administrative_area": str, "city": str, "street_address": str, "postal_code": str,
	}), checkLocation)
	add("malware", SDO, req("is_family"), with(named, map[string]prop{
		"malware_types": strs, "is_family": boolean, "aliases": strs, "kill_chain_phases": killChain,
		"first_seen": ts, "last_seen": ts, "operating_system_refs": refs("software"),
		"architecture_execution_envs": strs, "implementation_languages": strs, "capabilities": strs,
		"sample_refs": refs("file", "artifact"),
	}), checkMalware)
	add("malware-analysis", SDO, req("product"), map[string]prop{
		"product": str, "version": str, "host_vm_ref": ref("software"), "operating_system_ref": ref("software"),
		"installed_software_refs": refs("software"), "configuration_version": str, "modules": strs,
		"analysis_engine_version": str, "analysis_definition_version": str, "submitted": ts,
		"analysis_started": ts, "analysis_ended": ts, "result_name": str, "result": str,
		"analysis_sco_refs": refs(), "sample_ref": ref(),
	}, checkMalwareAnalysis)
	add("note", SDO, req("content", "object_refs"), map[string]prop{"abstract": str, "content": str, "authors": strs, "object_refs": refs()}, nil)
	add("observed-data", SDO, req("first_observed", "last_observed", "number_observed"), map[string]prop{
		"first_observed": ts, "last_observed": ts, "number_observed": integer(1, 999999999),
		"objects": dict, "object_refs": refs(),
	}, checkObservedData)
	add("opinion", SDO, req("opinion", "object_refs"), map[string]prop{
		"explanation": str, "authors": strs, "object_refs": refs(),
		"opinion": enum("strongly-disagree", "disagree", "neutral", "agree", "strongly-agree"),
	}, nil)
	add("report", SDO, req("name", "published", "object_refs"), with(named, map[string]prop{"report_types": strs, "published": ts, "object_refs": refs()}), nil)
	add("threat-actor", SDO, req("name"), with(named, map[string]prop{
		"threat_actor_types": strs, "aliases": strs, "first_seen": ts, "last_seen": ts, "roles": strs,
		"goals": strs, "sophistication": str, "resource_level": str, "primary_motivation": motivation,
		"secondary_motivations": strs, "personal_motivations": strs,
	}), seen("first_seen", "last_seen"))
	add("tool", SDO, req("name"), with(named, map[string]prop{"tool_types": strs, "aliases": strs, "kill_chain_phases": killChain, "tool_version": str}), nil)
	add("vulnerability", SDO, req("name"), named, nil)

	// SROs.
	add("relationship", SRO, req("relationship_type", "source_ref", "target_ref"), map[string]prop{
		"relationship_type": str, "description": str, "source_ref": ref(notSRO...), "target_ref": ref(notSRO...),
		"start_time": ts, "stop_time": ts,
	}, checkRelationship)
	add("sighting", SRO, req("sighting_of_ref"), map[string]prop{
		"description": str, "first_seen": ts, "last_seen": ts, "count": integer(0, 999999999),
		"sighting_of_ref": ref(notSRO...), "observed_data_refs": refs("observed-data"),
		"where_sighted_refs": refs("identity", "location"), "summary": boolean,
	}, seen("first_seen", "last_seen"))

	// SCOs.
	add("artifact", SCO, nil, map[string]prop{
		"mime_type": str, "payload_bin": binary, "url": str, "hashes": hashes,
		"encryption_algorithm": enum("AES-256-GCM", "ChaCha20-Poly1305", "mime-type-indicated"), "decryption_key": str,
	}, checkArtifact)
	add("autonomous-system", SCO, req("number"), map[string]prop{"number": integer(0, inf), "name": str, "rir": str}, nil)
	add("directory", SCO, req("path"), map[string]prop{
		"path": str, "path_enc": str, "ctime": ts, "mtime": ts, "atime": ts, "contains_refs": refs("file", "directory"),
	}, checkFormats)
	add("domain-name", SCO, req("value"), map[string]prop{"value": str, "resolves_to_refs": refs("ipv4-addr", "ipv6-addr", "domain-name")}, nil)
	add("email-addr", SCO, req("value"), map[string]prop{"value": str, "display_name": str, "belongs_to_ref": ref("user-account")}, nil)
	add("email-message", SCO, req("is_multipart"), map[string]prop{
		"is_multipart": boolean, "date": ts, "content_type": str, "from_ref": ref("email-addr"),
		"sender_ref": ref("email-addr"), "to_refs": refs("email-addr"), "cc_refs": refs("email-addr"),
		"bcc_refs": refs("email-addr"), "message_id": str, "subject": str, "received_lines": strs,
		"additional_header_fields": headerMap, "body": str, "body_multipart": objects, "raw_email_ref": ref("artifact"),
	}, checkEmailMessage)
	add("file", SCO, nil, map[string]prop{
		"hashes": hashes, "size": integer(0, inf), "name": str, "name_enc": str, "magic_number_hex": hexStr,
		"mime_type": str, "ctime": ts, "mtime": ts, "atime": ts, "parent_directory_ref": ref("directory"),
		"contains_refs": refs(), "content_ref": ref("artifact"),
	}, func(p *parser) error {
		if err := anyOf("hashes", "name")(p); err != nil {
			return err
		}
		return checkFormats(p)
	})
	add("ipv4-addr", SCO, req("value"), map[string]prop{"value": str, "resolves_to_refs": refs("mac-addr"), "belongs_to_refs": refs("autonomous-system")}, checkAddr(false))
	add("ipv6-addr", SCO, req("value"), map[string]prop{"value": str, "resolves_to_refs": refs("mac-addr"), "belongs_to_refs": refs("autonomous-system")}, checkAddr(true))
	add("mac-addr", SCO, req("value"), map[string]prop{"value": str}, checkMAC)
	add("mutex", SCO, req("name"), map[string]prop{"name": str}, nil)
	add("network-traffic", SCO, req("protocols"), map[string]prop{
		"start": ts, "end": ts, "is_active": boolean, "src_ref": ref(addrTypes...), "dst_ref": ref(addrTypes...),
		"src_port": integer(0, 65535), "dst_port": integer(0, 65535), "protocols": strs,
		"src_byte_count": integer(0, inf), "dst_byte_count": integer(0, inf), "src_packets": integer(0, inf),
		"dst_packets": integer(0, inf), "ipfix": dict, "src_payload_ref": ref("artifact"),
		"dst_payload_ref": ref("artifact"), "encapsulates_refs": refs("network-traffic"),
		"encapsulated_by_ref": ref("network-traffic"),
	}, checkNetworkTraffic)
	add("process", SCO, nil, map[string]prop{
		"is_hidden": boolean, "pid": integer(0, inf), "created_time": ts, "cwd": str, "command_line": str,
		"environment_variables": dict, "opened_connection_refs": refs("network-traffic"),
		"creator_user_ref": ref("user-account"), "image_ref": ref("file"), "parent_ref": ref("process"),
		"child_refs": refs("process"),
	}, ownProperty)
	add("software", SCO, req("name"), map[string]prop{"name": str, "cpe": str, "swid": str, "languages": strs, "vendor": str, "version": str}, checkFormats)
	add("url", SCO, req("value"), map[string]prop{"value": str}, nil)
	add("user-account", SCO, nil, map[string]prop{
		"user_id": str, "credential": str, "account_login": str, "account_type": str, "display_name": str,
		"is_service_account": boolean, "is_privileged": boolean, "can_escalate_privs": boolean, "is_disabled": boolean,
		"account_created": ts, "account_expires": ts, "credential_last_changed": ts,
		"account_first_login": ts, "account_last_login": ts,
	}, ownProperty)
	add("windows-registry-key", SCO, nil, map[string]prop{
		"key": str, "values": objects, "modified_time": ts, "creator_user_ref": ref("user-account"),
		"number_of_subkeys": integer(0, inf),
	}, checkRegistryKey)
	add("x509-certificate", SCO, nil, map[string]prop{
		"is_self_signed": boolean, "hashes": hashes, "version": str, "serial_number": str,
		"signature_algorithm": str, "issuer": str, "validity_not_before": ts, "validity_not_after": ts,
		"subject": str, "subject_public_key_algorithm": str, "subject_public_key_modulus": str,
		"subject_public_key_exponent": integer(0, inf), "x509_v3_extensions": object,
	}, ownProperty)

	// Meta objects.
	types["marking-definition"] = markingSpec
	add("language-content", Meta, req("object_ref", "contents"), map[string]prop{
		"object_ref": ref("!", "bundle", "language-content"), "object_modified": ts, "contents": dict,
	}, checkLanguageContent)
	add("extension-definition", Meta, req("name", "schema", "version", "extension_types", "created_by_ref"), map[string]prop{
		"name": str, "description": str, "schema": str, "version": str,
		"extension_types": enums(extensionTypes...), "extension_properties": strs,
	}, checkExtensionDefinition)
}

// seen returns a check that the later of two timestamps is not earlier.
func seen(first, last string) func(*parser) error {
	return func(p *parser) error {
		f, l := p.time(first), p.time(last)
		if !f.IsZero() && !l.IsZero() && l.Before(f) {
			return p.fail(last, "must not be earlier than %s", first)
		}
		return nil
	}
}

// anyOf returns a check that at least one of names is present.
func anyOf(names ...string) func(*parser) error {
	return func(p *parser) error {
		for _, n := range names {
			if p.has(n) {
				return nil
			}
		}
		return p.fail(names[0], "is required unless %s is present", quoteAll(names[1:]))
	}
}

// ownProperty is the rule of the SCOs with no required property: at least
// one property of their own (or an extension) must be present.
func ownProperty(p *parser) error {
	for _, m := range p.ms {
		if _, ok := p.spec.props[string(m.name)]; ok || string(m.name) == "extensions" {
			return nil
		}
	}
	return enlace.Errorf(enlace.EInvalid, "%s: a %s needs at least one of its own properties", p.label(), p.obj.Type)
}

func checkIndicator(p *parser) error {
	from, until := p.time("valid_from"), p.time("valid_until")
	if !until.IsZero() && !until.After(from) {
		return p.fail("valid_until", "must be later than valid_from")
	}
	return nil
}

func checkLocation(p *parser) error {
	lat, long := p.has("latitude"), p.has("longitude")
	if lat != long {
		if lat {
			return p.fail("longitude", "is required with latitude")
		}
		return p.fail("latitude", "is required with longitude")
	}
	if p.has("precision") && !lat {
		return p.fail("precision", "needs latitude and longitude")
	}
	if !lat && !p.has("region") && !p.has("country") {
		return p.fail("region", "is required unless country or latitude and longitude are present")
	}
	return nil
}

func checkMalware(p *parser) error {
	if m := p.get("is_family"); m.kind == 't' && !p.has("name") {
		return p.fail("name", "is required when is_family is true")
	}
	return seen("first_seen", "last_seen")(p)
}

func checkMalwareAnalysis(p *parser) error {
	return anyOf("result", "analysis_sco_refs")(p)
}

func checkObservedData(p *parser) error {
	objs, refs := p.has("objects"), p.has("object_refs")
	switch {
	case objs && refs:
		return p.fail("objects", "must not be present with object_refs (objects is deprecated)")
	case !objs && !refs:
		return p.fail("object_refs", "is required")
	}
	return seen("first_observed", "last_observed")(p)
}

func checkRelationship(p *parser) error {
	m := p.get("relationship_type")
	rt := strBody(m.val)
	if len(rt) < 3 || len(rt) > 250 {
		return p.fail("relationship_type", "must be 3 to 250 characters of a-z, 0-9 and '-'")
	}
	for _, c := range rt {
		if !(c >= 'a' && c <= 'z' || isDigit(c) || c == '-') {
			return p.fail("relationship_type", "must be 3 to 250 characters of a-z, 0-9 and '-'")
		}
	}
	start, stop := p.time("start_time"), p.time("stop_time")
	if !start.IsZero() && !stop.IsZero() && !stop.After(start) {
		return p.fail("stop_time", "must be later than start_time")
	}
	return nil
}

func checkArtifact(p *parser) error {
	bin, url := p.has("payload_bin"), p.has("url")
	switch {
	case bin && url:
		return p.fail("url", "must not be present with payload_bin")
	case !bin && !url:
		return p.fail("payload_bin", "is required unless url is present")
	case url && !p.has("hashes"):
		return p.fail("hashes", "is required with url")
	case p.has("decryption_key") && !p.has("encryption_algorithm"):
		return p.fail("encryption_algorithm", "is required with decryption_key")
	}
	return checkFormats(p)
}

func checkEmailMessage(p *parser) error {
	multi := p.get("is_multipart").kind == 't'
	switch {
	case multi && p.has("body"):
		return p.fail("body", "must not be present when is_multipart is true (use body_multipart)")
	case !multi && p.has("body_multipart"):
		return p.fail("body_multipart", "must not be present when is_multipart is false (use body)")
	}
	m := p.get("body_multipart")
	if m == nil {
		return nil
	}
	i := 0
	return elems(m.val, func(e []byte, _ byte) error {
		i++
		var body, raw bool
		for name, val := range objectFields(e) {
			switch string(name) {
			case "body", "content_type", "content_disposition":
				if kindOf(val) != '"' {
					return p.fail("body_multipart", "entry %d: %s must be a string", i, name)
				}
				body = body || string(name) == "body"
			case "body_raw_ref":
				if kindOf(val) != '"' {
					return p.fail("body_multipart", "entry %d: body_raw_ref must be an artifact or file id", i)
				}
				if err := p.refOK("body_multipart", strBody(val), []string{"artifact", "file"}); err != nil {
					return err
				}
				raw = true
			}
		}
		if body == raw {
			return p.fail("body_multipart", "entry %d needs exactly one of body and body_raw_ref", i)
		}
		return nil
	})
}

func checkNetworkTraffic(p *parser) error {
	if !p.has("src_ref") && !p.has("dst_ref") {
		return p.fail("src_ref", "is required unless dst_ref is present")
	}
	if m := p.get("is_active"); m != nil && m.kind == 't' && p.has("end") {
		return p.fail("end", "must not be present when is_active is true")
	}
	start, end := p.time("start"), p.time("end")
	if !start.IsZero() && !end.IsZero() && end.Before(start) {
		return p.fail("end", "must not be earlier than start")
	}
	return nil
}

func checkLanguageContent(p *parser) error {
	for _, f := range fields(p.get("contents").val) {
		if !validLangTag(f.name) {
			return p.fail("contents", "has key %q, which is not an RFC 5646 language tag such as \"de\"", f.name)
		}
		if f.kind != '{' {
			return p.fail("contents", "must map each language to a dictionary of translated properties, but %q does not", f.name)
		}
	}
	return nil
}

func checkExtensionDefinition(p *parser) error {
	if !p.has("extension_properties") {
		return nil
	}
	top := false
	_ = elems(p.get("extension_types").val, func(e []byte, _ byte) error {
		top = top || string(strBody(e)) == "toplevel-property-extension"
		return nil
	})
	if !top {
		return p.fail("extension_properties", "is only allowed with the extension type \"toplevel-property-extension\"")
	}
	return nil
}
