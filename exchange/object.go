package exchange

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/policy"
)

// Collection is a TAXII collection. enlace has one shared collection,
// holding every object a reader may see whoever originated it, and one per
// agency, holding that agency's objects. Which objects of a collection a
// reader sees is the policy's decision, for the purpose it declared.
type Collection struct {
	ID          string
	Alias       string
	Title       string
	Description string
	Originator  string // the agency whose objects it holds; "" for the shared collection
	CanRead     bool
	CanWrite    bool
}

// SharedCollection is the id of the shared collection.
const SharedCollection = "7d0f2c1e-5b0a-4c8e-9a43-2f7b9e6c1d10"

// collectionSpace names agency collections: an agency's collection id is
// the UUIDv5 of its id in this space, so it is stable across nodes.
var collectionSpace = uuid.MustParse("b7a0c1e4-9d3f-4f62-8c55-0e8a2d6b4f71")

// collectionOf returns agency a's collection for actor.
func collectionOf(actor enlace.User, a enlace.Agency) Collection {
	return Collection{
		ID:          uuid.NewSHA1(collectionSpace, []byte(a.ID)).String(),
		Alias:       strings.ToLower(a.ID),
		Title:       a.ID + ": " + a.Name,
		Description: "Intelligence originated by " + a.Name + " (" + a.Nation + "), as far as the policy releases it to you.",
		Originator:  a.ID,
		CanRead:     canReadIntelligence(actor),
		CanWrite:    canWrite(actor) && actor.Agency == a.ID,
	}
}

// canWrite reports whether actor may submit intelligence.
func canWrite(u enlace.User) bool { return u.Has(enlace.RoleAnalyst) || u.Has(enlace.RoleLiaison) }

// Collections returns the collections, the shared one first, with what
// actor may do in each.
func (x *Exchange) Collections(ctx context.Context, actor enlace.User) ([]Collection, error) {
	as, err := x.store.Agencies(ctx)
	if err != nil {
		return nil, err
	}
	out := []Collection{{
		ID: SharedCollection, Alias: "shared", Title: "Shared intelligence",
		Description: "Every object the policy releases to you for the purpose of this API root, whoever originated it. " +
			"What you add here is originated by your agency.",
		CanRead: canReadIntelligence(actor), CanWrite: canWrite(actor),
	}}
	for _, a := range as {
		out = append(out, collectionOf(actor, a))
	}
	return out, nil
}

// Collection returns the collection with id or alias. ENotFound if none.
func (x *Exchange) Collection(ctx context.Context, actor enlace.User, id string) (Collection, error) {
	cs, err := x.Collections(ctx, actor)
	if err != nil {
		return Collection{}, err
	}
	for _, c := range cs {
		if c.ID == id || c.Alias == id {
			return c, nil
		}
	}
	return Collection{}, enlace.Errorf(enlace.ENotFound, "no collection %s", id)
}

// ObjectPage is one page of objects and whether more follow.
type ObjectPage struct {
	Objects []enlace.StoredObject
	More    bool // another object the reader may see matches after the last
}

// scanBatch bounds how many rows one store query reads while filling a
// page; it doubles from the page size up to this.
const scanBatch = 10000

