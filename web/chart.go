package web

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/exchange"
)

// The accounting charts are SVG drawn on the server from these values.
// Horizontal positions are percentages of the chart's width and vertical
// ones pixels, so a chart fills any width, from a phone's to a desktop's,
// with its text at the page's size; colours are CSS classes (the pages'
// CSP allows no inline style). Every chart has a <title> and a <desc>
// saying its figures in words, and every bar its label and value in text.

// palette is how many colour classes (c0 … c7) enlace.css defines.
const palette = 8

// barRow is one labelled bar.
type barRow struct {
	Label, Value string
	Pct          float64 // the bar's length, 0 to 100
	Class        string  // colour class
	Tip          string  // the bar's own <title>
	TextY, BarY  int
}

// barChart is labelled horizontal bars, one per row.
type barChart struct {
	ID, Title, Desc string
	Name            string // a short visible heading, for small multiples
	Rows            []barRow
	Height          int
}

// segment is one part of a stacked bar.
type segment struct {
	X, W   float64 // percentages
	Class  string
	Label  string // drawn inside the segment when it is wide enough
	Tip    string
	LabelX float64
}

// stackRow is a labelled 100% stacked bar.
type stackRow struct {
	Label, Value string
	Segments     []segment
	Empty        bool
	TextY, BarY  int
}

// stackChart is one or more stacked bars.
type stackChart struct {
	ID, Title, Desc string
	Rows            []stackRow
	Height          int
	BarHeight       int
	Legend          []legendItem
}

type legendItem struct{ Label, Class string }

const (
	rowHeight  = 38 // a label line and a bar
	textOffset = 14
	barOffset  = 20
	barHeight  = 12
)

func (c *barChart) layout() {
	for i := range c.Rows {
		c.Rows[i].TextY = i*rowHeight + textOffset
		c.Rows[i].BarY = i*rowHeight + barOffset
	}
	c.Height = max(len(c.Rows)*rowHeight, rowHeight)
}

func (c *stackChart) layout() {
	if c.BarHeight == 0 {
		c.BarHeight = barHeight
	}
	for i := range c.Rows {
		c.Rows[i].TextY = i*(barOffset+c.BarHeight+6) + textOffset
		c.Rows[i].BarY = i*(barOffset+c.BarHeight+6) + barOffset
	}
	c.Height = max(len(c.Rows), 1) * (barOffset + c.BarHeight + 6)
}

// nationColours gives each origin nation of sh a colour class, in the
// order of their codes, so every chart of a page colours a nation alike.
func nationColours(sh exchange.Shares) map[string]string {
	m := map[string]string{}
	for i, n := range sh.Nations {
		m[n.Nation] = fmt.Sprintf("c%d", i%palette)
	}
	return m
}

func colourOf(colours map[string]string, nation string) string {
	if c, ok := colours[nation]; ok {
		return c
	}
	return "cx"
}

