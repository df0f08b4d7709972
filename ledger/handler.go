package ledger

import (
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/enlace-exchange/enlace"
)

// Handler serves the log read-only as a C2SP tlog-tiles log, plus JSON
// proofs and the cosignature endpoint, to be mounted at "/ledger/": it
// strips a leading "/ledger" itself, so it also works behind
// http.StripPrefix. Every request must pass auth (401 otherwise).
//
//	GET  checkpoint                       the latest checkpoint note and its cosignatures
//	GET  checkpoints?limit=N              recent checkpoints, largest first (JSON)
//	GET  tile/<L>/<N>[.p/<W>]             hash tiles, height 8
//	GET  tile/entries/<N>[.p/<W>]         entry bundles: uint16 length + leaf, each
//	GET  proof/inclusion?index=I&size=S   JSON {"index","size","proof"}
//	GET  proof/consistency?from=A&to=B    JSON {"from","to","proof"}
//	GET  entry/{index}                    JSON: the entry as the leaf shows it
//	POST cosignature?size=S               body: a cosignature/v1 signature line
//
// While the log refuses to serve (see Check) every route answers 503
// with the reason.
func (l *Log) Handler(auth func(*http.Request) error) http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, h func(http.ResponseWriter, *http.Request) error) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			if err := h(w, r); err != nil {
				l.writeError(w, r, err)
			}
		})
	}
	handle("GET /checkpoint", l.serveCheckpoint)
	handle("GET /checkpoints", l.serveCheckpoints)
	handle("GET /tile/", l.serveTile)
	handle("GET /proof/inclusion", l.serveInclusion)
	handle("GET /proof/consistency", l.serveConsistency)
	handle("GET /entry/{index}", l.serveEntry)
	handle("POST /cosignature", l.serveCosignature)
	handle("/", func(http.ResponseWriter, *http.Request) error {
		return enlace.Errorf(enlace.ENotFound, "no such ledger resource")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := auth(r); err != nil {
			l.writeError(w, r, enlace.Errorf(enlace.EUnauthorized, "authentication required"))
			return
		}
		if p, ok := strings.CutPrefix(r.URL.Path, "/ledger/"); ok {
			r2 := r.Clone(r.Context())
			r2.URL.Path = "/" + p
			r2.URL.RawPath = ""
			r = r2
		}
		if err := l.refusalErr(); err != nil {
			l.writeError(w, r, err)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// writeError answers err: its code's status and its partner-readable
// message; an internal error's detail goes only to the log.
func (l *Log) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	code, msg := enlace.ErrorCode(err), enlace.ErrorMessage(err)
	var re *refusalError
	switch {
	case errors.As(err, &re):
		status, code, msg = http.StatusServiceUnavailable, "unavailable", re.Error()
	case code == enlace.ENotFound:
		status = http.StatusNotFound
	case code == enlace.EInvalid:
		status = http.StatusBadRequest
	case code == enlace.EConflict:
		status = http.StatusConflict
	case code == enlace.EUnauthorized:
		status = http.StatusUnauthorized
	case code == enlace.EForbidden:
		status = http.StatusForbidden
	default:
		l.logger.ErrorContext(r.Context(), "ledger request", "path", r.URL.Path, "err", err)
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "3600")
	}
	writeJSON(w, status, errorBody{Code: string(code), Message: msg})
}

// errorBody is the JSON of every error the handler answers.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// latestServable returns the latest checkpoint, with its cosignatures,
// once it is checked against the tree.
func (l *Log) latestServable(ctx context.Context) (enlace.Checkpoint, error) {
	c, err := l.store.LatestCheckpoint(ctx)
	if err != nil {
		return enlace.Checkpoint{}, err
	}
	if c.Size > l.Size() {
		if _, err := l.extend(ctx); err != nil {
			return enlace.Checkpoint{}, err
		}
	}
	l.mu.Lock()
	err = l.checkCheckpoint(c)
	if err != nil && l.refusal == nil {
		l.refusal = err
		l.logger.ErrorContext(ctx, "ledger refuses to serve", "err", err)
	}
	l.mu.Unlock()
	if err != nil {
		return enlace.Checkpoint{}, err
	}
	return c, nil
}

// withCosignatures returns c's note with each cosignature held appended
// as a further signature line.
func withCosignatures(c enlace.Checkpoint) []byte {
	b := append([]byte(nil), c.Note...)
	for _, s := range c.Cosignatures {
		b = append(b, s.Signature...)
		b = append(b, '\n')
	}
	return b
}

func (l *Log) serveCheckpoint(w http.ResponseWriter, r *http.Request) error {
	c, err := l.latestServable(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=2")
	w.Write(withCosignatures(c))
	return nil
}

// CheckpointJSON is one checkpoint in the answer to GET checkpoints.
type CheckpointJSON struct {
	Size int64  `json:"size"`
	Note string `json:"note"` // the signed note, cosignature lines appended
}

func (l *Log) serveCheckpoints(w http.ResponseWriter, r *http.Request) error {
	limit := 100
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return enlace.Errorf(enlace.EInvalid, "limit must be a number from 1 to 1000")
		}
		limit = n
	}
	if _, err := l.latestServable(r.Context()); err != nil {
		return err
	}
	cps, err := l.store.Checkpoints(r.Context(), limit)
	if err != nil {
		return err
	}
	out := make([]CheckpointJSON, 0, len(cps))
	for _, c := range cps {
		out = append(out, CheckpointJSON{Size: c.Size, Note: string(withCosignatures(c))})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (l *Log) serveTile(w http.ResponseWriter, r *http.Request) error {
	level, n, width, err := parseTilePath(strings.TrimPrefix(r.URL.Path, "/tile/"))
	if err != nil {
		return enlace.Errorf(enlace.EInvalid, "%v", err)
	}
	var body []byte
	if level < 0 {
		body, err = l.entryBundle(r.Context(), n, width)
	} else {
		body, err = l.tile(level, n, width)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	if level < 0 {
		// C2SP tlog-tiles: entry bundles SHOULD be compressed.
		w.Header().Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			zw.Write(body)
			return zw.Close()
		}
	}
	w.Write(body)
	return nil
}

func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, e := range strings.Split(v, ",") {
			if name, _, _ := strings.Cut(strings.TrimSpace(e), ";"); name == "gzip" {
				return true
			}
		}
	}
	return false
}

