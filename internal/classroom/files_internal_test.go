package classroom

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/liveserver/liveserver/internal/domain"
)

// An interrupted upload is answered without the read error's text, which names addresses.
func TestUploadReadErrorNamesNoAddress(t *testing.T) {
	cause := &net.OpError{Op: "read", Net: "tcp", Source: &net.TCPAddr{IP: net.IPv4(10, 20, 30, 40), Port: 3000},
		Addr: &net.TCPAddr{IP: net.IPv4(192, 0, 2, 7), Port: 51234}, Err: errors.New("connection reset by peer")}
	err := uploadReadError(cause)
	if msg := domain.ErrorMessage(err); strings.Contains(msg, "10.20.30.40") || strings.Contains(msg, "192.0.2.7") || domain.ErrorCode(err) != domain.EInvalid {
		t.Fatalf("%s: %q", domain.ErrorCode(err), msg)
	}
}
