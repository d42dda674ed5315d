package httpapi_test

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/liveserver/liveserver/internal/livekit/livekittest"
)

// Some tests connect WebRTC bots, so the package runs in a network namespace with only
// loopback (DESIGN §6); no stream or goroutine may outlive its test.
func TestMain(m *testing.M) {
	code := livekittest.Main(m)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}
