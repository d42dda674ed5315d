package fanout

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/liveserver/liveserver/internal/memory/bustest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// The fan-out forgets a topic with its last subscriber, so topics of ended rooms cost nothing.
func TestFanoutForgetsIdleTopics(t *testing.T) {
	f := New(4)
	a, _ := f.Subscribe(t.Context(), "a")
	a2, _ := f.Subscribe(t.Context(), "a")
	a.Close()
	if !f.Has("a") {
		t.Fatalf("topic dropped while a subscriber remains (topics %v)", f.Topics())
	}
	a2.Close()
	if f.Has("a") || len(f.Topics()) != 0 {
		t.Fatalf("topic kept after its last subscriber left (topics %v)", f.Topics())
	}
	// An overflow releases the subscriber too.
	s, _ := f.Subscribe(t.Context(), "b")
	for range 5 {
		f.Deliver("b", []byte("x"))
	}
	if f.Has("b") || len(f.Topics()) != 0 {
		t.Fatalf("slow subscriber not released: topics %v", f.Topics())
	}
	bustest.WaitClosed(t, s)
}

// Gap gives every subscriber of every topic one gap notice, in line with its messages.
func TestGapReachesEverySubscriber(t *testing.T) {
	f := New(4)
	defer f.Close()
	a1, _ := f.Subscribe(t.Context(), "a")
	a2, _ := f.Subscribe(t.Context(), "a")
	b, _ := f.Subscribe(t.Context(), "b")
	f.Deliver("a", []byte("before"))
	f.Gap()
	f.Deliver("a", []byte("after"))
	for i, s := range []*Subscription{a1, a2} {
		for _, want := range []string{"before", "", "after"} {
			m := bustest.Recv(t, s)
			if (want == "") != (m == nil) || string(m) != want {
				t.Fatalf("subscriber %d of a: got %q (nil %v), want %q", i, m, m == nil, want)
			}
		}
	}
	if m := bustest.Recv(t, b); m != nil {
		t.Fatalf("subscriber of b: got %q, want a gap (nil)", m)
	}
	select {
	case m := <-b.C():
		t.Fatalf("subscriber of b got %q after its one gap notice", m)
	default:
	}
}
