// Package bustest is the conformance suite of domain.Bus: the in-process and the Redis bus
// run the same tests, so the rules the SSE streams rely on hold for both.
package bustest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
)

// NewBus returns a fresh bus whose subscribers hold up to queueSize messages; the bus is
// closed at the test's cleanup.
type NewBus func(t *testing.T, queueSize int) domain.Bus

// bigQueue never overflows in the tests that count on every message arriving, whatever the
// scheduler does: they publish fewer messages than this.
const bigQueue = 4096

// wait bounds every wait for a message; generous, because Redis under -race is slow.
const wait = 10 * time.Second

// Run runs the whole suite against buses made by newBus.
func Run(t *testing.T, newBus NewBus) {
	tests := []struct {
		name string
		f    func(*testing.T, NewBus)
	}{
		{"DeliversToTopicSubscribersOnly", deliversToTopicSubscribersOnly},
		{"PreservesPublishOrder", preservesPublishOrder},
		{"LiveWhenSubscribeReturns", liveWhenSubscribeReturns},
		{"CloseEndsC", closeEndsC},
		{"ContextEndsC", contextEndsC},
		{"SubscribeWithDoneContext", subscribeWithDoneContext},
		{"SlowSubscriberIsCutOff", slowSubscriberIsCutOff},
		{"ManyTopicsManySubscribers", manyTopicsManySubscribers},
		{"PublishWithoutSubscribers", publishWithoutSubscribers},
		{"Ping", ping},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.f(t, newBus) })
	}
}

// Topic returns a topic name no other test uses, so tests sharing a Redis never cross.
func Topic(t testing.TB) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := strings.NewReplacer("/", ".", " ", "_").Replace(t.Name())
	return name + "." + hex.EncodeToString(b[:])
}

// Recv returns the next message of s, failing the test when none comes in time or C closes.
func Recv(t testing.TB, s domain.Subscription) []byte {
	t.Helper()
	select {
	case m, ok := <-s.C():
		if !ok {
			t.Fatalf("C closed (err %v), want a message", s.Err())
		}
		return m
	case <-time.After(wait):
		t.Fatalf("no message within %v", wait)
		return nil
	}
}

// WaitClosed drains s until C closes, failing the test when it stays open.
func WaitClosed(t testing.TB, s domain.Subscription) (drained int) {
	t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case _, ok := <-s.C():
			if !ok {
				return drained
			}
			drained++
		case <-deadline:
			t.Fatalf("C still open after %v", wait)
		}
	}
}

