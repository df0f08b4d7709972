package stix

import (
	"crypto/sha1"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/enlace-exchange/enlace"
)

// ExtensionID is the id of enlace's use-restriction extension-definition.
// It is fixed for good: partners key the extension by it.
const ExtensionID = "extension-definition--0674ed77-fec4-4eb7-a603-73f8574c2808"

// IdentityID is the id of the identity that defines enlace's extension
// (the extension-definition's created_by_ref).
const IdentityID = "identity--44441850-feb0-43d1-993a-9919df7d701f"

// SchemaURL is where enlace publishes the JSON Schema of its extension;
// the schema's $id is this URL.
const SchemaURL = "https://raw.githubusercontent.com/enlace-exchange/enlace/main/stix/schema/enlace-use-restriction.json"

//go:embed schema/enlace-use-restriction.json
var schema []byte

// Schema returns the JSON Schema (2020-12) of the body of enlace's
// use-restriction extension, the document published at SchemaURL.
func Schema() []byte { return append([]byte(nil), schema...) }

// defined is when enlace's extension and identity were first defined.
const defined = "2026-11-28T00:00:00.000Z"

// ExtensionDefinition returns the STIX extension-definition of enlace's
// use-restriction extension, a property-extension carried on
// marking-definitions.
func ExtensionDefinition() json.RawMessage {
	return json.RawMessage(`{"type":"extension-definition","spec_version":"2.1","id":"` + ExtensionID + `",` +
		`"created_by_ref":"` + IdentityID + `","created":"` + defined + `","modified":"` + defined + `",` +
		`"name":"enlace use restriction",` +
		`"description":"Handling codes (SIENA H0-H3, US ORCON), use restrictions (allowed and prohibited purposes, onward release, judicial use) and intended recipients, carried on a marking-definition.",` +
		`"schema":"` + SchemaURL + `","version":"1.0.0","extension_types":["property-extension"]}`)
}

// Identity returns the STIX identity that creates enlace's
// extension-definition, so a bundle can carry what created_by_ref names.
func Identity() json.RawMessage {
	return json.RawMessage(`{"type":"identity","spec_version":"2.1","id":"` + IdentityID + `",` +
		`"created":"` + defined + `","modified":"` + defined + `","name":"enlace","identity_class":"system"}`)
}

// MarkingDefinition is a marking-definition built from enlace Markings and
// the object_marking_refs that carry those Markings.
type MarkingDefinition struct {
	// ID and JSON are the marking-definition carrying enlace's extension.
	// They are empty when the Markings are a TLP level alone.
	ID   string
	JSON json.RawMessage
	// Refs are the object_marking_refs of an object marked with the
	// Markings: the TLP 2.0 marking-definition and ID.
	Refs []string
}

// NewMarkingDefinition builds the marking-definition that carries m's
// handling codes, use restriction and recipients in enlace's extension,
// created by createdByRef (an identity id, or "") at created. Its id is
// a UUIDv5 of its content, so the same markings from the same creator at
// the same time always yield the same object. Purposes are checked for
// form only; m.Validate checks them against a vocabulary.
func NewMarkingDefinition(m enlace.Markings, createdByRef string, created time.Time) (MarkingDefinition, error) {
	if !m.TLP.Valid() {
		return MarkingDefinition{}, enlace.Errorf(enlace.EInvalid, "a TLP 2.0 level is required (clear, green, amber, amber+strict, red)")
	}
	if created.IsZero() {
		return MarkingDefinition{}, enlace.Errorf(enlace.EInvalid, "a marking-definition needs its created time")
	}
	if createdByRef != "" {
		if typ, ok := splitID(createdByRef); !ok || typ != "identity" {
			return MarkingDefinition{}, enlace.Errorf(enlace.EInvalid, "created_by_ref %q is not an identity id", createdByRef)
		}
	}
	md := MarkingDefinition{Refs: []string{m.TLP.MarkingID()}}
	ext := enlaceExt{ExtensionType: "property-extension", Handling: m.Handling, Recipients: m.Recipients}
	if r := m.UseRestriction; len(r.AllowedPurposes) > 0 || len(r.ProhibitedPurposes) > 0 || r.Onward != "" || r.NoJudicialUse {
		ext.UseRestriction = &r
	}
	if ext.Handling == nil && ext.Recipients == nil && ext.UseRestriction == nil {
		return md, nil
	}
	if err := checkEnlaceExt(&ext); err != nil {
		return MarkingDefinition{}, enlace.Errorf(enlace.EInvalid, "markings: %v", err)
	}
	body, err := json.Marshal(ext)
	if err != nil {
		return MarkingDefinition{}, enlace.Errorf(enlace.EInternal, "encode enlace extension: %v", err)
	}
	ts := formatTimestamp(created)
	name := ts + "\x00" + createdByRef + "\x00" + string(body)
	md.ID = "marking-definition--" + uuid5(ExtensionID[len("extension-definition--"):], name)
	var b strings.Builder
	b.WriteString(`{"type":"marking-definition","spec_version":"2.1","id":"` + md.ID + `",`)
	if createdByRef != "" {
		b.WriteString(`"created_by_ref":"` + createdByRef + `",`)
	}
	b.WriteString(`"created":"` + ts + `","name":"enlace use restriction","extensions":{"` + ExtensionID + `":`)
	b.Write(body)
	b.WriteString(`}}`)
	md.JSON = json.RawMessage(b.String())
	md.Refs = append(md.Refs, md.ID)
	return md, nil
}

// formatTimestamp writes t as a STIX timestamp in UTC with at least
// millisecond precision and no precision lost.
func formatTimestamp(t time.Time) string {
	s := t.UTC().Format("2006-01-02T15:04:05.999999999")
	i := strings.IndexByte(s, '.')
	switch {
	case i < 0:
		s += ".000"
	case len(s)-i-1 < 3:
		s += strings.Repeat("0", 3-(len(s)-i-1))
	}
	return s + "Z"
}

// uuid5 returns the RFC 4122 version 5 UUID of name in namespace ns (a
// UUID string).
func uuid5(ns, name string) string {
	nsb, _ := hex.DecodeString(strings.ReplaceAll(ns, "-", ""))
	h := sha1.New()
	h.Write(nsb)
	h.Write([]byte(name))
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	x := hex.EncodeToString(u)
	return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}
