// Package screen screens names of persons, organisations, vessels and
// aircraft against sanctions lists.
//
// It holds the list model (Entry, ListVersion, Diff), a versioned Registry
// that persists imported list versions in a directory, the name normaliser,
// and Index, an in-memory search structure that generates candidates from
// several keys (tokens, folded transliterations, phonetic skeletons and
// character trigrams) and scores them with an IDF-weighted token alignment
// plus date-of-birth, nationality and identifier evidence.
//
// The package does no network I/O; parsers for the list formats live in the
// subpackages ofac and un, and the benchmark in bench.
package screen
