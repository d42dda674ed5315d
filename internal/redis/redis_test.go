package redis

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/memory/bustest"
	"github.com/liveserver/liveserver/internal/redis/redistest"
)

// RedisEnv names the variable that holds the Redis URL for tests.
const RedisEnv = "LIVESERVER_TEST_REDIS"

// testPrefix keeps test keys and channels apart from a real instance's.
const testPrefix = "liveserver-test:"

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func redisURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv(RedisEnv)
	if url == "" {
		t.Skip(RedisEnv + " is not set (e.g. redis://127.0.0.1:6379/0): skipping the Redis tests")
	}
	return url
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func newBus(t testing.TB, url string, opts ...Option) *Bus {
	t.Helper()
	b, err := New(t.Context(), url, testLogger(t), append([]Option{WithPrefix(testPrefix)}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return b
}

func TestBus(t *testing.T) {
	url := redisURL(t)
	bustest.Run(t, func(t *testing.T, queueSize int) domain.Bus {
		return newBus(t, url, WithQueueSize(queueSize))
	})
}

// Two replicas on one Redis deliver to each other, also right after Subscribe returns.
func TestReplicas(t *testing.T) {
	url := redisURL(t)
	a, b := newBus(t, url), newBus(t, url)
	topic := bustest.Topic(t)
	subA, err := a.Subscribe(t.Context(), topic)
	if err != nil {
		t.Fatal(err)
	}
	defer subA.Close()
	for i := range 100 {
		subB, err := b.Subscribe(t.Context(), topic+strconv.Itoa(i))
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Publish(t.Context(), topic+strconv.Itoa(i), []byte("to b")); err != nil {
			t.Fatal(err)
		}
		if got := string(bustest.Recv(t, subB)); got != "to b" {
			t.Fatalf("round %d: b got %q", i, got)
		}
		subB.Close()
	}
	if err := b.Publish(t.Context(), topic, []byte("to a")); err != nil {
		t.Fatal(err)
	}
	if got := string(bustest.Recv(t, subA)); got != "to a" {
		t.Fatalf("a got %q", got)
	}
}

// However many topics and local subscribers there are, the process holds one Redis
// subscription, the pattern confirmed by New: a topic costs Redis nothing, and nothing is
// left behind in Redis when a topic's last local subscriber leaves.
func TestOneRedisSubscriptionPerBus(t *testing.T) {
	redisURL(t)
	srv := redistest.Start(t) // only this bus connects to it, so every subscription is its own
	b := newBus(t, srv.URL)
	topic := bustest.Topic(t)
	channel := testPrefix + topic
	// subscriptions counts, over every connection to Redis, channel and pattern subscriptions.
	subscriptions := func() (channels, patterns int) {
		list, err := b.Client().ClientList(t.Context()).Result()
		if err != nil {
			t.Fatal(err)
		}
		for field := range strings.FieldsSeq(list) {
			if v, ok := strings.CutPrefix(field, "sub="); ok {
				n, _ := strconv.Atoi(v)
				channels += n
			}
			if v, ok := strings.CutPrefix(field, "psub="); ok {
				n, _ := strconv.Atoi(v)
				patterns += n
			}
		}
		return channels, patterns
	}
	numsub := func() int64 {
		n, err := b.Client().PubSubNumSub(t.Context(), channel).Result()
		if err != nil {
			t.Fatal(err)
		}
		return n[channel]
	}
	if ch, pat := subscriptions(); ch != 0 || pat != 1 {
		t.Fatalf("Redis subscriptions of a new bus: %d channels, %d patterns; want 0 and 1", ch, pat)
	}
	var subs []domain.Subscription
	for range 5 {
		s, err := b.Subscribe(t.Context(), topic)
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, s)
	}
	for range 3 {
		s, err := b.Subscribe(t.Context(), bustest.Topic(t))
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, s)
	}
	if ch, pat := subscriptions(); ch != 0 || pat != 1 {
		t.Fatalf("Redis subscriptions for 8 local subscribers of 4 topics: %d channels, %d patterns; want 0 and 1", ch, pat)
	}
	if n := numsub(); n != 0 {
		t.Fatalf("Redis subscriptions of the topic's own channel = %d, want 0", n)
	}
	for _, s := range subs {
		s.Close()
	}
	if ch, pat := subscriptions(); ch != 0 || pat != 1 {
		t.Fatalf("Redis subscriptions after every local subscriber left: %d channels, %d patterns; want 0 and 1", ch, pat)
	}
	// And the topic can be taken up again.
	s, err := b.Subscribe(t.Context(), topic)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := b.Publish(t.Context(), topic, []byte("back")); err != nil {
		t.Fatal(err)
	}
	if got := string(bustest.Recv(t, s)); got != "back" {
		t.Fatalf("got %q", got)
	}
}