// tile returns the hashes of tile n at level, width hashes wide.
func (l *Log) tile(level int, n uint64, width int) ([]byte, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	tl := uint(level * tileHeight)
	if n > (1<<62)/tileWidth || l.tree.width(tl) < n*tileWidth+uint64(width) {
		return nil, enlace.Errorf(enlace.ENotFound, "no such tile")
	}
	start := n * tileWidth * hashSize
	return append([]byte(nil), l.tree.levels[tl][start:start+uint64(width)*hashSize]...), nil
}

// entryBundle returns the entries of bundle n, width of them, read from
// the store and checked against the tree.
func (l *Log) entryBundle(ctx context.Context, n uint64, width int) ([]byte, error) {
	size := l.Size()
	if n > (1<<62)/tileWidth || uint64(size) < n*tileWidth+uint64(width) {
		return nil, enlace.Errorf(enlace.ENotFound, "no such entry bundle")
	}
	start := int64(n * tileWidth)
	es, err := l.entries(ctx, start, start+int64(width))
	if err != nil {
		return nil, err
	}
	var b []byte
	for _, e := range es {
		leaf := e.Leaf()
		b = binary.BigEndian.AppendUint16(b, uint16(len(leaf)))
		b = append(b, leaf...)
	}
	return b, nil
}

// entries reads entries [start, end) from the store and checks them
// against the tree: a store rewritten under a running log is refused.
func (l *Log) entries(ctx context.Context, start, end int64) ([]enlace.LedgerEntry, error) {
	es, err := l.store.LedgerEntries(ctx, start, end)
	if err != nil {
		return nil, fmt.Errorf("read ledger entries [%d, %d): %w", start, end, err)
	}
	l.mu.RLock()
	var bad error
	for i := start; i < end && bad == nil; i++ {
		k := i - start
		if k >= int64(len(es)) || es[k].Index != i {
			bad = refusalf("ledger entry %d is gone from the store", i)
		} else if leaf := es[k].Leaf(); len(leaf) > 0xffff {
			bad = fmt.Errorf("ledger entry %d is longer than an entry bundle allows", i)
		} else if string(hasher.HashLeaf(leaf)) != string(l.tree.node(0, uint64(i))) {
			bad = refusalf("ledger entry %d in the store differs from the one in the tree: the store was rewritten", i)
		}
	}
	l.mu.RUnlock()
	if bad != nil {
		if isRefusal(bad) {
			l.setRefusal(bad)
		}
		return nil, bad
	}
	return es, nil
}

