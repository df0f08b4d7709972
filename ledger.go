package enlace

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// EntryKind names the kind of record a ledger entry proves.
type EntryKind string

// The records the ledger proves.
const (
	EntrySubmission      EntryKind = "submission"       // a report and its objects entered the exchange
	EntryRelease         EntryKind = "release"          // intelligence left its originator for a recipient
	EntryAgreement       EntryKind = "agreement"        // a version of an agreement
	EntryDirective       EntryKind = "directive"        // a suspension or reinstatement
	EntryConsent         EntryKind = "consent"          // a request for onward release
	EntryConsentDecision EntryKind = "consent-decision" // the originator's answer to it
	EntryUse             EntryKind = "use"              // a recipient's declared use
	EntryOutcome         EntryKind = "outcome"          // what came of a use
	EntryWithdrawal      EntryKind = "withdrawal"       // objects deleted from the exchange
	EntryAlert           EntryKind = "alert"            // an alert raised to an agency and its authority
)

// LedgerEntry is one leaf of the exchange's transparency log. It commits
// to a record by a salted hash, so the log shows what kind of event
// happened, when, and between which nations, but never an id, an agency,
// a purpose or any content: only a party given the record and its salt
// can check that the entry proves it.
type LedgerEntry struct {
	Index      int64     `json:"index"` // position in the log, from 0
	Kind       EntryKind `json:"kind"`
	RecordID   string    `json:"record"` // the record's id in its kind: "42", "D-3", "AG-1/2", "report--…"
	From       string    `json:"from"`   // the nation whose intelligence or authority it is, "" when none
	To         string    `json:"to"`     // the nation it concerns on the other side, "" when none
	At         time.Time `json:"at"`
	Salt       []byte    `json:"salt"`
	Commitment []byte    `json:"commitment"` // SHA-256(salt || record)
}

// leafPrefix starts every leaf, so a leaf cannot be read as anything
// else and its format can change without ambiguity.
const leafPrefix = "enlace-ledger/1"

// NewLedgerEntry commits to record with a fresh random salt. The store
// assigns Index when it appends the entry.
func NewLedgerEntry(kind EntryKind, recordID, from, to string, at time.Time, record []byte) LedgerEntry {
	salt := make([]byte, 32)
	rand.Read(salt) // crypto/rand.Read never fails
	return LedgerEntry{Kind: kind, RecordID: recordID, From: from, To: to,
		At: at.UTC().Truncate(time.Microsecond), Salt: salt, Commitment: Commit(salt, record)}
}

// Commit returns SHA-256(salt || record).
func Commit(salt, record []byte) []byte {
	h := sha256.New()
	h.Write(salt)
	h.Write(record)
	return h.Sum(nil)
}

// Leaf returns the bytes the log holds for e: one line of text,
//
//	enlace-ledger/1 <index> <kind> <from|-> <to|-> <at> <base64 commitment>
//
// where at is RFC 3339 in UTC with microseconds.
func (e LedgerEntry) Leaf() []byte {
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	return fmt.Appendf(nil, "%s %d %s %s %s %s %s", leafPrefix, e.Index, e.Kind, dash(e.From), dash(e.To),
		e.At.UTC().Format(LedgerTimeFormat), base64.StdEncoding.EncodeToString(e.Commitment))
}

// LedgerTimeFormat is how the ledger writes times: RFC 3339, UTC,
// microseconds.
const LedgerTimeFormat = "2006-01-02T15:04:05.000000Z"

// ParseLeaf reads a leaf written by Leaf. The salt and record id are not
// in the leaf and stay empty.
func ParseLeaf(b []byte) (LedgerEntry, error) {
	f := strings.Split(string(b), " ")
	if len(f) != 7 || f[0] != leafPrefix {
		return LedgerEntry{}, Errorf(EInvalid, "not an enlace ledger leaf")
	}
	var e LedgerEntry
	var err error
	if e.Index, err = strconv.ParseInt(f[1], 10, 64); err != nil || e.Index < 0 {
		return LedgerEntry{}, Errorf(EInvalid, "leaf index %q is not a number", f[1])
	}
	e.Kind = EntryKind(f[2])
	undash := func(s string) string {
		if s == "-" {
			return ""
		}
		return s
	}
	e.From, e.To = undash(f[3]), undash(f[4])
	if e.At, err = time.Parse(LedgerTimeFormat, f[5]); err != nil {
		return LedgerEntry{}, Errorf(EInvalid, "leaf time %q: %v", f[5], err)
	}
	if e.Commitment, err = base64.StdEncoding.DecodeString(f[6]); err != nil || len(e.Commitment) != sha256.Size {
		return LedgerEntry{}, Errorf(EInvalid, "leaf commitment %q is not a base64 SHA-256", f[6])
	}
	return e, nil
}

