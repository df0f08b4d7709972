package exchange

import (
	"encoding/json"
	"time"

	"github.com/enlace-exchange/enlace"
)

// objectHead is what the exchange reads of an incoming STIX object.
type objectHead struct {
	ID, Type    string
	Version     time.Time // modified, else created; zero for an object without versions
	MarkingRefs []string
}

// parseObject validates an incoming STIX object and reads its head.
func (x *Exchange) parseObject(raw json.RawMessage) (objectHead, error) {
	var v struct {
		ID          string   `json:"id"`
		Type        string   `json:"type"`
		SpecVersion string   `json:"spec_version"`
		Created     string   `json:"created"`
		Modified    string   `json:"modified"`
		MarkingRefs []string `json:"object_marking_refs"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return objectHead{}, enlace.Errorf(enlace.EInvalid, "not a JSON object with STIX properties: %v", err)
	}
	h := objectHead{ID: v.ID, Type: v.Type, MarkingRefs: v.MarkingRefs}
	if !enlace.ValidSTIXID(v.ID) || enlace.STIXType(v.ID) != v.Type {
		return h, enlace.Errorf(enlace.EInvalid, "id %q must be %s--<uuid>", v.ID, v.Type)
	}
	for _, ts := range []string{v.Modified, v.Created} {
		if ts == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil {
			return h, enlace.Errorf(enlace.EInvalid, "object %s: %q is not a STIX timestamp", v.ID, ts)
		}
		h.Version = t
		break
	}
	return h, nil
}

// markingsOf returns the enlace markings that refs make up: the TLP of a
// TLP marking, TLP:AMBER when there is none.
func (x *Exchange) markingsOf(refs []string, _ map[string]objectHead) (enlace.Markings, error) {
	m := enlace.Markings{TLP: enlace.TLPAmber}
	for _, r := range refs {
		if t, ok := enlace.TLPFromMarkingID(r); ok {
			m.TLP = t
		}
	}
	return m, nil
}