// ProofJSON is the answer to GET proof/inclusion and proof/consistency.
type ProofJSON struct {
	Index *int64   `json:"index,omitempty"`
	Size  *int64   `json:"size,omitempty"`
	From  *int64   `json:"from,omitempty"`
	To    *int64   `json:"to,omitempty"`
	Proof [][]byte `json:"proof"` // base64 node hashes
}

// intParam reads a required non-negative integer query parameter.
func intParam(r *http.Request, name string) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, enlace.Errorf(enlace.EInvalid, "parameter %q is required", name)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, enlace.Errorf(enlace.EInvalid, "parameter %q must be a non-negative integer, not %q", name, s)
	}
	return n, nil
}

func (l *Log) serveInclusion(w http.ResponseWriter, r *http.Request) error {
	index, err := intParam(r, "index")
	if err != nil {
		return err
	}
	size, err := intParam(r, "size")
	if err != nil {
		return err
	}
	if index >= size {
		return enlace.Errorf(enlace.EInvalid, "index %d must be below size %d", index, size)
	}
	if size > l.Size() {
		return enlace.Errorf(enlace.ENotFound, "the log has no tree of size %d", size)
	}
	p, err := l.InclusionProof(r.Context(), index, size)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ProofJSON{Index: &index, Size: &size, Proof: p})
	return nil
}

func (l *Log) serveConsistency(w http.ResponseWriter, r *http.Request) error {
	from, err := intParam(r, "from")
	if err != nil {
		return err
	}
	to, err := intParam(r, "to")
	if err != nil {
		return err
	}
	if from > to {
		return enlace.Errorf(enlace.EInvalid, "from %d must not exceed to %d", from, to)
	}
	if to > l.Size() {
		return enlace.Errorf(enlace.ENotFound, "the log has no tree of size %d", to)
	}
	p, err := l.ConsistencyProof(r.Context(), from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ProofJSON{From: &from, To: &to, Proof: p})
	return nil
}

// EntryJSON is the answer to GET entry/{index}: what the leaf shows, and
// nothing more (no record id, no salt).
type EntryJSON struct {
	Index      int64  `json:"index"`
	Kind       string `json:"kind"`
	From       string `json:"from,omitempty"`
	To         string `json:"to,omitempty"`
	At         string `json:"at"`
	Commitment string `json:"commitment"` // base64
	Leaf       string `json:"leaf"`
	LeafHash   string `json:"leaf_hash"` // base64
}

func (l *Log) serveEntry(w http.ResponseWriter, r *http.Request) error {
	s := r.PathValue("index")
	index, err := strconv.ParseInt(s, 10, 64)
	if err != nil || index < 0 {
		return enlace.Errorf(enlace.EInvalid, "entry index must be a non-negative integer, not %q", s)
	}
	if index >= l.Size() {
		return enlace.Errorf(enlace.ENotFound, "the log has no entry %d", index)
	}
	es, err := l.entries(r.Context(), index, index+1)
	if err != nil {
		return err
	}
	e := es[0]
	leaf := e.Leaf()
	writeJSON(w, http.StatusOK, EntryJSON{Index: e.Index, Kind: string(e.Kind), From: e.From, To: e.To,
		At: e.At.UTC().Format(enlace.LedgerTimeFormat), Commitment: b64(e.Commitment),
		Leaf: string(leaf), LeafHash: b64(hasher.HashLeaf(leaf))})
	return nil
}

func (l *Log) serveCosignature(w http.ResponseWriter, r *http.Request) error {
	size, err := intParam(r, "size")
	if err != nil {
		return err
	}
	line, err := io.ReadAll(io.LimitReader(r.Body, 4096))
	if err != nil {
		return enlace.Errorf(enlace.EInvalid, "read cosignature: %v", err)
	}
	c, err := l.AddCosignature(r.Context(), size, line)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Size int64  `json:"size"`
		Name string `json:"name"`
		At   string `json:"at"`
	}{c.Size, c.Name, c.At.Format("2006-01-02T15:04:05Z")})
	return nil
}