// LedgerRecord returns the canonical bytes of a record: its JSON, with
// struct fields in declaration order and times as the store keeps them
// (UTC, microseconds). A store recomputes it from its tables to verify a
// commitment, so it must depend on nothing the store does not keep.
func LedgerRecord(kind EntryKind, v any) ([]byte, error) {
	b, err := json.Marshal(struct {
		Kind   EntryKind `json:"kind"`
		Record any       `json:"record"`
	}{kind, v})
	if err != nil {
		return nil, fmt.Errorf("encode %s record: %w", kind, err)
	}
	return b, nil
}

// Submission is the record of a report entering the exchange: the report
// without its objects, and a digest of each object.
type Submission struct {
	Report  Report         `json:"report"`
	Objects []ObjectDigest `json:"objects"`
}

// ObjectDigest identifies one STIX object version by its id and the
// SHA-256 of its bytes, which the store keeps even after the object is
// withdrawn.
type ObjectDigest struct {
	ID     string `json:"id"`
	SHA256 string `json:"sha256"` // hex
}

// Checkpoint is a signed statement of the log's size and root hash, as a
// C2SP signed note.
type Checkpoint struct {
	Size         int64         `json:"size"`
	Root         []byte        `json:"root"`
	Note         []byte        `json:"note"` // the checkpoint text and the node's signature
	At           time.Time     `json:"at"`
	Cosignatures []Cosignature `json:"cosignatures,omitempty"`
}

// Cosignature is a partner's C2SP tlog-cosignature on a checkpoint: the
// partner checked that this checkpoint extends every one it saw before.
type Cosignature struct {
	Size      int64     `json:"size"`
	Name      string    `json:"name"`      // the cosigner's key name
	Signature []byte    `json:"signature"` // the note signature line, without its trailing newline
	At        time.Time `json:"at"`
}

// LedgerStore holds the log. Entries are appended by the store itself, in
// the same transaction as the record each one proves; nothing updates or
// deletes them.
type LedgerStore interface {
	// LedgerSize returns the number of entries.
	LedgerSize(ctx context.Context) (int64, error)
	// LedgerEntries returns the entries with index in [start, end), in
	// order. EInvalid if the range is not within the log.
	LedgerEntries(ctx context.Context, start, end int64) ([]LedgerEntry, error)
	// LedgerRecord recomputes the canonical record entry e proves from the
	// store's tables, and checks that e's nations and time are those its
	// record gives. ENotFound if the record is gone; EInvalid, saying
	// which, if e's header disagrees with it.
	LedgerRecord(ctx context.Context, e LedgerEntry) ([]byte, error)
	// LedgerEntryOf returns the entry of the record of kind and id.
	// ENotFound if there is none.
	LedgerEntryOf(ctx context.Context, kind EntryKind, id string) (LedgerEntry, error)
	// UnledgeredRecords returns the records that have no entry, as
	// "<kind> <id>". A sound store returns none.
	UnledgeredRecords(ctx context.Context) ([]string, error)

	// SaveCheckpoint stores c. EConflict if a checkpoint of that size with
	// another root exists; saving the same checkpoint again is no error.
	SaveCheckpoint(ctx context.Context, c Checkpoint) error
	// LatestCheckpoint returns the largest checkpoint with its
	// cosignatures. ENotFound if none.
	LatestCheckpoint(ctx context.Context) (Checkpoint, error)
	// CheckpointAt returns the checkpoint of size n with its cosignatures.
	// ENotFound if none.
	CheckpointAt(ctx context.Context, n int64) (Checkpoint, error)
	// Checkpoints returns up to limit checkpoints, largest first, with
	// their cosignatures.
	Checkpoints(ctx context.Context, limit int) ([]Checkpoint, error)
	// AddCosignature stores c on the checkpoint of size c.Size. ENotFound
	// if there is none; a second cosignature by the same name replaces
	// nothing and is no error.
	AddCosignature(ctx context.Context, c Cosignature) error
}

