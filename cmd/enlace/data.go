package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/exchange"
	"github.com/enlace-exchange/enlace/ledger"
	"github.com/enlace-exchange/enlace/store/postgres"
	"github.com/enlace-exchange/enlace/store/sqlite"
	"github.com/spf13/cobra"
)

// dataFlags are the flags every command that opens the data directory
// and the store shares.
type dataFlags struct {
	dir      string
	store    string // --store: a PostgreSQL URL; see storeURL
	purposes string

	screening *exchange.Screening // set by serve before open
	// ledger, set by serve before open, builds the ledger over the store
	// before the exchange that proves records with it.
	ledger func(enlace.Store) (*ledger.Log, error)
}

func (f *dataFlags) register(cmd *cobra.Command) {
	def := os.Getenv("ENLACE_DATA")
	if def == "" {
		def = "./enlace-data"
	}
	cmd.Flags().StringVar(&f.dir, "data", def, "data directory (env ENLACE_DATA)")
	// Not defaulted from the environment like --data: help prints
	// defaults, and this URL may hold a password.
	cmd.Flags().StringVar(&f.store, "store", "",
		"PostgreSQL URL (postgres://...) to keep the exchange in, instead of SQLite in the data directory (env ENLACE_STORE)")
	cmd.Flags().StringVar(&f.purposes, "purposes", "", "JSON file extending the purpose vocabulary: [{\"id\":..., \"parent\":..., \"description\":...}]")
}

// open opens the store, creating it if needed, and builds the exchange over
// it. The caller closes the store.
func (f *dataFlags) open(ctx context.Context, log *slog.Logger) (*exchange.Exchange, enlace.Store, error) {
	if err := os.MkdirAll(f.dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("create data directory: %w", err)
	}
	vocab, err := loadVocabulary(f.purposes)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.openStore(ctx, log)
	if err != nil {
		return nil, nil, err
	}
	var lg *ledger.Log
	if f.ledger != nil {
		if lg, err = f.ledger(st); err != nil {
			st.Close()
			return nil, nil, fmt.Errorf("open the ledger: %w", err)
		}
	}
	return exchange.New(exchange.Config{Store: st, Vocabulary: vocab, Logger: log, Screening: f.screening, Ledger: lg}), st, nil
}

// openStore opens the store the flags select: PostgreSQL for a
// postgres:// or postgresql:// --store URL, else SQLite in the data
// directory. The directory holds lists and demo credentials either way.
func (f *dataFlags) openStore(ctx context.Context, log *slog.Logger) (enlace.Store, error) {
	store := f.storeURL()
	switch {
	case store == "":
		return sqlite.Open(ctx, filepath.Join(f.dir, "enlace.db"), log)
	case strings.HasPrefix(store, "postgres://"), strings.HasPrefix(store, "postgresql://"):
		return postgres.Open(ctx, store, log)
	}
	return nil, fmt.Errorf("--store: want a postgres:// or postgresql:// URL, or none for SQLite in --data")
}

// storeURL returns --store, or ENLACE_STORE when the flag is not given.
func (f *dataFlags) storeURL() string {
	if f.store != "" {
		return f.store
	}
	return os.Getenv("ENLACE_STORE")
}

// where names the store for people and logs, without a password.
func (f *dataFlags) where() string {
	store := f.storeURL()
	if store == "" {
		return filepath.Join(f.dir, "enlace.db")
	}
	u, err := url.Parse(store)
	if err != nil {
		return "postgres"
	}
	return u.Redacted()
}

// loadVocabulary returns the default purposes plus those in file.
func loadVocabulary(file string) (*enlace.Vocabulary, error) {
	defs := append([]enlace.PurposeDef(nil), enlace.DefaultPurposes...)
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("read purposes: %w", err)
		}
		var extra []enlace.PurposeDef
		if err := json.Unmarshal(b, &extra); err != nil {
			return nil, fmt.Errorf("purposes file %s: %w", file, err)
		}
		defs = append(defs, extra...)
	}
	return enlace.NewVocabulary(defs)
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
