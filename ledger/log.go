package ledger

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/enlace-exchange/enlace"
	tlog "github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"
)

// batchSize is how many entries the log reads from its store at a time.
const batchSize = 4096

// Config is what New needs.
type Config struct {
	Store enlace.LedgerStore
	// Signer signs checkpoints: the node's Ed25519 note key (see
	// GenerateKey and NewSigner).
	Signer note.Signer
	// Origin is the checkpoint's first line, the log's name: by C2SP
	// convention its URL prefix without the scheme, such as
	// "enlace.example.fr/ledger".
	Origin string
	// Cosigners are the partners' cosignature/v1 keys (see
	// NewCosignatureVerifier). Only their cosignatures are stored, and the
	// log refuses to serve a tree inconsistent with what they cosigned.
	Cosigners []note.Verifier
	Now       func() time.Time
	Logger    *slog.Logger
}

// Log is the exchange's transparency log: a Merkle tree over the store's
// ledger entries, kept in memory, and the checkpoints signed over it. The
// tree holds every leaf hash and complete subtree hash, about 64 bytes an
// entry: fine up to a few million entries. A Log is safe for concurrent
// use.
type Log struct {
	store     enlace.LedgerStore
	signer    note.Signer
	origin    string
	cosigners note.Verifiers
	names     map[string]bool
	now       func() time.Time
	logger    *slog.Logger

	integrating sync.Mutex // one Integrate at a time
	growing     sync.Mutex // one extend at a time

	mu      sync.RWMutex
	tree    tree
	refusal error          // non-nil: the tree contradicts what a partner cosigned
	checked map[string]int // checkpoint "size root" -> cosignatures found consistent
	latest  *cpCache       // the latest checkpoint this log signed or loaded
}

type cpCache struct {
	size int64
	root []byte
}

// New loads the log's entries from cfg.Store, checks each, rebuilds the
// tree and checks it against the checkpoints held. An entry out of place
// or that does not parse is an error naming its index. A tree that
// contradicts a checkpoint a partner cosigned is not an error of New: the
// log starts, refuses to serve and says why (see Check).
func New(ctx context.Context, cfg Config) (*Log, error) {
	if cfg.Store == nil || cfg.Signer == nil || cfg.Origin == "" || cfg.Now == nil || cfg.Logger == nil {
		return nil, errors.New("ledger: Config needs Store, Signer, Origin, Now and Logger")
	}
	l := &Log{
		store:     cfg.Store,
		signer:    cfg.Signer,
		origin:    cfg.Origin,
		cosigners: note.VerifierList(cfg.Cosigners...),
		names:     map[string]bool{},
		now:       cfg.Now,
		logger:    cfg.Logger,
		checked:   map[string]int{},
	}
	for _, v := range cfg.Cosigners {
		l.names[v.Name()] = true
	}
	if _, err := l.extend(ctx); err != nil {
		return nil, err
	}
	if err := l.Check(ctx); err != nil && !isRefusal(err) {
		return nil, err
	}
	return l, nil
}

// Size returns the number of entries in the tree.
func (l *Log) Size() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.tree.size()
}

// extend reads the entries appended since the tree was last extended and
// adds them. It returns the new size.
func (l *Log) extend(ctx context.Context) (int64, error) {
	l.growing.Lock()
	defer l.growing.Unlock()
	start := l.Size()
	end, err := l.store.LedgerSize(ctx)
	if err != nil {
		return 0, fmt.Errorf("read ledger size: %w", err)
	}
	if end < start {
		l.setRefusal(refusalf("the store holds %d ledger entries but the log already has %d: entries were deleted", end, start))
		return start, l.refusalErr()
	}
	for i := start; i < end; i += batchSize {
		j := min(i+batchSize, end)
		es, err := l.store.LedgerEntries(ctx, i, j)
		if err != nil {
			return 0, fmt.Errorf("read ledger entries [%d, %d): %w", i, j, err)
		}
		hashes := make([][]byte, 0, len(es))
		for k, e := range es {
			want := i + int64(k)
			leaf, err := checkEntry(e, want)
			if err != nil {
				return 0, err
			}
			hashes = append(hashes, hasher.HashLeaf(leaf))
		}
		if int64(len(es)) != j-i {
			return 0, enlace.Errorf(enlace.EInvalid, "ledger entry %d is missing: the store returned %d entries for [%d, %d)", i+int64(len(es)), len(es), i, j)
		}
		l.mu.Lock()
		for _, h := range hashes {
			l.tree.append(h)
		}
		l.mu.Unlock()
	}
	return end, nil
}