// Objects returns up to f.Limit objects of collection coll that match f
// and that actor may read for the declared purpose, in date-added order.
// Objects it may not read are skipped without trace, so a page may hold
// fewer than the limit but More is true only if a readable object
// follows. The release of each report the page draws on is recorded, as
// for Read. EForbidden if actor may not read the collection.
func (x *Exchange) Objects(ctx context.Context, actor enlace.User, purpose, coll string, f enlace.ObjectFilter) (ObjectPage, error) {
	c, err := x.Collection(ctx, actor, coll)
	if err != nil {
		return ObjectPage{}, err
	}
	if !c.CanRead {
		return ObjectPage{}, enlace.Errorf(enlace.EForbidden, "you may not read collection %s", c.Alias)
	}
	p, err := x.purpose(purpose)
	if err != nil {
		return ObjectPage{}, err
	}
	pol, err := x.Policy(ctx)
	if err != nil {
		return ObjectPage{}, err
	}
	consents, err := x.consentsFor(ctx, actor)
	if err != nil {
		return ObjectPage{}, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	type verdict struct {
		ok     bool
		holder string
		d      enlace.Decision
	}
	verdicts := map[string]verdict{} // by report: objects share their report's decision
	scan := f
	scan.Originator = c.Originator
	scan.Limit = min(limit+1, scanBatch)
	var page ObjectPage
	var used []enlace.StoredObject // objects of reports whose release to record
	for {
		batch, err := x.store.Objects(ctx, scan)
		if err != nil {
			return ObjectPage{}, err
		}
		for _, o := range batch {
			v, seen := verdicts[o.ReportID]
			if !seen {
				d, holder := x.decideSubject(pol, actor, policy.Subject{ID: o.ReportID, Originator: o.Originator, Markings: o.Markings}, p, consents[o.ReportID])
				v = verdict{ok: d.Allowed, holder: holder, d: d}
				verdicts[o.ReportID] = v
			}
			if !v.ok {
				continue
			}
			if len(page.Objects) == limit {
				page.More = true
				break
			}
			page.Objects = append(page.Objects, o)
			if o.Originator != actor.Agency {
				used = append(used, o)
			}
		}
		if page.More || len(batch) < scan.Limit {
			break
		}
		scan.AddedAfter = batch[len(batch)-1].DateAdded
		scan.Limit = min(scan.Limit*2, scanBatch)
	}
	var releases []enlace.Release
	seen := map[string]bool{}
	for _, o := range used {
		if seen[o.ReportID] {
			continue
		}
		seen[o.ReportID] = true
		v := verdicts[o.ReportID]
		releases = append(releases, x.release(actor, o.ReportID, o.Originator, p, v.holder, v.d))
	}
	if err := x.recordReleases(ctx, releases); err != nil {
		return ObjectPage{}, err
	}
	return page, nil
}

// consentsFor returns the consents naming actor's agency as recipient,
// by report.
func (x *Exchange) consentsFor(ctx context.Context, actor enlace.User) (map[string][]enlace.Consent, error) {
	all, err := x.store.Consents(ctx, "")
	if err != nil {
		return nil, err
	}
	out := map[string][]enlace.Consent{}
	for _, c := range all {
		if c.Recipient == actor.Agency {
			out[c.ReportID] = append(out[c.ReportID], c)
		}
	}
	return out, nil
}

// AddObjects validates objects and stores the valid ones as intelligence
// originated by actor's agency. Objects are grouped by the markings they
// reference; each group becomes one report, with the ledger entry of its
// submission. An object version already held counts as a success and is
// not stored again, so adding the same objects twice stores nothing
// twice. EForbidden if actor may not write to the collection.
func (x *Exchange) AddObjects(ctx context.Context, actor enlace.User, coll string, objects []json.RawMessage) (enlace.TAXIIStatus, error) {
	c, err := x.Collection(ctx, actor, coll)
	if err != nil {
		return enlace.TAXIIStatus{}, err
	}
	if !c.CanWrite {
		return enlace.TAXIIStatus{}, enlace.Errorf(enlace.EForbidden, "you may not add objects to collection %s", c.Alias)
	}
	return x.addObjects(ctx, actor, c, objects, true)
}

func (x *Exchange) addObjects(ctx context.Context, actor enlace.User, c Collection, objects []json.RawMessage, retry bool) (enlace.TAXIIStatus, error) {
	now := x.now().UTC()
	st := enlace.TAXIIStatus{ID: uuid.NewString(), UserID: actor.ID, Collection: c.ID, RequestTimestamp: now, Total: len(objects)}

	type parsed struct {
		raw  json.RawMessage
		head objectHead
		key  string
	}
	var valid []parsed
	inEnvelope := map[string]bool{}
	resolver := x.newMarkingResolver(ctx)
	for i, raw := range objects {
		h, err := x.parseObject(raw)
		if err != nil {
			st.Failures = append(st.Failures, enlace.StatusDetail{ID: h.ID, Version: h.Version, Message: fmt.Sprintf("object %d: %s", i, enlace.ErrorMessage(err))})
			continue
		}
		key := enlace.VersionKey(h.ID, h.Version)
		if inEnvelope[key] {
			st.Successes = append(st.Successes, enlace.StatusDetail{ID: h.ID, Version: h.Version, Message: "repeated in this envelope; stored once"})
			continue
		}
		inEnvelope[key] = true
		if h.Type == "marking-definition" {
			resolver.defs[h.ID] = h.obj
		}
		valid = append(valid, parsed{raw, h, key})
	}
	keys := make([]string, len(valid))
	for i, v := range valid {
		keys[i] = v.key
	}
	held, err := x.store.HasObjectVersions(ctx, keys)
	if err != nil {
		return enlace.TAXIIStatus{}, err
	}
	// Objects are grouped by their markings: each group is one report,
	// whose markings the policy reads.
	groups := map[string][]parsed{}
	markingsOf := map[string]enlace.Markings{}
	var order []string
	for _, v := range valid {
		if held[v.key] {
			st.Successes = append(st.Successes, enlace.StatusDetail{ID: v.head.ID, Version: v.head.Version, Message: "already held; stored once"})
			continue
		}
		mk, err := resolver.markings(v.head.obj)
		if err != nil {
			st.Failures = append(st.Failures, enlace.StatusDetail{ID: v.head.ID, Version: v.head.Version, Message: enlace.ErrorMessage(err)})
			continue
		}
		b, err := json.Marshal(mk)
		if err != nil {
			return enlace.TAXIIStatus{}, err
		}
		g := string(b)
		if _, ok := groups[g]; !ok {
			order = append(order, g)
			markingsOf[g] = mk
		}
		groups[g] = append(groups[g], v)
	}
	var reports []enlace.Report
	var stored [][]parsed // the members of each report
	for _, g := range order {
		members := groups[g]
		markings := markingsOf[g]
		r := enlace.Report{
			ID:          "report--" + uuid.NewString(),
			Originator:  actor.Agency,
			Nation:      actor.Nation,
			Title:       fmt.Sprintf("%d objects added over TAXII to %s", len(members), c.Alias),
			Description: "Submitted over TAXII, status " + st.ID,
			Markings:    markings,
			Grading:     enlace.Grading{Scheme: enlace.GradingAdmiralty, Source: "F", Information: "6"},
			CreatedBy:   actor.Username,
			Published:   now,
			CreatedAt:   now,
		}
		for _, m := range members {
			r.Objects = append(r.Objects, m.raw)
			st.Successes = append(st.Successes, enlace.StatusDetail{ID: m.head.ID, Version: m.head.Version})
		}
		reports = append(reports, r)
		stored = append(stored, members)
	}
	// The reports and the status commit together: a client that reads
	// the status reads what it says.
	if _, err := x.store.CreateSubmission(ctx, reports, st); err != nil {
		if enlace.ErrorCode(err) == enlace.EConflict && retry {
			// Another request stored one of these versions meanwhile:
			// take it as held and try once more.
			return x.addObjects(ctx, actor, c, objects, false)
		}
		return enlace.TAXIIStatus{}, err
	}
	for i, r := range reports {
		var entities []json.RawMessage
		for _, m := range stored[i] {
			if slices.Contains(screenedTypes, m.head.Type) {
				entities = append(entities, m.raw)
			}
		}
		if _, err := x.screenObjects(ctx, r.ID, r.Originator, r.Nation, entities); err != nil {
			x.log.ErrorContext(ctx, "screen added objects", "report", r.ID, "err", err)
		}
	}
	return st, nil
}

// Status returns the status of an add request actor made. ENotFound if
// there is none, or another user made it.
func (x *Exchange) Status(ctx context.Context, actor enlace.User, id string) (enlace.TAXIIStatus, error) {
	st, err := x.store.Status(ctx, id)
	if enlace.ErrorCode(err) == enlace.ENotFound || (err == nil && st.UserID != actor.ID) {
		return enlace.TAXIIStatus{}, enlace.Errorf(enlace.ENotFound, "no status %s", id)
	}
	return st, err
}

// WithdrawObject withdraws the versions of object id that versions
// selects (empty: all). Only the originating agency's writers may, and
// only objects it originated: for anyone else the object is ENotFound,
// as if it did not exist.
func (x *Exchange) WithdrawObject(ctx context.Context, actor enlace.User, coll, id string, versions []enlace.VersionMatch) error {
	c, err := x.Collection(ctx, actor, coll)
	if err != nil {
		return err
	}
	if !c.CanWrite {
		return enlace.Errorf(enlace.EForbidden, "you may not delete from collection %s", c.Alias)
	}
	_, err = x.store.WithdrawObjects(ctx, actor.Agency, id, versions, actor.Username, x.now().UTC())
	if enlace.ErrorCode(err) == enlace.ENotFound {
		return enlace.Errorf(enlace.ENotFound, "no object %s", id)
	}
	return err
}
