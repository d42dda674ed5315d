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
	"github.com/liveserver/liveserver/internal/memory"
)

// DefaultPrefix starts every key and channel name we use, so a Redis shared with other
// applications is safe.
const DefaultPrefix = "liveserver:"

// Bus is the domain.Bus across replicas. Each process holds one Redis connection for
// pub/sub and one Redis subscription per topic, however many local subscribers the topic
// has; a local Fanout hands each message to them through their bounded queues, with the same
// slow-subscriber rule as the in-process bus.
//
// When the pub/sub connection drops, go-redis redials and subscribes again; every local
// subscriber of a topic whose subscription was renewed then gets a nil message (a gap), since
// whatever was published in between is lost.
type Bus struct {
	log        *slog.Logger
	rdb        *goredis.Client
	prefix     string
	health     time.Duration
	subTimeout time.Duration
	fan        *memory.Fanout

	// cmdMu orders our SUBSCRIBE and UNSUBSCRIBE commands with the decisions behind them, so
	// that what Redis does matches the channels map.
	cmdMu sync.Mutex
	// ps is the pub/sub connection. Only the reader replaces it, holding cmdMu.
	ps *goredis.PubSub

	mu       sync.Mutex
	channels map[string]*channel // by topic
	closed   bool

	quit chan struct{} // closed by Close
	done chan struct{} // closed when the reader has stopped
}

// channel is the state of one topic's Redis subscription.
type channel struct {
	// ready is closed when Redis confirmed the subscription: from then on it delivers.
	ready chan struct{}
	live  bool
	// leaving: UNSUBSCRIBE was sent; gone is closed once Redis confirmed it (or the connection
	// it was sent on is gone). A new subscriber of the topic waits for that, so that no
	// confirmation meant for the old subscription is taken for its own.
	leaving bool
	gone    chan struct{}
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
// TLS) and starts the bus. It fails when Redis does not answer, so a misconfigured replica
// stops at start-up instead of running deaf.
func New(ctx context.Context, url string, log *slog.Logger, opts ...Option) (*Bus, error) {
	c := config{prefix: DefaultPrefix, queueSize: memory.DefaultQueueSize, health: 5 * time.Second, subTimeout: 10 * time.Second}
	for _, o := range opts {
		o(&c)
	}
	rdb, err := Dial(ctx, url)
	if err != nil {
		return nil, err
	}
	b := &Bus{
		log:        log,
		rdb:        rdb,
		prefix:     c.prefix,
		health:     c.health,
		subTimeout: c.subTimeout,
		channels:   make(map[string]*channel),
		quit:       make(chan struct{}),
		done:       make(chan struct{}),
	}
	b.fan = memory.NewFanout(c.queueSize, b.unsubscribe)
	b.ps = rdb.Subscribe(context.Background())
	go b.read()
	return b, nil
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

// Subscribe starts delivering topic's messages. It returns once Redis has confirmed the
// topic's subscription (at once when this process already holds it), so a message published
// on any replica after that is delivered.
func (b *Bus) Subscribe(ctx context.Context, topic string) (domain.Subscription, error) {
	deadline := time.NewTimer(b.subTimeout)
	defer deadline.Stop()
	for {
		b.cmdMu.Lock()
		b.mu.Lock()
		ch := b.channels[topic]
		if ch != nil && ch.leaving {
			b.mu.Unlock()
			b.cmdMu.Unlock()
			if err := b.await(ctx, ch.gone, deadline.C, topic); err != nil {
				// The confirmation may have been lost with a connection the reader never
				// saw fail; forget the old state so the next attempt starts afresh.
				b.mu.Lock()
				if ctx.Err() == nil && b.channels[topic] == ch {
					delete(b.channels, topic)
					close(ch.gone)
				}
				b.mu.Unlock()
				return nil, err
			}
			continue
		}
		b.mu.Unlock()
		sub, err := b.fan.Subscribe(ctx, topic)
		if err != nil {
			b.cmdMu.Unlock()
			return nil, fmt.Errorf("redis bus: %w", err)
		}
		if ch == nil {
			ch = &channel{ready: make(chan struct{})}
			b.mu.Lock()
			b.channels[topic] = ch
			b.mu.Unlock()
			err = b.send(ctx, func(ctx context.Context) error { return b.ps.Subscribe(ctx, b.prefix+topic) })
		}
		b.cmdMu.Unlock()
		if err == nil {
			err = b.await(ctx, ch.ready, deadline.C, topic)
		} else {
			err = fmt.Errorf("redis bus: subscribe %q: %w", topic, err)
		}
		if err != nil {
			// Closing the last local subscriber drops the Redis subscription too.
			sub.Close()
			return nil, err
		}
		return sub, nil
	}
}

// send writes a command on the pub/sub connection, bounded by the subscribe timeout but not
// cancelled with ctx: go-redis drops a connection whose command was cancelled, and one
// subscriber giving up must not cost every topic a reconnect and a gap.
func (b *Bus) send(ctx context.Context, cmd func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.subTimeout)
	defer cancel()
	return cmd(ctx)
}

func (b *Bus) await(ctx context.Context, c <-chan struct{}, deadline <-chan time.Time, topic string) error {
	select {
	case <-c:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("redis bus: subscribe %q: %w", topic, ctx.Err())
	case <-deadline:
		return fmt.Errorf("redis bus: subscribe %q: no confirmation from Redis within %v", topic, b.subTimeout)
	case <-b.quit:
		return fmt.Errorf("redis bus: subscribe %q: %w", topic, memory.ErrClosed)
	}
}

// unsubscribe drops the Redis subscription of a topic that lost its last local subscriber.
func (b *Bus) unsubscribe(topic string) {
	b.cmdMu.Lock()
	defer b.cmdMu.Unlock()
	if b.fan.Has(topic) {
		return // a new subscriber came meanwhile and shares the subscription
	}
	b.mu.Lock()
	ch := b.channels[topic]
	if ch == nil || ch.leaving || b.closed {
		b.mu.Unlock()
		return
	}
	ch.leaving = true
	ch.gone = make(chan struct{})
	b.mu.Unlock()
	err := b.send(context.Background(), func(ctx context.Context) error { return b.ps.Unsubscribe(ctx, b.prefix+topic) })
	if err != nil {
		// go-redis forgot the channel, so the next connection will not subscribe it again;
		// the reader settles the state when it sees that connection fail.
		b.log.Warn("redis bus: unsubscribe failed", "topic", topic, "err", err)
	}
}

// read receives from the pub/sub connection until Close.
func (b *Bus) read() {
	defer close(b.done)
	pinged := false
	failures := 0
	for {
		msg, err := b.ps.ReceiveTimeout(context.Background(), b.health)
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
					b.replace()
					pinged = false
					continue
				}
				ctx, cancel := context.WithTimeout(context.Background(), b.health)
				pinged = b.ps.Ping(ctx) == nil
				cancel()
				continue
			}
			// The connection failed; go-redis redials and subscribes again on the next
			// Receive, and the renewed confirmations report the gaps.
			if failures == 0 {
				b.log.Warn("redis bus: pub/sub connection lost, reconnecting", "err", err)
			}
			failures++
			b.settleLeaving()
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
			topic, ok := strings.CutPrefix(m.Channel, b.prefix)
			if ok {
				b.fan.Deliver(topic, []byte(m.Payload))
			}
		case *goredis.Subscription:
			topic, ok := strings.CutPrefix(m.Channel, b.prefix)
			if !ok {
				continue
			}
			switch m.Kind {
			case "subscribe":
				b.confirmed(topic)
			case "unsubscribe":
				b.left(topic)
			}
		}
	}
}

