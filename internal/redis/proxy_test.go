package redis

import (
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/liveserver/liveserver/internal/memory/bustest"
)

// freezer is a loopback TCP proxy whose current connections can be frozen: they stay open
// but carry nothing, like a link that died without a FIN or RST.
type freezer struct {
	l      net.Listener
	target string

	mu     sync.Mutex
	conns  []net.Conn
	frozen chan struct{} // closed by freeze: pipes of connections open at that time stop
	wg     sync.WaitGroup
}

func newFreezer(t *testing.T, target string) *freezer {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &freezer{l: l, target: target, frozen: make(chan struct{})}
	f.wg.Go(f.accept)
	t.Cleanup(f.close)
	return f
}

func (f *freezer) addr() string { return f.l.Addr().String() }

func (f *freezer) accept() {
	for {
		c, err := f.l.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", f.target)
		if err != nil {
			c.Close()
			continue
		}
		f.mu.Lock()
		f.conns = append(f.conns, c, up)
		frozen := f.frozen
		f.mu.Unlock()
		f.wg.Go(func() { pipe(up, c, frozen) })
		f.wg.Go(func() { pipe(c, up, frozen) })
	}
}

// pipe copies until the connection ends or frozen closes; then it drops what it reads.
func pipe(dst, src net.Conn, frozen <-chan struct{}) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			select {
			case <-frozen:
			default:
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
		}
		if err != nil {
			dst.Close()
			return
		}
	}
}

func (f *freezer) freeze() {
	f.mu.Lock()
	defer f.mu.Unlock()
	close(f.frozen)
	f.frozen = make(chan struct{}) // new connections flow again
}

func (f *freezer) close() {
	f.l.Close()
	f.mu.Lock()
	for _, c := range f.conns {
		c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}

// A connection that goes silent without an error is noticed by the health check, replaced,
// and reported as a gap; messages flow again on the new one.
func TestSilentConnectionIsReplaced(t *testing.T) {
	url := redisURL(t)
	opt, err := goredis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newFreezer(t, opt.Addr)
	viaProxy := "redis://" + proxy.addr() + "/" + strconv.Itoa(opt.DB)
	b := newBus(t, viaProxy, WithHealthCheck(200*time.Millisecond))
	direct := newBus(t, url)
	topic := bustest.Topic(t)
	s, err := b.Subscribe(t.Context(), topic)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	proxy.freeze()
	// Published into the void: the frozen connection never delivers it.
	if err := direct.Publish(t.Context(), topic, []byte("lost")); err != nil {
		t.Fatal(err)
	}
	if m := bustest.Recv(t, s); m != nil {
		t.Fatalf("got %q, want a gap (nil)", m)
	}
	if err := direct.Publish(t.Context(), topic, []byte("after")); err != nil {
		t.Fatal(err)
	}
	if got := string(bustest.Recv(t, s)); got != "after" {
		t.Fatalf("got %q, want %q", got, "after")
	}
}
