// Package postgres is the PostgreSQL storage engine of enlace: it
// implements enlace.Store over one PostgreSQL database with pgx's native
// interface and a pgxpool connection pool, so that several enlace servers
// can serve one exchange.
//
// It shares no code with store/sqlite; the conformance suite in
// store/storetest holds the two to one contract. What SQLite gets from a
// single writer, this engine gets from locks that every server takes:
//
//   - Reports (and the objects they carry) are written, and objects
//     withdrawn, under one transaction-scoped advisory lock, so their seq
//     and date_added grow in commit order across servers (see
//     CreateReport) and each object's first and last flags stay true.
//   - Every change the policy is built from updates the policy_version row
//     first in its transaction. The row lock serialises those changes, so
//     store-assigned names (AG-<n>, D-<n>) are never handed out twice, and
//     the version a reader sees never runs ahead of the change it
//     announces.
//   - Every ledger entry is appended, in its record's transaction, under
//     a second advisory lock dedicated to the ledger, at max(idx)+1, so
//     the log is one sequence 0..n-1 without gaps, and an entry becomes
//     visible only after every entry below it (see ledgerLock).
//
// A transaction takes these locks in that order, policy row, report
// lock, ledger lock, and never the other way round, so two writers can
// wait for each other but never deadlock.
//
// Transactions are READ COMMITTED, on purpose: each statement takes a new
// snapshot, so the statement after a lock sees every transaction that held
// the lock before. Every read is one statement and so one snapshot, with no
// BEGIN and COMMIT around it: PolicyVersion is read at the start of every
// request. LedgerRecord, which reads a record and what its entry's header
// derives from, is one REPEATABLE READ transaction.
//
// The schema lives in migrations/, applied by goose when the store opens,
// under goose's advisory session lock so that servers starting together do
// not migrate twice. Times are timestamptz, which keeps whole microseconds;
// they come back in UTC.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/enlace-exchange/enlace"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is an enlace.Store backed by one PostgreSQL database. It is safe for
// concurrent use, and several DBs (in several processes) may share one
// database.
type DB struct {
	pool *pgxpool.Pool
}

var _ enlace.Store = (*DB)(nil)

// Open connects to the database at url (a postgres:// URL or a key=value
// connection string), brings its schema up to date and returns the store.
// The URL may tune the pool (pool_max_conns, default max(4, CPUs);
// pool_max_conn_idle_time, ...), as pgxpool documents. A nil logger
// discards.
func Open(ctx context.Context, url string, logger *slog.Logger) (*DB, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The error may quote the URL, password included: do not wrap it.
		return nil, errors.New("open postgres store: invalid connection string")
	}
	where := fmt.Sprintf("%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	if err := migrate(ctx, cfg.ConnConfig, logger); err != nil {
		return nil, fmt.Errorf("open postgres store %s: %w", where, err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres store %s: %w", where, err)
	}
	db := &DB{pool: pool}
	if err := db.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres store %s: %w", where, err)
	}
	logger.Info("postgres store open", "database", where, "max_conns", cfg.MaxConns)
	return db, nil
}

// migrate applies the embedded migrations that the database lacks. goose
// needs a *sql.DB, so this, and only this, goes through pgx's database/sql
// adapter, on its own connection.
func migrate(ctx context.Context, cfg *pgx.ConnConfig, logger *slog.Logger) error {
	sqlDB := stdlib.OpenDB(*cfg.Copy())
	defer sqlDB.Close()
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, fsys,
		goose.WithDisableGlobalRegistry(true), goose.WithSessionLocker(locker))
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

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping postgres: %w", err)
	}
	return nil
}

// Close closes the pool, waiting for connections in use to be returned.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// refusals name, by constraint, what a failed write means to a caller: a
// method passes the errors it foresees ("agency DEA already exists") so
// that the constraint the database checks anyway gives the message,
// without a SELECT before every INSERT.
type refusals map[string]*enlace.Error

// write runs fn in one READ COMMITTED transaction and commits it. Errors
// are wrapped with op and classified, see classify.
func (db *DB) write(ctx context.Context, op string, why refusals, fn func(tx pgx.Tx) error) error {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("%s: begin: %w", op, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) // after Commit, a no-op
	if err := fn(tx); err != nil {
		return fmt.Errorf("%s: %w", op, classify(err, why))
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("%s: commit: %w", op, classify(err, why))
	}
	return nil
}

// SQLSTATE codes the engine gives a domain meaning.
const (
	uniqueViolation          = "23505"
	foreignKeyViolation      = "23503"
	characterNotInRepertoire = "22021" // NUL, or bytes that are not UTF-8, in text
	untranslatableCharacter  = "22P05" // \u0000 in jsonb
	numericValueOutOfRange   = "22003"
)

// classify gives database errors their domain code: first what the method
// foresaw for the constraint, then by SQLSTATE: a duplicate is EConflict, a
// missing referenced record ENotFound, and text PostgreSQL cannot hold
// (SQLite can) EInvalid. Anything else stays internal. An error that is
// an *enlace.Error already keeps its code and message.
func classify(err error, why refusals) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	if _, done := errors.AsType[*enlace.Error](err); done {
		return err // classified already, closer to the statement
	}
	if e, ok := why[pe.ConstraintName]; ok {
		return &enlace.Error{Code: e.Code, Message: e.Message, Err: err}
	}
	switch pe.Code {
	case uniqueViolation:
		return &enlace.Error{Code: enlace.EConflict, Message: "the record already exists", Err: err}
	case foreignKeyViolation:
		return &enlace.Error{Code: enlace.ENotFound, Message: "a record it refers to does not exist", Err: err}
	case characterNotInRepertoire, untranslatableCharacter:
		return &enlace.Error{Code: enlace.EInvalid, Message: "the text holds a NUL character or bytes that are not UTF-8", Err: err}
	case numericValueOutOfRange:
		return &enlace.Error{Code: enlace.EInvalid, Message: "a number is out of range", Err: err}
	}
	return err
}

// failed wraps the error of a single-statement method, which runs without
// an explicit transaction: one statement is one transaction.
func failed(op string, err error, why refusals) error {
	return fmt.Errorf("%s: %w", op, classify(err, why))
}

// notFound returns ENotFound for pgx.ErrNoRows and the classified error
// otherwise.
func notFound(op string, err error, format string, args ...any) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", op, enlace.Errorf(enlace.ENotFound, format, args...))
	}
	return failed(op, err, nil)
}

// bumpPolicy advances the policy version in tx, the transaction of the
// change it announces. Policy changes call it first: its row lock, held to
// commit, queues the next policy change of any server behind this one.
func bumpPolicy(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, `UPDATE policy_version SET version = version + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("bump policy version: %w", err)
	}
	return nil
}

// PolicyVersion returns the current policy version. It starts at 1.
func (db *DB) PolicyVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := db.pool.QueryRow(ctx, `SELECT version FROM policy_version WHERE id = 1`).Scan(&v); err != nil {
		return 0, failed("policy version", err, nil)
	}
	return v, nil
}

// norm returns t as it will read back: UTC, whole microseconds (rounded
// down, as pgx sends them), no monotonic reading. Create methods return
// normalized values so that what they return equals what a later read
// returns.
func norm(t time.Time) time.Time { return time.UnixMicro(t.UnixMicro()).UTC() }

// normPtr is norm for optional times.
func normPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	n := norm(*t)
	return &n
}

// utcPtr returns a scanned optional time in UTC.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
