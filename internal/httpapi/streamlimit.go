package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sync"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
)

// Default ceilings on the event streams one replica keeps open at a time. A browser needs one
// stream per room per tab; 8 per session covers a host with the room open in a few tabs. A
// whole school may sit behind one NAT address, so the address ceiling is far higher: it stops
// one machine from holding thousands of streams (each a goroutine and a connection), not a class.
const (
	DefaultStreamsPerSession = 8
	DefaultStreamsPerAddress = 200
	// streamRetryAfter is what a refused client is told to wait: streams of others end and
	// reconnect all the time, so a slot frees soon.
	streamRetryAfter = 10 * time.Second
)

// streamLimits counts the open streams per session and per address on this replica. The
// counts are local: a stream holds a connection to this process, and that is what they bound.
type streamLimits struct {
	perSession, perAddress int

	mu        sync.Mutex
	bySession map[string]int
	byAddress map[string]int
}

func newStreamLimits(perSession, perAddress int) *streamLimits {
	if perSession <= 0 {
		perSession = DefaultStreamsPerSession
	}
	if perAddress <= 0 {
		perAddress = DefaultStreamsPerAddress
	}
	return &streamLimits{perSession: perSession, perAddress: perAddress,
		bySession: map[string]int{}, byAddress: map[string]int{}}
}

// acquire takes a slot for a stream of session (may be "") from address, or refuses with 429.
// The returned release gives it back; it must be called exactly once.
func (l *streamLimits) acquire(session, address string) (release func(), err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byAddress[address] >= l.perAddress || (session != "" && l.bySession[session] >= l.perSession) {
		e := domain.Errorf(domain.ERateLimited, "Too many live streams are open; close other tabs or try again shortly.")
		e.RetryAfter = streamRetryAfter
		return nil, e
	}
	l.byAddress[address]++
	if session != "" {
		l.bySession[session]++
	}
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		decrement(l.byAddress, address)
		if session != "" {
			decrement(l.bySession, session)
		}
	}, nil
}

func decrement(m map[string]int, k string) {
	if m[k] <= 1 {
		delete(m, k) // an idle key costs nothing
		return
	}
	m[k]--
}

// streamSession is the key of the request's session for the stream limits: the signed-in
// session (its token hashed, never kept as is) or the guest session; "" for neither.
func (s *Server) streamSession(r *http.Request) string {
	if t := s.sessionToken(r); t != "" {
		sum := sha256.Sum256([]byte(t))
		return "user:" + hex.EncodeToString(sum[:16])
	}
	if g := s.guestSession(r); g != "" {
		return "guest:" + g
	}
	return ""
}
