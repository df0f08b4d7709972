// Package enlace holds the domain of the enlace intelligence exchange:
// nations, agencies, task forces, users, reports and their markings,
// purposes, agreements, directives, consents and releases, together with
// the store interfaces that storage engines implement and the error codes
// every layer speaks.
//
// The package imports only the standard library. Everything that does I/O
// (storage engines, the HTTP faces, the command) depends on it; it depends
// on nothing of theirs.
package enlace
