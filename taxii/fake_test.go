package taxii

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/enlace-exchange/enlace"
)

// fakeBackend is an in-memory Backend with simple rights: three users, a
// shared collection, and a marking that hides an object from the
// restricted user. It stands in for the exchange, the outer boundary of
// this package.
type fakeBackend struct {
	mu       sync.Mutex
	objects  []fakeObject
	statuses map[string]fakeStatus
	seq      int64
	last     time.Time
	// onObjects, if set, is called on every Objects call, for tests that
	// change rights between pages.
	onObjects func(u enlace.User)
	// revoked users may read nothing.
	revoked map[int64]bool
}

type fakeObject struct {
	coll   string
	obj    Object
	hidden bool // carries fakeRed: the restricted user may not read it
}

type fakeStatus struct {
	owner int64
	st    Status
}

const (
	sharedColl = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
	otherColl  = "52892447-4d7e-4f70-b94d-d7f22742ff63"
	sealedColl = "64993447-4d7e-4f70-b94d-d7f22742ff63"
	fakeRed    = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
	seededID   = "indicator--00000000-0000-4000-8000-0000000000aa"
)

var fakeUsers = map[string]struct {
	password string
	user     enlace.User
}{
	"writer":     {"writer-pw", enlace.User{ID: 1, Username: "writer", Agency: "a"}},
	"reader":     {"reader-pw", enlace.User{ID: 2, Username: "reader", Agency: "b"}},
	"restricted": {"restricted-pw", enlace.User{ID: 3, Username: "restricted", Agency: "c"}},
}

const restrictedID = 3

func newFake() *fakeBackend {
	f := &fakeBackend{statuses: map[string]fakeStatus{}, revoked: map[int64]bool{}}
	// An object the restricted user may not see, there before the suite.
	seed := json.RawMessage(`{"type":"indicator","spec_version":"2.1","id":"` + seededID + `","created":"2020-01-01T00:00:00.000Z","modified":"2020-01-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '203.0.113.1']","pattern_type":"stix","valid_from":"2020-01-01T00:00:00.000Z","object_marking_refs":["` + fakeRed + `"]}`)
	if _, err := f.AddObjects(context.Background(), fakeUsers["writer"].user, "seizure", sharedColl, []json.RawMessage{seed}); err != nil {
		panic(err)
	}
	return f
}

func (f *fakeBackend) authenticate(r *http.Request) (enlace.User, error) {
	name, pw, ok := r.BasicAuth()
	if u, known := fakeUsers[name]; ok && known && u.password == pw {
		return u.user, nil
	}
	return enlace.User{}, enlace.Errorf(enlace.EUnauthorized, "authentication required: HTTP Basic with a user name and token")
}

var fakeRoots = []Root{
	{Name: "seizure", Title: "Seizure", Description: "Read for seizures."},
	{Name: "interdiction", Title: "Interdiction"},
}

func (f *fakeBackend) Roots(ctx context.Context, u enlace.User) ([]Root, error) {
	return fakeRoots, nil
}

func (f *fakeBackend) collections(u enlace.User) []Collection {
	cs := []Collection{
		{ID: sharedColl, Title: "Shared", Alias: "shared", CanRead: true, CanWrite: u.ID == 1},
		{ID: otherColl, Title: "Other", CanRead: true, CanWrite: u.ID == 1},
	}
	if u.ID == 2 {
		cs = append(cs, Collection{ID: sealedColl, Title: "Sealed", CanWrite: true})
	}
	for i := range cs {
		if f.revoked[u.ID] {
			cs[i].CanRead = false
		}
	}
	return cs
}

func knownRoot(root string) error {
	if !slices.ContainsFunc(fakeRoots, func(r Root) bool { return r.Name == root }) {
		return enlace.Errorf(enlace.ENotFound, "no API root %q", root)
	}
	return nil
}

func (f *fakeBackend) Collections(ctx context.Context, u enlace.User, root string) ([]Collection, error) {
	if err := knownRoot(root); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.collections(u), nil
}