// checkEntry checks that e sits at index want and that its leaf reads
// back to its own fields, and returns the leaf.
func checkEntry(e enlace.LedgerEntry, want int64) ([]byte, error) {
	if e.Index > want {
		return nil, enlace.Errorf(enlace.EInvalid, "ledger entry %d is missing: the next entry the store holds is %d", want, e.Index)
	}
	if e.Index < want {
		return nil, enlace.Errorf(enlace.EInvalid, "ledger entry %d is out of place: expected entry %d", e.Index, want)
	}
	leaf := e.Leaf()
	p, err := enlace.ParseLeaf(leaf)
	if err != nil {
		return nil, enlace.Errorf(enlace.EInvalid, "ledger entry %d: its leaf does not parse: %s", e.Index, enlace.ErrorMessage(err))
	}
	if p.Index != e.Index || p.Kind != e.Kind || p.From != e.From || p.To != e.To ||
		!p.At.Equal(e.At) || !bytes.Equal(p.Commitment, e.Commitment) {
		return nil, enlace.Errorf(enlace.EInvalid, "ledger entry %d: its leaf does not read back to the same fields", e.Index)
	}
	return leaf, nil
}

// Integrate extends the tree with the entries appended since the last
// call and, if it grew, signs and saves a checkpoint. It returns the
// latest checkpoint. It fails, signing nothing, when the tree contradicts
// a checkpoint a partner cosigned.
func (l *Log) Integrate(ctx context.Context) (enlace.Checkpoint, error) {
	l.integrating.Lock()
	defer l.integrating.Unlock()
	size, err := l.extend(ctx)
	if err != nil {
		return enlace.Checkpoint{}, fmt.Errorf("integrate: %w", err)
	}
	if err := l.check(ctx, recentCheckpoints); err != nil {
		return enlace.Checkpoint{}, fmt.Errorf("integrate: %w", err)
	}
	l.mu.RLock()
	latest := l.latest
	root, err := l.tree.root(size)
	l.mu.RUnlock()
	if err != nil {
		return enlace.Checkpoint{}, fmt.Errorf("integrate: %w", err)
	}
	if latest != nil && latest.size == size {
		c, err := l.store.LatestCheckpoint(ctx)
		if err != nil {
			return enlace.Checkpoint{}, fmt.Errorf("integrate: read latest checkpoint: %w", err)
		}
		return c, nil
	}
	c, err := l.sign(size, root)
	if err != nil {
		return enlace.Checkpoint{}, fmt.Errorf("integrate: %w", err)
	}
	if err := l.store.SaveCheckpoint(ctx, c); err != nil {
		return enlace.Checkpoint{}, fmt.Errorf("integrate: save checkpoint %d: %w", size, err)
	}
	l.mu.Lock()
	l.latest = &cpCache{size: size, root: root}
	l.mu.Unlock()
	l.logger.InfoContext(ctx, "ledger checkpoint", "size", size, "root", base64.StdEncoding.EncodeToString(root))
	return c, nil
}

// sign returns the checkpoint of size and root, signed by the node.
func (l *Log) sign(size int64, root []byte) (enlace.Checkpoint, error) {
	text := tlog.Checkpoint{Origin: l.origin, Size: uint64(size), Hash: root}.Marshal()
	msg, err := note.Sign(&note.Note{Text: string(text)}, l.signer)
	if err != nil {
		return enlace.Checkpoint{}, fmt.Errorf("sign checkpoint %d: %w", size, err)
	}
	return enlace.Checkpoint{Size: size, Root: root, Note: msg, At: l.now().UTC().Truncate(time.Microsecond)}, nil
}

// Check reports whether the log may serve: nil, or an error saying how
// the tree contradicts a checkpoint the log signed or a partner cosigned
// (its entries were rewritten, deleted or reordered). It reads every
// checkpoint held in the store; checkpoints it already found consistent
// with the same cosignatures are not checked again. New runs it;
// Integrate checks only the latest checkpoints, since the tree in memory
// only grows and every cosignature the log takes is checked as it comes.
func (l *Log) Check(ctx context.Context) error {
	return l.check(ctx, maxCheckpoints)
}

