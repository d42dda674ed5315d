package memory

import (
	"context"
	"strconv"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/memory/bustest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestBus(t *testing.T) {
	bustest.Run(t, func(t *testing.T, queueSize int) domain.Bus {
		b := NewBus(WithQueueSize(queueSize))
		t.Cleanup(func() { b.Close() })
		return b
	})
}

func TestBusCloseEndsSubscriptions(t *testing.T) {
	b := NewBus()
	s, err := b.Subscribe(t.Context(), "room.1")
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	bustest.WaitClosed(t, s)
	if s.Err() != nil {
		t.Fatalf("Err = %v, want nil at shutdown", s.Err())
	}
	if _, err := b.Subscribe(t.Context(), "room.1"); err == nil {
		t.Fatal("Subscribe after Close succeeded")
	}
}

// BenchmarkPublishFanout measures one message delivered to every subscriber of a topic, all
// of them reading concurrently (ns/op is per message, not per delivery).
func BenchmarkPublishFanout(b *testing.B) {
	for _, n := range []int{1, 100, 1000} {
		b.Run("subs="+strconv.Itoa(n), func(b *testing.B) {
			const batch = 512 // the publisher waits for every reader after each batch
			bus := NewBus(WithQueueSize(2 * batch))
			defer bus.Close()
			var caughtUp sync.WaitGroup
			var readers sync.WaitGroup
			for range n {
				s, err := bus.Subscribe(context.Background(), "bench")
				if err != nil {
					b.Fatal(err)
				}
				readers.Go(func() {
					got := 0
					for range s.C() {
						if got++; got%batch == 0 {
							caughtUp.Done()
						}
					}
					if s.Err() != nil {
						b.Error(s.Err())
					}
				})
			}
			msg := []byte(`{"type":"chat","id":123,"text":"hello, class"}`)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i += batch {
				k := min(batch, b.N-i)
				if k == batch {
					caughtUp.Add(n)
				}
				for range k {
					bus.Publish(ctx, "bench", msg)
				}
				if k == batch {
					caughtUp.Wait()
				}
			}
			// Closing lets the readers drain what is queued and stop; that is part of the cost.
			bus.Close()
			readers.Wait()
		})
	}
}
