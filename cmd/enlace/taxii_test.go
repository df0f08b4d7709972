package main

import (
	"testing"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/exchange"
	"github.com/enlace-exchange/enlace/taxii/taxiitest"
)

// TestTAXIIConformance runs the black-box TAXII 2.1 suite against the real
// server and its demo world: a DIPOL analyst writes, a DIPOL liaison
// officer reads everything DIPOL holds, and a DEA analyst reads for
// interdiction what the CO→US agreement releases, which TLP:RED is not.
func TestTAXIIConformance(t *testing.T) {
	forEachEngine(t, testTAXIIConformance)
}

func testTAXIIConformance(t *testing.T, n *node) {
	cred := func(user string) taxiitest.Credentials {
		return taxiitest.Credentials{Username: user, Password: n.creds[user].Token}
	}
	taxiitest.Run(t, taxiitest.Env{
		BaseURL:    n.url,
		Root:       "interdiction",
		Collection: exchange.SharedCollection,
		Writer:     cred("dipol-analyst"),
		Reader:     cred("dipol-liaison"),
		Restricted: cred("dea-analyst"),
		// Unmarked objects are handled as TLP:AMBER+STRICT, beyond what
		// the CO→US agreement releases; the suite's objects are GREEN.
		Prepare: func(obj map[string]any) {
			obj["object_marking_refs"] = []string{enlace.TLPGreen.MarkingID()}
		},
		Hide: func(obj map[string]any) {
			obj["object_marking_refs"] = []string{enlace.TLPRed.MarkingID()}
		},
		OtherCollection: "dipol",
	})
}
