package storetest

import (
	"testing"

	"github.com/enlace-exchange/enlace"
)

// release returns a release of report to recipient at minute m.
func release(report enlace.Report, recipient, nation string, m int) enlace.Release {
	return enlace.Release{
		ReportID:         report.ID,
		Originator:       report.Originator,
		Releaser:         report.Originator,
		Recipient:        recipient,
		RecipientNation:  nation,
		Purpose:          enlace.PurposeInterdiction,
		AgreementID:      "AG-1",
		AgreementVersion: 2,
		Policies:         []string{"agreement AG-1 v2", "marking tlp-amber"},
		At:               at(m),
	}
}

func testReleases(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	seed(t, s)
	r := must(s.CreateReport(ctx, newReport(1, "DIPOL", "CO")))
	in := release(r, "DEA", "US", 10)
	got := must(s.CreateRelease(ctx, in))
	if got.ID == 0 {
		t.Fatal("created release has no id")
	}
	in.ID = got.ID
	diff(t, "created release", in, got)

	// An onward release: the holder releases, with no agreement policies.
	onward := release(r, "NCA", "GB", 20)
	onward.Releaser, onward.AgreementID, onward.AgreementVersion = "DEA", "", 0
	onward.Policies = nil
	onward = must(s.CreateRelease(ctx, onward))
	if onward.ID <= got.ID {
		t.Errorf("second release id %d, want more than %d", onward.ID, got.ID)
	}
	diff(t, "Releases", []enlace.Release{got, onward}, must(s.Releases(ctx, enlace.ReleaseFilter{})))

	_, err := s.CreateRelease(ctx, release(enlace.Report{ID: stixID("report", 9), Originator: "DIPOL"}, "DEA", "US", 30))
	wantCode(t, "CreateRelease(unknown report)", err, enlace.ENotFound)
	diff(t, "Releases after refusal", []enlace.Release{got, onward}, must(s.Releases(ctx, enlace.ReleaseFilter{})))
}

func testReleaseFilters(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	seed(t, s)
	r1 := must(s.CreateReport(ctx, newReport(1, "DIPOL", "CO")))
	r2 := must(s.CreateReport(ctx, newReport(2, "DEA", "US")))
	var all []enlace.Release
	for _, rel := range []enlace.Release{
		release(r1, "DEA", "US", 10),
		release(r2, "DIPOL", "CO", 11),
		release(r1, "USCG", "US", 12),
		release(r1, "NCA", "GB", 13),
		release(r2, "NCA", "GB", 14),
		// Recorded later but stamped earlier: id order is arrival order.
		release(r1, "ARC", "CO", 5),
	} {
		all = append(all, must(s.CreateRelease(ctx, rel)))
	}
	pick := func(idx ...int) []enlace.Release {
		out := []enlace.Release{}
		for _, i := range idx {
			out = append(out, all[i])
		}
		return out
	}
	tests := []struct {
		name string
		f    enlace.ReleaseFilter
		want []enlace.Release
	}{
		{"everything", enlace.ReleaseFilter{}, pick(0, 1, 2, 3, 4, 5)},
		{"report", enlace.ReleaseFilter{ReportID: r1.ID}, pick(0, 2, 3, 5)},
		{"recipient", enlace.ReleaseFilter{Recipient: "NCA"}, pick(3, 4)},
		{"recipient nation", enlace.ReleaseFilter{RecipientNation: "US"}, pick(0, 2)},
		{"originator", enlace.ReleaseFilter{Originator: "DEA"}, pick(1, 4)},
		{"after", enlace.ReleaseFilter{After: at(11)}, pick(2, 3, 4)},
		{"after is exclusive", enlace.ReleaseFilter{After: at(14)}, pick()},
		{"limit", enlace.ReleaseFilter{Limit: 2}, pick(0, 1)},
		{"report and recipient nation", enlace.ReleaseFilter{ReportID: r1.ID, RecipientNation: "US"}, pick(0, 2)},
		{"originator, after and limit", enlace.ReleaseFilter{Originator: "DIPOL", After: at(10), Limit: 2}, pick(2, 3)},
		{"no match", enlace.ReleaseFilter{Recipient: "DEA", Originator: "DEA"}, pick()},
	}
	for _, tt := range tests {
		diff(t, tt.name, tt.want, must(s.Releases(ctx, tt.f)))
	}
}
