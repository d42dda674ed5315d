// Package redis holds the Redis implementations of the domain's ports: the Bus between the
// replicas of the server, and the shared rate Limiter.
package redis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/fanout"
)

// DefaultPrefix starts every key and channel name we use, so a Redis shared with other
// applications is safe.
const DefaultPrefix = "liveserver:"

// Bus is the domain.Bus across replicas. A topic is the Redis channel prefix+topic. Each
// process holds one pub/sub connection with one pattern subscription, prefix*, confirmed by
// Redis before New returns, so a Subscribe is local: it adds a subscriber to the Fanout, and
// the subscription is live at once. The reader hands each message to the Fanout (the local
// subscribers' bounded queues, with the same slow-subscriber rule as the in-process bus) and
// drops those of topics nobody here subscribes to.
//
// When the pub/sub connection drops, go-redis redials and subscribes the pattern again; Redis
// confirms that, and every local subscriber then gets a nil message (a gap), since whatever
// was published in between is lost.
type Bus struct {
	log     *slog.Logger
	rdb     *goredis.Client
	prefix  string
	pattern string
	health  time.Duration
	fan     *fanout.Fanout

	// mu guards ps, which only the reader replaces and Close closes.
	mu     sync.Mutex
	ps     *goredis.PubSub
	closed bool

	quit chan struct{} // closed by Close
	done chan struct{} // closed when the reader has stopped
}

var _ domain.Bus = (*Bus)(nil)

// Option configures a Bus.
type Option func(*config)

type config struct {
	prefix     string
	queueSize  int
	health     time.Duration
	subTimeout time.Duration
}

// WithPrefix sets the prefix of channel names (DefaultPrefix by default).
func WithPrefix(p string) Option { return func(c *config) { c.prefix = p } }

// WithQueueSize sets how many messages a local subscriber may fall behind before it is cut off.
func WithQueueSize(n int) Option { return func(c *config) { c.queueSize = n } }

// WithHealthCheck sets how long the pub/sub connection may stay silent before it is pinged;
// a ping unanswered for as long again means the connection is dead (a silent network failure
// that TCP would report only after many minutes), and it is replaced.
func WithHealthCheck(d time.Duration) Option { return func(c *config) { c.health = d } }

// New connects to the Redis at url (redis://[user:password@]host:port/db, or rediss:// for
// TLS) and starts the bus once Redis has confirmed its subscription. It fails when Redis does
// not answer, so a misconfigured replica stops at start-up instead of running deaf.
func New(ctx context.Context, url string, log *slog.Logger, opts ...Option) (*Bus, error) {
	c := config{prefix: DefaultPrefix, queueSize: fanout.DefaultQueueSize, health: 5 * time.Second, subTimeout: 10 * time.Second}
	for _, o := range opts {
		o(&c)
	}
	rdb, err := Dial(ctx, url)
	if err != nil {
		return nil, err
	}
	b := &Bus{
		log:     log,
		rdb:     rdb,
		prefix:  c.prefix,
		pattern: globEscape(c.prefix) + "*",
		health:  c.health,
		fan:     fanout.New(c.queueSize),
		quit:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	if b.ps, err = b.subscribe(ctx, c.subTimeout); err != nil {
		rdb.Close()
		return nil, err
	}
	go b.read()
	return b, nil
}

// subscribe opens a pub/sub connection and waits until Redis has confirmed its pattern
// subscription: from then on, every message published under the prefix reaches the reader.
func (b *Bus) subscribe(ctx context.Context, timeout time.Duration) (*goredis.PubSub, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ps := b.rdb.Subscribe(ctx) // no channels: it connects with the PSUBSCRIBE
	err := ps.PSubscribe(ctx, b.pattern)
	for err == nil {
		var msg any
		if msg, err = ps.Receive(ctx); err == nil {
			if m, ok := msg.(*goredis.Subscription); ok && m.Kind == "psubscribe" {
				return ps, nil
			}
		}
	}
	ps.Close()
	return nil, fmt.Errorf("redis bus: subscribe %q: %w", b.pattern, err)
}

// globEscape quotes the characters that are special in a Redis glob pattern, so the prefix
// matches only itself.
func globEscape(s string) string {
	var sb strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			sb.WriteByte('\\')
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// Dial opens a client for url and checks that Redis answers. The error names the address,
// never the URL, which may hold a password.
func Dial(ctx context.Context, url string) (*goredis.Client, error) {
	opt, err := goredis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis: parse URL: %w", err)
	}
	rdb := goredis.NewClient(opt)
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("redis: ping %s: %w", opt.Addr, err)
	}
	return rdb, nil
}

