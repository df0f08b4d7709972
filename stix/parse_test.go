package stix_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/stix"
)

// fixtures returns the valid objects of testdata/valid.json.
func fixtures(t testing.TB) []json.RawMessage {
	t.Helper()
	b, err := os.ReadFile("testdata/valid.json")
	if err != nil {
		t.Fatal(err)
	}
	var objs []json.RawMessage
	if err := json.Unmarshal(b, &objs); err != nil {
		t.Fatal(err)
	}
	return objs
}

// fixture returns a copy of the first fixture of type typ, as a map to
// change.
func fixture(t *testing.T, typ string) map[string]any {
	t.Helper()
	for _, raw := range fixtures(t) {
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		if m["type"] == typ {
			return m
		}
	}
	t.Fatalf("no fixture of type %s", typ)
	return nil
}

func TestParseValid(t *testing.T) {
	seen := map[string]bool{}
	for _, raw := range fixtures(t) {
		o, err := stix.Parse(raw)
		if err != nil {
			t.Errorf("Parse: %v\n%s", err, raw)
			continue
		}
		seen[o.Type] = true
	}
	// Every STIX 2.1 type has a fixture: 19 SDOs, 2 SROs, 18 SCOs, 3 meta
	// objects, a custom type and two types defined by extensions.
	if len(seen) != 19+2+18+3+1+2 {
		t.Errorf("fixtures cover %d types, want 45", len(seen))
	}
}

// TestFixturesAgreeWithSchemas holds the fixtures to the OASIS schemas.
func TestFixturesAgreeWithSchemas(t *testing.T) {
	v := oasis(t)
	for _, raw := range fixtures(t) {
		if err := v.Validate(raw); err != nil {
			t.Errorf("schemas reject a fixture: %v", err)
		}
	}
}

