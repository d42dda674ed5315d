package fanout

import (
	"sync"

	"github.com/liveserver/liveserver/internal/domain"
)

// Subscription is one local subscriber of a topic: a bounded queue that the publisher never
// waits on. It is the domain.Subscription of both the in-process and the Redis bus.
type Subscription struct {
	topic string
	ch    chan []byte
	// release tells the Fanout that this subscriber is gone; it runs once, outside mu.
	release func(*Subscription)

	mu       sync.Mutex
	done     bool
	err      error
	stopWait func() bool // stops watching the Subscribe context
}

var _ domain.Subscription = (*Subscription)(nil)

// C delivers the topic's messages in publish order; nil is a gap notice. Messages are shared
// with the other subscribers: read them, never modify them.
func (s *Subscription) C() <-chan []byte { return s.ch }

// Err says why C was closed: nil after Close or the context's end, domain.ErrSlowSubscriber
// after an overflow.
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close ends the subscription; calling it again does nothing.
func (s *Subscription) Close() error {
	if s.end(nil) {
		s.release(s)
	}
	return nil
}

// offer queues msg without waiting. A full queue ends the subscription with ErrSlowSubscriber,
// because waiting would hold up every other subscriber of the topic; it then reports false and
// the caller releases s once it no longer holds the topic's lock.
func (s *Subscription) offer(msg []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return true
	}
	select {
	case s.ch <- msg:
		return true
	default:
		s.finishLocked(domain.ErrSlowSubscriber)
		return false
	}
}

// end closes C with err, reporting whether this call did it.
func (s *Subscription) end(err error) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return false
	}
	s.finishLocked(err)
	return true
}

func (s *Subscription) finishLocked(err error) {
	s.done = true
	s.err = err
	close(s.ch)
	if s.stopWait != nil {
		s.stopWait()
	}
}
