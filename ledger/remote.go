package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/enlace-exchange/enlace"
	tlog "github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"
)

// RemoteConfig says how to reach a partner node's ledger.
type RemoteConfig struct {
	URL        string       // the ledger's prefix, such as "https://node.example/ledger/"
	HTTPClient *http.Client // nil for http.DefaultClient
	// Auth sets the credentials on each request.
	Auth         func(*http.Request) error
	NodeVerifier note.Verifier // the node's checkpoint key
	// Cosigners are the cosigner keys ReleasesTo trusts (see
	// NewCosignatureVerifier).
	Cosigners []note.Verifier
}

// download fetches the entries of the tree of size, checks each, and
// returns them with the tree's root. An entry that does not hash to the
// node's level-0 tile, or that is out of place, is a *Problem.
func (c *client) download(ctx context.Context, size uint64) ([]enlace.LedgerEntry, []byte, error) {
	es := make([]enlace.LedgerEntry, 0, min(size, 1<<20))
	r := newRange()
	for n := uint64(0); n*tileWidth < size; n++ {
		width := int(min(size-n*tileWidth, tileWidth))
		bundle, err := c.get(ctx, tilePath(-1, n, width))
		if err != nil {
			return nil, nil, err
		}
		tile, err := c.get(ctx, tilePath(0, n, width))
		if err != nil {
			return nil, nil, err
		}
		leaves, err := splitBundle(bundle)
		if err != nil || len(leaves) != width {
			return nil, nil, &Problem{Index: -1, Reason: fmt.Sprintf("entry bundle %d is malformed: %d entries, %v", n, len(leaves), err)}
		}
		if len(tile) != width*hashSize {
			return nil, nil, &Problem{Index: -1, Reason: fmt.Sprintf("level-0 tile %d is %d bytes, not %d", n, len(tile), width*hashSize)}
		}
		for k, leaf := range leaves {
			index := int64(n*tileWidth) + int64(k)
			e, err := enlace.ParseLeaf(leaf)
			if err != nil {
				return nil, nil, &Problem{Index: index, Reason: "its leaf does not parse: " + enlace.ErrorMessage(err)}
			}
			if e.Index != index {
				return nil, nil, &Problem{Index: index, Kind: e.Kind, Reason: fmt.Sprintf("the leaf served at %d says it is entry %d", index, e.Index)}
			}
			h := hasher.HashLeaf(leaf)
			if !bytes.Equal(h, tile[k*hashSize:(k+1)*hashSize]) {
				return nil, nil, &Problem{Index: index, Kind: e.Kind, Reason: "the entry served does not hash to the node's level-0 tile: the entry or the tile was altered"}
			}
			if err := r.Append(h, nil); err != nil {
				return nil, nil, err
			}
			es = append(es, e)
		}
	}
	root, err := r.GetRootHash(nil)
	if size == 0 {
		root, err = hasher.EmptyRoot(), nil
	}
	return es, root, err
}

// VerifyRemote downloads a node's latest checkpoint, every entry bundle
// and level-0 tile, and recomputes the tree: the checkpoint must be
// signed by cfg.NodeVerifier, each leaf must parse and sit at its index,
// hash to the tile served for it, and the leaves must build the
// checkpoint's root. The first problem is returned in the Result and as
// the error (a *Problem); other errors are the network's or the node's.
func VerifyRemote(ctx context.Context, cfg RemoteConfig) (Result, error) {
	var res Result
	c := newClient(cfg.URL, cfg.HTTPClient, cfg.Auth)
	cp, _, err := c.checkpoint(ctx, cfg.NodeVerifier)
	if err != nil {
		var p *Problem
		if errors.As(err, &p) {
			res.Problem = p
		}
		return res, fmt.Errorf("verify remote ledger: %w", err)
	}
	es, root, err := c.download(ctx, cp.Size)
	var p *Problem
	if errors.As(err, &p) {
		res.Problem = p
		return res, p
	}
	if err != nil {
		return res, fmt.Errorf("verify remote ledger: %w", err)
	}
	res.Size, res.Root, res.Checkpoints = int64(len(es)), root, 1
	if !bytes.Equal(root, cp.Hash) {
		res.Problem = &Problem{Index: -1, Reason: fmt.Sprintf("the %d entries served build root %s, not the root %s of the checkpoint the node signed", cp.Size, b64(root), b64(cp.Hash))}
		return res, res.Problem
	}
	return res, nil
}

