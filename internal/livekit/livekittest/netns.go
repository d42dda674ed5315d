package livekittest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"testing"
)

// envInNetns marks the re-executed test binary, so it never re-executes
// itself again.
const envInNetns = "LIVEKITTEST_IN_NETNS"

// Main runs a package's tests inside a private network namespace that has
// only lo, and returns the exit code for os.Exit. Use it from TestMain in
// packages whose tests connect WebRTC clients (a Go bot, the agent).
//
// Why: DESIGN §6 says WebRTC must stay on loopback, and the Go SDK (pion)
// cannot be told so. It offers every interface address as an ICE
// candidate and joins the mDNS multicast group on every interface, so on a
// normal host a bot's join sends packets out of eth0. In a namespace with
// only lo there is nothing else to send on.
//
// When the process already sees only loopback, the tests run as they are.
// Otherwise Main re-executes the test binary under `unshare --net` (which
// needs root or CAP_SYS_ADMIN, and the ip tool). When that is not
// possible, the tests run in place and RequireLoopbackOnly skips the ones
// that would put traffic on the network.
func Main(m *testing.M) int {
	if onlyLoopback() || os.Getenv(envInNetns) != "" {
		return m.Run()
	}
	if err := canUnshare(); err != nil {
		fmt.Fprintf(os.Stderr, "livekittest: no private network namespace (%v); WebRTC tests will skip\n", err)
		return m.Run()
	}
	// exec replaces the shell, so signals and the exit code pass straight
	// through; "$0" is the test binary, "$@" its flags.
	args := append([]string{"--net", "--", "/bin/sh", "-c", `ip link set lo up && exec "$0" "$@"`}, os.Args...)
	cmd := exec.Command("unshare", args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), envInNetns+"=1")
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit) && exit.ExitCode() > 0:
		return exit.ExitCode()
	default:
		fmt.Fprintf(os.Stderr, "livekittest: run tests in a network namespace: %v\n", err)
		return 1
	}
}

// RequireLoopbackOnly skips the test (fails it when
// LIVESERVER_REQUIRE_LIVEKIT=1) unless this process can reach no network
// but loopback. Call it in every test that connects a WebRTC client.
func RequireLoopbackOnly(t testing.TB) {
	t.Helper()
	if onlyLoopback() {
		return
	}
	msg := "WebRTC test needs a network namespace with only lo (run as root so livekittest.Main can unshare one, or run go test inside `unshare -n`)"
	if os.Getenv(EnvRequire) == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// onlyLoopback reports whether every interface that is up is a loopback
// one.
func onlyLoopback() bool {
	ifs, err := net.Interfaces()
	if err != nil {
		return false
	}
	for _, i := range ifs {
		if i.Flags&net.FlagUp != 0 && i.Flags&net.FlagLoopback == 0 {
			return false
		}
	}
	return true
}

// canUnshare tries the namespace once with a no-op, so that a missing
// privilege is not mistaken for failing tests.
func canUnshare() error {
	if _, err := exec.LookPath("unshare"); err != nil {
		return err
	}
	out, err := exec.Command("unshare", "--net", "--", "/bin/sh", "-c", "ip link set lo up").CombinedOutput()
	if err != nil {
		return fmt.Errorf("unshare --net: %v: %s", err, out)
	}
	return nil
}
