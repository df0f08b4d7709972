package screen

import (
	"cmp"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/enlace-exchange/enlace"
)

// Registry keeps the imported versions of each list in a directory:
//
//	DIR/LIST/vNNNNNN.json      the ListVersion
//	DIR/LIST/vNNNNNN.jsonl.gz  its entries, one JSON object a line
//	DIR/LIST/CURRENT           the version in force
//
// An import writes the new version's files first and switches CURRENT last
// with an atomic rename, so a failed or interrupted import leaves the
// previous version in force. A Registry is safe for concurrent use.
type Registry struct {
	dir string
	now func() time.Time

	mu    sync.Mutex
	lists map[string]*listState
}

type listState struct {
	current ListVersion
	entries []Entry
}

var listNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// OpenRegistry opens or creates a registry in dir and loads the current
// version of every list. now supplies import times; nil means time.Now.
func OpenRegistry(dir string, now func() time.Time) (*Registry, error) {
	if now == nil {
		now = time.Now
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open registry %s: %w", dir, err)
	}
	r := &Registry{dir: dir, now: now, lists: map[string]*listState{}}
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("open registry %s: %w", dir, err)
	}
	for _, de := range des {
		if !de.IsDir() || !listNameRE.MatchString(de.Name()) {
			continue
		}
		st, err := r.load(de.Name())
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		r.lists[de.Name()] = st
	}
	return r, nil
}

func (r *Registry) load(list string) (*listState, error) {
	cur, err := os.ReadFile(filepath.Join(r.dir, list, "CURRENT"))
	if err != nil {
		return nil, err
	}
	base := strings.TrimSpace(string(cur))
	v, err := readVersion(filepath.Join(r.dir, list, base+".json"))
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", list, err)
	}
	es, err := readEntries(filepath.Join(r.dir, list, base+".jsonl.gz"))
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", list, err)
	}
	return &listState{current: v, entries: es}, nil
}

// ImportRequest is one list import.
type ImportRequest struct {
	// List names the list; entries' List fields must be empty or equal.
	List string
	// Source says where the files came from, for the record.
	Source string
	// Date is the list's publication date, if known.
	Date time.Time
	// Files holds the input files at its root; all of them enter the
	// checksum.
	Files fs.FS
	// Parse turns Files into entries, e.g. ofac.ParseSDN or un.ParseFS.
	Parse func(fs.FS) ([]Entry, error)
	// Progress, if set, is called with the bytes of input read so far and
	// the total.
	Progress func(done, total int)
}

// Import parses a new version of a list, records it and makes it current.
// It returns the new version and its difference from the previous one. If
// the input's checksum equals the current version's, nothing is written and
// the current version comes back with an empty diff. Malformed input fails
// with the parser's *ParseError (code EInvalid) and leaves the previous
// version in force.
func (r *Registry) Import(ctx context.Context, req ImportRequest) (ListVersion, Diff, error) {
	if !listNameRE.MatchString(req.List) {
		return ListVersion{}, Diff{}, enlace.Errorf(enlace.EInvalid, "invalid list name %q", req.List)
	}
	if req.Files == nil || req.Parse == nil {
		return ListVersion{}, Diff{}, enlace.Errorf(enlace.EInvalid, "import %s: files and parser are required", req.List)
	}
	sum, total, err := checksum(req.Files)
	if err != nil {
		return ListVersion{}, Diff{}, fmt.Errorf("import %s: %w", req.List, err)
	}
	r.mu.Lock()
	prev := r.lists[req.List]
	r.mu.Unlock()
	if prev != nil && prev.current.Checksum == sum {
		v := prev.current.Version
		return prev.current, Diff{From: v, To: v}, nil
	}
	if err := ctx.Err(); err != nil {
		return ListVersion{}, Diff{}, err
	}
	fsys := req.Files
	if req.Progress != nil {
		fsys = &progressFS{FS: req.Files, total: total, f: req.Progress}
	}
	entries, err := req.Parse(fsys)
	if err != nil {
		return ListVersion{}, Diff{}, fmt.Errorf("import %s: %w", req.List, err)
	}
	if len(entries) == 0 {
		return ListVersion{}, Diff{}, enlace.Errorf(enlace.EInvalid, "import %s: the input holds no entries", req.List)
	}
	ids := make(map[string]bool, len(entries))
	for i := range entries {
		e := &entries[i]
		if e.List == "" {
			e.List = req.List
		}
		if e.List != req.List {
			return ListVersion{}, Diff{}, enlace.Errorf(enlace.EInvalid, "import %s: entry %s belongs to list %s", req.List, e.ID, e.List)
		}
		if e.ID == "" || ids[e.ID] {
			return ListVersion{}, Diff{}, enlace.Errorf(enlace.EInvalid, "import %s: empty or duplicate entry id %q", req.List, e.ID)
		}
		ids[e.ID] = true
	}
	if err := ctx.Err(); err != nil {
		return ListVersion{}, Diff{}, err
	}

	r.mu.Lock()
	defer r.mu.Unlock()
	prev = r.lists[req.List]
	v := ListVersion{List: req.List, Version: 1, Source: req.Source, Date: req.Date, ImportedAt: r.now().UTC(), Checksum: sum, Count: len(entries)}
	var old []Entry
	if prev != nil {
		v.Version = prev.current.Version + 1
		old = prev.entries
	}
	hist, _ := r.history(req.List)
	for _, h := range hist {
		v.Version = max(v.Version, h.Version+1)
	}
	d := DiffEntries(old, entries)
	d.To = v.Version
	if prev != nil {
		d.From = prev.current.Version
	}
	if err := r.write(v, entries); err != nil {
		return ListVersion{}, Diff{}, fmt.Errorf("import %s: %w", req.List, err)
	}
	r.lists[req.List] = &listState{current: v, entries: entries}
	return v, d, nil
}

