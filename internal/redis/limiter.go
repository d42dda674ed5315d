package redis

import (
	"context"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/liveserver/liveserver/internal/domain"
)

// Limiter is the domain.Limiter shared by all replicas: a fixed window per key, counted in
// Redis, with the same rules as memory.Limiter: the window starts at the first attempt, a
// refused attempt does not count, and retryAfter is what is left of the window.
//
// When Redis is down, Allow returns the error and no decision; the caller chooses between
// failing open and closed (a login form may fail closed, a chat message open).
type Limiter struct {
	rdb    goredis.Scripter
	prefix string
}

var _ domain.Limiter = (*Limiter)(nil)

// allowScript does the whole decision in one atomic step, so replicas racing on a key never
// both take the last slot. KEYS[1] the counter; ARGV[1] the limit; ARGV[2] the window in ms.
// It returns {1, 0} when allowed and {0, milliseconds left} when refused.
var allowScript = goredis.NewScript(`
local n = redis.call('GET', KEYS[1])
if not n then
  redis.call('SET', KEYS[1], 0, 'PX', ARGV[2])
  n = 0
else
  n = tonumber(n)
end
if n >= tonumber(ARGV[1]) then
  local left = redis.call('PTTL', KEYS[1])
  if left < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    left = tonumber(ARGV[2])
  end
  return {0, left}
end
redis.call('INCR', KEYS[1])
return {1, 0}
`)

// NewLimiter counts in rdb (e.g. Bus.Client()), under keys that start with prefix
// (DefaultPrefix when empty) followed by "rate:".
func NewLimiter(rdb goredis.Scripter, prefix string) *Limiter {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return &Limiter{rdb: rdb, prefix: prefix + "rate:"}
}

// Allow records an attempt for key and reports whether it is within limit in this window.
func (l *Limiter) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	ms := window.Milliseconds()
	if ms < 1 {
		ms = 1 // Redis expiries are in whole milliseconds, and 0 would mean none
	}
	res, err := allowScript.Run(ctx, l.rdb, []string{l.prefix + key}, limit, ms).Int64Slice()
	if err != nil {
		return false, 0, fmt.Errorf("redis limiter: %w", err)
	}
	if len(res) != 2 {
		return false, 0, fmt.Errorf("redis limiter: unexpected reply %v", res)
	}
	if res[0] == 1 {
		return true, 0, nil
	}
	return false, time.Duration(res[1]) * time.Millisecond, nil
}

// undoScript takes one attempt back, never below zero, keeping the window's expiry.
var undoScript = goredis.NewScript(`
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then
  redis.call('DECR', KEYS[1])
end
return 0
`)

// Undo takes back one attempt of key's current window.
func (l *Limiter) Undo(ctx context.Context, key string) error {
	if err := undoScript.Run(ctx, l.rdb, []string{l.prefix + key}).Err(); err != nil {
		return fmt.Errorf("redis limiter: %w", err)
	}
	return nil
}
