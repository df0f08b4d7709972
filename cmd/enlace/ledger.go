package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/ledger"
)

// The node's checkpoint key lives in the data directory: the secret key
// in ledger.key (mode 0600) and the public key, for partners, in
// ledger.pub.
const (
	ledgerKeyFile = "ledger.key"
	ledgerPubFile = "ledger.pub"
)

// nodeSigner returns the node's checkpoint signer, creating its key pair
// under origin's name the first time.
func nodeSigner(dir, origin string) (note.Signer, error) {
	path := filepath.Join(dir, ledgerKeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		skey, vkey, err := ledger.GenerateKey(keyName(origin))
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, []byte(skey+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("write ledger key: %w", err)
		}
		if err := os.WriteFile(filepath.Join(dir, ledgerPubFile), []byte(vkey+"\n"), 0o644); err != nil {
			return nil, fmt.Errorf("write ledger public key: %w", err)
		}
		b = []byte(skey)
	} else if err != nil {
		return nil, fmt.Errorf("read ledger key: %w", err)
	}
	return ledger.NewSigner(strings.TrimSpace(string(b)))
}

// keyName is origin as a signed-note key name: no spaces or plus signs.
func keyName(origin string) string {
	return strings.NewReplacer(" ", "-", "+", "-").Replace(origin)
}

// readKey reads a key file (or takes the value itself when it is not a
// file) and trims it.
func readKey(s string) (string, error) {
	if b, err := os.ReadFile(s); err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if strings.Count(s, "+") >= 2 {
		return s, nil
	}
	return "", fmt.Errorf("key %q is neither a readable file nor a key", s)
}

// cosignerVerifiers reads the trusted partners' cosigner keys.
func cosignerVerifiers(keys []string) ([]note.Verifier, error) {
	var out []note.Verifier
	for _, k := range keys {
		s, err := readKey(k)
		if err != nil {
			return nil, err
		}
		v, err := ledger.NewCosignatureVerifier(s)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// openLedger builds the node's log over st.
func openLedger(ctx context.Context, st enlace.LedgerStore, dir, origin string, cosigners []string, log *slog.Logger) (*ledger.Log, error) {
	signer, err := nodeSigner(dir, origin)
	if err != nil {
		return nil, err
	}
	vs, err := cosignerVerifiers(cosigners)
	if err != nil {
		return nil, err
	}
	return ledger.New(ctx, ledger.Config{Store: st, Signer: signer, Origin: origin, Cosigners: vs, Now: time.Now, Logger: log})
}

func newLedgerCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ledger",
		Short: "Keys, verification, cosigning and release proofs for the exchange's ledger",
	}
	cmd.AddCommand(newLedgerKeyCmd(), newLedgerVerifyCmd(), newLedgerCosignCmd(), newLedgerReleasesCmd())
	return cmd
}

