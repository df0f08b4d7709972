package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/exchange"
)

func newImportCmd() *cobra.Command {
	var f dataFlags
	var as, coll string
	var batch int
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Import a STIX 2.1 bundle or TAXII envelope as a user's intelligence",
		Long: `Import reads a STIX 2.1 bundle ({"type":"bundle","objects":[...]}) or a
TAXII envelope ({"objects":[...]}) as a stream, and adds its objects in
batches, as the user --as adding them over TAXII would: each object is
validated, invalid ones are listed with their reason, valid ones are kept.

Importing is idempotent: an object version the exchange holds is not
stored again. It is resumable: after each batch it records how far it got
in DATA/imports/, and a new run of the same file skips what is done.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if as == "" {
				return fmt.Errorf("--as USER is required: objects are imported as that user's agency's intelligence")
			}
			if batch < 1 || batch > 50000 {
				return fmt.Errorf("--batch must be between 1 and 50000")
			}
			return withExchange(cmd, &f, func(x *exchange.Exchange) error {
				u, err := x.UserByName(cmd.Context(), as)
				if err != nil {
					return fmt.Errorf("--as %s: %w", as, err)
				}
				return importFile(cmd.Context(), x, u, coll, args[0], filepath.Join(f.dir, "imports"), batch,
					cmd.OutOrStdout(), cmd.ErrOrStderr())
			})
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&as, "as", "", "user whose agency originates the objects")
	cmd.Flags().StringVar(&coll, "collection", "shared", "collection id or alias to add to")
	cmd.Flags().IntVar(&batch, "batch", 5000, "objects per transaction")
	return cmd
}

// importState is how far an import of one file got.
type importState struct {
	File    string `json:"file"`
	Size    int64  `json:"size"`
	ModTime int64  `json:"mod_time"`
	Done    int    `json:"done"` // objects read and committed
}

// importFile streams path into x in batches, recording progress in
// stateDir so that a new run resumes after the last committed batch.
func importFile(ctx context.Context, x *exchange.Exchange, u enlace.User, coll, path, stateDir string, batch int, out, progress io.Writer) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return err
	}
	abs, _ := filepath.Abs(path)
	sum := sha256.Sum256([]byte(abs + "|" + coll + "|" + u.Username))
	statePath := filepath.Join(stateDir, hex.EncodeToString(sum[:8])+".json")
	state := importState{File: abs, Size: fi.Size(), ModTime: fi.ModTime().UnixNano()}
	if b, err := os.ReadFile(statePath); err == nil {
		var prev importState
		if json.Unmarshal(b, &prev) == nil && prev.File == state.File && prev.Size == state.Size && prev.ModTime == state.ModTime {
			state.Done = prev.Done
		}
	}
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return err
	}
	counter := &countingReader{r: fh}
	bar := progressBar(progress, "importing "+filepath.Base(path))
	start := time.Now()
	var total, stored, held, failed int
	var pending []json.RawMessage
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		st, err := x.AddObjects(ctx, u, coll, pending)
		if err != nil {
			return err
		}
		for _, s := range st.Successes {
			if s.Message == "" {
				stored++
			} else {
				held++
			}
		}
		for _, fl := range st.Failures {
			failed++
			fmt.Fprintf(out, "refused %s: %s\n", fl.ID, fl.Message)
		}
		state.Done = total
		pending = pending[:0]
		b, _ := json.Marshal(state)
		if err := os.WriteFile(statePath+".tmp", b, 0o600); err != nil {
			return err
		}
		if err := os.Rename(statePath+".tmp", statePath); err != nil {
			return err
		}
		bar(int(counter.n), int(fi.Size()))
		return nil
	}
	skip := state.Done
	err = readObjects(bufio.NewReaderSize(counter, 1<<20), func(raw json.RawMessage) error {
		total++
		if total <= skip {
			return nil
		}
		pending = append(pending, raw)
		if len(pending) == batch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	fmt.Fprintln(progress)
	if err != nil {
		return fmt.Errorf("import %s after %d objects: %w", path, state.Done, err)
	}
	took := time.Since(start)
	fmt.Fprintf(out, "%d objects read: %d stored, %d already held, %d refused, %d skipped as done by an earlier run (%.0f objects/s)\n",
		total, stored, held, failed, min(skip, total), float64(total-min(skip, total))/took.Seconds())
	return nil
}

// countingReader counts the bytes read through it, for the progress bar.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// readObjects calls fn with each element of the top-level "objects" array
// of a STIX bundle or TAXII envelope, without holding the whole file.
func readObjects(r io.Reader, fn func(json.RawMessage) error) error {
	dec := json.NewDecoder(r)
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return errors.New("not a JSON object: a STIX bundle or TAXII envelope starts with {")
	}
	found := false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		if key, _ := t.(string); key != "objects" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
			continue
		}
		found = true
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			return errors.New(`"objects" is not an array`)
		}
		for dec.More() {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return err
			}
			if err := fn(raw); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
	}
	if !found {
		return errors.New(`no "objects" array: not a STIX bundle or TAXII envelope`)
	}
	return nil
}