func (r *Registry) write(v ListVersion, entries []Entry) error {
	dir := filepath.Join(r.dir, v.List)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	base := fmt.Sprintf("v%06d", v.Version)
	ef := filepath.Join(dir, base+".jsonl.gz")
	if err := writeAtomic(ef, func(w io.Writer) error {
		zw := gzip.NewWriter(w)
		enc := json.NewEncoder(zw)
		for i := range entries {
			if err := enc.Encode(&entries[i]); err != nil {
				return err
			}
		}
		return zw.Close()
	}); err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(dir, base+".json"), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, "CURRENT"), func(w io.Writer) error {
		_, err := io.WriteString(w, base+"\n")
		return err
	})
}

func writeAtomic(path string, f func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := f(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func readVersion(path string) (ListVersion, error) {
	var v ListVersion
	b, err := os.ReadFile(path)
	if err != nil {
		return v, err
	}
	return v, json.Unmarshal(b, &v)
}

func readEntries(path string) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(zr)
	var out []Entry
	for {
		var e Entry
		if err := dec.Decode(&e); err == io.EOF {
			return out, nil
		} else if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
}

// Current returns the version in force of every list, sorted by list name.
func (r *Registry) Current() []ListVersion {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]ListVersion, 0, len(r.lists))
	for _, st := range r.lists {
		out = append(out, st.current)
	}
	slices.SortFunc(out, func(a, b ListVersion) int { return cmp.Compare(a.List, b.List) })
	return out
}

// History returns every recorded version of a list, oldest first. An
// unknown list yields an enlace ENotFound error.
func (r *Registry) History(list string) ([]ListVersion, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.history(list)
}

func (r *Registry) history(list string) ([]ListVersion, error) {
	if !listNameRE.MatchString(list) {
		return nil, enlace.Errorf(enlace.ENotFound, "no list %q", list)
	}
	m, _ := filepath.Glob(filepath.Join(r.dir, list, "v*.json"))
	if len(m) == 0 {
		return nil, enlace.Errorf(enlace.ENotFound, "no list %q", list)
	}
	sort.Strings(m)
	out := make([]ListVersion, 0, len(m))
	for _, p := range m {
		v, err := readVersion(p)
		if err != nil {
			return nil, fmt.Errorf("history %s: %w", list, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// Entries returns the entries of a list's current version. An unknown list
// yields an enlace ENotFound error.
func (r *Registry) Entries(list string) ([]Entry, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, ok := r.lists[list]
	if !ok {
		return nil, enlace.Errorf(enlace.ENotFound, "no list %q", list)
	}
	return slices.Clone(st.entries), nil
}

// Index builds a search index over the current version of every list.
// progress, if set, is called as entries are indexed.
func (r *Registry) Index(progress func(done, total int)) *Index {
	r.mu.Lock()
	var all []Entry
	var vs []ListVersion
	names := make([]string, 0, len(r.lists))
	for n := range r.lists {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		st := r.lists[n]
		all = append(all, st.entries...)
		vs = append(vs, st.current)
	}
	r.mu.Unlock()
	return NewIndex(all, IndexOptions{Versions: vs, Progress: progress})
}

// checksum hashes the regular files at the root of fsys in name order and
// returns the hex digest and their total size.
func checksum(fsys fs.FS) (string, int, error) {
	des, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return "", 0, err
	}
	h := sha256.New()
	total := 0
	for _, de := range des {
		if !de.Type().IsRegular() {
			continue
		}
		f, err := fsys.Open(de.Name())
		if err != nil {
			return "", 0, err
		}
		io.WriteString(h, de.Name())
		h.Write([]byte{0})
		n, err := io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", 0, fmt.Errorf("read %s: %w", de.Name(), err)
		}
		h.Write([]byte{0})
		total += int(n)
	}
	return hex.EncodeToString(h.Sum(nil)), total, nil
}

// progressFS reports bytes read through it.
type progressFS struct {
	fs.FS
	mu    sync.Mutex
	done  int
	total int
	f     func(done, total int)
}

// Open opens name in the wrapped file system, counting what is read.
func (p *progressFS) Open(name string) (fs.File, error) {
	f, err := p.FS.Open(name)
	if err != nil {
		return nil, err
	}
	return &progressFile{File: f, p: p}, nil
}

type progressFile struct {
	fs.File
	p *progressFS
}

// Read reads and reports progress.
func (f *progressFile) Read(b []byte) (int, error) {
	n, err := f.File.Read(b)
	if n > 0 {
		f.p.mu.Lock()
		f.p.done += n
		d, t := f.p.done, max(f.p.total, f.p.done)
		f.p.mu.Unlock()
		f.p.f(d, t)
	}
	return n, err
}

// ReadDir passes through to the wrapped file system.
func (p *progressFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(p.FS, name) }

// Stat passes through to the wrapped file system.
func (p *progressFS) Stat(name string) (fs.FileInfo, error) { return fs.Stat(p.FS, name) }
