package memory

import (
	"context"
	"fmt"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/fanout"
)

// Bus is the in-process domain.Bus: the default on one machine, where every subscriber lives
// in this process. Publish never blocks on a subscriber; one that falls behind is cut off with
// domain.ErrSlowSubscriber and resumes from the Store.
type Bus struct {
	fan *fanout.Fanout
}

var _ domain.Bus = (*Bus)(nil)

// BusOption configures a Bus.
type BusOption func(*busConfig)

type busConfig struct {
	queueSize int
}

// WithQueueSize sets how many messages a subscriber may fall behind before it is cut off.
func WithQueueSize(n int) BusOption {
	return func(c *busConfig) { c.queueSize = n }
}

// NewBus returns an empty Bus. It starts no goroutine.
func NewBus(opts ...BusOption) *Bus {
	c := busConfig{queueSize: fanout.DefaultQueueSize}
	for _, o := range opts {
		o(&c)
	}
	return &Bus{fan: fanout.New(c.queueSize)}
}

// Publish delivers a copy of msg to the topic's current subscribers; the caller may reuse msg.
func (b *Bus) Publish(ctx context.Context, topic string, msg []byte) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("publish %q: %w", topic, err)
	}
	// A copy, so the caller can reuse its buffer; never nil, which would read as a gap.
	b.fan.Deliver(topic, append(make([]byte, 0, len(msg)), msg...))
	return nil
}

// Subscribe starts delivering topic's messages; the subscription is live on return.
func (b *Bus) Subscribe(ctx context.Context, topic string) (domain.Subscription, error) {
	s, err := b.fan.Subscribe(ctx, topic)
	if err != nil {
		return nil, fmt.Errorf("memory bus: %w", err)
	}
	return s, nil
}

// Ping always succeeds: nothing outside the process can fail.
func (b *Bus) Ping(context.Context) error { return nil }

// Close ends every subscription (at shutdown, so SSE streams finish) and refuses new ones.
func (b *Bus) Close() error {
	b.fan.Close()
	return nil
}
