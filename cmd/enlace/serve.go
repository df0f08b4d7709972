package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/demo"
	"github.com/enlace-exchange/enlace/exchange"
	"github.com/enlace-exchange/enlace/httpapi"
	"github.com/enlace-exchange/enlace/ledger"
	"github.com/enlace-exchange/enlace/taxii"
	"github.com/enlace-exchange/enlace/web"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"
)

func newServeCmd() *cobra.Command {
	var f dataFlags
	var addr, level, lists string
	var withDemo bool
	var grace time.Duration
	var lf ledgerFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the exchange over HTTP",
		Long: `Serve the exchange: the JSON API under /api/v1/, /healthz, /readyz and /metrics,
and the web pages for people at / (sign in with a user name and token).

The exchange is kept in SQLite in the data directory (--data), or in
PostgreSQL when --store (env ENLACE_STORE) is a postgres:// URL; several
servers may share one PostgreSQL database. The data directory holds the
sanctions lists, the ledger key, the TAXII cursor key and the demo
credentials either way: servers sharing a database need copies of the
same ledger.key, ledger.pub and taxii-cursor.key.

With --demo on an empty store it first builds a demo world (nations
CO, US and GB, their agencies, the JIATF-South task force, agreements, users of
every role and about 50 synthetic reports) and writes the users' tokens to
DIR/demo-credentials.json.

On SIGTERM or SIGINT it stops accepting connections, finishes the requests in
flight (up to --grace) and closes the store.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var lv slog.Level
			if err := lv.UnmarshalText([]byte(level)); err != nil {
				return fmt.Errorf("--log-level: %w", err)
			}
			log := slog.New(slog.NewJSONHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: lv}))
			return serve(cmd.Context(), cmd, log, &f, &lf, addr, lists, withDemo, grace)
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	cmd.Flags().BoolVar(&withDemo, "demo", false, "build the demo world in an empty data directory")
	cmd.Flags().StringVar(&level, "log-level", "info", "log level: debug, info, warn, error")
	cmd.Flags().StringVar(&lists, "lists", "", "sanctions list registry to screen against (default DATA/lists; fill it with enlace lists import)")
	cmd.Flags().DurationVar(&grace, "grace", 30*time.Second, "how long to let requests in flight finish on shutdown")
	lf.register(cmd)
	return cmd
}

// ledgerFlags configure the node's ledger.
type ledgerFlags struct {
	origin    string
	cosigners []string
	every     time.Duration
	witness   []string
}

func (l *ledgerFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&l.origin, "ledger-origin", "enlace.local/ledger", "the ledger's origin line, naming this log in its checkpoints")
	cmd.Flags().StringSliceVar(&l.cosigners, "cosigner", nil, "a partner's cosigner public key, or a file holding it, whose cosignatures this node accepts (repeatable)")
	cmd.Flags().DurationVar(&l.every, "checkpoint-every", time.Second, "how often to sign a checkpoint of new ledger entries")
	cmd.Flags().StringSliceVar(&l.witness, "witness", nil, "a JSON file naming a partner's ledger to check and cosign periodically: {url, node_key, key, user, token, state, every} (repeatable)")
}

func serve(ctx context.Context, cmd *cobra.Command, log *slog.Logger, f *dataFlags, lf *ledgerFlags, addr, lists string, withDemo bool, grace time.Duration) error {
	f.screening = exchange.NewScreening(listsDir(lists, f.dir))
	var lg *ledger.Log
	f.ledger = func(st enlace.Store) (*ledger.Log, error) {
		var err error
		lg, err = openLedger(ctx, st, f.dir, lf.origin, lf.cosigners, log)
		return lg, err
	}
	x, st, err := f.open(ctx, log)
	if err != nil {
		return err
	}
	defer st.Close()

	credsPath := filepath.Join(f.dir, "demo-credentials.json")
	if withDemo {
		nations, err := x.Nations(ctx)
		if err != nil {
			return err
		}
		if len(nations) == 0 {
			creds, err := demo.Seed(ctx, x, time.Now().UTC())
			if err != nil {
				return fmt.Errorf("build demo world: %w", err)
			}
			if err := demo.WriteCredentials(credsPath, creds); err != nil {
				return err
			}
			log.Info("demo world built", "users", len(creds), "credentials", credsPath)
		} else if _, err := os.Stat(credsPath); err != nil {
			return fmt.Errorf("--demo: %s already holds an exchange that is not a demo world (no %s)", f.where(), credsPath)
		}
	}

	jobs := startJobs(ctx, log)
	defer jobs.stop()
	// With several servers on one database each job runs on one of them
	// at a time; the others serve the checkpoints it signs.
	jobs.every(5*time.Second, "rescreen", func(ctx context.Context) error {
		_, err := st.TryJob(ctx, "rescreen", func(ctx context.Context) error {
			_, err := x.Rescreen(ctx)
			return err
		})
		return err
	})
	for _, file := range lf.witness {
		w, err := loadWitness(file, f.dir)
		if err != nil {
			return err
		}
		jobs.every(w.every, "witness "+w.name, func(ctx context.Context) error {
			_, err := st.TryJob(ctx, "witness "+w.name, func(ctx context.Context) error { return w.cosign(ctx, log) })
			return err
		})
	}
	jobs.every(lf.every, "checkpoint", func(ctx context.Context) error {
		_, err := st.TryJob(ctx, "checkpoint", func(ctx context.Context) error {
			_, err := lg.Integrate(ctx)
			return err
		})
		return err
	})

	// TAXII next tokens are signed with a key kept in the data directory,
	// so a client's paging survives a restart.
	cursorKey, err := secretFile(filepath.Join(f.dir, "taxii-cursor.key"), 32)
	if err != nil {
		return err
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	api := httpapi.New(x, log, reg)
	api.Handle("/ledger/", lg.Handler(func(r *http.Request) error {
		_, err := api.Authenticate(r)
		return err
	}))
	api.Handle("/taxii2/", taxii.New(taxii.Config{
		Backend:      taxiiBackend{x},
		Authenticate: api.Authenticate,
		Title:        "enlace",
		Description:  "Intelligence shared under agreements, filtered by the sharing policy for the purpose of each API root.",
		MaxLimit:     1000,
		CursorKey:    cursorKey,
		Logger:       log,
	}))
	// The pages take every path the JSON API does not own, and /ledger
	// (the explorer) beside the log's /ledger/ tiles.
	nodeKey, err := readKey(filepath.Join(f.dir, ledgerPubFile))
	if err != nil {
		return err
	}
	pages := web.New(web.Config{Exchange: x, Logger: log, LedgerKey: nodeKey})
	api.Handle("/", pages)
	api.Handle("/ledger", pages)

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           api,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(cmd.OutOrStdout(), "enlace serving on %s\n", url)
	if withDemo {
		fmt.Fprintf(cmd.OutOrStdout(), "demo credentials: %s\n", credsPath)
	}
	log.Info("serving", "url", url, "data", f.dir, "store", f.where())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight", "grace", grace)
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	// Sign what the last requests appended, so the database at rest ends
	// in a checkpoint.
	jobs.stop()
	if _, err := lg.Integrate(context.Background()); err != nil {
		log.Error("final checkpoint", "err", err)
	}
	log.Info("stopped")
	return nil
}

// jobs runs the server's background work until stopped.
type jobs struct {
	ctx    context.Context
	cancel context.CancelFunc
	log    *slog.Logger
	wg     sync.WaitGroup
}

func startJobs(ctx context.Context, log *slog.Logger) *jobs {
	j := &jobs{log: log}
	j.ctx, j.cancel = context.WithCancel(ctx)
	return j
}

// every runs fn now and then every period, logging its failures, until
// the jobs stop.
func (j *jobs) every(period time.Duration, name string, fn func(context.Context) error) {
	j.wg.Add(1)
	go func() {
		defer j.wg.Done()
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			if err := fn(j.ctx); err != nil && j.ctx.Err() == nil {
				j.log.Error("background job failed", "job", name, "err", err)
			}
			select {
			case <-j.ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// stop cancels the jobs and waits for them to return.
func (j *jobs) stop() {
	j.cancel()
	j.wg.Wait()
}

// secretFile returns the n random bytes kept in path, creating the file
// (mode 0600) the first time.
func secretFile(path string, n int) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil && len(b) == n {
		return b, nil
	}
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("secret %s: unreadable or of the wrong size", path)
	}
	b = make([]byte, n)
	rand.Read(b)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return nil, fmt.Errorf("write secret %s: %w", path, err)
	}
	return b, nil
}
