package ledger

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/enlace-exchange/enlace"
	tlog "github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/merkle/proof"
	"golang.org/x/mod/sumdb/note"
)

// InclusionProof returns the RFC 6962 proof that entry index is in the
// tree of the first size entries. EInvalid if index is not below size or
// size is beyond the log.
func (l *Log) InclusionProof(ctx context.Context, index, size int64) ([][]byte, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	p, err := l.tree.inclusion(index, size)
	if err != nil {
		return nil, enlace.Errorf(enlace.EInvalid, "%v", err)
	}
	return p, nil
}

// ConsistencyProof returns the RFC 6962 proof that the tree of the first
// from entries is a prefix of the tree of the first to. EInvalid if from
// > to or to is beyond the log.
func (l *Log) ConsistencyProof(ctx context.Context, from, to int64) ([][]byte, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	p, err := l.tree.consistency(from, to)
	if err != nil {
		return nil, enlace.Errorf(enlace.EInvalid, "%v", err)
	}
	return p, nil
}

// RecordProof proves one record to a party that holds it: the entry, with
// the salt and record id the log itself never shows, the latest
// checkpoint and the entry's inclusion proof against it. Verify checks
// record → commitment → leaf → root → signature.
type RecordProof struct {
	Entry      enlace.LedgerEntry `json:"entry"`
	Checkpoint []byte             `json:"checkpoint"` // the signed note
	Proof      [][]byte           `json:"proof"`
}

// ProveEntry returns the proof of the record entry index commits to,
// against the latest checkpoint. ENotFound if the entry is not yet in a
// checkpoint. Give it only to a party entitled to the record: it holds
// the salt.
func (l *Log) ProveEntry(ctx context.Context, index int64) (RecordProof, error) {
	c, err := l.latestServable(ctx)
	if err != nil {
		return RecordProof{}, fmt.Errorf("prove entry %d: %w", index, err)
	}
	if index < 0 || index >= c.Size {
		return RecordProof{}, enlace.Errorf(enlace.ENotFound, "entry %d is not in the latest checkpoint (size %d)", index, c.Size)
	}
	es, err := l.store.LedgerEntries(ctx, index, index+1)
	if err != nil {
		return RecordProof{}, fmt.Errorf("prove entry %d: %w", index, err)
	}
	if len(es) != 1 || es[0].Index != index {
		return RecordProof{}, enlace.Errorf(enlace.ENotFound, "entry %d is missing from the store", index)
	}
	p, err := l.InclusionProof(ctx, index, c.Size)
	if err != nil {
		return RecordProof{}, fmt.Errorf("prove entry %d: %w", index, err)
	}
	return RecordProof{Entry: es[0], Checkpoint: c.Note, Proof: p}, nil
}

// Verify checks that record is what p's entry commits to, that the entry
// is in the checkpoint and that the node signed the checkpoint. It
// returns the checkpoint's size and root.
func (p RecordProof) Verify(record []byte, node note.Verifier) (size int64, root []byte, err error) {
	if !bytes.Equal(enlace.Commit(p.Entry.Salt, record), p.Entry.Commitment) {
		return 0, nil, errors.New("the record does not match the entry's commitment")
	}
	cp, err := openCheckpoint(p.Checkpoint, node)
	if err != nil {
		return 0, nil, err
	}
	leaf := hasher.HashLeaf(p.Entry.Leaf())
	if err := proof.VerifyInclusion(hasher, uint64(p.Entry.Index), cp.Size, leaf, p.Proof, cp.Hash); err != nil {
		return 0, nil, fmt.Errorf("entry %d is not in checkpoint %d: %w", p.Entry.Index, cp.Size, err)
	}
	return int64(cp.Size), cp.Hash, nil
}

// openCheckpoint verifies the node's signature on a checkpoint note and
// parses it. Other signatures on the note are ignored.
func openCheckpoint(msg []byte, node note.Verifier) (*tlog.Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(node))
	if err != nil {
		return nil, fmt.Errorf("checkpoint: the node's signature does not verify: %w", err)
	}
	var cp tlog.Checkpoint
	if _, err := cp.Unmarshal([]byte(n.Text)); err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	if len(cp.Hash) != hashSize || cp.Size > 1<<62 {
		return nil, errors.New("checkpoint: root is not a SHA-256 hash")
	}
	return &cp, nil
}
