package redis

import (
	"strconv"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/memory/bustest"
	"github.com/liveserver/liveserver/internal/redis/redistest"
)

func TestLimiter(t *testing.T) {
	url := redisURL(t)
	rdb, err := Dial(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	l := NewLimiter(rdb, testPrefix)
	ctx := t.Context()
	key := "pin:" + bustest.Topic(t)
	const window = 400 * time.Millisecond

	for i := range 5 {
		if ok, _, err := l.Allow(ctx, key, 5, window); err != nil || !ok {
			t.Fatalf("attempt %d: ok=%v err=%v, want allowed", i+1, ok, err)
		}
	}
	for range 3 {
		ok, retry, err := l.Allow(ctx, key, 5, window)
		if err != nil || ok {
			t.Fatalf("6th attempt: ok=%v err=%v, want refused", ok, err)
		}
		if retry <= 0 || retry > window {
			t.Fatalf("retryAfter = %v, want in (0, %v]", retry, window)
		}
	}
	// Refused attempts do not count, as in memory.Limiter.
	if n, err := rdb.Get(ctx, testPrefix+"rate:"+key).Int(); err != nil || n != 5 {
		t.Fatalf("stored count = %d (%v), want 5", n, err)
	}
	if ok, _, _ := l.Allow(ctx, key+"-other", 5, window); !ok {
		t.Fatal("another key must have its own window")
	}
	_, retry, _ := l.Allow(ctx, key, 5, window)
	time.Sleep(retry + 20*time.Millisecond)
	if ok, _, err := l.Allow(ctx, key, 5, window); err != nil || !ok {
		t.Fatalf("a new window must allow again: ok=%v err=%v", ok, err)
	}
	// The window is fixed: it starts at the first attempt and later ones do not extend it.
	ttl := rdb.PTTL(ctx, testPrefix+"rate:"+key).Val()
	if ttl <= 0 || ttl > window {
		t.Fatalf("window TTL = %v, want in (0, %v]", ttl, window)
	}
}

// A limit of zero refuses at once for a whole window, as memory.Limiter does.
func TestLimiterZero(t *testing.T) {
	url := redisURL(t)
	rdb, err := Dial(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	l := NewLimiter(rdb, testPrefix)
	ok, retry, err := l.Allow(t.Context(), bustest.Topic(t), 0, time.Minute)
	if err != nil || ok || retry <= 59*time.Second || retry > time.Minute {
		t.Fatalf("ok=%v retry=%v err=%v, want refused for about a minute", ok, retry, err)
	}
}

// Concurrent attempts never take more than limit slots: the script is atomic.
func TestLimiterConcurrent(t *testing.T) {
	url := redisURL(t)
	rdb, err := Dial(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	l := NewLimiter(rdb, testPrefix)
	key := bustest.Topic(t)
	allowed := make(chan bool, 200)
	for range 200 {
		go func() {
			ok, _, _ := l.Allow(t.Context(), key, 37, time.Minute)
			allowed <- ok
		}()
	}
	n := 0
	for range 200 {
		if <-allowed {
			n++
		}
	}
	if n != 37 {
		t.Fatalf("%d attempts allowed, want 37", n)
	}
}

// With Redis down the limiter returns the error and no decision.
func TestLimiterRedisDown(t *testing.T) {
	redisURL(t)
	srv := redistest.Start(t)
	rdb, err := Dial(t.Context(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	l := NewLimiter(rdb, testPrefix)
	if ok, _, err := l.Allow(t.Context(), "k", 1, time.Minute); err != nil || !ok {
		t.Fatalf("ok=%v err=%v", ok, err)
	}
	srv.Stop()
	if ok, _, err := l.Allow(t.Context(), "k"+strconv.Itoa(1), 1, time.Minute); err == nil || ok {
		t.Fatalf("with Redis down: ok=%v err=%v, want an error and no permission", ok, err)
	}
}

func TestLimiterUndo(t *testing.T) {
	rdb, err := Dial(t.Context(), redisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	l := NewLimiter(rdb, testPrefix)
	ctx := t.Context()
	key := "undo:" + bustest.Topic(t)
	// Undo before any attempt, and more undos than attempts, never make room for extra ones.
	if err := l.Undo(ctx, key); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		l.Allow(ctx, key, 2, time.Minute)
	}
	if ok, _, _ := l.Allow(ctx, key, 2, time.Minute); ok {
		t.Fatal("third attempt allowed with limit 2")
	}
	l.Undo(ctx, key)
	if ok, _, _ := l.Allow(ctx, key, 2, time.Minute); !ok {
		t.Fatal("an undone attempt did not free its slot")
	}
	for range 5 {
		l.Undo(ctx, key)
	}
	for i := range 2 {
		if ok, _, _ := l.Allow(ctx, key, 2, time.Minute); !ok {
			t.Fatalf("attempt %d after undos refused", i+1)
		}
	}
	if ok, _, _ := l.Allow(ctx, key, 2, time.Minute); ok {
		t.Fatal("undo went below zero")
	}
}
