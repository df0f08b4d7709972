package exchange_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/exchange"
)

func TestSharesSeries(t *testing.T) {
	k := buildKnown(t)
	ctx := context.Background()
	tf := enlace.TaskForceScope("TF")
	w := exchange.Window{From: day(0), To: day(14)} // Thursday 1 January to Thursday 15 January 2026

	s := check(k.x.SharesSeries(ctx, k.users["us-auth"], tf, w, exchange.StepWeek))
	jan := func(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }
	wantWindows := []exchange.Window{{From: jan(1), To: jan(5)}, {From: jan(5), To: jan(12)}, {From: jan(12), To: jan(15)}}
	wantTotals := []float64{4, 2, 0} // u1, u2, u3; u6; nothing
	if len(s.Steps) != len(wantWindows) {
		t.Fatalf("%d steps, want %d: %+v", len(s.Steps), len(wantWindows), s.Steps)
	}
	for i, st := range s.Steps {
		if !st.Window.From.Equal(wantWindows[i].From) || !st.Window.To.Equal(wantWindows[i].To) || st.Total != wantTotals[i] {
			t.Errorf("step %d: %v total %v, want %v total %v", i, st.Window, st.Total, wantWindows[i], wantTotals[i])
		}
		// Each step is exactly what Shares says of its window.
		if d := cmp.Diff(check(k.x.Shares(ctx, k.users["us-auth"], tf, st.Window)), st); d != "" {
			t.Errorf("step %d differs from Shares (-shares +step):\n%s", i, d)
		}
	}
	if s.Step != exchange.StepWeek || !strings.Contains(s.Counts, "for each week") || !strings.Contains(s.Counts, "DEA, HSI") ||
		strings.Join(s.Withheld, ",") != "DIPOL" {
		t.Errorf("series head: step %q withheld %v counts %q", s.Step, s.Withheld, s.Counts)
	}

	m := check(k.x.SharesSeries(ctx, k.users["us-auth"], tf, exchange.Window{From: day(-40), To: day(20)}, exchange.StepMonth))
	if len(m.Steps) != 3 || m.Steps[0].Total != 0 || m.Steps[2].Total != 6 || !m.Steps[2].Window.From.Equal(jan(1)) {
		t.Errorf("by month: %+v", m.Steps)
	}

	for name, tc := range map[string]struct {
		user string
		w    exchange.Window
		step string
		code enlace.Code
	}{
		"not the asker's to account for": {"nca", w, exchange.StepWeek, enlace.EForbidden},
		"open window":                    {"us-auth", exchange.Window{From: day(0)}, exchange.StepWeek, enlace.EInvalid},
		"backwards":                      {"us-auth", exchange.Window{From: day(3), To: day(1)}, exchange.StepWeek, enlace.EInvalid},
		"unknown step":                   {"us-auth", w, "fortnight", enlace.EInvalid},
		"too many steps":                 {"us-auth", exchange.Window{From: day(0), To: day(7 * 70)}, exchange.StepWeek, enlace.EInvalid},
	} {
		if _, err := k.x.SharesSeries(ctx, k.users[tc.user], tf, tc.w, tc.step); enlace.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", name, err, tc.code)
		}
	}
}

// TestAccountableConsumers: every consumer listed may be asked about,
// and Shares refuses every other.
func TestAccountableConsumers(t *testing.T) {
	k := buildKnown(t)
	ctx := context.Background()
	all := []enlace.Scope{enlace.NationScope("CO"), enlace.NationScope("US"), enlace.NationScope("GB"), enlace.TaskForceScope("TF")}
	for _, a := range []string{"PRES", "DIPOL", "DIJIN", "DOS", "DEA", "HSI", "NCA"} {
		all = append(all, enlace.AgencyScope(a))
	}
	for name, want := range map[string][]enlace.Scope{
		"us-auth": {enlace.NationScope("US"), enlace.TaskForceScope("TF"), enlace.AgencyScope("DEA"), enlace.AgencyScope("DOS"), enlace.AgencyScope("HSI")},
		"dea":     {enlace.NationScope("US"), enlace.TaskForceScope("TF"), enlace.AgencyScope("DEA")},
		"nca":     {enlace.NationScope("GB"), enlace.AgencyScope("NCA")},
	} {
		u := k.users[name]
		got := check(k.x.AccountableConsumers(ctx, u))
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("AccountableConsumers(%s) (-want +got):\n%s", name, d)
		}
		for _, sc := range all {
			_, err := k.x.Shares(ctx, u, sc, exchange.Window{})
			listed := false
			for _, g := range got {
				listed = listed || g == sc
			}
			if listed != (err == nil) {
				t.Errorf("%s on %s: listed %v, Shares says %v", name, sc, listed, err)
			}
		}
	}
}
