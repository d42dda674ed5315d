// Package sqlstore is the domain.Store on database/sql, for SQLite (modernc.org/sqlite, pure Go)
// and PostgreSQL (pgx's stdlib driver). Queries are written once, with ? placeholders, and
// rebound for PostgreSQL; migrations are per dialect, embedded and run by goose.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/liveserver/liveserver/internal/domain"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Dialect names the SQL flavour behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

//go:embed migrations
var migrations embed.FS

// DB is an open, migrated database: the domain.Store for both dialects.
type DB struct {
	sql     *sql.DB
	dialect Dialect
	// x runs the queries: the pool, or the transaction of a DB made by InTx.
	x  execer
	tx *sql.Tx
	// rebound caches ?-to-$n rewrites for PostgreSQL, keyed by the query text; shared by the
	// DBs of transactions.
	rebound *sync.Map
}

// OpenSQLite opens (creating if needed) the SQLite database at path. Writes take the database
// lock at BEGIN (txlock=immediate) and wait for it (busy_timeout), so concurrent writers queue
// instead of failing; WAL lets readers go on meanwhile.
func OpenSQLite(ctx context.Context, path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("create database folder: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_busy_timeout", "10000")
	q.Set("_txlock", "immediate")
	// Times as integer microseconds: numeric comparison and ordering, the same precision as
	// PostgreSQL, and read back as time.Time from DATETIME columns.
	q.Set("_time_integer_format", "unix_micro")
	q.Set("_inttotime", "1")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	// Each connection holds its own page cache; a few suffice for a single machine.
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	return open(ctx, db, SQLite)
}

// OpenPostgres connects to the PostgreSQL database at url. Unless the URL says otherwise, pgx
// runs every query as an unnamed statement (default_query_exec_mode=exec), which works through
// PgBouncer in transaction mode where named prepared statements do not.
func OpenPostgres(ctx context.Context, dsn string) (*DB, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	q := u.Query()
	if q.Get("default_query_exec_mode") == "" {
		q.Set("default_query_exec_mode", "exec")
		u.RawQuery = q.Encode()
	}
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	return open(ctx, db, Postgres)
}

func open(ctx context.Context, db *sql.DB, d Dialect) (*DB, error) {
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", d, err)
	}
	return &DB{sql: db, dialect: d, x: db, rebound: &sync.Map{}}, nil
}

// Migrate applies every embedded migration not applied yet.
func (db *DB) Migrate(ctx context.Context, log *slog.Logger) error {
	return db.migrate(ctx, log, func(p *goose.Provider) ([]*goose.MigrationResult, error) { return p.Up(ctx) })
}

// MigrateTo applies the embedded migrations up to and including version: a database as an
// older release left it, for the tests of a migration.
func (db *DB) MigrateTo(ctx context.Context, log *slog.Logger, version int64) error {
	return db.migrate(ctx, log, func(p *goose.Provider) ([]*goose.MigrationResult, error) { return p.UpTo(ctx, version) })
}

func (db *DB) migrate(ctx context.Context, log *slog.Logger, up func(*goose.Provider) ([]*goose.MigrationResult, error)) error {
	dir, err := fs.Sub(migrations, "migrations/"+string(db.dialect))
	if err != nil {
		return err
	}
	gd := goose.DialectSQLite3
	if db.dialect == Postgres {
		gd = goose.DialectPostgres
	}
	p, err := goose.NewProvider(gd, db.sql, dir)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	results, err := up(p)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		log.Info("migration applied", "version", r.Source.Version, "file", filepath.Base(r.Source.Path), "took", r.Duration)
	}
	return nil
}

// Dialect reports which database this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close closes the connection pool.
func (db *DB) Close() error { return db.sql.Close() }

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", db.dialect, err)
	}
	return nil
}

// q returns the query in this dialect's placeholder style.
func (db *DB) q(query string) string {
	if db.dialect != Postgres {
		return query
	}
	if v, ok := db.rebound.Load(query); ok {
		return v.(string)
	}
	v := rebind(query)
	db.rebound.Store(query, v)
	return v
}

// rebind turns ? placeholders into $1, $2, ... Queries in this package never contain a literal
// question mark inside a string, which keeps this a plain scan.
func rebind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (db *DB) exec(ctx context.Context, x execer, query string, args ...any) (sql.Result, error) {
	return x.ExecContext(ctx, db.q(query), args...)
}

func (db *DB) queryRow(ctx context.Context, x execer, query string, args ...any) *sql.Row {
	return x.QueryRowContext(ctx, db.q(query), args...)
}

func (db *DB) query(ctx context.Context, x execer, query string, args ...any) (*sql.Rows, error) {
	return x.QueryContext(ctx, db.q(query), args...)
}

// execer is what *sql.DB and *sql.Tx have in common.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// InTx runs fn with a Store whose every call is part of one transaction, committed when fn
// returns nil. Inside a transaction it just calls fn. Keep fn short: on SQLite it holds the
// write lock.
func (db *DB) InTx(ctx context.Context, fn func(domain.Store) error) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if db.tx != nil {
			return fn(db)
		}
		return fn(&DB{sql: db.sql, dialect: db.dialect, x: tx, tx: tx, rebound: db.rebound})
	})
}

// inTx runs fn in a transaction, committed when fn returns nil; inside one it reuses it.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if db.tx != nil {
		return fn(db.tx)
	}
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, rollback(tx))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func rollback(tx *sql.Tx) error {
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("rollback: %w", err)
	}
	return nil
}

// rowScanner is what *sql.Row and *sql.Rows have in common.
type rowScanner interface{ Scan(...any) error }

// list runs a query and scans every row into a slice (empty, never nil), translating errors
// for what.
func list[T any](ctx context.Context, db *DB, what string, scan func(rowScanner) (*T, error), query string, args ...any) ([]T, error) {
	rows, err := db.query(ctx, db.x, query, args...)
	if err != nil {
		return nil, translate(err, what)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, translate(err, what)
		}
		out = append(out, *v)
	}
	return out, translate(rows.Err(), what)
}
