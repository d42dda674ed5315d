// Package fanout hands a process's messages to its local subscribers through bounded queues.
// It is the whole in-process bus (internal/memory) and the local half of the Redis bus
// (internal/redis): both buses must treat a slow subscriber the same way, so they share it.
package fanout

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// ErrClosed is returned by Subscribe on a Fanout (or bus) that was closed.
var ErrClosed = errors.New("bus closed")

// DefaultQueueSize is how many messages a subscriber may fall behind before it is cut off.
// An SSE stream drains its queue in microseconds; 256 covers a burst (a panic button emits a
// few events per participant) without letting a stuck client pin much memory.
const DefaultQueueSize = 256

// Fanout hands messages to the local subscribers of each topic through their bounded queues,
// and forgets a topic with its last subscriber, so topics of ended rooms cost nothing.
type Fanout struct {
	queueSize int

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

// New returns an empty Fanout whose subscribers hold up to queueSize messages
// (DefaultQueueSize when queueSize < 1).
func New(queueSize int) *Fanout {
	if queueSize < 1 {
		queueSize = DefaultQueueSize
	}
	return &Fanout{queueSize: queueSize, topics: make(map[string]*topicSubs)}
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
	if t != nil {
		f.deliver(t, msg)
	}
}

// Gap queues a gap notice (nil) for every subscriber of every topic: the messages of all of
// them may have been lost (the Redis bus's connection dropped). A subscriber that joins while
// Gap runs may or may not get one; it needs none, since it is live from its Subscribe on.
func (f *Fanout) Gap() {
	f.mu.RLock()
	topics := make([]*topicSubs, 0, len(f.topics))
	for _, t := range f.topics {
		topics = append(topics, t)
	}
	f.mu.RUnlock()
	for _, t := range topics {
		f.deliver(t, nil)
	}
}

func (f *Fanout) deliver(t *topicSubs, msg []byte) {
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
	defer f.mu.Unlock()
	t := f.topics[s.topic]
	if t == nil {
		return
	}
	t.mu.Lock()
	delete(t.subs, s)
	idle := len(t.subs) == 0
	t.mu.Unlock()
	if idle {
		delete(f.topics, s.topic)
	}
}
