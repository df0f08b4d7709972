package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing/fstest"
	"text/tabwriter"
	"time"

	"github.com/enlace-exchange/enlace/screen"
	"github.com/enlace-exchange/enlace/screen/bench"
	"github.com/enlace-exchange/enlace/screen/ofac"
	"github.com/enlace-exchange/enlace/screen/un"
	"github.com/spf13/cobra"
)

// listsDir returns the sanctions list registry directory: --lists, or
// DATA/lists.
func listsDir(lists, data string) string {
	if lists != "" {
		return lists
	}
	return filepath.Join(data, "lists")
}

func newListsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "lists", Short: "Manage sanctions list versions"}
	var f dataFlags
	var lists, format, source string
	imp := &cobra.Command{
		Use:   "import PATH",
		Short: "Import a new version of a sanctions list",
		Long: `Import a new version of a sanctions list into the registry (--lists, or DATA/lists).

  --format ofac-csv  PATH is a folder with sdn.csv, alt.csv, add.csv, sdn_comments.csv
                     (the SDN list) or cons_prim.csv, cons_alt.csv, ... (non-SDN)
  --format un-xml    PATH is the UN Security Council consolidated list XML file

A malformed file is refused with its line and reason, and the previous version
stays in force. The new version's additions, removals and changes are printed.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			reg, err := screen.OpenRegistry(listsDir(lists, f.dir), nil)
			if err != nil {
				return err
			}
			req, err := importRequest(format, args[0])
			if err != nil {
				return err
			}
			req.Source = source
			if req.Source == "" {
				req.Source = args[0]
			}
			req.Progress = progressBar(cmd.ErrOrStderr(), "importing "+req.List)
			v, d, err := reg.Import(cmd.Context(), req)
			fmt.Fprintln(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d entries, checksum %s\n", v, v.Count, v.Checksum)
			fmt.Fprintf(cmd.OutOrStdout(), "added %d, removed %d, changed %d\n", len(d.Added), len(d.Removed), len(d.Changed))
			return nil
		},
	}
	f.register(imp)
	imp.Flags().StringVar(&lists, "lists", "", "sanctions list registry (default DATA/lists)")
	imp.Flags().StringVar(&format, "format", "", "ofac-csv or un-xml")
	imp.Flags().StringVar(&source, "source", "", "where the files came from (default PATH)")

	var sf dataFlags
	var slists string
	show := &cobra.Command{
		Use:   "show",
		Short: "List the sanctions list versions in force",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			reg, err := screen.OpenRegistry(listsDir(slists, sf.dir), nil)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "LIST\tVERSION\tENTRIES\tIMPORTED\tCHECKSUM")
			for _, v := range reg.Current() {
				fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\n", v.List, v.Version, v.Count, v.ImportedAt.Format(time.RFC3339), v.Checksum)
			}
			return tw.Flush()
		},
	}
	sf.register(show)
	show.Flags().StringVar(&slists, "lists", "", "sanctions list registry (default DATA/lists)")
	cmd.AddCommand(imp, show)
	return cmd
}

// importRequest reads PATH in the given format.
func importRequest(format, path string) (screen.ImportRequest, error) {
	st, err := os.Stat(path)
	if err != nil {
		return screen.ImportRequest{}, err
	}
	switch format {
	case "ofac-csv":
		if !st.IsDir() {
			return screen.ImportRequest{}, fmt.Errorf("--format ofac-csv: %s must be a folder of OFAC CSV files", path)
		}
		fsys := os.DirFS(path)
		if _, err := fs.Stat(fsys, "sdn.csv"); err == nil {
			return screen.ImportRequest{List: ofac.SDNList, Files: fsys, Parse: ofac.ParseSDN}, nil
		}
		if _, err := fs.Stat(fsys, "cons_prim.csv"); err == nil {
			return screen.ImportRequest{List: ofac.ConsList, Files: fsys, Parse: ofac.ParseCons}, nil
		}
		return screen.ImportRequest{}, fmt.Errorf("%s holds neither sdn.csv nor cons_prim.csv", path)
	case "un-xml":
		if st.IsDir() {
			return screen.ImportRequest{List: un.List, Files: os.DirFS(path), Parse: un.ParseFS}, nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return screen.ImportRequest{}, err
		}
		return screen.ImportRequest{List: un.List, Files: fstest.MapFS{filepath.Base(path): &fstest.MapFile{Data: b}}, Parse: un.ParseFS}, nil
	}
	return screen.ImportRequest{}, fmt.Errorf("--format must be ofac-csv or un-xml")
}

// progressBar draws a one-line progress bar on w.
func progressBar(w io.Writer, label string) func(done, total int) {
	last := -1
	return func(done, total int) {
		if total <= 0 {
			return
		}
		pct := done * 100 / total
		if pct == last {
			return
		}
		last = pct
		bar := make([]byte, 30)
		for i := range bar {
			bar[i] = ' '
			if i < pct*30/100 {
				bar[i] = '#'
			}
		}
		fmt.Fprintf(w, "\r%s [%s] %3d%%", label, bar, pct)
	}
}

func newScreenCmd() *cobra.Command {
	var f dataFlags
	var lists string
	var q screen.Query
	var typ string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "screen NAME",
		Short: "Screen a name against the sanctions lists in force, with explained matches",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			reg, err := screen.OpenRegistry(listsDir(lists, f.dir), nil)
			if err != nil {
				return err
			}
			q.Name, q.Type = args[0], screen.EntityType(typ)
			if err := q.Validate(); err != nil {
				return err
			}
			idx := reg.Index(nil)
			ms := idx.Search(q)
			if asJSON {
				return printJSON(cmd, map[string]any{"list_versions": idx.Versions(), "matches": ms})
			}
			if len(ms) == 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "no match at or above %.2f in %d entries\n", screen.DefaultThreshold, idx.Len())
				return nil
			}
			for _, m := range ms {
				fmt.Fprintf(cmd.OutOrStdout(), "%.3f  %s %s  %s (matched %q)\n       %s\n", m.Score, m.List, m.EntryID, m.Name, m.MatchedName, m.Explanation)
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&lists, "lists", "", "sanctions list registry (default DATA/lists)")
	cmd.Flags().StringVar(&typ, "type", "", "person, organization, vessel or aircraft")
	cmd.Flags().StringVar(&q.BirthDate, "birth-date", "", "ISO 8601 date of birth")
	cmd.Flags().StringVar(&q.Nationality, "nationality", "", "nationality")
	cmd.Flags().StringVar(&q.IMO, "imo", "", "vessel IMO number")
	cmd.Flags().StringVar(&q.MMSI, "mmsi", "", "vessel MMSI")
	cmd.Flags().StringVar(&q.CallSign, "call-sign", "", "call sign")
	cmd.Flags().IntVar(&q.Limit, "limit", 10, "most matches to show")
	cmd.Flags().Float64Var(&q.MinScore, "min-score", 0, "lowest score to show (default: the alert threshold)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")

	var opts bench.Options
	b := &cobra.Command{
		Use:   "bench",
		Short: "Measure recall, false alerts and speed over the shared sanctions data",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return bench.Run(cmd.Context(), cmd.OutOrStdout(), opts)
		},
	}
	b.Flags().StringVar(&opts.DataDir, "data-dir", "../shared/data/sanctions", "the shared sanctions folder")
	b.Flags().IntVar(&opts.PerClass, "per-class", 0, "queries per perturbation class (default 1000)")
	b.Flags().IntVar(&opts.Negatives, "negatives", 0, "synthetic negatives per file (default all 50,000)")
	b.Flags().StringVar(&opts.WatchmanURL, "watchman", "", "base URL of a watchman server to compare, such as http://127.0.0.1:8084")
	cmd.AddCommand(b)
	return cmd
}