// Client is the bus's Redis client, to share its connection pool (e.g. with NewLimiter).
func (b *Bus) Client() *goredis.Client { return b.rdb }

// Publish sends msg to the topic's subscribers on every replica. Redis down is an error.
func (b *Bus) Publish(ctx context.Context, topic string, msg []byte) error {
	if err := b.rdb.Publish(ctx, b.prefix+topic, msg).Err(); err != nil {
		return fmt.Errorf("redis bus: publish %q: %w", topic, err)
	}
	return nil
}

// Ping reports whether Redis answers.
func (b *Bus) Ping(ctx context.Context) error {
	if err := b.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis bus: ping: %w", err)
	}
	return nil
}

// Subscribe starts delivering topic's messages. It asks nothing of Redis: the bus's pattern
// subscription already carries every topic, so a message published on any replica after
// Subscribe returns is delivered, or, if the connection to Redis is down meanwhile, a gap is
// reported once it is back.
func (b *Bus) Subscribe(ctx context.Context, topic string) (domain.Subscription, error) {
	s, err := b.fan.Subscribe(ctx, topic)
	if err != nil {
		return nil, fmt.Errorf("redis bus: %w", err)
	}
	return s, nil
}

// read receives from the pub/sub connection until Close.
func (b *Bus) read() {
	defer close(b.done)
	b.mu.Lock()
	ps := b.ps
	b.mu.Unlock()
	pinged := false
	failures := 0
	for {
		msg, err := ps.ReceiveTimeout(context.Background(), b.health)
		select {
		case <-b.quit:
			return
		default:
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				if pinged {
					b.log.Warn("redis bus: pub/sub connection silent, replacing it", "after", 2*b.health)
					if ps = b.replace(); ps == nil {
						return
					}
					pinged = false
					continue
				}
				ctx, cancel := context.WithTimeout(context.Background(), b.health)
				pinged = ps.Ping(ctx) == nil
				cancel()
				continue
			}
			// The connection failed; go-redis redials and subscribes again on the next
			// Receive, and the renewed confirmation reports the gap.
			if failures == 0 {
				b.log.Warn("redis bus: pub/sub connection lost, reconnecting", "err", err)
			}
			failures++
			if !b.sleep(min(time.Duration(failures)*100*time.Millisecond, time.Second)) {
				return
			}
			continue
		}
		if failures > 0 {
			b.log.Info("redis bus: pub/sub connection back", "after_failures", failures)
			failures = 0
		}
		pinged = false
		switch m := msg.(type) {
		case *goredis.Message:
			if topic, ok := strings.CutPrefix(m.Channel, b.prefix); ok {
				b.fan.Deliver(topic, []byte(m.Payload))
			}
		case *goredis.Subscription:
			// New consumed the first confirmation; any other is of a renewed subscription.
			if m.Kind == "psubscribe" {
				b.log.Info("redis bus: subscription renewed, reporting a gap")
				b.fan.Gap()
			}
		}
	}
}

// replace swaps a dead pub/sub connection for a new one subscribed to the same pattern. It
// returns nil when the bus is being closed. The new subscription's confirmation reaches the
// reader like a reconnect's, and reports the gap.
func (b *Bus) replace() *goredis.PubSub {
	ps := b.rdb.Subscribe(context.Background())
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		ps.Close()
		return nil
	}
	old := b.ps
	b.ps = ps
	b.mu.Unlock()
	old.Close()
	ctx, cancel := context.WithTimeout(context.Background(), b.health)
	defer cancel()
	// On error go-redis still remembers the pattern and subscribes it on reconnect.
	if err := ps.PSubscribe(ctx, b.pattern); err != nil {
		b.log.Warn("redis bus: resubscribe failed, will retry", "err", err)
	}
	return ps
}

func (b *Bus) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-b.quit:
		return false
	}
}

// Close ends every subscription (their Err is nil), stops the reader and closes the client.
func (b *Bus) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	ps := b.ps
	b.mu.Unlock()
	close(b.quit)
	ps.Close() // unblocks the reader
	<-b.done
	b.fan.Close()
	if err := b.rdb.Close(); err != nil {
		return fmt.Errorf("redis bus: close: %w", err)
	}
	return nil
}
