package memory

import (
	"context"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewLimiter(func() time.Time { return now })
	ctx := context.Background()
	for i := range 5 {
		if ok, _, _ := l.Allow(ctx, "pin:1.2.3.4", 5, time.Minute); !ok {
			t.Fatalf("attempt %d refused, want allowed", i+1)
		}
	}
	ok, retry, _ := l.Allow(ctx, "pin:1.2.3.4", 5, time.Minute)
	if ok || retry != time.Minute {
		t.Fatalf("6th attempt: ok=%v retry=%v, want refused with 1m", ok, retry)
	}
	if ok, _, _ := l.Allow(ctx, "pin:5.6.7.8", 5, time.Minute); !ok {
		t.Fatal("another key must have its own window")
	}
	now = now.Add(40 * time.Second)
	if _, retry, _ := l.Allow(ctx, "pin:1.2.3.4", 5, time.Minute); retry != 20*time.Second {
		t.Fatalf("retry after 40s = %v, want 20s", retry)
	}
	now = now.Add(21 * time.Second)
	if ok, _, _ := l.Allow(ctx, "pin:1.2.3.4", 5, time.Minute); !ok {
		t.Fatal("a new window must allow again")
	}
	now = now.Add(2 * time.Minute)
	l.Allow(ctx, "other", 1, time.Minute)
	if len(l.windows) != 1 {
		t.Fatalf("expired windows not swept: %d left", len(l.windows))
	}
}

func TestLimiterUndo(t *testing.T) {
	l := NewLimiter(nil)
	ctx := context.Background()
	l.Undo(ctx, "k")
	l.Allow(ctx, "k", 2, time.Minute)
	l.Allow(ctx, "k", 2, time.Minute)
	if ok, _, _ := l.Allow(ctx, "k", 2, time.Minute); ok {
		t.Fatal("third attempt allowed with limit 2")
	}
	l.Undo(ctx, "k")
	if ok, _, _ := l.Allow(ctx, "k", 2, time.Minute); !ok {
		t.Fatal("an undone attempt did not free its slot")
	}
	for range 5 {
		l.Undo(ctx, "k")
	}
	l.Allow(ctx, "k", 2, time.Minute)
	l.Allow(ctx, "k", 2, time.Minute)
	if ok, _, _ := l.Allow(ctx, "k", 2, time.Minute); ok {
		t.Fatal("undo went below zero")
	}
}
