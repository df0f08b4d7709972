package exchange

import (
	"context"
	"encoding/json"
	"fmt"
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

// Marker returns the registry's CURRENT markers, which tell whether the
// lists in force changed since the caller last looked.
func (s *Screening) Marker() string { return s.marker() }

// entityQuery returns the screening query for a STIX object that names a
// person, organisation or vessel: an identity, a threat actor, or an
// enlace vessel (x-enlace-vessel, with its IMO, MMSI and call sign).
func entityQuery(raw json.RawMessage) (screen.Query, string, bool) {
	var o struct {
		Type          string `json:"type"`
		ID            string `json:"id"`
		Name          string `json:"name"`
		IdentityClass string `json:"identity_class"`
		IMO           string `json:"imo"`
		MMSI          string `json:"mmsi"`
		CallSign      string `json:"call_sign"`
		BirthDate     string `json:"x_enlace_birth_date"`
		Nationality   string `json:"x_enlace_nationality"`
	}
	if json.Unmarshal(raw, &o) != nil {
		return screen.Query{}, "", false
	}
	q := screen.Query{Name: o.Name, BirthDate: o.BirthDate, Nationality: o.Nationality}
	switch o.Type {
	case "identity":
		switch o.IdentityClass {
		case "individual":
			q.Type = screen.Person
		case "organization", "group":
			q.Type = screen.Organization
		default:
			return screen.Query{}, "", false // a class, a system, a sector: no one to screen
		}
	case "threat-actor":
		q.Type = screen.Unknown
	case "x-enlace-vessel":
		q.Type, q.IMO, q.MMSI, q.CallSign = screen.Vessel, o.IMO, o.MMSI, o.CallSign
	default:
		return screen.Query{}, "", false
	}
	if q.Validate() != nil {
		return screen.Query{}, "", false
	}
	return q, o.ID, true
}

// screenedTypes are the STIX types entityQuery reads.
var screenedTypes = []string{"identity", "threat-actor", "x-enlace-vessel"}

// screenObjects screens the entities among objects of report r, stores
// the hits not found before, and alerts the originator and its nation's
// authority to each new one. It returns the new hits.
func (x *Exchange) screenObjects(ctx context.Context, reportID, originator, nation string, objects []json.RawMessage) ([]enlace.ScreeningHit, error) {
	if x.screening == nil {
		return nil, nil
	}
	idx, err := x.screening.Index()
	if err != nil {
		return nil, fmt.Errorf("screen report %s: %w", reportID, err)
	}
	versions := map[string]string{}
	for _, v := range idx.Versions() {
		versions[v.List] = fmt.Sprintf("v%06d", v.Version)
	}
	now := x.now().UTC()
	var hits []enlace.ScreeningHit
	for _, raw := range objects {
		q, id, ok := entityQuery(raw)
		if !ok {
			continue
		}
		for _, m := range idx.Search(q) {
			expl, err := json.Marshal(m.Explanation)
			if err != nil {
				return nil, err
			}
			hits = append(hits, enlace.ScreeningHit{ReportID: reportID, ObjectID: id, Entity: q.Name, EntityType: string(m.Type),
				List: m.List, ListVersion: versions[m.List], EntryID: m.EntryID, EntryName: m.Name, MatchedName: m.MatchedName,
				Score: m.Score, Explanation: expl, FoundAt: now})
		}
	}
	if len(hits) == 0 {
		return nil, nil
	}
	fresh, err := x.store.SaveScreeningHits(ctx, hits)
	if err != nil || len(fresh) == 0 {
		return fresh, err
	}
	alerts := make([]enlace.Alert, len(fresh))
	for i, h := range fresh {
		detail, _ := json.Marshal(h)
		alerts[i] = enlace.Alert{Kind: enlace.AlertScreeningHit, Agency: originator, Nation: nation, ReportID: reportID,
			Subject: h.ObjectID, At: now, Detail: detail,
			Text: fmt.Sprintf("%q in report %s matches %s entry %s (%s) with score %.2f, list version %s",
				h.Entity, reportID, h.List, h.EntryID, h.EntryName, h.Score, h.ListVersion)}
	}
	if _, err := x.store.CreateAlerts(ctx, alerts); err != nil {
		return nil, err
	}
	x.log.InfoContext(ctx, "screening hits", "report", reportID, "new", len(fresh))
	return fresh, nil
}

// Rescreen screens every entity the exchange holds against the lists in
// force if they changed since the last call (the first call always
// screens), storing new hits and raising their alerts. It returns the
// number of new hits. A server calls it periodically; with several
// servers on one database, one at a time (the store's hits are unique,
// so a second pass only repeats work).
func (x *Exchange) Rescreen(ctx context.Context) (int, error) {
	if x.screening == nil {
		return 0, nil
	}
	x.rescreenMu.Lock()
	defer x.rescreenMu.Unlock()
	marker := x.screening.Marker()
	if x.rescreened && marker == x.rescreenMarker {
		return 0, nil
	}
	f := enlace.ObjectFilter{Types: screenedTypes, Limit: 1000}
	type origin struct{ agency, nation string }
	nations, err := x.agencyNations(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for {
		objs, err := x.store.Objects(ctx, f)
		if err != nil {
			return total, err
		}
		byReport := map[string][]json.RawMessage{}
		var order []string
		origins := map[string]origin{}
		for _, o := range objs {
			if _, ok := byReport[o.ReportID]; !ok {
				order = append(order, o.ReportID)
				origins[o.ReportID] = origin{o.Originator, nations[o.Originator]}
			}
			byReport[o.ReportID] = append(byReport[o.ReportID], o.Raw)
		}
		for _, id := range order {
			fresh, err := x.screenObjects(ctx, id, origins[id].agency, origins[id].nation, byReport[id])
			if err != nil {
				return total, err
			}
			total += len(fresh)
		}
		if len(objs) < f.Limit {
			break
		}
		f.AddedAfter = objs[len(objs)-1].DateAdded
	}
	x.rescreened, x.rescreenMarker = true, marker
	x.log.InfoContext(ctx, "rescreened", "new_hits", total)
	return total, nil
}

// ScreeningHits returns the screening hits on report id to actor, if
// actor may read it for the declared purpose; otherwise as Read does:
// ENotFound for a report its agency never received, EForbidden with the
// reasons for one it did.
func (x *Exchange) ScreeningHits(ctx context.Context, actor enlace.User, id, purpose string) ([]enlace.ScreeningHit, error) {
	if _, err := x.authorizeRead(ctx, actor, id, purpose); err != nil {
		return nil, err
	}
	return x.store.ScreeningHits(ctx, []string{id})
}

// Alerts returns the alerts actor may see: those to its agency and, for
// an authority or auditor, those to its nation.
func (x *Exchange) Alerts(ctx context.Context, actor enlace.User, f enlace.AlertFilter) ([]enlace.Alert, error) {
	if actor.Has(enlace.RoleAuthority) || actor.Has(enlace.RoleAuditor) {
		f.Agency, f.Nation = "", actor.Nation
	} else {
		f.Agency, f.Nation = actor.Agency, ""
	}
	return x.store.Alerts(ctx, f)
}
