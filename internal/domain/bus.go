package domain

import "context"

// Bus carries messages between the replicas of the server (Redis pub/sub) or within one
// process (the default). It is at-most-once: whatever must not be lost has a durable copy in
// the Store, and a subscriber told of a gap re-reads it from there.
type Bus interface {
	// Publish sends msg to every current subscriber of topic, on every replica.
	Publish(ctx context.Context, topic string, msg []byte) error
	// Subscribe starts delivering topic's messages. The subscription is live when Subscribe
	// returns: a message published after that is delivered (or a gap is reported).
	Subscribe(ctx context.Context, topic string) (Subscription, error)
	// Ping reports whether the bus works (for /readyz).
	Ping(ctx context.Context) error
}

// Subscription is one subscriber's view of a topic.
type Subscription interface {
	// C delivers messages in publish order. A nil message is a gap: messages may have been
	// lost (e.g. the connection to Redis dropped and came back), so the subscriber re-reads
	// what it must not miss from the Store. C is closed when the subscription ends: by Close,
	// by its context, or because the subscriber fell too far behind (Err says which).
	C() <-chan []byte
	// Err is why C was closed: nil after Close or the context's end, ErrSlowSubscriber when
	// the subscriber's queue overflowed.
	Err() error
	// Close ends the subscription and releases its resources; it is safe to call twice.
	Close() error
}