func newLedgerKeyCmd() *cobra.Command {
	var name, out string
	cmd := &cobra.Command{
		Use:   "key",
		Short: "Generate an Ed25519 key pair for a node or a cosigning partner",
		Long: `key writes OUT.key (the secret, mode 0600) and OUT.pub (the public key
to give the other side). A node makes its own at first start in its
data directory; a partner makes one to cosign with, and the node is
started with --cosigner OUT.pub to trust it.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if name == "" || out == "" {
				return fmt.Errorf("--name and --out are required")
			}
			skey, vkey, err := ledger.GenerateKey(keyName(name))
			if err != nil {
				return err
			}
			if err := os.WriteFile(out+".key", []byte(skey+"\n"), 0o600); err != nil {
				return err
			}
			if err := os.WriteFile(out+".pub", []byte(vkey+"\n"), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s.key and %s.pub (%s)\n", out, out, vkey)
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "key name, such as the partner's host name")
	cmd.Flags().StringVar(&out, "out", "", "path prefix of the files to write")
	return cmd
}

// remoteFlags are the flags of commands that talk to a node's ledger.
type remoteFlags struct {
	url, user, token, nodeKey string
	cosigners                 []string
}

func (f *remoteFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.url, "url", "", "the node's base URL, such as https://enlace.example.org")
	cmd.Flags().StringVar(&f.user, "user", os.Getenv("ENLACE_USER"), "user name (env ENLACE_USER)")
	cmd.Flags().StringVar(&f.token, "token", "", "API token (env ENLACE_TOKEN)")
	cmd.Flags().StringVar(&f.nodeKey, "node-key", "", "the node's public checkpoint key, or a file holding it (its ledger.pub)")
}

func (f *remoteFlags) config() (ledger.RemoteConfig, error) {
	if f.url == "" || f.nodeKey == "" {
		return ledger.RemoteConfig{}, fmt.Errorf("--url and --node-key are required")
	}
	token := f.token
	if token == "" {
		token = os.Getenv("ENLACE_TOKEN")
	}
	vkey, err := readKey(f.nodeKey)
	if err != nil {
		return ledger.RemoteConfig{}, err
	}
	v, err := ledger.NewVerifier(vkey)
	if err != nil {
		return ledger.RemoteConfig{}, err
	}
	cs, err := cosignerVerifiers(f.cosigners)
	if err != nil {
		return ledger.RemoteConfig{}, err
	}
	user := f.user
	return ledger.RemoteConfig{
		URL:          strings.TrimSuffix(f.url, "/") + "/ledger/",
		HTTPClient:   &http.Client{Timeout: 5 * time.Minute},
		NodeVerifier: v,
		Cosigners:    cs,
		Auth: func(r *http.Request) error {
			if user != "" {
				r.SetBasicAuth(user, token)
			} else if token != "" {
				r.Header.Set("Authorization", "Bearer "+token)
			}
			return nil
		},
	}, nil
}

func newLedgerVerifyCmd() *cobra.Command {
	var f dataFlags
	var r remoteFlags
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Recompute the whole ledger and name the first bad entry",
		Long: `verify --data DIR opens the node's database offline: every entry must be
in place, prove the record it names (recomputed from the tables), and
every signed checkpoint must be the root of the entries below it; every
record must have its entry.

verify --url URL --node-key KEY downloads the log as any partner can and
recomputes it from its tiles and entry bundles.

Either way the first bad entry is named and the command fails.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			var res ledger.Result
			var err error
			if r.url != "" {
				cfg, cerr := r.config()
				if cerr != nil {
					return cerr
				}
				res, err = ledger.VerifyRemote(ctx, cfg)
			} else {
				res, err = verifyOffline(ctx, &f, r.nodeKey)
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), res.String())
			return res.Err()
		},
	}
	f.register(cmd)
	r.register(cmd)
	return cmd
}

// verifyOffline verifies the ledger in the data directory's store with
// the node's own public key, or nodeKey when given.
func verifyOffline(ctx context.Context, f *dataFlags, nodeKey string) (ledger.Result, error) {
	if nodeKey == "" {
		nodeKey = filepath.Join(f.dir, ledgerPubFile)
	}
	vkey, err := readKey(nodeKey)
	if err != nil {
		return ledger.Result{}, fmt.Errorf("the node's public key: %w", err)
	}
	v, err := ledger.NewVerifier(vkey)
	if err != nil {
		return ledger.Result{}, err
	}
	_, st, err := f.open(ctx, quietLogger())
	if err != nil {
		return ledger.Result{}, err
	}
	defer st.Close()
	return ledger.VerifyStore(ctx, st, v)
}

