package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"

	tlog "github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/merkle/proof"
	"golang.org/x/mod/sumdb/note"
)

// CosignConfig is what a partner needs to cosign a node's checkpoints.
type CosignConfig struct {
	URL        string       // the node's ledger prefix, such as "https://node.example/ledger/"
	HTTPClient *http.Client // nil for http.DefaultClient
	// Auth sets the partner's credentials on each request.
	Auth         func(*http.Request) error
	NodeVerifier note.Verifier // the node's checkpoint key
	Signer       note.Signer   // the partner's cosignature/v1 key (NewCosigner)
	// State is the file holding the last checkpoint this partner cosigned.
	// A missing file means none yet: the first checkpoint is trusted as
	// it is.
	State string
}

// SplitViewError says the node served a checkpoint that does not extend
// one this partner saw before: the node showed two histories.
type SplitViewError struct {
	SeenSize, ServedSize int64
	SeenRoot, ServedRoot []byte
	SeenNote, ServedNote []byte // the two signed checkpoints: the evidence
	Reason               string
}

// Error names both checkpoints.
func (e *SplitViewError) Error() string {
	return fmt.Sprintf("split view: checkpoint %d (root %s) seen before and checkpoint %d (root %s) served now are not consistent: %s",
		e.SeenSize, b64(e.SeenRoot), e.ServedSize, b64(e.ServedRoot), e.Reason)
}

// Cosign fetches the node's latest checkpoint, checks the node signed it
// and that it extends the last checkpoint this partner cosigned (by a
// consistency proof), cosigns it and posts the cosignature to the node.
// It then records the checkpoint in cfg.State. It returns the checkpoint
// cosigned; a *SplitViewError when the node shows a history inconsistent
// with the one seen before.
func Cosign(ctx context.Context, cfg CosignConfig) (size int64, root []byte, err error) {
	c := newClient(cfg.URL, cfg.HTTPClient, cfg.Auth)
	cp, msg, err := c.checkpoint(ctx, cfg.NodeVerifier)
	if err != nil {
		return 0, nil, fmt.Errorf("cosign: %w", err)
	}
	old, oldMsg, err := readState(cfg.State, cfg.NodeVerifier)
	if err != nil {
		return 0, nil, fmt.Errorf("cosign: %w", err)
	}
	if old != nil {
		if err := c.checkConsistent(ctx, old, cp); err != nil {
			var sv *SplitViewError
			if errors.As(err, &sv) {
				sv.SeenNote, sv.ServedNote = oldMsg, msg
			}
			return 0, nil, fmt.Errorf("cosign: %w", err)
		}
	}
	n, err := note.Open(msg, note.VerifierList(cfg.NodeVerifier))
	if err != nil {
		return 0, nil, fmt.Errorf("cosign: %w", err)
	}
	signed, err := note.Sign(&note.Note{Text: n.Text}, cfg.Signer)
	if err != nil {
		return 0, nil, fmt.Errorf("cosign: %w", err)
	}
	line := signed[bytes.LastIndex(signed, []byte("\n\n"))+2:]
	path := "cosignature?size=" + strconv.FormatUint(cp.Size, 10)
	if _, err := c.do(ctx, http.MethodPost, path, line); err != nil {
		return 0, nil, fmt.Errorf("cosign: %w", err)
	}
	if old == nil || cp.Size > old.Size {
		if err := writeState(cfg.State, msg); err != nil {
			return 0, nil, fmt.Errorf("cosign: %w", err)
		}
	}
	return int64(cp.Size), cp.Hash, nil
}

// checkConsistent checks that cp extends old, by a consistency proof
// fetched from the node.
func (c *client) checkConsistent(ctx context.Context, old, cp *tlog.Checkpoint) error {
	split := func(reason string) error {
		return &SplitViewError{SeenSize: int64(old.Size), SeenRoot: old.Hash, ServedSize: int64(cp.Size), ServedRoot: cp.Hash, Reason: reason}
	}
	if cp.Origin != old.Origin {
		return fmt.Errorf("the node's origin changed from %q to %q", old.Origin, cp.Origin)
	}
	if cp.Size == old.Size {
		if !bytes.Equal(cp.Hash, old.Hash) {
			return split("same size, different roots")
		}
		return nil
	}
	small, large := old, cp
	if cp.Size < old.Size {
		small, large = cp, old
	}
	b, err := c.get(ctx, fmt.Sprintf("proof/consistency?from=%d&to=%d", small.Size, large.Size))
	if err != nil {
		return fmt.Errorf("consistency proof from %d to %d: %w", small.Size, large.Size, err)
	}
	var pj ProofJSON
	if err := json.Unmarshal(b, &pj); err != nil {
		return fmt.Errorf("consistency proof from %d to %d: %w", small.Size, large.Size, err)
	}
	if err := proof.VerifyConsistency(hasher, small.Size, large.Size, pj.Proof, small.Hash, large.Hash); err != nil {
		return split("the consistency proof does not verify: " + err.Error())
	}
	if cp.Size < old.Size {
		// Consistent, only stale: a cache, or a replica behind.
		return fmt.Errorf("the node served checkpoint %d, older than checkpoint %d this partner already cosigned", cp.Size, old.Size)
	}
	return nil
}

// readState reads the last checkpoint a partner cosigned; nil if none.
func readState(path string, v note.Verifier) (*tlog.Checkpoint, []byte, error) {
	msg, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read cosigner state: %w", err)
	}
	cp, err := openCheckpoint(msg, v)
	if err != nil {
		return nil, nil, fmt.Errorf("cosigner state %s: %w", path, err)
	}
	return cp, msg, nil
}

// writeState replaces the state file atomically, so a crash leaves the
// old checkpoint or the new one.
func writeState(path string, msg []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write cosigner state: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(msg); err != nil {
		f.Close()
		return fmt.Errorf("write cosigner state: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write cosigner state: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write cosigner state: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write cosigner state: %w", err)
	}
	return nil
}
