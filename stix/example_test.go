package stix_test

import (
	"fmt"
	"time"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/stix"
)

func ExampleParse() {
	o, err := stix.Parse([]byte(`{
		"type": "indicator", "spec_version": "2.1",
		"id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
		"created": "2016-04-06T20:03:48.000Z", "modified": "2016-04-06T20:03:48.123456Z",
		"pattern_type": "stix", "valid_from": "2016-01-01T00:00:00Z"
	}`))
	fmt.Println(enlace.ErrorMessage(err))

	o, err = stix.Parse([]byte(`{
		"type": "indicator", "spec_version": "2.1",
		"id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
		"created": "2016-04-06T20:03:48.000Z", "modified": "2016-04-06T20:03:48.123456Z",
		"pattern": "[ipv4-addr:value = '198.51.100.1']", "pattern_type": "stix",
		"valid_from": "2016-01-01T00:00:00Z"
	}`))
	fmt.Println(o.Type, o.Category, o.Version().Format(time.RFC3339Nano), err)
	// Output:
	// object indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f: property "pattern" is required
	// indicator SDO 2016-04-06T20:03:48.123456Z <nil>
}

func ExampleMarkingsOf() {
	m := enlace.Markings{TLP: enlace.TLPAmber, Handling: []enlace.HandlingCode{enlace.H2}}
	md, err := stix.NewMarkingDefinition(m, "", time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC))
	if err != nil {
		panic(err)
	}
	def, err := stix.Parse(md.JSON) // as a partner would receive it
	if err != nil {
		panic(err)
	}
	obj, err := stix.Parse([]byte(`{"type":"ipv4-addr","id":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd",
		"value":"198.51.100.3","object_marking_refs":["` + md.Refs[0] + `","` + md.Refs[1] + `"]}`))
	if err != nil {
		panic(err)
	}
	got, err := stix.MarkingsOf(obj, func(id string) (stix.Object, bool) { return def, id == def.ID })
	fmt.Println(got.TLP, got.Handling[0].Key(), err)
	// Output: amber siena:H2 <nil>
}
