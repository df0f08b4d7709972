package storetest

import (
	"encoding/json"
	"testing"

	"github.com/enlace-exchange/enlace"
)

func testAlerts(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	seed(t, s)
	r := must(s.CreateReport(ctx, newReport(1, "DIPOL", "CO")))
	in := []enlace.Alert{
		{Kind: enlace.AlertScreeningHit, Agency: "DIPOL", Nation: "CO", ReportID: r.ID, Subject: stixID("identity", 1),
			Text: "a named person matches OFAC SDN 123", Detail: json.RawMessage(`{"score":0.97}`), At: at(1)},
		{Kind: enlace.AlertViolation, Agency: "DIPOL", Nation: "CO", Text: "strike reported on CO intelligence", At: at(2)},
		{Kind: enlace.AlertRefusedUse, Agency: "DEA", Nation: "US", Text: "use refused", At: at(3)},
	}
	got := must(s.CreateAlerts(ctx, in))
	for i := range in {
		if got[i].ID == 0 || (i > 0 && got[i].ID <= got[i-1].ID) {
			t.Fatalf("alert ids %d not increasing", got[i].ID)
		}
		in[i].ID = got[i].ID
	}
	diff(t, "created alerts", in, got)
	diff(t, "Alerts(all)", in, must(s.Alerts(ctx, enlace.AlertFilter{})))
	diff(t, "Alerts(nation CO)", in[:2], must(s.Alerts(ctx, enlace.AlertFilter{Nation: "CO"})))
	diff(t, "Alerts(kind, report)", in[:1], must(s.Alerts(ctx, enlace.AlertFilter{Kind: enlace.AlertScreeningHit, ReportID: r.ID})))
	diff(t, "Alerts(after, limit)", in[1:2], must(s.Alerts(ctx, enlace.AlertFilter{AfterID: in[0].ID, Limit: 1})))
}

func testScreeningHits(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	seed(t, s)
	r1 := must(s.CreateReport(ctx, newReport(1, "DIPOL", "CO")))
	r2 := must(s.CreateReport(ctx, newReport(2, "DEA", "US")))
	hit := func(r enlace.Report, entry string, score float64) enlace.ScreeningHit {
		return enlace.ScreeningHit{ReportID: r.ID, ObjectID: stixID("identity", 1), Entity: "Gustavo Petro", EntityType: "person",
			List: "ofac-sdn", ListVersion: "v000001", EntryID: entry, EntryName: "PETRO URREGO, Gustavo Francisco",
			MatchedName: "PETRO URREGO, Gustavo Francisco", Score: score, Explanation: json.RawMessage(`{"name_kind":"primary"}`), FoundAt: at(5)}
	}
	first := []enlace.ScreeningHit{hit(r1, "1", 0.91), hit(r1, "2", 0.97), hit(r2, "1", 0.91)}
	diff(t, "SaveScreeningHits(new)", first, must(s.SaveScreeningHits(ctx, first)))
	again := []enlace.ScreeningHit{hit(r1, "2", 0.97), hit(r1, "3", 0.90)}
	again[0].ListVersion = "v000002"
	diff(t, "SaveScreeningHits(again)", again[1:], must(s.SaveScreeningHits(ctx, again)))
	diff(t, "ScreeningHits(r1)", []enlace.ScreeningHit{first[1], first[0], again[1]}, must(s.ScreeningHits(ctx, []string{r1.ID})))
	diff(t, "ScreeningHits(none)", []enlace.ScreeningHit(nil), must(s.ScreeningHits(ctx, nil)))
	_, err := s.SaveScreeningHits(ctx, []enlace.ScreeningHit{hit(enlace.Report{ID: stixID("report", 9)}, "1", 1)})
	wantCode(t, "SaveScreeningHits(unknown report)", err, enlace.ENotFound)
}
