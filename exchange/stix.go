package exchange

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/stix"
)

// DefaultTLP is how enlace handles an object that arrives without a TLP
// marking: shareable, under an agreement that allows it, with the
// recipient organisation only. enlace does not guess a lower level.
const DefaultTLP = enlace.TLPAmberStrict

// objectHead is what the exchange reads of an incoming STIX object.
type objectHead struct {
	ID, Type    string
	Version     time.Time // modified, else created; zero for an object without versions
	MarkingRefs []string
	obj         stix.Object
}

// parseObject validates an incoming STIX object against STIX 2.1 and
// reads its head.
func (x *Exchange) parseObject(raw json.RawMessage) (objectHead, error) {
	o, err := stix.Parse(raw)
	if err != nil {
		// Name the object when its id could be read, for the status.
		var id struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(raw, &id)
		return objectHead{ID: id.ID}, err
	}
	return objectHead{ID: o.ID, Type: o.Type, Version: o.Version(), MarkingRefs: o.ObjectMarkingRefs, obj: o}, nil
}

// markingResolver resolves object_marking_refs into enlace markings for
// one add request, finding marking-definitions in the request itself or
// among those the exchange holds.
type markingResolver struct {
	x       *Exchange
	ctx     context.Context
	defs    map[string]stix.Object // marking-definitions of this request, and those found held
	missing map[string]bool        // ids looked for and not held
	byRefs  map[string]enlace.Markings
}

func (x *Exchange) newMarkingResolver(ctx context.Context) *markingResolver {
	return &markingResolver{x: x, ctx: ctx, defs: map[string]stix.Object{}, missing: map[string]bool{},
		byRefs: map[string]enlace.Markings{}}
}

// lookup finds a marking-definition by id, asking the store once per id.
func (m *markingResolver) lookup(id string) (stix.Object, bool) {
	if o, ok := m.defs[id]; ok {
		return o, true
	}
	if m.missing[id] {
		return stix.Object{}, false
	}
	m.missing[id] = true
	objs, err := m.x.store.Objects(m.ctx, enlace.ObjectFilter{IDs: []string{id}, Types: []string{"marking-definition"}, Limit: 1})
	if err != nil || len(objs) == 0 {
		return stix.Object{}, false
	}
	o, err := stix.Parse(objs[0].Raw)
	if err != nil {
		return stix.Object{}, false
	}
	delete(m.missing, id)
	m.defs[id] = o
	return o, true
}

// markings returns the markings of o. An object without a TLP marking
// gets DefaultTLP; any other problem (an unknown marking-definition, two
// use restrictions) is o's failure.
func (m *markingResolver) markings(o stix.Object) (enlace.Markings, error) {
	key := strings.Join(o.ObjectMarkingRefs, ",")
	if mk, ok := m.byRefs[key]; ok {
		return mk, nil
	}
	// Failures are not cached: their message names the object.
	mk, err := stix.MarkingsOf(o, m.lookup)
	if err != nil {
		// Only the missing TLP is ours to fill in: with the default added,
		// every other problem remains.
		d := o
		d.ObjectMarkingRefs = append(slices.Clone(o.ObjectMarkingRefs), DefaultTLP.MarkingID())
		if dm, derr := stix.MarkingsOf(d, m.lookup); derr == nil {
			mk, err = dm, nil
		}
	}
	if err == nil {
		err = mk.Validate(m.x.vocab)
	}
	if err != nil {
		return enlace.Markings{}, err
	}
	m.byRefs[key] = mk
	return mk, nil
}
