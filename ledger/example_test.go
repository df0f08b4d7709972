package ledger_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/ledger"
	"golang.org/x/mod/sumdb/note"
)

// Example shows how cmd/enlace wires the log: keys from configuration,
// New over the store, the handler under /ledger/, and Integrate on a
// timer.
func Example() {
	ctx := context.Background()
	var store enlace.LedgerStore // the SQLite or PostgreSQL engine

	// Once, at setup: skey stays secret, vkey goes to partners.
	skey, vkey, _ := ledger.GenerateKey("enlace.example.fr")
	signer, _ := ledger.NewSigner(skey)
	_ = vkey
	// Each partner's cosigner vkey, from configuration.
	var partner note.Verifier // ledger.NewCosignatureVerifier("witness.example.us+…")

	l, err := ledger.New(ctx, ledger.Config{
		Store: store, Signer: signer, Origin: "enlace.example.fr/ledger",
		Cosigners: []note.Verifier{partner},
		Now:       time.Now, Logger: slog.New(slog.NewTextHandler(os.Stderr, nil)),
	})
	if err != nil {
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/ledger/", l.Handler(func(r *http.Request) error {
		return errors.New("check the partner's token here")
	}))
	go func() {
		for range time.Tick(time.Second) {
			if _, err := l.Integrate(ctx); errors.Is(err, ledger.ErrRefused) {
				// Page someone: the database contradicts what a partner cosigned.
				return
			}
		}
	}()
}
