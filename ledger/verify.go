package ledger

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/enlace-exchange/enlace"
	"golang.org/x/mod/sumdb/note"
)

// Problem is the first thing found wrong with a ledger: the entry it
// concerns, when there is one, and what is wrong, in words a partner or
// an operator may read. It is an error.
type Problem struct {
	Index    int64 // -1 when the problem is not one entry's
	Kind     enlace.EntryKind
	RecordID string // empty when unknown: a remote ledger never shows ids
	Reason   string
}

// Error writes the problem as one sentence.
func (p *Problem) Error() string {
	if p.Index < 0 {
		if p.Kind != "" {
			return fmt.Sprintf("%s %s: %s", p.Kind, p.RecordID, p.Reason)
		}
		return p.Reason
	}
	var who []string
	if p.Kind != "" {
		who = append(who, string(p.Kind))
	}
	if p.RecordID != "" {
		who = append(who, p.RecordID)
	}
	if len(who) == 0 {
		return fmt.Sprintf("entry %d: %s", p.Index, p.Reason)
	}
	return fmt.Sprintf("entry %d (%s): %s", p.Index, strings.Join(who, " "), p.Reason)
}

// Result is what a verification found: how much it checked and the first
// problem, if any.
type Result struct {
	Size        int64    // entries checked
	Root        []byte   // the root of those entries
	Checkpoints int      // checkpoints whose root and signature were checked
	Unanchored  int64    // entries after the latest checkpoint: checked, not yet signed
	Problem     *Problem // nil when the ledger is sound
}

// Err returns the problem as an error, or nil when the ledger is sound.
func (r Result) Err() error {
	if r.Problem == nil {
		return nil
	}
	return r.Problem
}

// String writes the result as one sentence.
func (r Result) String() string {
	if r.Problem != nil {
		return "ledger NOT sound: " + r.Problem.Error()
	}
	return fmt.Sprintf("ledger sound: %d entries, root %s, %d checkpoints verified, %d entries after the latest checkpoint",
		r.Size, b64(r.Root), r.Checkpoints, r.Unanchored)
}

// VerifyStore recomputes everything the store's ledger claims, offline:
// the entries run 0..n-1 without gap or repeat, each leaf reads back to
// its entry, each record recomputed by the store still matches its
// commitment, no record lacks an entry, every checkpoint is signed by v
// and its root is the root of the entries it covers. The first problem
// is returned both in the Result and as the error (a *Problem); other
// errors are the store's.
func VerifyStore(ctx context.Context, store enlace.LedgerStore, v note.Verifier) (Result, error) {
	var res Result
	fail := func(p *Problem) (Result, error) {
		res.Problem = p
		return res, p
	}
	cps, err := store.Checkpoints(ctx, maxCheckpoints)
	if err != nil {
		return res, fmt.Errorf("verify ledger: read checkpoints: %w", err)
	}
	slices.SortFunc(cps, func(a, b enlace.Checkpoint) int { return int(a.Size - b.Size) })
	for _, c := range cps {
		cp, err := openCheckpoint(c.Note, v)
		if err != nil {
			return fail(&Problem{Index: -1, Reason: fmt.Sprintf("checkpoint %d: %v", c.Size, err)})
		}
		if int64(cp.Size) != c.Size || !bytes.Equal(cp.Hash, c.Root) {
			return fail(&Problem{Index: -1, Reason: fmt.Sprintf("checkpoint %d: its signed note says size %d and root %s, the store says root %s",
				c.Size, cp.Size, b64(cp.Hash), b64(c.Root))})
		}
	}
	size, err := store.LedgerSize(ctx)
	if err != nil {
		return res, fmt.Errorf("verify ledger: read size: %w", err)
	}
	r := newRange()
	next := 0 // the next checkpoint to compare
	for next < len(cps) && cps[next].Size == 0 {
		if !bytes.Equal(cps[next].Root, hasher.EmptyRoot()) {
			return fail(&Problem{Index: -1, Reason: "checkpoint 0 does not have the empty tree's root"})
		}
		res.Checkpoints++
		next++
	}
	// A first pass over the entries alone pins a reordering to its entry
	// before the roots, which only bound it between checkpoints, are
	// compared.
	order := kindOrder{}
	for i := int64(0); i < size; i += batchSize {
		es, err := store.LedgerEntries(ctx, i, min(i+batchSize, size))
		if err != nil {
			return res, fmt.Errorf("verify ledger: read entries [%d, %d): %w", i, min(i+batchSize, size), err)
		}
		for _, e := range es {
			if p := order.check(e); p != nil {
				return fail(p)
			}
		}
	}
	var anchor int64 // entries covered by the last checkpoint that matched
	var first enlace.LedgerEntry
	for i := int64(0); i < size; {
		j := min(i+batchSize, size)
		es, err := store.LedgerEntries(ctx, i, j)
		if err != nil {
			return res, fmt.Errorf("verify ledger: read entries [%d, %d): %w", i, j, err)
		}
		if len(es) == 0 {
			return fail(&Problem{Index: i, Reason: "the entry is missing"})
		}
		for _, e := range es {
			if e.Index > i {
				return fail(&Problem{Index: i, Reason: fmt.Sprintf("the entry is missing: the next entry held is %d", e.Index)})
			}
			if e.Index < i {
				return fail(&Problem{Index: e.Index, Kind: e.Kind, RecordID: e.RecordID,
					Reason: fmt.Sprintf("the entry appears again after entry %d: entries were duplicated or reordered", i-1)})
			}
			leaf, p, err := checkRecord(ctx, store, e)
			if err != nil {
				return res, fmt.Errorf("verify ledger: %w", err)
			} else if p != nil {
				return fail(p)
			}
			if i == anchor {
				first = e
			}
			if err := r.Append(hasher.HashLeaf(leaf), nil); err != nil {
				return res, err
			}
			i++
			res.Size = i
			for next < len(cps) && cps[next].Size == i {
				c := cps[next]
				root, _ := r.GetRootHash(nil)
				if !bytes.Equal(root, c.Root) {
					reason := fmt.Sprintf("the entry was changed, reordered or inserted: the first %d entries no longer build the root of checkpoint %d", i, i)
					if i-anchor > 1 {
						reason = fmt.Sprintf("this entry or one of the %d after it was changed, reordered or inserted: the first %d entries no longer build the root of checkpoint %d", i-anchor-1, i, i)
					}
					return fail(&Problem{Index: first.Index, Kind: first.Kind, RecordID: first.RecordID, Reason: reason})
				}
				anchor = i
				res.Checkpoints++
				next++
			}
		}
	}
	res.Root, _ = r.GetRootHash(nil)
	if size == 0 {
		res.Root = hasher.EmptyRoot()
	}
	if next < len(cps) {
		c := cps[len(cps)-1]
		return fail(&Problem{Index: size, Reason: fmt.Sprintf("the entry is missing: checkpoint %d was signed over %d entries but the store holds %d", c.Size, c.Size, size)})
	}
	res.Unanchored = size - anchor
	recs, err := store.UnledgeredRecords(ctx)
	if err != nil {
		return res, fmt.Errorf("verify ledger: read unledgered records: %w", err)
	}
	if len(recs) > 0 {
		kind, id, _ := strings.Cut(recs[0], " ")
		reason := "the record has no ledger entry"
		if len(recs) > 1 {
			reason = fmt.Sprintf("the record has no ledger entry, nor do %d others: %s", len(recs)-1, strings.Join(recs[1:], ", "))
		}
		return fail(&Problem{Index: -1, Kind: enlace.EntryKind(kind), RecordID: id, Reason: reason})
	}
	return res, nil
}