func TestParseHead(t *testing.T) {
	raw := `{"type":"incident","spec_version":"2.1","id":"incident--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-04-06T20:03:48.123456Z","modified":"2016-04-06T20:03:48.123456789Z","name":"x","revoked":true,"created_by_ref":"identity--f431f809-377b-45e0-aa1c-6a4751cae5ff","object_marking_refs":["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"]}`
	o, err := stix.Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2016, 4, 6, 20, 3, 48, 123456000, time.UTC)
	modified := time.Date(2016, 4, 6, 20, 3, 48, 123456789, time.UTC)
	switch {
	case o.ID != "incident--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", o.Type != "incident", o.Category != stix.SDO, o.SpecVersion != "2.1":
		t.Errorf("head %+v", o)
	case !o.Created.Equal(created) || !o.Modified.Equal(modified):
		t.Errorf("created %v modified %v: precision lost", o.Created, o.Modified)
	case !o.Version().Equal(modified):
		t.Errorf("Version %v, want modified", o.Version())
	case !o.Revoked || o.CreatedByRef != "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff" || len(o.ObjectMarkingRefs) != 1:
		t.Errorf("head %+v", o)
	}
	sco, err := stix.Parse([]byte(`{"type":"ipv4-addr","id":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd","value":"198.51.100.3"}`))
	if err != nil {
		t.Fatal(err)
	}
	if !sco.Version().IsZero() || sco.Category != stix.SCO || sco.SpecVersion != "" {
		t.Errorf("SCO head %+v, version %v", sco, sco.Version())
	}
	md, err := stix.Parse([]byte(`{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da","created":"2017-01-20T00:00:00.000Z","definition_type":"tlp","name":"TLP:GREEN","definition":{"tlp":"green"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if !md.Version().Equal(time.Date(2017, 1, 20, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("marking-definition version %v, want created", md.Version())
	}
}

// del is a sentinel value: the property is removed.
var del = struct{}{}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		name string
		typ  string         // the fixture to start from
		set  map[string]any // properties to set (del removes)
		raw  string         // or the raw text itself
		prop string         // the property the message must name
		// schemaAccepts marks cases the OASIS schemas accept although
		// STIX 2.1 (or enlace) does not; each says why.
		schemaAccepts string
	}{
		{name: "no type", typ: "indicator", set: map[string]any{"type": del}, prop: "type"},
		{name: "type not a string", typ: "indicator", set: map[string]any{"type": 7}, prop: "type"},
		{name: "type with double hyphen", typ: "x-acme-shipment", set: map[string]any{"type": "x--acme", "id": "x--acme--6a2c4f22-0c9e-4b3d-9a8e-6d1f7a0c1b2e"}, prop: "type"},
		{name: "type with trailing hyphen", typ: "x-acme-shipment", set: map[string]any{"type": "x-acme-", "id": "x-acme---6a2c4f22-0c9e-4b3d-9a8e-6d1f7a0c1b2e"}, prop: "type"},
		{name: "type too short", typ: "x-acme-shipment", set: map[string]any{"type": "x-", "id": "x---6a2c4f22-0c9e-4b3d-9a8e-6d1f7a0c1b2e"}, prop: "type"},
		{name: "type upper case", typ: "x-acme-shipment", set: map[string]any{"type": "X-Acme", "id": "X-Acme--6a2c4f22-0c9e-4b3d-9a8e-6d1f7a0c1b2e"}, prop: "type"},
		{name: "unknown type", typ: "indicator", set: map[string]any{"type": "shipment", "id": "shipment--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}, prop: "type"},
		{name: "bundle", raw: `{"type":"bundle","id":"bundle--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","objects":[]}`, prop: "type"},
		{name: "reserved type action", raw: `{"type":"action","id":"action--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}`, prop: "type"},
		{name: "no id", typ: "indicator", set: map[string]any{"id": del}, prop: "id"},
		{name: "id of another type", typ: "indicator", set: map[string]any{"id": "malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}, prop: "id"},
		{name: "id not a UUID", typ: "indicator", set: map[string]any{"id": "indicator--1234"}, prop: "id"},
		{name: "id UUID wrong variant", typ: "indicator", set: map[string]any{"id": "indicator--8e2e2d2b-17d4-4cbf-c38f-98ee46b3cd3f"}, prop: "id"},
		{name: "no spec_version", typ: "indicator", set: map[string]any{"spec_version": del}, prop: "spec_version"},
		{name: "spec_version 2.0", typ: "indicator", set: map[string]any{"spec_version": "2.0"}, prop: "spec_version", schemaAccepts: "the schemas allow 2.0; enlace takes STIX 2.1 only"},
		{name: "SCO spec_version 2.2", typ: "ipv4-addr", set: map[string]any{"spec_version": "2.2"}, prop: "spec_version"},
		{name: "no created", typ: "indicator", set: map[string]any{"created": del}, prop: "created"},
		{name: "no modified", typ: "relationship", set: map[string]any{"modified": del}, prop: "modified"},
		{name: "created not UTC", typ: "indicator", set: map[string]any{"created": "2016-04-06T20:03:48.000+01:00"}, prop: "created"},
		{name: "created seconds only", typ: "indicator", set: map[string]any{"created": "2016-04-06T20:03:48Z"}, prop: "created"},
		{name: "created on 30 February", typ: "indicator", set: map[string]any{"created": "2016-02-30T20:03:48.000Z", "modified": "2016-03-06T20:03:48.000Z"}, prop: "created", schemaAccepts: "the schema's timestamp pattern does not know month lengths"},
		{name: "created finer than nanoseconds", typ: "indicator", set: map[string]any{"created": "2016-04-06T20:03:48.0000000001Z"}, prop: "created", schemaAccepts: "STIX allows any precision; time.Time holds nanoseconds and enlace will not merge versions silently"},
		{name: "created in a leap second", typ: "indicator", set: map[string]any{"created": "2016-12-31T23:59:60.000Z", "modified": "2017-01-01T00:00:00.000Z"}, prop: "created", schemaAccepts: "RFC 3339 allows second 60; time.Time cannot hold it, and enlace will not move a version by a second"},
		{name: "modified before created", typ: "indicator", set: map[string]any{"modified": "2016-04-06T20:03:47.999Z"}, prop: "modified", schemaAccepts: "JSON Schema cannot compare two properties"},
		{name: "null property", typ: "indicator", set: map[string]any{"name": nil}, prop: "name"},
		{name: "empty labels", typ: "indicator", set: map[string]any{"labels": []any{}}, prop: "labels"},
		{name: "labels not strings", typ: "indicator", set: map[string]any{"labels": []any{1}}, prop: "labels"},
		{name: "confidence over 100", typ: "indicator", set: map[string]any{"confidence": 101}, prop: "confidence"},
		{name: "confidence fractional", typ: "indicator", set: map[string]any{"confidence": 50.5}, prop: "confidence"},
		{name: "lang not a string", typ: "indicator", set: map[string]any{"lang": 1}, prop: "lang"},
		{name: "lang not a language tag", typ: "indicator", set: map[string]any{"lang": "en_US"}, prop: "lang", schemaAccepts: "core.json takes any string"},
		{name: "revoked not boolean", typ: "indicator", set: map[string]any{"revoked": "yes"}, prop: "revoked"},
		{name: "created_by_ref not identity", typ: "indicator", set: map[string]any{"created_by_ref": "malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}, prop: "created_by_ref", schemaAccepts: "the schema checks only the identifier form"},
		{name: "object_marking_refs not marking", typ: "indicator", set: map[string]any{"object_marking_refs": []any{"identity--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}}, prop: "object_marking_refs", schemaAccepts: "core.json checks only the identifier form"},
		{name: "granular marking without selectors", typ: "indicator", set: map[string]any{"granular_markings": []any{map[string]any{"marking_ref": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"}}}, prop: "granular_markings"},
		{name: "granular marking with lang and marking_ref", typ: "indicator", set: map[string]any{"granular_markings": []any{map[string]any{"selectors": []any{"description"}, "lang": "en", "marking_ref": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"}}}, prop: "granular_markings", schemaAccepts: "the schema does not forbid both"},
		{name: "granular marking bad selector", typ: "indicator", set: map[string]any{"granular_markings": []any{map[string]any{"selectors": []any{"Description!"}, "marking_ref": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"}}}, prop: "granular_markings"},
		{name: "granular marking selects nothing", typ: "indicator", set: map[string]any{"granular_markings": []any{map[string]any{"selectors": []any{"kill_chain_phases.[0]"}, "marking_ref": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"}}}, prop: "granular_markings", schemaAccepts: "JSON Schema cannot follow a selector into the object"},
		{name: "granular marking index out of range", typ: "attack-pattern", set: map[string]any{"granular_markings": []any{map[string]any{"selectors": []any{"external_references.[1]"}, "marking_ref": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"}}}, prop: "granular_markings", schemaAccepts: "JSON Schema cannot follow a selector into the object"},
		{name: "external reference without source_name", typ: "indicator", set: map[string]any{"external_references": []any{map[string]any{"url": "https://example.com"}}}, prop: "external_references"},
		{name: "cve reference without CVE id", typ: "vulnerability", set: map[string]any{"external_references": []any{map[string]any{"source_name": "cve", "external_id": "2016-1234"}}}, prop: "external_references"},
		{name: "bad MD5 in external reference", typ: "indicator", set: map[string]any{"external_references": []any{map[string]any{"source_name": "x", "url": "https://example.com", "hashes": map[string]any{"MD5": "abc"}}}}, prop: "external_references"},
		{name: "reserved property severity", typ: "indicator", set: map[string]any{"severity": "high"}, prop: "severity"},
		{name: "custom property too short", typ: "indicator", set: map[string]any{"xy": "v"}, prop: "xy"},
		{name: "custom property with hyphen", typ: "indicator", set: map[string]any{"x-acme": "v"}, prop: "x-acme"},
		{name: "custom property upper case", typ: "indicator", set: map[string]any{"x_Acme": "v"}, prop: "x_Acme"},
		{name: "custom _hex not hex", typ: "indicator", set: map[string]any{"x_acme_hex": "xyz"}, prop: "x_acme_hex"},
		{name: "extensions empty", typ: "indicator", set: map[string]any{"extensions": map[string]any{}}, prop: "extensions"},
		{name: "extension without extension_type", typ: "indicator", set: map[string]any{"extensions": map[string]any{"extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e": map[string]any{"x_foo": "bar"}}}, prop: "extensions"},
		{name: "extension bad key", typ: "indicator", set: map[string]any{"extensions": map[string]any{"acme": map[string]any{"x_foo": "bar"}}}, prop: "extensions"},
		{name: "duplicate property", raw: `{"type":"mutex","id":"mutex--eba44954-d4e4-5d3b-814c-2b17dd8de300","name":"a","name":"b"}`, prop: "name", schemaAccepts: "a JSON decoder keeps one of the duplicates"},
		{name: "not JSON", raw: `{"type":"mutex",`, prop: ""},
		{name: "malformed value", raw: `{"type":"mutex","id":"mutex--eba44954-d4e4-5d3b-814c-2b17dd8de300","name":"a\x"}`, prop: "name"},
		{name: "nested duplicate", raw: `{"type":"file","id":"file--e277603e-1060-5ad4-9937-c26c97f1ca68","hashes":{"MD5":"0123456789abcdef0123456789abcdef","MD5":"00000000000000000000000000000000"}}`, prop: "hashes", schemaAccepts: "a JSON decoder keeps one of the duplicates"},

		{name: "attack-pattern without name", typ: "attack-pattern", set: map[string]any{"name": del}, prop: "name"},
		{name: "kill chain phase incomplete", typ: "attack-pattern", set: map[string]any{"kill_chain_phases": []any{map[string]any{"phase_name": "x"}}}, prop: "kill_chain_phases"},
		{name: "campaign last_seen before first_seen", typ: "campaign", set: map[string]any{"last_seen": "2015-01-01T00:00:00Z"}, prop: "last_seen", schemaAccepts: "JSON Schema cannot compare two properties"},
		{name: "course-of-action without name", typ: "course-of-action", set: map[string]any{"name": del}, prop: "name"},
		{name: "grouping without context", typ: "grouping", set: map[string]any{"context": del}, prop: "context"},
		{name: "identity without name", typ: "identity", set: map[string]any{"name": del}, prop: "name"},
		{name: "incident without name", typ: "incident", set: map[string]any{"name": del}, prop: "name"},
		{name: "indicator without pattern", typ: "indicator", set: map[string]any{"pattern": del}, prop: "pattern"},
		{name: "indicator without pattern_type", typ: "indicator", set: map[string]any{"pattern_type": del}, prop: "pattern_type"},
		{name: "indicator without valid_from", typ: "indicator", set: map[string]any{"valid_from": del}, prop: "valid_from"},
		{name: "indicator valid_until not after valid_from", typ: "indicator", set: map[string]any{"valid_until": "2016-01-01T00:00:00Z"}, prop: "valid_until", schemaAccepts: "JSON Schema cannot compare two properties"},
		{name: "infrastructure without name", typ: "infrastructure", set: map[string]any{"name": del}, prop: "name"},
		{name: "intrusion-set without name", typ: "intrusion-set", set: map[string]any{"name": del}, prop: "name"},
		{name: "location with nothing", typ: "location", set: map[string]any{"latitude": del, "longitude": del, "precision": del}, prop: "region"},
		{name: "location latitude alone", typ: "location", set: map[string]any{"longitude": del, "precision": del}, prop: "longitude"},
		{name: "location latitude out of range", typ: "location", set: map[string]any{"latitude": 91}, prop: "latitude"},
		{name: "malware without is_family", typ: "malware", set: map[string]any{"is_family": del}, prop: "is_family"},
		{name: "malware family without name", typ: "malware", set: map[string]any{"is_family": true, "name": del}, prop: "name"},
		{name: "malware-analysis without result", typ: "malware-analysis", set: map[string]any{"result": del}, prop: "result"},
		{name: "malware-analysis without product", typ: "malware-analysis", set: map[string]any{"product": del}, prop: "product"},
		{name: "note without content", typ: "note", set: map[string]any{"content": del}, prop: "content"},
		{name: "observed-data without number_observed", typ: "observed-data", set: map[string]any{"number_observed": del}, prop: "number_observed"},
		{name: "observed-data number_observed zero", typ: "observed-data", set: map[string]any{"number_observed": 0}, prop: "number_observed"},
		{name: "observed-data without object_refs", typ: "observed-data", set: map[string]any{"object_refs": del}, prop: "object_refs"},
		{name: "opinion unknown value", typ: "opinion", set: map[string]any{"opinion": "meh"}, prop: "opinion"},
		{name: "report without published", typ: "report", set: map[string]any{"published": del}, prop: "published"},
		{name: "report without object_refs", typ: "report", set: map[string]any{"object_refs": del}, prop: "object_refs"},
		{name: "threat-actor without name", typ: "threat-actor", set: map[string]any{"name": del}, prop: "name"},
		{name: "tool without name", typ: "tool", set: map[string]any{"name": del}, prop: "name"},
		{name: "vulnerability without name", typ: "vulnerability", set: map[string]any{"name": del}, prop: "name"},
		{name: "relationship without relationship_type", typ: "relationship", set: map[string]any{"relationship_type": del}, prop: "relationship_type"},
		{name: "relationship without source_ref", typ: "relationship", set: map[string]any{"source_ref": del}, prop: "source_ref"},
		{name: "relationship without target_ref", typ: "relationship", set: map[string]any{"target_ref": del}, prop: "target_ref"},
		{name: "relationship to a marking", typ: "relationship", set: map[string]any{"target_ref": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"}, prop: "target_ref"},
		{name: "sighting without sighting_of_ref", typ: "sighting", set: map[string]any{"sighting_of_ref": del}, prop: "sighting_of_ref"},
		{name: "sighting where_sighted_refs to malware", typ: "sighting", set: map[string]any{"where_sighted_refs": []any{"malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b"}}, prop: "where_sighted_refs"},

		{name: "artifact with payload_bin and url", typ: "artifact", set: map[string]any{"url": "https://example.com/a.zip", "hashes": map[string]any{"MD5": "0123456789abcdef0123456789abcdef"}}, prop: "url"},
		{name: "artifact payload_bin not base64", typ: "artifact", set: map[string]any{"payload_bin": "not base64!"}, prop: "payload_bin"},
		{name: "autonomous-system without number", typ: "autonomous-system", set: map[string]any{"number": del}, prop: "number"},
		{name: "directory without path", typ: "directory", set: map[string]any{"path": del}, prop: "path"},
		{name: "domain-name without value", typ: "domain-name", set: map[string]any{"value": del}, prop: "value"},
		{name: "email-addr without value", typ: "email-addr", set: map[string]any{"value": del}, prop: "value"},
		{name: "email-message without is_multipart", typ: "email-message", set: map[string]any{"is_multipart": del}, prop: "is_multipart"},
		{name: "email-message multipart with body", typ: "email-message", set: map[string]any{"is_multipart": true}, prop: "body"},
		{name: "file without hashes or name", typ: "file", set: map[string]any{"name": del, "hashes": del}, prop: "hashes"},
		{name: "file with short SHA-256", typ: "file", set: map[string]any{"hashes": map[string]any{"SHA-256": "abcd"}}, prop: "hashes"},
		{name: "ipv4-addr without value", typ: "ipv4-addr", set: map[string]any{"value": del}, prop: "value"},
		{name: "ipv6-addr without value", typ: "ipv6-addr", set: map[string]any{"value": del}, prop: "value"},
		{name: "mac-addr without value", typ: "mac-addr", set: map[string]any{"value": del}, prop: "value"},
		{name: "mutex without name", typ: "mutex", set: map[string]any{"name": del}, prop: "name"},
		{name: "network-traffic without protocols", typ: "network-traffic", set: map[string]any{"protocols": del}, prop: "protocols"},
		{name: "network-traffic without endpoints", typ: "network-traffic", set: map[string]any{"src_ref": del, "dst_ref": del}, prop: "src_ref"},
		{name: "network-traffic port out of range", typ: "network-traffic", set: map[string]any{"dst_port": 70000}, prop: "dst_port"},
		{name: "ipv4-addr value not an address", typ: "ipv4-addr", set: map[string]any{"value": "198.51.100.300"}, prop: "value"},
		{name: "ipv4-addr value IPv6", typ: "ipv4-addr", set: map[string]any{"value": "2001:db8::1"}, prop: "value"},
		{name: "ipv6-addr value IPv4", typ: "ipv6-addr", set: map[string]any{"value": "198.51.100.3"}, prop: "value"},
		{name: "mac-addr upper case", typ: "mac-addr", set: map[string]any{"value": "D2:FB:49:24:37:18"}, prop: "value"},
		{name: "artifact without payload_bin or url", typ: "artifact", set: map[string]any{"payload_bin": del}, prop: "payload_bin"},
		{name: "artifact unknown encryption", typ: "artifact", set: map[string]any{"encryption_algorithm": "rot13"}, prop: "encryption_algorithm"},
		{name: "artifact bad mime_type", typ: "artifact", set: map[string]any{"mime_type": "zip"}, prop: "mime_type"},
		{name: "software bad cpe", typ: "software", set: map[string]any{"cpe": "cpe:/a:microsoft:word:2000"}, prop: "cpe"},
		{name: "registry key abbreviated hive", typ: "windows-registry-key", set: map[string]any{"key": "HKLM\\Software"}, prop: "key"},
		{name: "registry value bad data_type", typ: "windows-registry-key", set: map[string]any{"values": []any{map[string]any{"name": "Foo", "data_type": "REG_TEXT"}}}, prop: "values"},
		{name: "pebinary extension without pe_type", typ: "file", set: map[string]any{"extensions": map[string]any{"windows-pebinary-ext": map[string]any{"number_of_sections": 4}}}, prop: "extensions"},
		{name: "pebinary extension on a process", typ: "process", set: map[string]any{"extensions": map[string]any{"windows-pebinary-ext": map[string]any{"pe_type": "dll", "number_of_sections": 4}}}, prop: "extensions", schemaAccepts: "process-extensions-dictionary accepts any \"-ext\" name as a custom extension"},
		{name: "pebinary number_of_sections negative", typ: "file", set: map[string]any{"extensions": map[string]any{"windows-pebinary-ext": map[string]any{"pe_type": "dll", "number_of_sections": -4}}}, prop: "extensions.windows-pebinary-ext.number_of_sections"},
		{name: "socket extension unknown family", typ: "network-traffic", set: map[string]any{"extensions": map[string]any{"socket-ext": map[string]any{"address_family": "AF_MARS"}}}, prop: "extensions.socket-ext.address_family"},
		{name: "http request header not a list", typ: "network-traffic", set: map[string]any{"extensions": map[string]any{"http-request-ext": map[string]any{"request_method": "get", "request_value": "/", "request_header": map[string]any{"Host": "example.com"}}}}, prop: "extensions.http-request-ext.request_header"},
		{name: "email header value a list of one", typ: "email-message", set: map[string]any{"additional_header_fields": map[string]any{"X-Mailer": []any{"one"}}}, prop: "additional_header_fields"},
		{name: "email part with body and body_raw_ref", typ: "email-message", set: map[string]any{"is_multipart": true, "body": del, "body_multipart": []any{map[string]any{"body": "x", "body_raw_ref": "artifact--6f437177-6e48-5cf8-9d9e-872a2bddd641"}}}, prop: "body_multipart"},
		{name: "software without name", typ: "software", set: map[string]any{"name": del}, prop: "name"},
		{name: "url without value", typ: "url", set: map[string]any{"value": del}, prop: "value"},
		{name: "x509-certificate is_self_signed not boolean", typ: "x509-certificate", set: map[string]any{"is_self_signed": "yes"}, prop: "is_self_signed"},

		{name: "marking-definition without definition", typ: "marking-definition", set: map[string]any{"definition": del}, prop: "definition"},
		{name: "TLP 1.0 marking with another id", typ: "marking-definition", set: map[string]any{"id": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41db"}, prop: "id"},
		{name: "TLP 1.0 marking with unknown level", typ: "marking-definition", set: map[string]any{"definition": map[string]any{"tlp": "purple"}}, prop: "definition"},
		{name: "TLP 1.0 marking with another name", typ: "marking-definition", set: map[string]any{"name": "green"}, prop: "name"},
		{name: "TLP 1.0 marking with another created", typ: "marking-definition", set: map[string]any{"created": "2018-01-20T00:00:00.000Z"}, prop: "created"},
		{name: "TLP 1.0 marking with a creator", typ: "marking-definition", set: map[string]any{"created_by_ref": "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff"}, prop: "created_by_ref"},
		{name: "marking-definition without created", typ: "marking-definition", set: map[string]any{"created": del}, prop: "created"},
		{name: "language-content keyed by a non-language", typ: "language-content", set: map[string]any{"contents": map[string]any{"deutsch_1": map[string]any{"name": "x"}}}, prop: "contents", schemaAccepts: "the schema takes any dictionary key"},
		{name: "language-content without contents", typ: "language-content", set: map[string]any{"contents": del}, prop: "contents"},
		{name: "language-content about a bundle", typ: "language-content", set: map[string]any{"object_ref": "bundle--12a111f0-b824-4baf-a224-83b80237a094"}, prop: "object_ref"},
		{name: "extension-definition without schema", typ: "extension-definition", set: map[string]any{"schema": del}, prop: "schema"},
		{name: "extension-definition without created_by_ref", typ: "extension-definition", set: map[string]any{"created_by_ref": del}, prop: "created_by_ref", schemaAccepts: "the schema omits the requirement the specification states"},
		{name: "extension-definition unknown extension type", typ: "extension-definition", set: map[string]any{"extension_types": []any{"new-thing"}}, prop: "extension_types"},
		{name: "custom object without created", typ: "x-acme-shipment", set: map[string]any{"created": del}, prop: "created"},
		{name: "extension-defined SDO without modified", typ: "acme-vessel", set: map[string]any{"modified": del}, prop: "modified"},
		{name: "extension-defined SCO with bad id", typ: "acme-container-id", set: map[string]any{"id": "acme-container-id--5a1a3a41"}, prop: "id"},
		{name: "unknown type with a property extension only", typ: "acme-vessel", set: map[string]any{"extensions": map[string]any{"extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e": map[string]any{"extension_type": "property-extension"}}}, prop: "type"},
	}
	v := maybeOasis(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := []byte(tt.raw)
			if tt.raw == "" {
				m := fixture(t, tt.typ)
				for k, val := range tt.set {
					if val == del {
						delete(m, k)
					} else {
						m[k] = val
					}
				}
				var err error
				if raw, err = json.Marshal(m); err != nil {
					t.Fatal(err)
				}
			}
			_, err := stix.Parse(raw)
			var e *enlace.Error
			if !errors.As(err, &e) || e.Code != enlace.EInvalid {
				t.Fatalf("Parse = %v, want an EInvalid *enlace.Error\n%s", err, raw)
			}
			if tt.prop != "" && !strings.Contains(e.Message, `property "`+tt.prop+`"`) {
				t.Errorf("message %q does not name property %q", e.Message, tt.prop)
			}
			if v != nil {
				serr := v.Validate(raw)
				switch {
				case serr == nil && tt.schemaAccepts == "":
					t.Errorf("the OASIS schemas accept what Parse rejects (%s)", e.Message)
				case serr != nil && tt.schemaAccepts != "":
					t.Errorf("the OASIS schemas reject it too: drop schemaAccepts (%v)", serr)
				}
			}
		})
	}
}

// TestIdentifierUUIDs: the UUID of an identifier may be of any version
// RFC 9562 (which obsoletes RFC 4122) defines, in either case, but must
// have the RFC 4122 variant. The OASIS schemas allow versions 1 to 5 only,
// so they refuse the newer time-ordered UUIDv7 that Parse accepts.
func TestIdentifierUUIDs(t *testing.T) {
	for uuid, ok := range map[string]bool{
		"6ba7b810-9dad-11d1-80b4-00c04fd430c8":  true,  // v1
		"8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f":  true,  // v4
		"eba44954-d4e4-5d3b-814c-2b17dd8de300":  true,  // v5
		"01890a5d-ac96-774b-bcce-b302099a8057":  true,  // v7
		"8E2E2D2B-17D4-4CBF-938F-98EE46B3CD3F":  true,  // upper case
		"00000000-0000-0000-0000-000000000000":  false, // nil
		"8e2e2d2b-17d4-9cbf-938f-98ee46b3cd3f":  false, // version 9
		"8e2e2d2b-17d4-4cbf-c38f-98ee46b3cd3f":  false, // Microsoft variant
		"8e2e2d2b17d44cbf938f98ee46b3cd3f":      false, // no hyphens
		"{8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3}": false,
	} {
		raw := `{"type":"mutex","spec_version":"2.1","id":"mutex--` + uuid + `","name":"m"}`
		if _, err := stix.Parse([]byte(raw)); (err == nil) != ok {
			t.Errorf("%s: Parse = %v, want ok %v", uuid, err, ok)
		}
	}
}

// TestParseSelectorBudget: selectors that each walk a large value would
// cost time in proportion to the square of the object's size; Parse stops
// following them past a budget and says why.
func TestParseSelectorBudget(t *testing.T) {
	m := fixture(t, "attack-pattern")
	m["external_references"] = []any{map[string]any{"source_name": "x", "url": "https://example.com", "description": strings.Repeat("a", 200_000)}}
	sel := make([]any, 20_000)
	for i := range sel {
		sel[i] = "external_references.[0].url"
	}
	m["granular_markings"] = []any{map[string]any{"selectors": sel, "marking_ref": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"}}
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = stix.Parse(raw)
	if enlace.ErrorCode(err) != enlace.EInvalid || !strings.Contains(err.Error(), `property "granular_markings" has more selectors`) {
		t.Errorf("Parse = %v, want the selector budget spent", err)
	}
	t.Logf("refused in %v", time.Since(start))
	m["granular_markings"] = []any{map[string]any{"selectors": sel[:20], "marking_ref": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"}}
	if raw, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if _, err := stix.Parse(raw); err != nil {
		t.Errorf("20 selectors: %v", err)
	}
}
