// Package sqlite is the SQLite storage engine of enlace: it implements
// enlace.Store over one database file with modernc.org/sqlite, a pure-Go
// SQLite, so the binary needs no C toolchain.
//
// The file is in WAL mode with synchronous=FULL: a write the store has
// acknowledged survives a crash of the process or of the machine. Writes go
// through one connection and begin with BEGIN IMMEDIATE, so concurrent
// writers queue instead of failing with SQLITE_BUSY; reads go through a
// separate pool of read-only connections and never wait for a writer.
//
// The schema lives in migrations/, applied by goose when the store opens.
// Times are stored as unix microseconds in UTC, so they come back in UTC
// with microsecond precision.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/enlace-exchange/enlace"
)

//go:embed migrations/*.sql
var migrations embed.FS

// busyTimeout bounds how long a connection waits for another process that
// holds the write lock. Within this process writers queue on the single
// write connection instead.
const busyTimeout = 10 * time.Second

// DB is an enlace.Store backed by one SQLite file. It is safe for
// concurrent use.
type DB struct {
	writer *sql.DB // one connection: SQLite allows one writer at a time
	reader *sql.DB // read-only pool

	insertEntry *sql.Stmt // appends a ledger entry, prepared once on the writer

	// noLedger skips ledger entries. Only benchmarks set it (see
	// export_test.go), to measure what the ledger costs: a store without
	// its entries fails every verification.
	noLedger bool
}

var _ enlace.Store = (*DB)(nil)

// Open opens (creating it if needed) the database file at path, brings its
// schema up to date and returns the store. A nil logger discards.
func Open(ctx context.Context, path string, logger *slog.Logger) (*DB, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if path == "" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") || path == ":memory:" {
		// The DSN is path?params: these would be read as part of it, and a
		// memory database would give each pooled connection its own data.
		return nil, fmt.Errorf("open sqlite store: unsupported path %q", path)
	}
	db := &DB{}

	// Migrations run on their own connection before the pools exist, so
	// goose may hold a connection for as long as it likes.
	if err := migrate(ctx, dsn(path, false), logger); err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}

	var err error
	if db.writer, err = sql.Open("sqlite", dsn(path, false)); err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	db.writer.SetMaxOpenConns(1)
	db.writer.SetMaxIdleConns(1)
	db.writer.SetConnMaxIdleTime(0)
	db.writer.SetConnMaxLifetime(0)

	if db.reader, err = sql.Open("sqlite", dsn(path, true)); err != nil {
		db.writer.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	db.reader.SetMaxOpenConns(n)
	db.reader.SetMaxIdleConns(n)

	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	if db.insertEntry, err = db.writer.PrepareContext(ctx, insertEntrySQL); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite store %s: prepare: %w", path, err)
	}
	logger.Info("sqlite store open", "path", path)
	return db, nil
}

// dsn returns the data source name for path. Pragmas are DSN parameters so
// that every connection the pool opens gets them, not only the first.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	// FULL syncs the WAL on every commit: an acknowledged write survives
	// power loss, not only a crash of the process.
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(ON)")
	// The default page cache (2 MiB) stops holding the objects' indexes
	// after a few hundred thousand objects, and every insert then reads
	// the disk. 64 MiB per connection keeps a million in memory.
	q.Add("_pragma", "cache_size(-65536)")
	if readOnly {
		q.Add("_pragma", "query_only(ON)")
	} else {
		// Take the write lock at BEGIN: a deferred transaction that reads
		// and then writes could fail with SQLITE_BUSY against another
		// process's writer, and busy_timeout cannot save it.
		q.Set("_txlock", "immediate")
	}
	return path + "?" + q.Encode()
}

// migrate applies the embedded migrations that the file lacks.
func migrate(ctx context.Context, dsn string, logger *slog.Logger) error {
	conn, err := sql.Open("sqlite", dsn)
	if err != nil {
		return err
	}
	defer conn.Close()
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, conn, fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		logger.Info("applied migration", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	return nil
}

// Ping reports whether both pools can reach the database.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.writer.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite writer: %w", err)
	}
	if err := db.reader.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite reader: %w", err)
	}
	return nil
}

// Close closes both pools. Closing the last connection checkpoints the WAL
// into the database file.
func (db *DB) Close() error {
	var err error
	if db.insertEntry != nil {
		err = db.insertEntry.Close()
	}
	return errors.Join(err, db.reader.Close(), db.writer.Close())
}

// write runs fn in one write transaction and commits it. Errors are
// wrapped with op; a constraint failure the method did not foresee still
// comes out with the right code.
func (db *DB) write(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: begin: %w", op, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return fmt.Errorf("%s: %w", op, classify(err))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: commit: %w", op, classify(err))
	}
	return nil
}

// read runs fn in one read transaction, so that a method reading several
// tables sees one snapshot.
func (db *DB) read(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("%s: begin: %w", op, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// classify gives constraint failures their domain code. Methods check
// what they can inside the transaction first, to say which record is
// missing or taken; this is the backstop.
func classify(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return &enlace.Error{Code: enlace.EConflict, Message: "the record already exists", Err: err}
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return &enlace.Error{Code: enlace.ENotFound, Message: "a record it refers to does not exist", Err: err}
	}
	return err
}

// isUnique reports whether err is a unique or primary key violation.
func isUnique(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// exists reports whether query (a SELECT of one row) finds a row.
func exists(ctx context.Context, tx *sql.Tx, query string, args ...any) (bool, error) {
	var one int
	err := tx.QueryRowContext(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// bumpPolicy advances the policy version in tx, the transaction of the
// change it announces.
func bumpPolicy(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE policy_version SET version = version + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("bump policy version: %w", err)
	}
	return nil
}

// PolicyVersion returns the current policy version. It starts at 1.
func (db *DB) PolicyVersion(ctx context.Context) (int64, error) {
	var v int64
	err := db.read(ctx, "policy version", func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT version FROM policy_version WHERE id = 1`).Scan(&v)
	})
	return v, err
}

// scanner is what *sql.Row and *sql.Rows have in common.
type scanner interface {
	Scan(dest ...any) error
}

// present returns ENotFound, naming what, unless query finds a row. It
// runs inside the write transaction, so the answer holds until commit.
func present(ctx context.Context, tx *sql.Tx, what, query string, args ...any) error {
	ok, err := exists(ctx, tx, query, args...)
	if err != nil {
		return err
	}
	if !ok {
		return enlace.Errorf(enlace.ENotFound, "%s not found", what)
	}
	return nil
}

// absent returns EConflict, naming what, if query finds a row.
func absent(ctx context.Context, tx *sql.Tx, what, query string, args ...any) error {
	ok, err := exists(ctx, tx, query, args...)
	if err != nil {
		return err
	}
	if ok {
		return enlace.Errorf(enlace.EConflict, "%s already exists", what)
	}
	return nil
}
