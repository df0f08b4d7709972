package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/exchange"
	"github.com/enlace-exchange/enlace/ledger"
	"github.com/enlace-exchange/enlace/store/sqlite"
	"github.com/spf13/cobra"
)

// dataFlags are the flags every command that opens the data directory
// shares.
type dataFlags struct {
	dir      string
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
	cmd.Flags().StringVar(&f.purposes, "purposes", "", "JSON file extending the purpose vocabulary: [{\"id\":..., \"parent\":..., \"description\":...}]")
}

// open opens the store in the data directory, creating it if needed, and
// builds the exchange over it. The caller closes the store.
func (f *dataFlags) open(ctx context.Context, log *slog.Logger) (*exchange.Exchange, enlace.Store, error) {
	if err := os.MkdirAll(f.dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("create data directory: %w", err)
	}
	vocab, err := loadVocabulary(f.purposes)
	if err != nil {
		return nil, nil, err
	}
	st, err := sqlite.Open(ctx, filepath.Join(f.dir, "enlace.db"), log)
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