// checkRecord checks one entry: its leaf reads back to it and the record
// the store recomputes still matches its commitment. It returns the leaf.
func checkRecord(ctx context.Context, store enlace.LedgerStore, e enlace.LedgerEntry) (leaf []byte, p *Problem, err error) {
	bad := func(reason string) *Problem {
		return &Problem{Index: e.Index, Kind: e.Kind, RecordID: e.RecordID, Reason: reason}
	}
	leaf, err = checkEntry(e, e.Index)
	if err != nil {
		return nil, bad(enlace.ErrorMessage(err)), nil
	}
	rec, err := store.LedgerRecord(ctx, e)
	switch enlace.ErrorCode(err) {
	case "":
	case enlace.ENotFound:
		return nil, bad("record gone: the store no longer holds the record the entry proves"), nil
	case enlace.EInternal:
		return nil, nil, fmt.Errorf("recompute record of entry %d: %w", e.Index, err)
	default:
		return nil, bad("the record cannot be recomputed: " + enlace.ErrorMessage(err)), nil
	}
	if !bytes.Equal(enlace.Commit(e.Salt, rec), e.Commitment) {
		return nil, bad("the record no longer matches the entry's commitment"), nil
	}
	return leaf, nil, nil
}

// kindOrder checks that the records of each kind numbered by the store
// (releases, consents, withdrawals, directives) appear in the log in the
// order of their numbers: the store numbers a record and appends its
// entry in one transaction, so a number out of order pins a reordering
// to the exact entry, even between two checkpoints.
type kindOrder map[enlace.EntryKind]numbered

// numbered is the last numbered record of a kind seen, and its entry.
type numbered struct {
	n     int64
	index int64
	id    string
}

func (o kindOrder) check(e enlace.LedgerEntry) *Problem {
	var n int64
	var err error
	switch e.Kind {
	case enlace.EntryRelease, enlace.EntryConsent, enlace.EntryWithdrawal:
		n, err = strconv.ParseInt(e.RecordID, 10, 64)
	case enlace.EntryDirective:
		n, err = strconv.ParseInt(strings.TrimPrefix(e.RecordID, "D-"), 10, 64)
	default:
		return nil
	}
	if err != nil {
		return nil // the record check names an id that names nothing
	}
	if last, ok := o[e.Kind]; ok && n <= last.n {
		return &Problem{Index: last.index, Kind: e.Kind, RecordID: last.id,
			Reason: fmt.Sprintf("entries were reordered: %s %s comes before %s %s (entry %d)", e.Kind, last.id, e.Kind, e.RecordID, e.Index)}
	}
	o[e.Kind] = numbered{n: n, index: e.Index, id: e.RecordID}
	return nil
}
