package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/enlace-exchange/enlace/ledger"
)

// witnessConfig is one partner ledger this node witnesses: every period
// it checks that the partner's latest checkpoint extends the last one it
// cosigned, and cosigns it. It is read from a JSON file given to
// serve --witness.
type witnessConfig struct {
	URL     string `json:"url"`      // the partner node's base URL
	NodeKey string `json:"node_key"` // the partner's public checkpoint key, or a file holding it
	Key     string `json:"key"`      // this node's cosigner secret key file (enlace ledger key)
	User    string `json:"user"`     // credentials on the partner node
	Token   string `json:"token"`
	State   string `json:"state"` // the last checkpoint cosigned; default DATA/witness-<host>.state
	Every   string `json:"every"` // how often; default 30s
}

// witness is a loaded witnessConfig.
type witness struct {
	name  string
	every time.Duration
	cfg   ledger.CosignConfig
}

// loadWitness reads a witness configuration file.
func loadWitness(path, dataDir string) (witness, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return witness{}, fmt.Errorf("witness %s: %w", path, err)
	}
	var c witnessConfig
	if err := json.Unmarshal(b, &c); err != nil {
		return witness{}, fmt.Errorf("witness %s: %w", path, err)
	}
	if c.URL == "" || c.NodeKey == "" || c.Key == "" {
		return witness{}, fmt.Errorf("witness %s: url, node_key and key are required", path)
	}
	r := remoteFlags{url: c.URL, user: c.User, token: c.Token, nodeKey: c.NodeKey}
	remote, err := r.config()
	if err != nil {
		return witness{}, fmt.Errorf("witness %s: %w", path, err)
	}
	skey, err := readKey(c.Key)
	if err != nil {
		return witness{}, fmt.Errorf("witness %s: %w", path, err)
	}
	signer, err := ledger.NewCosigner(skey)
	if err != nil {
		return witness{}, fmt.Errorf("witness %s: %w", path, err)
	}
	w := witness{name: c.URL, every: 30 * time.Second}
	if c.Every != "" {
		if w.every, err = time.ParseDuration(c.Every); err != nil || w.every <= 0 {
			return witness{}, fmt.Errorf("witness %s: every %q is not a positive duration", path, c.Every)
		}
	}
	state := c.State
	if state == "" {
		host := strings.NewReplacer("://", "-", "/", "-", ":", "-").Replace(strings.TrimSuffix(c.URL, "/"))
		state = filepath.Join(dataDir, "witness-"+host+".state")
	}
	w.cfg = ledger.CosignConfig{URL: remote.URL, HTTPClient: &http.Client{Timeout: time.Minute}, Auth: remote.Auth,
		NodeVerifier: remote.NodeVerifier, Signer: signer, State: state}
	return w, nil
}

// cosign is one round of witnessing. A split view is logged as the
// error it is: the partner showed two histories, and this node keeps the
// evidence (its state file) and refuses to cosign again until a person
// looks.
func (w witness) cosign(ctx context.Context, log *slog.Logger) error {
	size, _, err := ledger.Cosign(ctx, w.cfg)
	var split *ledger.SplitViewError
	if errors.As(err, &split) {
		log.Error("witness: the partner's ledger shows a split view", "partner", w.name, "err", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("witness %s: %w", w.name, err)
	}
	log.Debug("witness: cosigned", "partner", w.name, "size", size)
	return nil
}
