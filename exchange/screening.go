package exchange

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/screen"
)

// Screening answers sanctions screening queries against the list versions
// in force in a registry directory. `enlace lists import` may switch a
// list's version while the server runs, so each query compares the
// registry's CURRENT markers with those the index was built from and
// reloads only when they moved.
type Screening struct {
	dir string

	mu  sync.Mutex
	key string
	idx *screen.Index
}

// NewScreening serves queries over the registry in dir.
func NewScreening(dir string) *Screening { return &Screening{dir: dir} }

// marker returns the registry's CURRENT markers, which change with every
// import that switches a version.
func (s *Screening) marker() string {
	files, _ := filepath.Glob(filepath.Join(s.dir, "*", "CURRENT"))
	sort.Strings(files)
	var b strings.Builder
	for _, f := range files {
		v, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		b.WriteString(f)
		b.WriteByte('=')
		b.Write(v)
		b.WriteByte(';')
	}
	return b.String()
}

// Index returns the index over the versions in force.
func (s *Screening) Index() (*screen.Index, error) {
	key := s.marker()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idx != nil && s.key == key {
		return s.idx, nil
	}
	reg, err := screen.OpenRegistry(s.dir, nil)
	if err != nil {
		return nil, err
	}
	s.idx, s.key = reg.Index(nil), key
	return s.idx, nil
}

// ScreenResult is a screening answer with the list versions it rests on.
type ScreenResult struct {
	ListVersions []screen.ListVersion `json:"list_versions"`
	Matches      []screen.Match       `json:"matches"`
}

// Screen checks a name (and identifiers) against the sanctions lists in
// force. Any authenticated user may screen: the lists are public.
func (x *Exchange) Screen(ctx context.Context, actor enlace.User, q screen.Query) (ScreenResult, error) {
	if err := q.Validate(); err != nil {
		return ScreenResult{}, err
	}
	if x.screening == nil {
		return ScreenResult{ListVersions: []screen.ListVersion{}, Matches: []screen.Match{}}, nil
	}
	idx, err := x.screening.Index()
	if err != nil {
		return ScreenResult{}, err
	}
	ms := idx.Search(q)
	if ms == nil {
		ms = []screen.Match{}
	}
	vs := idx.Versions()
	if vs == nil {
		vs = []screen.ListVersion{}
	}
	x.log.DebugContext(ctx, "screened", "user", actor.Username, "matches", len(ms))
	return ScreenResult{ListVersions: vs, Matches: ms}, nil
}
