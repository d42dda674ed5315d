// Package redistest runs a private redis-server for one test: on a free loopback port, with
// nothing kept on disk, stopped at cleanup, and restartable on the same port (to test what a
// Redis outage does). Tests in a network namespace of their own (livekittest.Main) need one,
// since the machine's Redis is not reachable there.
package redistest

import (
	"bufio"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// Server is one private redis-server.
type Server struct {
	Port int
	URL  string
	cmd  *exec.Cmd
}

// Start runs a redis-server on a free port; the test is skipped when none is installed.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartOn(t, FreePort(t))
}

// StartOn runs a redis-server on port.
func StartOn(t testing.TB, port int) *Server {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed")
	}
	s := &Server{Port: port, URL: "redis://127.0.0.1:" + strconv.Itoa(port) + "/0"}
	s.Restart(t)
	t.Cleanup(s.Stop)
	return s
}

// Restart starts the server again after Stop, on the same port, empty.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.cmd = exec.Command("redis-server", "--save", "", "--appendonly", "no",
		"--port", strconv.Itoa(s.Port), "--bind", "127.0.0.1")
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !s.answers() {
		if time.Now().After(deadline) {
			t.Fatal("redis-server did not answer within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *Server) answers() bool {
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(s.Port), time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && line == "+PONG\r\n"
}

// Stop kills the server (as a crash would); it is safe to call twice.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
	s.cmd = nil
}

// FreePort is a TCP port free on loopback now.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
