package storetest

import (
	"encoding/json"
	"fmt"
	"sort"
	"testing"

	"github.com/enlace-exchange/enlace"
)

func testSearch(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	seed(t, s)
	named := func(typ string, n int, name string) json.RawMessage {
		return json.RawMessage(fmt.Sprintf(`{"type":%q,"spec_version":"2.1","id":%q,"created":"2025-01-01T00:00:00Z",`+
			`"modified":"2025-01-01T00:00:00Z","name":%q}`, typ, stixID(typ, n), name))
	}
	r1 := objectReport(1, "DIPOL", "CO", named("x-enlace-vessel", 1, "Esperanza del Pacífico"), named("identity", 2, "Juan Pérez"))
	r1.Title, r1.Description = "Go-fast boat departing Tumaco", "Twin outboards, three crew, cocaine hydrochloride."
	r2 := objectReport(2, "DEA", "US", named("x-enlace-vessel", 3, "Caribbean Star"))
	r2.Title, r2.Description = "Semi-submersible off Buenaventura", "Low-profile vessel seen at dawn."
	must(s.CreateReport(ctx, r1))
	must(s.CreateReport(ctx, r2))

	hits := func(text string) []string {
		var out []string
		for _, h := range must(s.Search(ctx, enlace.SearchQuery{Text: text})) {
			out = append(out, h.ReportID+"/"+h.ObjectID)
		}
		sort.Strings(out)
		return out
	}
	tests := []struct {
		text string
		want []string
	}{
		{"tumaco", []string{r1.ID + "/"}},
		{"TÚMACO", []string{r1.ID + "/"}},
		{"pacifico", []string{r1.ID + "/" + stixID("x-enlace-vessel", 1)}},
		{"perez juan", []string{r1.ID + "/" + stixID("identity", 2)}},
		{"buenav", []string{r2.ID + "/"}},
		{"vessel", []string{r2.ID + "/"}},
		{"caribbean star", []string{r2.ID + "/" + stixID("x-enlace-vessel", 3)}},
		{"tumaco caribbean", nil},
		{`" OR 1=1 --`, nil},
		{`NEAR(tumaco boat)`, nil},
		{"", nil},
		{"*", nil},
	}
	for _, tt := range tests {
		diff(t, fmt.Sprintf("Search(%q)", tt.text), tt.want, hits(tt.text))
	}
	got := must(s.Search(ctx, enlace.SearchQuery{Text: "tumaco"}))
	if len(got) != 1 || got[0].Originator != "DIPOL" || got[0].Title != r1.Title || got[0].Markings.TLP != r1.Markings.TLP ||
		got[0].Snippet == "" {
		t.Errorf("hit = %+v", got)
	}
	if n := len(must(s.Search(ctx, enlace.SearchQuery{Text: "o", Limit: 1}))); n != 1 {
		t.Errorf("Search with limit 1 returned %d hits", n)
	}
	// A withdrawn object's name is no longer found.
	must(s.WithdrawObjects(ctx, "DEA", stixID("x-enlace-vessel", 3), nil, "lee", at(9)))
	diff(t, "Search(withdrawn name)", []string(nil), hits("caribbean"))
}