func newLedgerCosignCmd() *cobra.Command {
	var r remoteFlags
	var key, state string
	cmd := &cobra.Command{
		Use:   "cosign",
		Short: "As a partner, check the node's latest checkpoint extends the last one you saw, and cosign it",
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := r.config()
			if err != nil {
				return err
			}
			if key == "" || state == "" {
				return fmt.Errorf("--key (your cosigner's secret key file) and --state (a file remembering the last checkpoint you cosigned) are required")
			}
			skey, err := readKey(key)
			if err != nil {
				return err
			}
			signer, err := ledger.NewCosigner(skey)
			if err != nil {
				return err
			}
			size, root, err := ledger.Cosign(cmd.Context(), ledger.CosignConfig{URL: cfg.URL, HTTPClient: cfg.HTTPClient,
				Auth: cfg.Auth, NodeVerifier: cfg.NodeVerifier, Signer: signer, State: state})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "cosigned checkpoint %d (root %x)\n", size, root)
			return nil
		},
	}
	r.register(cmd)
	cmd.Flags().StringVar(&key, "key", "", "your cosigner's secret key file (from enlace ledger key)")
	cmd.Flags().StringVar(&state, "state", "", "file holding the last checkpoint you cosigned")
	return cmd
}

func newLedgerReleasesCmd() *cobra.Command {
	var r remoteFlags
	var recipient, from, afterS, beforeS string
	cmd := &cobra.Command{
		Use:   "releases",
		Short: "List every release to a nation in a window, proved complete against a cosigned checkpoint",
		Long: `releases downloads every entry up to the node's latest checkpoint that a
trusted partner (--cosigner) cosigned, checks they build its root, and
lists the releases to --recipient in the window, optionally only those
of --from's intelligence. Because every entry was read and checked, an
empty list proves that nothing was released.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if recipient == "" {
				return fmt.Errorf("--recipient NATION is required")
			}
			var after, before time.Time
			var err error
			if afterS != "" {
				if after, err = time.Parse(time.RFC3339Nano, afterS); err != nil {
					return fmt.Errorf("--after: %w", err)
				}
			}
			if beforeS != "" {
				if before, err = time.Parse(time.RFC3339Nano, beforeS); err != nil {
					return fmt.Errorf("--before: %w", err)
				}
			}
			cfg, err := r.config()
			if err != nil {
				return err
			}
			if len(cfg.Cosigners) == 0 {
				return fmt.Errorf("--cosigner: name at least one partner key whose cosignature you trust")
			}
			p, err := ledger.ReleasesTo(cmd.Context(), cfg, recipient, after, before)
			if err != nil {
				return err
			}
			return printReleaseProof(cmd.OutOrStdout(), p, from)
		},
	}
	r.register(cmd)
	cmd.Flags().StringSliceVar(&r.cosigners, "cosigner", nil, "a trusted partner's cosigner public key, or a file holding it (repeatable)")
	cmd.Flags().StringVar(&recipient, "recipient", "", "the nation that received (US, CO, ...)")
	cmd.Flags().StringVar(&from, "from", "", "only releases of this nation's intelligence")
	cmd.Flags().StringVar(&afterS, "after", "", "window start, RFC 3339 (exclusive)")
	cmd.Flags().StringVar(&beforeS, "before", "", "window end, RFC 3339 (inclusive)")
	return cmd
}

// printReleaseProof writes the proof, narrowed to releases from a nation
// when from is set; the proof of completeness covers the narrower list
// too, since every entry was checked.
func printReleaseProof(w io.Writer, p ledger.ReleaseProof, from string) error {
	if from != "" {
		kept := p.Releases[:0]
		for _, e := range p.Releases {
			if e.From == from {
				kept = append(kept, e)
			}
		}
		p.Releases = kept
	}
	line := p.String()
	if from != "" {
		line = strings.Replace(line, " releases to ", " releases of "+from+" intelligence to ", 1)
		line = strings.Replace(line, " release to ", " release of "+from+" intelligence to ", 1)
	}
	fmt.Fprintln(w, line)
	for _, e := range p.Releases {
		fmt.Fprintf(w, "  entry %d: %s → %s at %s\n", e.Index, e.From, e.To, e.At.Format(enlace.LedgerTimeFormat))
	}
	return nil
}