// ReleaseProof lists the releases to one nation in a time window, proved
// complete up to a cosigned checkpoint.
type ReleaseProof struct {
	Nation        string
	After, Before time.Time // Before is zero for no bound
	Releases      []enlace.LedgerEntry
	Size          int64    // the checkpoint's size: every entry up to it was read
	Root          []byte   // the checkpoint's root
	Cosigners     []string // the trusted partners that cosigned it
	Checkpoint    []byte   // the note, with the cosignatures
}

// String writes the proof as one sentence.
func (p ReleaseProof) String() string {
	noun := "releases"
	if len(p.Releases) == 1 {
		noun = "release"
	}
	window := "since the log began"
	if !p.After.IsZero() {
		window = "after " + p.After.UTC().Format(enlace.LedgerTimeFormat)
	}
	if !p.Before.IsZero() {
		window += " up to " + p.Before.UTC().Format(enlace.LedgerTimeFormat)
	}
	return fmt.Sprintf("%d %s to %s %s, complete up to checkpoint %d (root %s), cosigned by %s",
		len(p.Releases), noun, p.Nation, window, p.Size, b64(p.Root), strings.Join(p.Cosigners, ", "))
}

// ReleasesTo returns the release entries to nation with after < At ≤
// before (a zero before is no bound), read from the node's latest
// checkpoint that carries a cosignature by one of cfg.Cosigners: every
// entry up to it is downloaded and must build its root, so the list is
// complete up to it.
func ReleasesTo(ctx context.Context, cfg RemoteConfig, nation string, after, before time.Time) (ReleaseProof, error) {
	c := newClient(cfg.URL, cfg.HTTPClient, cfg.Auth)
	b, err := c.get(ctx, "checkpoints?limit=1000")
	if err != nil {
		return ReleaseProof{}, fmt.Errorf("releases to %s: %w", nation, err)
	}
	var cps []CheckpointJSON
	if err := json.Unmarshal(b, &cps); err != nil {
		return ReleaseProof{}, fmt.Errorf("releases to %s: checkpoints: %w", nation, err)
	}
	var (
		cp    *tlog.Checkpoint
		msg   []byte
		names []string
	)
	for _, j := range cps {
		m := []byte(j.Note)
		p, err := openCheckpoint(m, cfg.NodeVerifier)
		if err != nil {
			return ReleaseProof{}, fmt.Errorf("releases to %s: checkpoint %d: %w", nation, j.Size, err)
		}
		if names = cosignedBy(m, cfg.Cosigners); len(names) > 0 {
			cp, msg = p, m
			break
		}
	}
	if cp == nil {
		return ReleaseProof{}, fmt.Errorf("releases to %s: no checkpoint among the node's latest %d carries a trusted cosignature", nation, len(cps))
	}
	es, root, err := c.download(ctx, cp.Size)
	if err != nil {
		return ReleaseProof{}, fmt.Errorf("releases to %s: %w", nation, err)
	}
	if !bytes.Equal(root, cp.Hash) {
		return ReleaseProof{}, fmt.Errorf("releases to %s: %w", nation, &Problem{Index: -1,
			Reason: fmt.Sprintf("the %d entries served build root %s, not the root %s of the cosigned checkpoint", cp.Size, b64(root), b64(cp.Hash))})
	}
	p := ReleaseProof{Nation: nation, After: after, Before: before, Size: int64(cp.Size), Root: cp.Hash, Cosigners: names, Checkpoint: msg}
	for _, e := range es {
		if e.Kind == enlace.EntryRelease && e.To == nation && e.At.After(after) && (before.IsZero() || !e.At.After(before)) {
			p.Releases = append(p.Releases, e)
		}
	}
	return p, nil
}

// cosignedBy returns the names of the trusted cosigners whose signatures
// on msg verify.
func cosignedBy(msg []byte, cosigners []note.Verifier) []string {
	if len(cosigners) == 0 {
		return nil
	}
	n, err := note.Open(msg, note.VerifierList(cosigners...))
	if err != nil {
		return nil
	}
	var names []string
	for _, s := range n.Sigs {
		names = append(names, s.Name)
	}
	return names
}