// confirmed handles Redis's confirmation of a topic's subscription: the first one makes the
// subscription live; a later one means it was renewed on a new connection, so there is a gap.
func (b *Bus) confirmed(topic string) {
	b.mu.Lock()
	ch := b.channels[topic]
	gap := false
	switch {
	case ch == nil || ch.leaving:
	case !ch.live:
		ch.live = true
		close(ch.ready)
	default:
		gap = true
	}
	b.mu.Unlock()
	if gap {
		b.log.Info("redis bus: subscription renewed, reporting a gap", "topic", topic)
		b.fan.Deliver(topic, nil)
	}
}

// left forgets a topic whose unsubscription Redis confirmed.
func (b *Bus) left(topic string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ch := b.channels[topic]; ch != nil && ch.leaving {
		delete(b.channels, topic)
		close(ch.gone)
	}
}

// settleLeaving forgets every topic being unsubscribed: the connection that carried the
// UNSUBSCRIBE is gone, and go-redis will not subscribe those topics again.
func (b *Bus) settleLeaving() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for topic, ch := range b.channels {
		if ch.leaving {
			delete(b.channels, topic)
			close(ch.gone)
		}
	}
}

// replace swaps a dead pub/sub connection for a new one subscribed to the same topics.
func (b *Bus) replace() {
	b.cmdMu.Lock()
	defer b.cmdMu.Unlock()
	select {
	case <-b.quit:
		return // Close has closed ps; a new one would outlive the bus
	default:
	}
	b.ps.Close()
	b.settleLeaving()
	b.mu.Lock()
	chans := make([]string, 0, len(b.channels))
	for topic := range b.channels {
		chans = append(chans, b.prefix+topic)
	}
	b.mu.Unlock()
	b.ps = b.rdb.Subscribe(context.Background())
	if len(chans) > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), b.health)
		defer cancel()
		// On error go-redis still remembers the channels and subscribes them on reconnect.
		if err := b.ps.Subscribe(ctx, chans...); err != nil {
			b.log.Warn("redis bus: resubscribe failed, will retry", "err", err)
		}
	}
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
	b.mu.Unlock()
	close(b.quit)
	b.cmdMu.Lock()
	b.ps.Close() // unblocks the reader
	b.cmdMu.Unlock()
	<-b.done
	b.fan.Close()
	if err := b.rdb.Close(); err != nil {
		return fmt.Errorf("redis bus: close: %w", err)
	}
	return nil
}
