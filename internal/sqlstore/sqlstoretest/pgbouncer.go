package sqlstoretest

import (
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/sqlstore"
)

// PgBouncer is the store suite's third target: PostgreSQL through Debian's PgBouncer in
// transaction mode, as production runs it (DESIGN §2, §7). It is a Dialect only here, in tests.
const PgBouncer sqlstore.Dialect = "pgbouncer"

// RequireBouncerEnv makes a missing pgbouncer fail the store tests instead of skipping them.
const RequireBouncerEnv = "LIVESERVER_REQUIRE_PGBOUNCER"

// StoreDialects are the targets of the store's own suite: Dialects, plus PgBouncer when
// PostgreSQL is there and pgbouncer is installed.
func StoreDialects(t testing.TB) []sqlstore.Dialect {
	ds := Dialects()
	if os.Getenv(PostgresEnv) == "" {
		return ds
	}
	if bouncerBinary() == "" {
		if os.Getenv(RequireBouncerEnv) == "1" {
			t.Fatal("pgbouncer is not installed (apt-get install pgbouncer)")
		}
		return ds
	}
	return append(ds, PgBouncer)
}

// EachStore runs f once per target of StoreDialects.
func EachStore(t *testing.T, f func(t *testing.T, d sqlstore.Dialect)) {
	t.Helper()
	for _, d := range StoreDialects(t) {
		t.Run(string(d), func(t *testing.T) { f(t, d) })
	}
}

// bouncerDB starts a pgbouncer of this test in front of the PostgreSQL server (through its
// Unix socket) and returns a URL to a fresh database of the test through it. Schemas cannot
// isolate tests here (search_path is session state, which transaction pooling does not keep),
// so each test gets a database of its own, dropped afterwards.
func bouncerDB(t testing.TB) string {
	t.Helper()
	admin, err := sql.Open("pgx", postgresURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := "t_" + randomHex(6)
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", postgresURL())
		if err == nil {
			a.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
			a.Close()
		}
	})
	port := startBouncer(t)
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", port, name)
}

// startBouncer runs pgbouncer as the postgres user (it refuses root), with files it owns.
func startBouncer(t testing.TB) int {
	t.Helper()
	pg, err := user.Lookup("postgres")
	if err != nil {
		t.Fatalf("pgbouncer runs as the postgres user: %v", err)
	}
	uid, _ := strconv.Atoi(pg.Uid)
	gid, _ := strconv.Atoi(pg.Gid)
	dir, err := os.MkdirTemp("", "pgbouncer-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	ini := fmt.Sprintf(`[databases]
* = host=/var/run/postgresql port=5432
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s/users.txt
pool_mode = transaction
max_client_conn = 200
default_pool_size = 10
pidfile = %s/pgbouncer.pid
logfile = %s/pgbouncer.log
`, port, dir, dir, dir)
	files := map[string]string{"pgbouncer.ini": ini, "users.txt": `"postgres" ""` + "\n"}
	for n, c := range files {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, []byte(c), 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chown(p, uid, gid)
	}
	os.Chown(dir, uid, gid)
	cmd := exec.Command("su", "postgres", "-s", "/bin/sh", "-c", "exec "+bouncerBinary()+" "+filepath.Join(dir, "pgbouncer.ini"))
	if err := cmd.Start(); err != nil {
		t.Fatalf("start pgbouncer: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(10 * time.Second); ; {
		if c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port)); err == nil {
			c.Close()
			return port
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "pgbouncer.log"))
			t.Fatalf("pgbouncer did not listen: %s", log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// bouncerBinary finds pgbouncer, also where Debian puts it when /usr/sbin is not on the PATH.
func bouncerBinary() string {
	if p, err := exec.LookPath("pgbouncer"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/pgbouncer"); err == nil {
		return "/usr/sbin/pgbouncer"
	}
	return ""
}
