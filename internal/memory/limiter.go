// Package memory holds the in-process implementations of the domain's ports: the defaults for
// one machine, and for tests.
package memory

import (
	"context"
	"sync"
	"time"
)

// Limiter is a fixed-window rate limiter held in this process. It starts no goroutine: expired
// windows are swept lazily, so memory stays bounded by the keys of the current windows.
type Limiter struct {
	now func() time.Time

	mu        sync.Mutex
	windows   map[string]*window
	nextSweep time.Time
}

type window struct {
	count int
	ends  time.Time
}

// NewLimiter returns an empty limiter; now is the clock (time.Now in production).
func NewLimiter(now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{now: now, windows: make(map[string]*window)}
}

// Allow records an attempt for key and reports whether it is within limit in this window.
func (l *Limiter) Allow(_ context.Context, key string, limit int, per time.Duration) (bool, time.Duration, error) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.After(l.nextSweep) {
		for k, w := range l.windows {
			if !now.Before(w.ends) {
				delete(l.windows, k)
			}
		}
		l.nextSweep = now.Add(time.Minute)
	}
	w, ok := l.windows[key]
	if !ok || !now.Before(w.ends) {
		w = &window{ends: now.Add(per)}
		l.windows[key] = w
	}
	if w.count >= limit {
		return false, w.ends.Sub(now), nil
	}
	w.count++
	return true, 0, nil
}

// Undo takes back one attempt of key's current window.
func (l *Limiter) Undo(_ context.Context, key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w, ok := l.windows[key]; ok && w.count > 0 && l.now().Before(w.ends) {
		w.count--
	}
	return nil
}
