package memory

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// ErrClosed is returned by Subscribe on a bus that was closed.
var ErrClosed = errors.New("bus closed")

// DefaultQueueSize is how many messages a subscriber may fall behind before it is cut off.
// An SSE stream drains its queue in microseconds; 256 covers a burst (a panic button emits a
// few events per participant) without letting a stuck client pin much memory.
const DefaultQueueSize = 256

// Fanout hands messages to the local subscribers of each topic through their bounded queues.
// It is the whole in-process bus, and the local half of the Redis bus, which is why it is
// exported: both buses must treat a slow subscriber the same way.
type Fanout struct {
	queueSize int
	// onIdle is told when a topic loses its last subscriber (the Redis bus then unsubscribes).
	// It runs without any Fanout lock held.
	onIdle func(topic string)

	mu     sync.RWMutex
	topics map[string]*topicSubs
	closed bool
}

// topicSubs has its own lock so that publishing to one topic never waits on another, and so
// that every subscriber of a topic sees its messages in the same order.
type topicSubs struct {
	mu   sync.Mutex
	subs map[*Subscription]struct{}
}

// NewFanout returns an empty Fanout whose subscribers hold up to queueSize messages
// (DefaultQueueSize when queueSize < 1). onIdle may be nil.
func NewFanout(queueSize int, onIdle func(topic string)) *Fanout {
	if queueSize < 1 {
		queueSize = DefaultQueueSize
	}
	return &Fanout{queueSize: queueSize, onIdle: onIdle, topics: make(map[string]*topicSubs)}
}

// Subscribe adds a subscriber to topic. It ends when closed, when ctx is done, or when it
// falls behind.
func (f *Fanout) Subscribe(ctx context.Context, topic string) (*Subscription, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("subscribe %q: %w", topic, err)
	}
	s := &Subscription{topic: topic, ch: make(chan []byte, f.queueSize), release: f.remove}
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil, fmt.Errorf("subscribe %q: %w", topic, ErrClosed)
	}
	t := f.topics[topic]
	if t == nil {
		t = &topicSubs{subs: make(map[*Subscription]struct{})}
		f.topics[topic] = t
	}
	t.mu.Lock()
	t.subs[s] = struct{}{}
	t.mu.Unlock()
	f.mu.Unlock()

	// AfterFunc starts no goroutine until ctx is done, so an idle subscriber costs none.
	stop := context.AfterFunc(ctx, func() { s.Close() })
	s.mu.Lock()
	if s.done {
		stop()
	} else {
		s.stopWait = stop
	}
	s.mu.Unlock()
	return s, nil
}

// Deliver queues msg for every subscriber of topic, never waiting for one; nil is a gap
// notice. msg is shared by all of them, so the caller must not modify it afterwards.
func (f *Fanout) Deliver(topic string, msg []byte) {
	f.mu.RLock()
	t := f.topics[topic]
	f.mu.RUnlock()
	if t == nil {
		return
	}
	var slow []*Subscription
	t.mu.Lock()
	for s := range t.subs {
		if !s.offer(msg) {
			slow = append(slow, s)
		}
	}
	t.mu.Unlock()
	for _, s := range slow {
		f.remove(s)
	}
}

// Has reports whether topic has a subscriber.
func (f *Fanout) Has(topic string) bool {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.topics[topic] != nil
}

// Topics lists the topics that have subscribers.
func (f *Fanout) Topics() []string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	topics := make([]string, 0, len(f.topics))
	for t := range f.topics {
		topics = append(topics, t)
	}
	return topics
}

// Close ends every subscription (their Err is nil) and refuses new ones.
func (f *Fanout) Close() {
	f.mu.Lock()
	f.closed = true
	topics := f.topics
	f.topics = make(map[string]*topicSubs)
	f.mu.Unlock()
	for _, t := range topics {
		t.mu.Lock()
		for s := range t.subs {
			s.end(nil)
		}
		t.mu.Unlock()
	}
}

func (f *Fanout) remove(s *Subscription) {
	f.mu.Lock()
	t := f.topics[s.topic]
	if t == nil {
		f.mu.Unlock()
		return
	}
	t.mu.Lock()
	_, present := t.subs[s]
	delete(t.subs, s)
	idle := present && len(t.subs) == 0
	t.mu.Unlock()
	if idle {
		delete(f.topics, s.topic)
	}
	f.mu.Unlock()
	if idle && f.onIdle != nil {
		f.onIdle(s.topic)
	}
}
