package livekit_test

import (
	"os"
	"testing"

	"github.com/liveserver/liveserver/internal/livekit/livekittest"
)

// Tests here connect Go bots over WebRTC, so they run in a network
// namespace with only loopback (DESIGN §6).
func TestMain(m *testing.M) {
	os.Exit(livekittest.Main(m))
}