func subscribe(t *testing.T, b domain.Bus, topic string) domain.Subscription {
	t.Helper()
	s, err := b.Subscribe(t.Context(), topic)
	if err != nil {
		t.Fatalf("Subscribe(%q): %v", topic, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func publish(t testing.TB, b domain.Bus, topic, msg string) {
	t.Helper()
	if err := b.Publish(context.Background(), topic, []byte(msg)); err != nil {
		t.Fatalf("Publish(%q): %v", topic, err)
	}
}

func deliversToTopicSubscribersOnly(t *testing.T, newBus NewBus) {
	b := newBus(t, bigQueue)
	a, other := Topic(t), Topic(t)
	subs := []domain.Subscription{subscribe(t, b, a), subscribe(t, b, a), subscribe(t, b, a)}
	bystander := subscribe(t, b, other)

	buf := []byte("first")
	if err := b.Publish(context.Background(), a, buf); err != nil {
		t.Fatal(err)
	}
	copy(buf, "XXXXX") // the bus must have taken a copy
	publish(t, b, a, "second")
	publish(t, b, other, "sentinel")

	for i, s := range subs {
		for _, want := range []string{"first", "second"} {
			if got := string(Recv(t, s)); got != want {
				t.Fatalf("subscriber %d got %q, want %q", i, got, want)
			}
		}
	}
	// The bystander's first message must be the one for its own topic.
	if got := string(Recv(t, bystander)); got != "sentinel" {
		t.Fatalf("subscriber of another topic got %q, want only %q", got, "sentinel")
	}
}

func preservesPublishOrder(t *testing.T, newBus NewBus) {
	b := newBus(t, bigQueue)
	topic := Topic(t)
	const n = 1000
	subs := []domain.Subscription{subscribe(t, b, topic), subscribe(t, b, topic)}
	for i := range n {
		publish(t, b, topic, strconv.Itoa(i))
	}
	for j, s := range subs {
		for i := range n {
			if got, want := string(Recv(t, s)), strconv.Itoa(i); got != want {
				t.Fatalf("subscriber %d: message %d is %q, want %q", j, i, got, want)
			}
		}
	}
}

// The SSE handler subscribes, then reads the backlog from the database: a message published
// right after Subscribe returns must arrive, or that order would lose events.
func liveWhenSubscribeReturns(t *testing.T, newBus NewBus) {
	b := newBus(t, bigQueue)
	for i := range 100 {
		topic := Topic(t)
		s := subscribe(t, b, topic)
		publish(t, b, topic, "now")
		if got := string(Recv(t, s)); got != "now" {
			t.Fatalf("round %d: got %q", i, got)
		}
		s.Close()
	}
}

func closeEndsC(t *testing.T, newBus NewBus) {
	b := newBus(t, bigQueue)
	topic := Topic(t)
	s := subscribe(t, b, topic)
	stays := subscribe(t, b, topic)
	publish(t, b, topic, "queued")
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	WaitClosed(t, s)
	if err := s.Err(); err != nil {
		t.Fatalf("Err after Close = %v, want nil", err)
	}
	// The other subscriber of the topic is not affected.
	publish(t, b, topic, "after")
	for _, want := range []string{"queued", "after"} {
		if got := string(Recv(t, stays)); got != want {
			t.Fatalf("remaining subscriber got %q, want %q", got, want)
		}
	}
}

func contextEndsC(t *testing.T, newBus NewBus) {
	b := newBus(t, bigQueue)
	topic := Topic(t)
	ctx, cancel := context.WithCancel(t.Context())
	s, err := b.Subscribe(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	WaitClosed(t, s)
	if err := s.Err(); err != nil {
		t.Fatalf("Err after the context ended = %v, want nil", err)
	}
	// The topic still works for a new subscriber.
	s2 := subscribe(t, b, topic)
	publish(t, b, topic, "again")
	if got := string(Recv(t, s2)); got != "again" {
		t.Fatalf("got %q", got)
	}
}

func subscribeWithDoneContext(t *testing.T, newBus NewBus) {
	b := newBus(t, bigQueue)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	s, err := b.Subscribe(ctx, Topic(t))
	if err == nil {
		s.Close()
		t.Fatal("Subscribe with a done context succeeded, want an error")
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled in the chain", err)
	}
}

// A subscriber that stops reading is cut off, and a reader of the same topic loses nothing.
func slowSubscriberIsCutOff(t *testing.T, newBus NewBus) {
	const queue = 8
	b := newBus(t, queue)
	topic := Topic(t)
	slow := subscribe(t, b, topic)
	fast := subscribe(t, b, topic)
	const n = 100
	for i := range n {
		publish(t, b, topic, strconv.Itoa(i))
		// In lockstep with the fast reader, so only the slow one can overflow.
		if got, want := string(Recv(t, fast)), strconv.Itoa(i); got != want {
			t.Fatalf("fast subscriber: message %d is %q, want %q", i, got, want)
		}
	}
	drained := WaitClosed(t, slow)
	if !errors.Is(slow.Err(), domain.ErrSlowSubscriber) {
		t.Fatalf("slow subscriber Err = %v, want ErrSlowSubscriber", slow.Err())
	}
	if drained != queue {
		t.Fatalf("slow subscriber got %d queued messages before the cut, want %d", drained, queue)
	}
	if fast.Err() != nil {
		t.Fatalf("fast subscriber Err = %v", fast.Err())
	}
}

func manyTopicsManySubscribers(t *testing.T, newBus NewBus) {
	b := newBus(t, bigQueue)
	const topics, subsPerTopic, publishers, perPublisher = 20, 10, 4, 50
	names := make([]string, topics)
	var readers sync.WaitGroup
	errs := make(chan error, topics*subsPerTopic)
	for i := range names {
		names[i] = Topic(t)
		for range subsPerTopic {
			s := subscribe(t, b, names[i])
			readers.Go(func() { errs <- readAll(s, publishers, perPublisher) })
		}
	}
	var pubs sync.WaitGroup
	for p := range publishers {
		pubs.Go(func() {
			for seq := range perPublisher {
				for _, topic := range names {
					if err := b.Publish(context.Background(), topic, fmt.Appendf(nil, "%d:%d", p, seq)); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	pubs.Wait()
	readers.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// readAll reads publishers×perPublisher messages "p:seq" and checks each publisher's order.
func readAll(s domain.Subscription, publishers, perPublisher int) error {
	next := make([]int, publishers)
	timeout := time.After(wait)
	for range publishers * perPublisher {
		select {
		case m, ok := <-s.C():
			if !ok {
				return fmt.Errorf("C closed early: %v", s.Err())
			}
			var p, seq int
			if _, err := fmt.Sscanf(string(m), "%d:%d", &p, &seq); err != nil {
				return fmt.Errorf("bad message %q: %w", m, err)
			}
			if seq != next[p] {
				return fmt.Errorf("publisher %d: got seq %d, want %d", p, seq, next[p])
			}
			next[p]++
		case <-timeout:
			return fmt.Errorf("timed out; got %v of %d per publisher", next, perPublisher)
		}
	}
	return nil
}

func publishWithoutSubscribers(t *testing.T, newBus NewBus) {
	b := newBus(t, bigQueue)
	publish(t, b, Topic(t), "nobody listens")
}

func ping(t *testing.T, newBus NewBus) {
	b := newBus(t, bigQueue)
	if err := b.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}
