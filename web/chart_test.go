package web

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/enlace-exchange/enlace/exchange"
)

func TestStepLabel(t *testing.T) {
	d := func(m time.Month, day int) time.Time { return time.Date(2026, m, day, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		step string
		w    exchange.Window
		want string
	}{
		{exchange.StepWeek, exchange.Window{From: d(11, 2), To: d(11, 9)}, "week of 2026-11-02"},
		{exchange.StepWeek, exchange.Window{From: d(11, 4), To: d(11, 9)}, "week of 2026-11-02 (from 2026-11-04)"},
		{exchange.StepWeek, exchange.Window{From: d(11, 23), To: d(11, 29)}, "week of 2026-11-23 (to 2026-11-28)"},
		{exchange.StepMonth, exchange.Window{From: d(10, 3), To: d(11, 1)}, "October 2026 (from 2026-10-03)"},
		{exchange.StepMonth, exchange.Window{From: d(11, 1), To: d(12, 1)}, "November 2026"},
	} {
		if got := stepLabel(tc.step, tc.w); got != tc.want {
			t.Errorf("stepLabel(%s, %v) = %q, want %q", tc.step, tc.w, got, tc.want)
		}
	}
}

func TestMarked(t *testing.T) {
	for in, want := range map[string][]snippetPart{
		"a [go-fast] near [Tumaco]…": {{Text: "a "}, {Text: "go-fast", Mark: true}, {Text: " near "}, {Text: "Tumaco", Mark: true}, {Text: "…"}},
		"<b>[x]</b>":                 {{Text: "<b>"}, {Text: "x", Mark: true}, {Text: "</b>"}},
		"unclosed [bracket":          {{Text: "unclosed [bracket"}},
		"":                           nil,
	} {
		if d := cmp.Diff(want, marked(in)); d != "" {
			t.Errorf("marked(%q) (-want +got):\n%s", in, d)
		}
	}
}

func TestGrouped(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 11759.4: "11,759", 1234567: "1,234,567", -4200: "-4,200"} {
		if got := grouped(in); got != want {
			t.Errorf("grouped(%v) = %q, want %q", in, got, want)
		}
	}
}
