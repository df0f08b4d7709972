package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/demo"
	"github.com/enlace-exchange/enlace/exchange"
	"github.com/enlace-exchange/enlace/httpapi"
	"github.com/enlace-exchange/enlace/store/postgres"
	"github.com/enlace-exchange/enlace/store/sqlite"
	"github.com/enlace-exchange/enlace/taxii"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
)

func newBenchCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "bench", Short: "Measure enlace on this machine and print a table"}
	var o ingestBench
	ingest := &cobra.Command{
		Use:   "ingest",
		Short: "Ingest and page-read rates: raw SQLite, enlace ingest, TAXII pages at growing sizes",
		Long: `bench ingest builds a fresh demo exchange in a temporary directory and
prints, side by side: the rate of plain SQLite inserts of the same rows,
enlace's ingest rate (STIX validation, policy grouping, the store's
ledger entry per submission), and the time to read a page of 1,000
objects through the policy at each size in --sizes (p50, p99).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.profile != "" {
				f, err := os.Create(o.profile)
				if err != nil {
					return err
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
			}
			return o.run(cmd.Context(), cmd.OutOrStdout())
		},
	}
	ingest.Flags().IntSliceVar(&o.sizes, "sizes", []int{100000, 1000000}, "stored object counts at which to read pages")
	ingest.Flags().IntVar(&o.batch, "batch", 5000, "objects per add request")
	ingest.Flags().IntVar(&o.writers, "clients", 2, "clients adding objects at once")
	ingest.Flags().IntVar(&o.reads, "reads", 200, "pages read at each size")
	ingest.Flags().StringVar(&o.dir, "dir", "", "working directory (default: a temporary one, removed after)")
	ingest.Flags().StringVar(&o.profile, "cpuprofile", "", "write a CPU profile of the run to this file")
	ingest.Flags().StringVar(&o.postgres, "postgres", "", "also measure PostgreSQL, in a fresh database made on this server (a postgres:// URL of a role that may create databases)")
	cmd.AddCommand(ingest)
	return cmd
}

// ingestBench is the configuration of bench ingest.
type ingestBench struct {
	sizes    []int
	batch    int
	writers  int
	reads    int
	dir      string
	profile  string
	postgres string
}

// benchObject returns synthetic indicator n, about 450 bytes.
func benchObject(n int) json.RawMessage {
	id := uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "bench-%d", n))
	ts := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Millisecond).Format("2006-01-02T15:04:05.000Z")
	return fmt.Appendf(nil, `{"type":"indicator","spec_version":"2.1","id":"indicator--%s","created":%q,"modified":%q,`+
		`"name":"Go-fast boat radio beacon %d","description":"Synthetic benchmark indicator: a beacon seen on a go-fast boat off the Pacific coast.",`+
		`"indicator_types":["malicious-activity"],"pattern":"[network-traffic:dst_port = %d]","pattern_type":"stix",`+
		`"valid_from":%q,"labels":["synthetic"],"object_marking_refs":["%s"]}`,
		id, ts, ts, n, 1024+n%60000, ts, enlace.TLPGreen.MarkingID())
}

func (o *ingestBench) run(ctx context.Context, w io.Writer) error {
	if len(o.sizes) == 0 || o.batch < 1 || o.reads < 1 || o.writers < 1 {
		return fmt.Errorf("--sizes, --batch, --clients and --reads must be positive")
	}
	sizes := slices.Clone(o.sizes)
	slices.Sort(sizes)
	dir := o.dir
	if dir == "" {
		d, err := os.MkdirTemp("", "enlace-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	defer tw.Flush()
	fmt.Fprintln(tw, "measure\tobjects\tresult")

	// The floor: the same rows into one plain table, same pragmas.
	raw, err := rawInsertRate(ctx, filepath.Join(dir, "raw.db"), min(sizes[0], 200000), o.batch)
	if err != nil {
		return err
	}
	fmt.Fprintf(tw, "raw SQLite insert\t%d\t%.0f objects/s\n", min(sizes[0], 200000), raw)

	engines := []benchEngine{{name: "SQLite", open: func() (enlace.Store, func(), error) {
		st, err := sqlite.Open(ctx, filepath.Join(dir, "enlace.db"), quietLogger())
		if err != nil {
			return nil, nil, err
		}
		return st, func() { st.Close() }, nil
	}}}
	if o.postgres != "" {
		engines = append(engines, benchEngine{name: "PostgreSQL", open: func() (enlace.Store, func(), error) {
			return benchPostgres(ctx, o.postgres)
		}})
	}
	for _, e := range engines {
		if err := o.runEngine(ctx, tw, e, sizes); err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
	}
	return nil
}

// benchEngine is a storage engine bench ingest measures.
type benchEngine struct {
	name string
	open func() (enlace.Store, func(), error) // a new, empty store and how to dispose of it
}

// runEngine measures ingest and page reads on one engine.
func (o *ingestBench) runEngine(ctx context.Context, tw io.Writer, e benchEngine, sizes []int) error {
	st, closeStore, err := e.open()
	if err != nil {
		return err
	}
	defer closeStore()
	x := exchange.New(exchange.Config{Store: st})
	creds, err := demo.Seed(ctx, x, time.Now())
	if err != nil {
		return err
	}
	// Pages are read over TAXII, as a partner's client reads them: the
	// face, its JSON rendering and HTTP on loopback included.
	base, stop, err := benchServer(x)
	if err != nil {
		return err
	}
	defer stop()
	var token string
	for _, c := range creds {
		if c.Username == "dea-analyst" {
			token = c.Token
		}
	}
	writer, err := x.UserByName(ctx, "dipol-analyst")
	if err != nil {
		return err
	}
	stored := 0
	for _, size := range sizes {
		start := time.Now()
		n0 := stored
		// Several clients add at once, as partners do: one's validation
		// overlaps another's write transaction.
		var next atomic.Int64
		next.Store(int64(stored))
		g, gctx := errgroup.WithContext(ctx)
		for range o.writers {
			g.Go(func() error {
				for {
					from := int(next.Add(int64(o.batch))) - o.batch
					if from >= size {
						return nil
					}
					objs := make([]json.RawMessage, 0, o.batch)
					for i := from; i < min(from+o.batch, size); i++ {
						objs = append(objs, benchObject(i))
					}
					s, err := x.AddObjects(gctx, writer, "shared", objs)
					if err != nil {
						return err
					}
					if len(s.Failures) > 0 {
						return fmt.Errorf("bench object refused: %s", s.Failures[0].Message)
					}
				}
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		stored = size
		rate := float64(stored-n0) / time.Since(start).Seconds()
		fmt.Fprintf(tw, "%s: enlace ingest, %d clients (validate, group, store, ledger)\t%d→%d\t%.0f objects/s\n", e.name, o.writers, n0, stored, rate)

		read := func(ctx context.Context, after time.Time) (int, error) {
			return taxiiPage(ctx, base, "dea-analyst", token, after)
		}
		all, err := st.Objects(ctx, enlace.ObjectFilter{Limit: 1})
		if err != nil || len(all) == 0 {
			return fmt.Errorf("no objects stored: %v", err)
		}
		first := all[0].DateAdded
		var times []time.Duration
		for i := range o.reads {
			// Spread the reads across the collection: a page deep in it
			// costs the same as the first one.
			after := first.Add(time.Duration(i*(stored/o.reads)) * time.Microsecond)
			t0 := time.Now()
			n, err := read(ctx, after)
			if err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("page after %v is empty", after)
			}
			times = append(times, time.Since(t0))
		}
		slices.Sort(times)
		fmt.Fprintf(tw, "%s: TAXII GET objects, page of 1,000 (DEA analyst, interdiction)\t%d\tp50 %.2f ms, p99 %.2f ms\n", e.name, stored,
			ms(times[len(times)/2]), ms(times[len(times)*99/100]))
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// rawInsertRate inserts n benchmark rows into a plain SQLite table in
// batches, with the store's durability settings, and returns rows/s.
func rawInsertRate(ctx context.Context, path string, n, batch int) (float64, error) {
	db, err := sql.Open("sqlite", path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE objects (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
		date_added INTEGER NOT NULL, raw TEXT NOT NULL)`); err != nil {
		return 0, err
	}
	start := time.Now()
	for done := 0; done < n; {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO objects (id, date_added, raw) VALUES (?, ?, ?)`)
		if err != nil {
			return 0, err
		}
		for i := 0; i < batch && done < n; i++ {
			if _, err := stmt.ExecContext(ctx, fmt.Sprint("indicator-", done), done, string(benchObject(done))); err != nil {
				return 0, err
			}
			done++
		}
		stmt.Close()
		if err := tx.Commit(); err != nil {
			return 0, err
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// benchServer serves the exchange's TAXII face on 127.0.0.1 and returns
// its base URL and a function that stops it.
func benchServer(x *exchange.Exchange) (string, func(), error) {
	api := httpapi.New(x, quietLogger(), prometheus.NewRegistry())
	api.Handle("/taxii2/", taxii.New(taxii.Config{Backend: taxiiBackend{x}, Authenticate: api.Authenticate, MaxLimit: 1000}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// taxiiPage reads one page of up to 1,000 objects added after after and
// returns how many it held.
func taxiiPage(ctx context.Context, base, user, token string, after time.Time) (int, error) {
	q := url.Values{"limit": {"1000"}, "added_after": {after.UTC().Format(taxii.TimestampFormat)}}
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/taxii2/interdiction/collections/shared/objects/?"+q.Encode(), nil)
	if err != nil {
		return 0, err
	}
	req.SetBasicAuth(user, token)
	req.Header.Set("Accept", taxii.MediaType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return 0, fmt.Errorf("GET objects: %d %s", resp.StatusCode, b)
	}
	// The page is timed to its last byte; counting its objects is the
	// client's work, not the server's.
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	return bytes.Count(b, []byte(`"spec_version":`)), nil
}

// benchPostgres creates a fresh database on the PostgreSQL server at base
// and opens a store on it; disposing of it drops the database.
func benchPostgres(ctx context.Context, base string) (enlace.Store, func(), error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, nil, fmt.Errorf("--postgres must be a postgres:// URL of a role that may create databases")
	}
	name := fmt.Sprintf("enlace_bench_%d", time.Now().UnixNano())
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return nil, nil, err
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return nil, nil, err
	}
	drop := func() {
		ctx := context.Background()
		if admin, err := pgx.Connect(ctx, base); err == nil {
			admin.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)")
			admin.Close(ctx)
		}
	}
	u.Path = "/" + name
	st, err := postgres.Open(ctx, u.String(), quietLogger())
	if err != nil {
		drop()
		return nil, nil, err
	}
	return st, func() { st.Close(); drop() }, nil
}
