// Package sqlstoretest opens real, migrated databases for tests: SQLite always, and PostgreSQL
// when LIVESERVER_TEST_POSTGRES names a server. Each PostgreSQL test gets a schema of its own,
// dropped afterwards, so tests in parallel packages never see each other's rows.
package sqlstoretest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/liveserver/liveserver/internal/sqlstore"
)

// PostgresEnv names the variable that holds the PostgreSQL URL for tests.
const PostgresEnv = "LIVESERVER_TEST_POSTGRES"

// Dialects lists the databases a test should run against.
func Dialects() []sqlstore.Dialect {
	if os.Getenv(PostgresEnv) != "" {
		return []sqlstore.Dialect{sqlstore.SQLite, sqlstore.Postgres}
	}
	return []sqlstore.Dialect{sqlstore.SQLite}
}

// Each runs f as a subtest once per dialect.
func Each(t *testing.T, f func(t *testing.T, d sqlstore.Dialect)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(string(d), func(t *testing.T) { f(t, d) })
	}
}

// Open returns a fresh, migrated database of dialect d, closed and removed at cleanup.
func Open(t testing.TB, d sqlstore.Dialect) *sqlstore.DB {
	t.Helper()
	db := OpenEmpty(t, d)
	if err := db.Migrate(context.Background(), slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	}
	return db
}

// OpenEmpty returns a fresh database of dialect d without its tables (for a migration's
// test, which makes an older schema first), closed and removed at cleanup.
func OpenEmpty(t testing.TB, d sqlstore.Dialect) *sqlstore.DB {
	t.Helper()
	ctx := context.Background()
	var db *sqlstore.DB
	var err error
	switch d {
	case sqlstore.Postgres:
		db, err = sqlstore.OpenPostgres(ctx, Schema(t))
	case PgBouncer:
		db, err = sqlstore.OpenPostgres(ctx, bouncerDB(t))
	default:
		db, err = sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "test.db"))
	}
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Schema creates an empty PostgreSQL schema for this test and returns a URL whose connections
// use it. It fails the test when LIVESERVER_TEST_POSTGRES is not set.
func Schema(t testing.TB) string {
	t.Helper()
	base := postgresURL()
	if base == "" {
		t.Fatalf("%s is not set", PostgresEnv)
	}
	schema := "t_" + randomHex(6)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// postgresURL is LIVESERVER_TEST_POSTGRES, reaching the server through its Unix socket when the
// tests run in a network namespace of their own (livekittest.Main), where 127.0.0.1:5432 is
// not this machine's PostgreSQL.
func postgresURL() string {
	base := os.Getenv(PostgresEnv)
	if base == "" || os.Getenv("LIVEKITTEST_IN_NETNS") == "" {
		return base
	}
	u, err := url.Parse(base)
	if err != nil || (u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost") {
		return base
	}
	q := u.Query()
	q.Set("host", "/var/run/postgresql")
	if p := u.Port(); p != "" {
		q.Set("port", p)
	}
	u.Host, u.RawQuery = "", q.Encode()
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