func (f *fakeBackend) Collection(ctx context.Context, u enlace.User, root, id string) (Collection, error) {
	if err := knownRoot(root); err != nil {
		return Collection{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.collection(u, id)
}

func (f *fakeBackend) collection(u enlace.User, id string) (Collection, error) {
	for _, c := range f.collections(u) {
		if c.ID == id {
			return c, nil
		}
	}
	return Collection{}, enlace.Errorf(enlace.ENotFound, "no collection %q", id)
}

func (f *fakeBackend) readable(u enlace.User, o fakeObject) bool {
	return !(o.hidden && u.ID == restrictedID)
}

// selectVersions returns the candidates f selects, in (DateAdded, Seq)
// order: visible to u, in coll, matching ids, types and spec versions, then
// the versions asked for, then added after.
func (f *fakeBackend) selectVersions(u enlace.User, coll string, flt Filter) []Object {
	byID := map[string][]Object{}
	for _, o := range f.objects {
		if o.coll != coll || !f.readable(u, o) {
			continue
		}
		if len(flt.IDs) > 0 && !slices.Contains(flt.IDs, o.obj.ID) {
			continue
		}
		if len(flt.Types) > 0 && !slices.Contains(flt.Types, o.obj.Type) {
			continue
		}
		byID[o.obj.ID] = append(byID[o.obj.ID], o.obj)
	}
	versions := flt.Versions
	if len(versions) == 0 {
		versions = []Version{{Kind: VersionLast}}
	}
	var out []Object
	for _, vs := range byID {
		if len(flt.SpecVersions) > 0 {
			vs = slices.DeleteFunc(vs, func(o Object) bool { return !slices.Contains(flt.SpecVersions, o.SpecVersion) })
		} else {
			latest := slices.MaxFunc(vs, func(a, b Object) int { return cmp.Compare(a.SpecVersion, b.SpecVersion) }).SpecVersion
			vs = slices.DeleteFunc(vs, func(o Object) bool { return o.SpecVersion != latest })
		}
		if len(vs) == 0 {
			continue
		}
		slices.SortFunc(vs, func(a, b Object) int { return a.Version.Compare(b.Version) })
		picked := map[int]bool{}
		for _, v := range versions {
			switch v.Kind {
			case VersionFirst:
				picked[0] = true
			case VersionLast:
				picked[len(vs)-1] = true
			case VersionAll:
				for i := range vs {
					picked[i] = true
				}
			case VersionAt:
				for i, o := range vs {
					if o.Version.Equal(v.At) {
						picked[i] = true
					}
				}
			}
		}
		for i, o := range vs {
			if picked[i] && (flt.AddedAfter.IsZero() || o.DateAdded.After(flt.AddedAfter)) {
				out = append(out, o)
			}
		}
	}
	slices.SortFunc(out, func(a, b Object) int {
		if c := a.DateAdded.Compare(b.DateAdded); c != 0 {
			return c
		}
		return cmp.Compare(a.Seq, b.Seq)
	})
	return out
}

func (f *fakeBackend) Objects(ctx context.Context, u enlace.User, root, coll string, flt Filter, after Cursor, limit int) (Page, error) {
	if f.onObjects != nil {
		f.onObjects(u)
	}
	if err := knownRoot(root); err != nil {
		return Page{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.collection(u, coll)
	if err != nil {
		return Page{}, err
	}
	if !c.CanRead {
		return Page{}, enlace.Errorf(enlace.EForbidden, "you may not read collection %s", coll)
	}
	all := f.selectVersions(u, coll, flt)
	i := 0
	for i < len(all) && !before(Object{DateAdded: after.DateAdded, Seq: after.Seq}, all[i]) {
		i++
	}
	all = all[i:]
	p := Page{Objects: all[:min(limit, len(all))], More: len(all) > limit}
	return p, nil
}

func (f *fakeBackend) now() time.Time {
	t := time.Now().UTC().Truncate(time.Microsecond)
	if !t.After(f.last) {
		t = f.last.Add(time.Microsecond)
	}
	f.last = t
	return t
}

func (f *fakeBackend) AddObjects(ctx context.Context, u enlace.User, root, coll string, raws []json.RawMessage) (Status, error) {
	if err := knownRoot(root); err != nil {
		return Status{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.collection(u, coll)
	if err != nil {
		return Status{}, err
	}
	if !c.CanWrite {
		return Status{}, enlace.Errorf(enlace.EForbidden, "you may not write to collection %s", coll)
	}
	added := f.now()
	st := Status{ID: newID(), Status: "complete", RequestTimestamp: added, Total: len(raws)}
	for _, raw := range raws {
		o, hidden, err := parseSTIX(raw)
		if err != nil {
			st.Failure++
			st.Failures = append(st.Failures, StatusDetail{ID: o.ID, Version: o.Version, Message: err.Error()})
			continue
		}
		st.Success++
		st.Successes = append(st.Successes, StatusDetail{ID: o.ID, Version: o.Version})
		if slices.ContainsFunc(f.objects, func(x fakeObject) bool {
			return x.coll == coll && x.obj.ID == o.ID && x.obj.Version.Equal(o.Version)
		}) {
			continue // already held
		}
		f.seq++
		o.DateAdded, o.Seq = added, f.seq
		f.objects = append(f.objects, fakeObject{coll: coll, obj: o, hidden: hidden})
	}
	f.statuses[st.ID] = fakeStatus{owner: u.ID, st: st}
	return st, nil
}

// parseSTIX checks the little of STIX the fake cares about.
func parseSTIX(raw json.RawMessage) (Object, bool, error) {
	var o struct {
		ID, Type, SpecVersion string
		Created, Modified     string
		Pattern               string
		Markings              []string `json:"object_marking_refs"`
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return Object{}, false, err
	}
	_ = json.Unmarshal(raw, &o)
	_ = json.Unmarshal(fields["spec_version"], &o.SpecVersion)
	obj := Object{ID: o.ID, Type: o.Type, SpecVersion: o.SpecVersion, Raw: raw}
	typ, _, ok := strings.Cut(o.ID, "--")
	switch {
	case !ok || typ != o.Type:
		return obj, false, enlace.Errorf(enlace.EInvalid, "id %q does not start with its type %q", o.ID, o.Type)
	case o.SpecVersion != "2.1":
		return obj, false, enlace.Errorf(enlace.EInvalid, "spec_version must be 2.1")
	case o.Type == "indicator" && o.Pattern == "":
		return obj, false, enlace.Errorf(enlace.EInvalid, "an indicator needs a pattern")
	}
	created, err := time.Parse(time.RFC3339Nano, o.Created)
	if err != nil {
		return obj, false, enlace.Errorf(enlace.EInvalid, "created must be a timestamp")
	}
	obj.Version = created
	if o.Modified != "" {
		if obj.Version, err = time.Parse(time.RFC3339Nano, o.Modified); err != nil {
			return obj, false, enlace.Errorf(enlace.EInvalid, "modified must be a timestamp")
		}
	}
	return obj, slices.Contains(o.Markings, fakeRed), nil
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func (f *fakeBackend) Status(ctx context.Context, u enlace.User, root, id string) (Status, error) {
	if err := knownRoot(root); err != nil {
		return Status{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.statuses[id]
	if !ok || s.owner != u.ID {
		return Status{}, enlace.Errorf(enlace.ENotFound, "no status %q", id)
	}
	return s.st, nil
}

func (f *fakeBackend) DeleteObject(ctx context.Context, u enlace.User, root, coll, id string, flt Filter) error {
	if err := knownRoot(root); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.collection(u, coll)
	if err != nil {
		return err
	}
	flt.IDs, flt.Types, flt.AddedAfter = []string{id}, nil, time.Time{}
	doomed := f.selectVersions(u, coll, flt)
	if len(doomed) == 0 {
		return enlace.Errorf(enlace.ENotFound, "no object %s", id)
	}
	if !c.CanWrite {
		return enlace.Errorf(enlace.EForbidden, "you may not delete from collection %s", coll)
	}
	f.objects = slices.DeleteFunc(f.objects, func(o fakeObject) bool {
		return o.coll == coll && slices.ContainsFunc(doomed, func(d Object) bool { return d.Seq == o.obj.Seq })
	})
	return nil
}
