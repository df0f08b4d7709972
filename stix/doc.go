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
// The package does no I/O: it reads only what it is given. Its errors are
// *enlace.Error with code enlace.EInvalid and a message, naming the object
// and the property, that a partner can act on.
package stix