// The canonical records of each kind. Every engine writes and recomputes
// a record through these, so the same record has the same bytes whatever
// engine holds it.

// ReleaseRecord is the record of release r.
func ReleaseRecord(r Release) ([]byte, error) { return LedgerRecord(EntryRelease, r) }

// AgreementRecord is the record of one agreement version.
func AgreementRecord(a Agreement) ([]byte, error) { return LedgerRecord(EntryAgreement, a) }

// DirectiveRecord is the record of directive d.
func DirectiveRecord(d Directive) ([]byte, error) { return LedgerRecord(EntryDirective, d) }

// ConsentRecord is the record of a consent request: what was asked, by
// whom, and when. The answer is a record of its own, so neither changes.
func ConsentRecord(c Consent) ([]byte, error) {
	return LedgerRecord(EntryConsent, struct {
		ID          int64     `json:"id"`
		ReportID    string    `json:"report"`
		Originator  string    `json:"originator"`
		RequestedBy string    `json:"requested_by"`
		Holder      string    `json:"holder"`
		Recipient   string    `json:"recipient"`
		Purposes    []Purpose `json:"purposes"`
		CreatedAt   time.Time `json:"created_at"`
	}{c.ID, c.ReportID, c.Originator, c.RequestedBy, c.Holder, c.Recipient, c.Purposes, c.CreatedAt})
}

// ConsentDecisionRecord is the record of the originator's answer to
// consent request c.
func ConsentDecisionRecord(c Consent) ([]byte, error) {
	return LedgerRecord(EntryConsentDecision, struct {
		ID              int64      `json:"id"`
		Status          string     `json:"status"`
		GrantedPurposes []Purpose  `json:"granted_purposes,omitempty"`
		ExpiresAt       *time.Time `json:"expires_at,omitempty"`
		DecidedBy       string     `json:"decided_by"`
		DecidedAt       *time.Time `json:"decided_at,omitempty"`
		Note            string     `json:"note,omitempty"`
	}{c.ID, c.Status, c.GrantedPurposes, c.ExpiresAt, c.DecidedBy, c.DecidedAt, c.Note})
}

// SubmissionRecord is the record of report r entering the exchange with
// objects of the given digests, in the report's order.
func SubmissionRecord(r Report, objects []ObjectDigest) ([]byte, error) {
	r.Objects = nil
	// A report without objects is "objects": [] whether the caller holds
	// a nil or an empty list: the store writes the record from one and
	// recomputes it from the other.
	if objects == nil {
		objects = []ObjectDigest{}
	}
	return LedgerRecord(EntrySubmission, Submission{Report: r, Objects: objects})
}

// Withdrawal records that an originator withdrew versions of an object.
type Withdrawal struct {
	ID         int64     `json:"id"`
	Originator string    `json:"originator"`
	ObjectID   string    `json:"object"`
	Digests    []string  `json:"digests"` // SHA-256 hex of each version withdrawn
	By         string    `json:"by"`
	At         time.Time `json:"at"`
}

// WithdrawalRecord is the record of withdrawal w.
func WithdrawalRecord(w Withdrawal) ([]byte, error) { return LedgerRecord(EntryWithdrawal, w) }

// UseRecord is the record of use declaration u, refused ones included.
func UseRecord(u Use) ([]byte, error) { return LedgerRecord(EntryUse, u) }

// OutcomeRecord is the record of one outcome version.
func OutcomeRecord(o Outcome) ([]byte, error) { return LedgerRecord(EntryOutcome, o) }

// AlertRecord is the record of alert a.
func AlertRecord(a Alert) ([]byte, error) { return LedgerRecord(EntryAlert, a) }
