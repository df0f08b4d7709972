package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/enlace-exchange/enlace/store/postgres"
	"github.com/enlace-exchange/enlace/store/postgres/pgtest"
)

// run runs the enlace command line in process and returns its output.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	root := newRoot(&out, io.Discard)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

// TestStoreSelection checks that --store, and ENLACE_STORE without it,
// put the exchange in PostgreSQL and nothing in the data directory's
// SQLite file, that migrate may run again, and that the password never
// reaches the output or the help.
func TestStoreSelection(t *testing.T) {
	url := pgtest.NewDatabase(t)
	dir := t.TempDir()
	for range 2 {
		out, err := run(t, "migrate", "--data", dir, "--store", url)
		if err != nil {
			t.Fatalf("migrate --store: %v", err)
		}
		if !strings.Contains(out, "database is up to date: postgres://") {
			t.Errorf("migrate --store printed %q", out)
		}
	}
	t.Setenv("ENLACE_STORE", url)
	if _, err := run(t, "nation", "create", "--data", dir, "--code", "CO", "--name", "Colombia"); err != nil {
		t.Fatalf("nation create with ENLACE_STORE: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "enlace.db")); err == nil {
		t.Error("the data directory holds enlace.db: SQLite was used")
	}
	st, err := postgres.Open(t.Context(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Nation(t.Context(), "CO"); err != nil {
		t.Errorf("nation CO not in PostgreSQL: %v", err)
	}

	t.Setenv("ENLACE_STORE", "postgres://enlace:s3cret@127.0.0.1:1/enlace")
	help, _ := run(t, "serve", "--help")
	if strings.Contains(help, "s3cret") {
		t.Error("serve --help shows the password in ENLACE_STORE")
	}
	if f := (&dataFlags{}); !strings.Contains(f.where(), "127.0.0.1:1") || strings.Contains(f.where(), "s3cret") {
		t.Errorf("store named %q: want the host and no password", f.where())
	}
}

func TestStoreRefused(t *testing.T) {
	t.Setenv("ENLACE_STORE", "")
	_, err := run(t, "migrate", "--data", t.TempDir(), "--store", "mysql://localhost/enlace")
	if err == nil || !strings.Contains(err.Error(), "--store") {
		t.Errorf("migrate --store mysql://: %v, want a refusal naming --store", err)
	}
}
