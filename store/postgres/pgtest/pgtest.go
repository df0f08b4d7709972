// Package pgtest gives tests a fresh PostgreSQL database on the server
// that ENLACE_TEST_POSTGRES_URL names, and drops it when the test ends.
// scripts/test.sh starts a throwaway server and sets the variable; without
// it, tests that need PostgreSQL skip.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL is the environment variable naming the test server: a URL of a
// role that may create databases, such as
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable.
const EnvURL = "ENLACE_TEST_POSTGRES_URL"

// Available reports whether EnvURL is set.
func Available() bool { return os.Getenv(EnvURL) != "" }

// NewDatabase creates a uniquely named database on the server EnvURL
// names and returns its URL. The database is dropped, with any connection
// still open to it, when t ends. It skips t if EnvURL is unset.
func NewDatabase(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		t.Skipf("%s is not set: no PostgreSQL server to test against (scripts/test.sh starts one)", EnvURL)
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s must be a postgres:// URL", EnvURL)
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	name := "enlace_test_" + hex.EncodeToString(b[:])

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to %s: %v", EnvURL, err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		admin, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("drop test database %s: %v", name, err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}
