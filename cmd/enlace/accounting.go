package main

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/exchange"
	"github.com/enlace-exchange/enlace/httpapi"
)

// accountingFlags are the flags the accounting commands share. The
// figures are computed as --as would see them over the API: the operator
// reads through a user's eyes, never around the exchange's access rules.
type accountingFlags struct {
	data                      dataFlags
	as                        string
	agency, taskForce, nation string
	from, to                  string
	csv                       bool
	window                    exchange.Window
	consumer                  enlace.Scope
	user                      enlace.User
}

func (f *accountingFlags) register(cmd *cobra.Command, consumer bool) {
	f.data.register(cmd)
	cmd.Flags().StringVar(&f.as, "as", "", "the user whose view to compute (required)")
	cmd.Flags().BoolVar(&f.csv, "csv", false, "print CSV (the API's ?format=csv) instead of a table")
	if consumer {
		cmd.Flags().StringVar(&f.agency, "agency", "", "consumer: one agency")
		cmd.Flags().StringVar(&f.taskForce, "task-force", "", "consumer: a task force's members")
		cmd.Flags().StringVar(&f.nation, "nation", "", "consumer: a nation's agencies")
		cmd.Flags().StringVar(&f.from, "from", "", "window start, RFC 3339 (inclusive)")
		cmd.Flags().StringVar(&f.to, "to", "", "window end, RFC 3339 (exclusive)")
	}
}

// prepare parses the flags and finds the user.
func (f *accountingFlags) prepare(cmd *cobra.Command, x *exchange.Exchange) error {
	if f.as == "" {
		return fmt.Errorf("--as USER is required: figures are computed as that user may see them")
	}
	var err error
	if f.user, err = x.UserByName(cmd.Context(), f.as); err != nil {
		return fmt.Errorf("--as %s: %w", f.as, err)
	}
	f.consumer = enlace.Scope{Agency: f.agency, TaskForce: f.taskForce, Nation: f.nation}
	for _, p := range []struct {
		s string
		t *time.Time
	}{{f.from, &f.window.From}, {f.to, &f.window.To}} {
		if p.s == "" {
			continue
		}
		if *p.t, err = time.Parse(time.RFC3339, p.s); err != nil {
			return fmt.Errorf("time %q must be RFC 3339, such as 2025-11-10T14:00:00Z", p.s)
		}
	}
	return nil
}

func newAccountingCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "accounting",
		Short: "What partners' intelligence fed: shares of used intelligence, outcomes by originator, a report's trail",
		Long: `accounting answers, from the data directory and as the user named by --as may
see it over the API:

  shares    the share of intelligence used by a consumer (an agency, a task force
            or a nation) in a window, by origin nation and agency, weighted by
            lineage (see docs/accounting.md)
  outcomes  current outcomes by originator agency and kind
  report    for one report: who received it, for what, and what came of it

Every figure is printed with what it counts. --csv prints the API's CSV.`,
	}
	var sf, of, rf accountingFlags
	shares := &cobra.Command{
		Use:   "shares",
		Short: "Share of used intelligence by origin nation and agency",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withExchange(cmd, &sf.data, func(x *exchange.Exchange) error {
				if err := sf.prepare(cmd, x); err != nil {
					return err
				}
				s, err := x.Shares(cmd.Context(), sf.user, sf.consumer, sf.window)
				if err != nil {
					return err
				}
				h, rows := httpapi.SharesCSV(s)
				return printFigures(cmd.OutOrStdout(), sf.csv, s.Counts, h, rows)
			})
		},
	}
	sf.register(shares, true)
	outcomes := &cobra.Command{
		Use:   "outcomes",
		Short: "Current outcomes by originator agency and kind",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withExchange(cmd, &of.data, func(x *exchange.Exchange) error {
				if err := of.prepare(cmd, x); err != nil {
					return err
				}
				f, err := x.OutcomesByOriginator(cmd.Context(), of.user, of.consumer, of.window)
				if err != nil {
					return err
				}
				h, rows := httpapi.OutcomesCSV(f)
				return printFigures(cmd.OutOrStdout(), of.csv, f.Counts, h, rows)
			})
		},
	}
	of.register(outcomes, true)
	report := &cobra.Command{
		Use:   "report REPORT-ID",
		Short: "Who received a report, for what, and what came of it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withExchange(cmd, &rf.data, func(x *exchange.Exchange) error {
				if err := rf.prepare(cmd, x); err != nil {
					return err
				}
				t, err := x.ReportTrail(cmd.Context(), rf.user, args[0])
				if err != nil {
					return err
				}
				h, rows := httpapi.TrailCSV(t)
				return printFigures(cmd.OutOrStdout(), rf.csv, t.Counts, h, rows)
			})
		},
	}
	rf.register(report, false)
	cmd.AddCommand(shares, outcomes, report)
	return cmd
}

// printFigures prints rows as CSV (with the counts column, as the API
// does) or as a table under what they count.
func printFigures(w io.Writer, asCSV bool, counts string, header []string, rows [][]string) error {
	if asCSV {
		return httpapi.WriteCSV(w, header, rows, counts)
	}
	fmt.Fprintf(w, "Counts: %s\n\n", counts)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for i, h := range header {
		if i > 0 {
			fmt.Fprint(tw, "\t")
		}
		fmt.Fprint(tw, h)
	}
	fmt.Fprintln(tw)
	for _, r := range rows {
		for i, c := range r {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			if f, err := strconv.ParseFloat(c, 64); err == nil && len(c) > 8 {
				c = strconv.FormatFloat(f, 'f', 4, 64)
			}
			fmt.Fprint(tw, c)
		}
		fmt.Fprintln(tw)
	}
	fmt.Fprintf(tw, "(%d rows)\n", len(rows))
	return tw.Flush()
}
