package postgres

import (
	"testing"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/store/postgres/pgtest"
	"github.com/enlace-exchange/enlace/store/storetest"
)

// open returns a store on a fresh database, dropped when t ends.
func open(t testing.TB) *DB {
	t.Helper()
	db, err := Open(t.Context(), pgtest.NewDatabase(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestStore(t *testing.T) {
	if !pgtest.Available() {
		t.Skipf("%s is not set: skipping the PostgreSQL engine's tests", pgtest.EnvURL)
	}
	storetest.Run(t, func(t *testing.T) enlace.Store { return open(t) })
}
