// Package ledger is the exchange's tamper-evident log: a transparency log
// in the manner of Certificate Transparency over the ledger entries the
// store engines append with every release, directive, agreement version,
// consent, use and outcome, so that both nations can verify what the
// exchange recorded and that it was never rewritten.
//
// # What the log reveals
//
// Each leaf (enlace.LedgerEntry.Leaf) shows an entry's index, its kind,
// its time and the two nations it is between, and a salted SHA-256
// commitment to the record. It never shows a record id, an agency, a
// purpose or any content: only a party given the record and its salt
// (ProveEntry) can check that an entry proves it. Counting entries by
// kind, time and nation pair is what a reader of the log can learn.
//
// # The pieces
//
// Log keeps the RFC 6962 Merkle tree in memory, integrates new entries
// and signs C2SP tlog-checkpoint notes (Ed25519 signed notes). Its
// Handler serves the log read-only as a C2SP tlog-tiles log (checkpoint,
// hash tiles, entry bundles) with JSON proofs, and takes partners'
// C2SP tlog-cosignature (cosignature/v1) cosignatures. Cosign is the
// partner's side: it cosigns only a checkpoint consistent with the last
// one it cosigned. A node refuses to serve (503) a tree that contradicts
// a checkpoint a partner cosigned. VerifyStore recomputes a store's whole
// ledger offline; VerifyRemote and ReleasesTo check a node's from outside.
//
// The package does no I/O of its own beyond what is injected: the store,
// the clock, the logger and the HTTP client. Cosign alone keeps a file,
// the partner's last cosigned checkpoint.
package ledger