// recentCheckpoints is how many checkpoints Integrate checks.
const recentCheckpoints = 64

// check checks the latest limit checkpoints.
func (l *Log) check(ctx context.Context, limit int) error {
	if err := l.refusalErr(); err != nil {
		return err
	}
	cps, err := l.store.Checkpoints(ctx, limit)
	if err != nil {
		return fmt.Errorf("read checkpoints: %w", err)
	}
	if len(cps) > 0 && cps[0].Size > l.Size() {
		// Signed by another process since this one last read the store?
		if _, err := l.extend(ctx); err != nil {
			return err
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.refusal != nil {
		return l.refusal
	}
	for i, c := range cps {
		if err := l.checkCheckpoint(c); err != nil {
			l.refusal = err
			l.logger.ErrorContext(ctx, "ledger refuses to serve", "err", err)
			return err
		}
		if i == 0 && l.latest == nil {
			l.latest = &cpCache{size: c.Size, root: c.Root}
		}
	}
	return nil
}

// checkCheckpoint checks one held checkpoint against the tree: its note
// must state its size and root, the tree must have that root at that
// size, and every cosignature by a trusted partner must verify.
func (l *Log) checkCheckpoint(c enlace.Checkpoint) error {
	key := fmt.Sprintf("%d %x", c.Size, c.Root)
	if n, ok := l.checked[key]; ok && n == len(c.Cosignatures) {
		return nil
	}
	if c.Size > l.tree.size() {
		return refusalf("checkpoint %d was signed but the store holds only %d ledger entries: entries were deleted", c.Size, l.tree.size())
	}
	root, _ := l.tree.root(c.Size)
	text, err := noteText(c.Note)
	if err != nil {
		return refusalf("checkpoint %d: %v", c.Size, err)
	}
	var cp tlog.Checkpoint
	if _, err := cp.Unmarshal([]byte(text)); err != nil || int64(cp.Size) != c.Size || !bytes.Equal(cp.Hash, c.Root) {
		return refusalf("checkpoint %d: its note does not state its size and root", c.Size)
	}
	cosigned := false
	for _, s := range c.Cosignatures {
		if !l.names[s.Name] {
			continue // a partner no longer trusted, or a rotated key
		}
		if _, err := l.verifyCosignature(text, s.Signature); err != nil {
			return refusalf("checkpoint %d: the cosignature held for %s does not verify: %v", c.Size, s.Name, err)
		}
		cosigned = true
	}
	if !bytes.Equal(root, c.Root) {
		who := "signed by this node"
		if cosigned {
			who = "cosigned by " + cosignerNames(c.Cosignatures, l.names)
		}
		return refusalf("the ledger's first %d entries have root %s, but checkpoint %d %s has root %s: the ledger was rewritten",
			c.Size, b64(root), c.Size, who, b64(c.Root))
	}
	l.checked[key] = len(c.Cosignatures)
	return nil
}

func cosignerNames(cs []enlace.Cosignature, trusted map[string]bool) string {
	var b bytes.Buffer
	for _, c := range cs {
		if !trusted[c.Name] {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.Name)
	}
	return b.String()
}

func (l *Log) setRefusal(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.refusal == nil {
		l.refusal = err
		l.logger.Error("ledger refuses to serve", "err", err)
	}
}

func (l *Log) refusalErr() error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.refusal
}

// ErrRefused is in the chain of every error that says the log will not
// serve because its tree contradicts a checkpoint it signed or a partner
// cosigned. The HTTP handler answers it with 503.
var ErrRefused = errors.New("the ledger refuses to serve")

type refusalError struct{ msg string }

func (e *refusalError) Error() string { return "the ledger refuses to serve: " + e.msg }
func (e *refusalError) Unwrap() error { return ErrRefused }

func refusalf(format string, args ...any) error {
	return &refusalError{msg: fmt.Sprintf(format, args...)}
}

func isRefusal(err error) bool { return errors.Is(err, ErrRefused) }

// noteText returns the text of a signed note, without its signatures.
func noteText(msg []byte) (string, error) {
	i := bytes.LastIndex(msg, []byte("\n\n"))
	if i < 0 {
		return "", errors.New("malformed note: no signatures")
	}
	return string(msg[:i+1]), nil
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// maxCheckpoints bounds how many checkpoints Check reads.
const maxCheckpoints = 1 << 20