// The prefix matches only itself, though the subscription is a glob pattern built on it.
func TestPrefixIsLiteral(t *testing.T) {
	url := redisURL(t)
	const prefix = "liveserver-test-[glob]*?:"
	b := newBus(t, url, WithPrefix(prefix))
	topic := bustest.Topic(t)
	s, err := b.Subscribe(t.Context(), topic)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Channels the prefix would match if read as a pattern, then the topic's own.
	for _, channel := range []string{"liveserver-test-g-x-:" + topic, "liveserver-test-[glob]xy:" + topic, prefix + topic} {
		if err := b.Client().Publish(t.Context(), channel, channel).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := string(bustest.Recv(t, s)), prefix+topic; got != want {
		t.Fatalf("got the message sent to %q, want only the one sent to %q", got, want)
	}
}

func TestPublishAfterCloseFails(t *testing.T) {
	url := redisURL(t)
	b, err := New(t.Context(), url, testLogger(t), WithPrefix(testPrefix))
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.Subscribe(t.Context(), bustest.Topic(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	bustest.WaitClosed(t, s)
	if s.Err() != nil {
		t.Fatalf("Err at shutdown = %v, want nil", s.Err())
	}
	if err := b.Publish(t.Context(), "x", []byte("y")); err == nil {
		t.Fatal("Publish on a closed bus succeeded")
	}
	if _, err := b.Subscribe(t.Context(), "x"); err == nil {
		t.Fatal("Subscribe on a closed bus succeeded")
	}
}

func TestNewFailsWithoutRedis(t *testing.T) {
	redisURL(t)
	port := redistest.FreePort(t)
	_, err := New(t.Context(), "redis://127.0.0.1:"+strconv.Itoa(port)+"/0", testLogger(t))
	if err == nil {
		t.Fatal("New succeeded with no Redis listening")
	}
	if _, err := New(t.Context(), "http://nope", testLogger(t)); err == nil {
		t.Fatal("New accepted a non-Redis URL")
	}
}

// The pub/sub connection drops and comes back: every local subscriber gets a gap notice,
// and messages published afterwards arrive again.
func TestReconnectReportsGap(t *testing.T) {
	redisURL(t)
	srv := redistest.Start(t)
	b := newBus(t, srv.URL, WithHealthCheck(500*time.Millisecond))
	topic, other := bustest.Topic(t), bustest.Topic(t)
	s1, err := b.Subscribe(t.Context(), topic)
	if err != nil {
		t.Fatal(err)
	}
	defer s1.Close()
	s2, err := b.Subscribe(t.Context(), topic)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	s3, err := b.Subscribe(t.Context(), other)
	if err != nil {
		t.Fatal(err)
	}
	defer s3.Close()
	if err := b.Publish(t.Context(), topic, []byte("before")); err != nil {
		t.Fatal(err)
	}
	for _, s := range []domain.Subscription{s1, s2} {
		if got := string(bustest.Recv(t, s)); got != "before" {
			t.Fatalf("got %q", got)
		}
	}

	srv.Stop()
	if err := b.Publish(t.Context(), topic, []byte("lost")); err == nil {
		t.Fatal("Publish with Redis down succeeded, want an error")
	}
	if err := b.Ping(t.Context()); err == nil {
		t.Fatal("Ping with Redis down succeeded")
	}
	srv.Restart(t)

	for i, s := range []domain.Subscription{s1, s2, s3} {
		if m := bustest.Recv(t, s); m != nil {
			t.Fatalf("subscriber %d: got %q, want a gap (nil)", i, m)
		}
	}
	if err := b.Publish(t.Context(), topic, []byte("after")); err != nil {
		t.Fatal(err)
	}
	for _, s := range []domain.Subscription{s1, s2} {
		if got := string(bustest.Recv(t, s)); got != "after" {
			t.Fatalf("after the restart got %q, want %q", got, "after")
		}
	}
	// A new subscriber after the outage works as usual.
	s4, err := b.Subscribe(t.Context(), bustest.Topic(t))
	if err != nil {
		t.Fatal(err)
	}
	s4.Close()
}

// Subscribing asks nothing of Redis, so it works while Redis is down; the subscriber hears
// of the gap when the bus's subscription is renewed, and then gets messages as usual.
func TestSubscribeDuringOutage(t *testing.T) {
	redisURL(t)
	srv := redistest.Start(t)
	b := newBus(t, srv.URL, WithHealthCheck(500*time.Millisecond))
	srv.Stop()
	topic := bustest.Topic(t)
	s, err := b.Subscribe(t.Context(), topic)
	if err != nil {
		t.Fatalf("Subscribe with Redis down: %v", err)
	}
	defer s.Close()
	srv.Restart(t)
	if m := bustest.Recv(t, s); m != nil {
		t.Fatalf("got %q, want a gap (nil)", m)
	}
	if err := b.Publish(t.Context(), topic, []byte("after")); err != nil {
		t.Fatal(err)
	}
	if got := string(bustest.Recv(t, s)); got != "after" {
		t.Fatalf("got %q, want %q", got, "after")
	}
}

// BenchmarkPublishReceive measures the latency from Publish on one replica to the message
// arriving at a subscriber on another, one message in flight at a time.
func BenchmarkPublishReceive(b *testing.B) {
	url := redisURL(b)
	ctx := context.Background()
	pub, sub := newBus(b, url), newBus(b, url)
	topic := bustest.Topic(b)
	s, err := sub.Subscribe(ctx, topic)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	msg := []byte(`{"type":"chat","id":123,"text":"hello, class"}`)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := pub.Publish(ctx, topic, msg); err != nil {
			b.Fatal(err)
		}
		<-s.C()
	}
}