// pct1 writes a share (0 to 1) as a percentage with one decimal.
func pct1(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" }

func segments(lines []exchange.ShareLine, colours map[string]string) []segment {
	var segs []segment
	x := 0.0
	for _, l := range lines {
		w := l.Share * 100
		sg := segment{X: x, W: w, Class: colourOf(colours, l.Nation), Tip: l.Nation + ": " + pct1(l.Share), LabelX: x + w/2}
		if w >= 20 { // wide enough for its label at a phone's width
			sg.Label = l.Nation + " " + pct1(l.Share)
		}
		segs = append(segs, sg)
		x += w
	}
	return segs
}

func describeShares(lines []exchange.ShareLine, name func(exchange.ShareLine) string) string {
	var parts []string
	for _, l := range lines {
		parts = append(parts, fmt.Sprintf("%s %s (weight %s, %d citations)", name(l), pct1(l.Share), num(l.Weight), l.Citations))
	}
	if len(parts) == 0 {
		return "no accepted use"
	}
	return strings.Join(parts, "; ")
}

func nationName(l exchange.ShareLine) string { return l.Nation }

func agencyName(l exchange.ShareLine) string { return l.Originator + " (" + l.Nation + ")" }

// stackOf is the shares of sh by origin nation as one stacked bar.
func stackOf(sh exchange.Shares, colours map[string]string) stackChart {
	c := stackChart{ID: "chart-nations", Title: "Share of used intelligence by origin nation, " + sh.Consumer.String(),
		Desc: describeShares(sh.Nations, nationName), BarHeight: 28}
	row := stackRow{Label: sh.Consumer.Describe(), Value: fmt.Sprintf("%d citations", sh.Citations), Segments: segments(sh.Nations, colours), Empty: sh.Total == 0}
	c.Rows = []stackRow{row}
	for _, n := range sh.Nations {
		c.Legend = append(c.Legend, legendItem{n.Nation + " " + pct1(n.Share), colourOf(colours, n.Nation)})
	}
	c.layout()
	return c
}

// agencyChart is the shares of sh by origin agency, largest first.
func agencyChart(sh exchange.Shares, colours map[string]string) barChart {
	lines := slices.Clone(sh.Agencies)
	slices.SortStableFunc(lines, func(a, b exchange.ShareLine) int {
		switch {
		case a.Share > b.Share:
			return -1
		case a.Share < b.Share:
			return 1
		}
		return 0
	})
	c := barChart{ID: "chart-agencies", Title: "Share of used intelligence by origin agency, " + sh.Consumer.String(),
		Desc: describeShares(lines, agencyName)}
	for _, l := range lines {
		c.Rows = append(c.Rows, barRow{Label: agencyName(l), Value: pct1(l.Share), Pct: l.Share * 100, Class: colourOf(colours, l.Nation),
			Tip: fmt.Sprintf("%s: %s, weight %s, %d citations", agencyName(l), pct1(l.Share), num(l.Weight), l.Citations)})
	}
	c.layout()
	return c
}

// stepLabel names a step of a series by its week or month, saying where
// the window clips it.
func stepLabel(step string, w exchange.Window) string {
	from := w.From.UTC()
	var start, end time.Time
	var label string
	if step == exchange.StepMonth {
		start = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
		end, label = start.AddDate(0, 1, 0), from.Format("January 2006")
	} else {
		start = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
		start = start.AddDate(0, 0, -((int(start.Weekday()) + 6) % 7))
		end, label = start.AddDate(0, 0, 7), "week of "+start.Format(time.DateOnly)
	}
	var clip []string
	if w.From.After(start) {
		clip = append(clip, "from "+from.Format(time.DateOnly))
	}
	if w.To.Before(end) {
		clip = append(clip, "to "+w.To.UTC().Add(-time.Nanosecond).Format(time.DateOnly))
	}
	if len(clip) > 0 {
		label += " (" + strings.Join(clip, ", ") + ")"
	}
	return label
}

// seriesChart is one stacked bar per step of s.
func seriesChart(s exchange.ShareSeries, colours map[string]string) stackChart {
	c := stackChart{ID: "chart-series", Title: "Share of used intelligence by origin nation, each " + s.Step + ", " + s.Consumer.String()}
	var desc []string
	for _, st := range s.Steps {
		label := stepLabel(s.Step, st.Window)
		row := stackRow{Label: label, Segments: segments(st.Nations, colours), Empty: st.Total == 0}
		if row.Empty {
			row.Value = "no uses"
		} else {
			row.Value = fmt.Sprintf("%d citations", st.Citations)
		}
		c.Rows = append(c.Rows, row)
		desc = append(desc, label+": "+describeShares(st.Nations, nationName))
	}
	c.Desc = strings.Join(desc, ". ")
	c.layout()
	return c
}

// originatorTotals is what one originator agency's intelligence fed.
type originatorTotals struct {
	Nation, Originator string
	Outcomes           int
	Weighted           float64
	Seizures           int
	Kg                 float64
	Arrests            int
	Detained           int
	Strikes            int
	Casualties         int
}

// outcomeTotals folds the rows (one per originator and kind) by
// originator. An outcome fed by several agencies counts for each, so
// these are never summed across agencies.
func outcomeTotals(f exchange.OutcomeFigures) []originatorTotals {
	var out []originatorTotals
	index := map[string]int{}
	for _, r := range f.Rows {
		i, ok := index[r.Originator]
		if !ok {
			i = len(out)
			index[r.Originator] = i
			out = append(out, originatorTotals{Nation: r.Nation, Originator: r.Originator})
		}
		t := &out[i]
		t.Outcomes += r.Outcomes
		t.Weighted += r.Weighted
		t.Kg += r.QuantityKg
		t.Detained += r.PersonsDetained
		t.Casualties += r.Casualties
		switch r.Kind {
		case enlace.OutcomeSeizure:
			t.Seizures += r.Outcomes
		case enlace.OutcomeArrest:
			t.Arrests += r.Outcomes
		case enlace.OutcomeStrike:
			t.Strikes += r.Outcomes
		}
	}
	slices.SortFunc(out, func(a, b originatorTotals) int {
		return strings.Compare(a.Nation+"/"+a.Originator, b.Nation+"/"+b.Originator)
	})
	return out
}

// outcomeCharts are small multiples: seized kilograms, arrests, strikes
// and casualties, one bar per originator agency, each scaled to its own
// largest value.
func outcomeCharts(ts []originatorTotals) []barChart {
	metrics := []struct {
		id, title, unit string
		value           func(originatorTotals) float64
		class           string
	}{
		{"kg", "Seized (kg)", " kg", func(t originatorTotals) float64 { return t.Kg }, "c0"},
		{"arrests", "Arrests", "", func(t originatorTotals) float64 { return float64(t.Arrests) }, "c1"},
		{"strikes", "Strikes", "", func(t originatorTotals) float64 { return float64(t.Strikes) }, "c3"},
		{"casualties", "Casualties", "", func(t originatorTotals) float64 { return float64(t.Casualties) }, "c3"},
	}
	var charts []barChart
	for _, m := range metrics {
		top := 0.0
		for _, t := range ts {
			top = max(top, m.value(t))
		}
		c := barChart{ID: "chart-" + m.id, Name: m.title, Title: m.title + " fed by each originating agency's intelligence"}
		var desc []string
		for _, t := range ts {
			v := m.value(t)
			pct := 0.0
			if top > 0 {
				pct = v / top * 100
			}
			label := t.Originator + " (" + t.Nation + ")"
			c.Rows = append(c.Rows, barRow{Label: label, Value: grouped(v) + m.unit, Pct: pct, Class: m.class, Tip: label + ": " + grouped(v) + m.unit})
			desc = append(desc, label+" "+grouped(v)+m.unit)
		}
		if len(desc) == 0 {
			desc = []string{"no outcome in the window"}
		}
		c.Desc = strings.Join(desc, "; ")
		c.layout()
		charts = append(charts, c)
	}
	return charts
}

// num writes a weight with at most three decimals, without trailing
// zeros.
func num(f float64) string {
	s := strconv.FormatFloat(f, 'f', 3, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// grouped writes v rounded to a whole number with thousands separated by
// commas.
func grouped(v float64) string {
	s := strconv.FormatFloat(v, 'f', 0, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
