// Package stix parses and validates STIX 2.1 objects as partners send them,
// and maps their markings onto enlace's own (TLP 2.0, handling codes, use
// restrictions).
//
// Parse reads one object from raw JSON, checks it against the rules of the
// OASIS STIX 2.1 specification (common properties, the required properties
// of every SDO, SRO, SCO and meta object, custom properties and extensions)
// and returns its head. It sits in the ingest path, so it walks the JSON
// once with its own scanner instead of decoding into maps.
//
// MarkingsOf turns an object's object_marking_refs into enlace.Markings:
// TLP 2.0 and TLP 1.0 marking-definitions, and enlace's own use-restriction
// extension (ExtensionDefinition, Schema), which NewMarkingDefinition
// writes onto a marking-definition. Equal compares JSON documents for
// round-trip tests; package stixschema, for tests too, checks objects
// against the OASIS STIX 2.1 JSON schemas.
//
// The package does no I/O: it reads only what it is given. Its errors are
// *enlace.Error with code enlace.EInvalid and a message, naming the object
// and the property, that a partner can act on.
package stix
