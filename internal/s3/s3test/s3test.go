// Package s3test runs a real S3-compatible server for tests: versitygw on a free loopback port,
// serving a temporary folder. The binary comes from $VERSITYGW_BIN or <repo>/.tools/bin; the
// test is skipped without one, unless LIVESERVER_REQUIRE_S3=1 (CI), which fails it.
package s3test

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Server is a running S3 endpoint.
type Server struct {
	Endpoint             string // http://127.0.0.1:PORT
	AccessKey, SecretKey string
}

// Start runs versitygw until the test ends.
func Start(t testing.TB) Server {
	t.Helper()
	bin := binary(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	s := Server{Endpoint: "http://127.0.0.1:" + strconv.Itoa(port), AccessKey: "testaccess", SecretKey: "testsecret-testsecret"}
	cmd := exec.Command(bin, "--port", "127.0.0.1:"+strconv.Itoa(port), "--access", s.AccessKey, "--secret", s.SecretKey,
		"--region", "us-east-1", "posix", t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatalf("start versitygw: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(s.Endpoint)
		if err == nil {
			resp.Body.Close()
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw did not answer: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("VERSITYGW_BIN"); p != "" {
		return p
	}
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			p := filepath.Join(d, ".tools", "bin", "versitygw")
			if _, err := os.Stat(p); err == nil {
				return p
			}
			break
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	msg := "no versitygw (make s3server, or set VERSITYGW_BIN)"
	if os.Getenv("LIVESERVER_REQUIRE_S3") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}
