package exchange

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/enlace-exchange/enlace"
)

// Steps of a share series.
const (
	StepWeek  = "week"  // ISO weeks, from Monday 00:00 UTC
	StepMonth = "month" // calendar months, UTC
)

// MaxSeriesSteps bounds how many sub-windows one series may hold.
const MaxSeriesSteps = 60

// ShareSeries is a consumer's shares in each step of a window: how the
// "85%" moved over time.
type ShareSeries struct {
	Counts    string       `json:"counts"`
	Consumer  enlace.Scope `json:"consumer"`
	Consumers []string     `json:"consumers"`
	Withheld  []string     `json:"withheld,omitempty"`
	Window    Window       `json:"window"`
	Step      string       `json:"step"`
	// Steps are the figures of each sub-window, in order; the first and
	// the last are clipped to the window. Each carries its own counts.
	Steps []Shares `json:"steps"`
}

// SharesSeries cuts w (both ends required) into weeks or months, as step
// says, and returns Shares for each, under the same access rules as
// Shares: the answer is EForbidden when actor may account for none of the
// consumer's agencies. At most MaxSeriesSteps sub-windows.
func (x *Exchange) SharesSeries(ctx context.Context, actor enlace.User, consumer enlace.Scope, w Window, step string) (ShareSeries, error) {
	if w.From.IsZero() || w.To.IsZero() {
		return ShareSeries{}, enlace.Errorf(enlace.EInvalid, "a series needs a window with both ends")
	}
	if !w.To.After(w.From) {
		return ShareSeries{}, enlace.Errorf(enlace.EInvalid, "to must be after from")
	}
	windows, err := cut(w, step)
	if err != nil {
		return ShareSeries{}, err
	}
	out := ShareSeries{Window: w, Step: step}
	for i, sw := range windows {
		s, err := x.Shares(ctx, actor, consumer, sw)
		if err != nil {
			return ShareSeries{}, err
		}
		if i == 0 {
			out.Consumer, out.Consumers, out.Withheld = s.Consumer, s.Consumers, s.Withheld
		}
		out.Steps = append(out.Steps, s)
	}
	out.Counts = fmt.Sprintf("for each %s (UTC) between %s, clipped to the window: share of reports cited in accepted use "+
		"declarations by %s (agencies counted: %s) planned in that %s, by origin nation and agency, weighted by lineage: %s; "+
		"share = weight / total weight of the %s", step, w, out.Consumer, strings.Join(out.Consumers, ", "), step, Weighting, step)
	return out, nil
}

// cut divides w into the steps it overlaps, clipped to w.
func cut(w Window, step string) ([]Window, error) {
	var next func(time.Time) time.Time
	var start time.Time
	from := w.From.UTC()
	switch step {
	case StepWeek:
		d := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
		start = d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
		next = func(t time.Time) time.Time { return t.AddDate(0, 0, 7) }
	case StepMonth:
		start = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
		next = func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }
	default:
		return nil, enlace.Errorf(enlace.EInvalid, "step must be %s or %s", StepWeek, StepMonth)
	}
	var out []Window
	for t := start; t.Before(w.To); t = next(t) {
		if len(out) == MaxSeriesSteps {
			return nil, enlace.Errorf(enlace.EInvalid, "the window holds more than %d %ss: choose a longer step or a shorter window", MaxSeriesSteps, step)
		}
		sw := Window{From: t, To: next(t)}
		if sw.From.Before(w.From) {
			sw.From = w.From
		}
		if sw.To.After(w.To) {
			sw.To = w.To
		}
		out = append(out, sw)
	}
	return out, nil
}

// AccountableConsumers lists the consumers actor may ask Shares about:
// its nation (for an analyst, its nation's figures count its own agency
// only), the task forces with a member it
// may account for, and the agencies it may account for (its own; an
// authority's or auditor's: its nation's), in that order. Outcomes may
// be asked of any consumer; these are the ones whose shares it may see.
func (x *Exchange) AccountableConsumers(ctx context.Context, actor enlace.User) ([]enlace.Scope, error) {
	vis, err := x.visible(ctx, actor)
	if err != nil {
		return nil, err
	}
	// The actor's own agency is always of its nation.
	out := []enlace.Scope{enlace.NationScope(actor.Nation)}
	tfs, err := x.store.TaskForces(ctx)
	if err != nil {
		return nil, err
	}
	for _, tf := range tfs {
		if slices.ContainsFunc(tf.Members, func(a string) bool { return slices.Contains(vis, a) }) {
			out = append(out, enlace.TaskForceScope(tf.ID))
		}
	}
	for _, a := range vis {
		out = append(out, enlace.AgencyScope(a))
	}
	return out, nil
}
