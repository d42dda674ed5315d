package tlsserve

import (
	"bufio"
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"time"
)

// sniffTimeout bounds the wait for a new connection's first byte.
const sniffTimeout = 10 * time.Second

// Split serves TLS and plain HTTP on one port, told apart by the first byte a client sends (a
// TLS handshake record starts with 0x16): in LAN mode someone who types http://ADDRESS:3000 is
// redirected instead of getting an error. Each side is a net.Listener of its own; the port is
// closed once both are.
type Split struct {
	raw   net.Listener
	cfg   *tls.Config
	sides [2]*side // TLS, plain

	mu      sync.Mutex
	open    int                   // sides not closed yet
	pending map[net.Conn]struct{} // connections whose first byte has not come
	wg      sync.WaitGroup
}

// NewSplit starts accepting on raw.
func NewSplit(raw net.Listener, cfg *tls.Config) *Split {
	s := &Split{raw: raw, cfg: cfg, open: 2, pending: map[net.Conn]struct{}{}}
	for i := range s.sides {
		s.sides[i] = &side{s: s, conns: make(chan net.Conn), closed: make(chan struct{})}
	}
	s.wg.Add(1)
	go s.accept()
	return s
}

// TLS is the listener of TLS connections, already wrapped by tls.Server.
func (s *Split) TLS() net.Listener { return s.sides[0] }

// Plain is the listener of the other connections.
func (s *Split) Plain() net.Listener { return s.sides[1] }

func (s *Split) accept() {
	defer s.wg.Done()
	for {
		c, err := s.raw.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			return // closed
		}
		s.mu.Lock()
		if s.open == 0 {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.pending[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go s.route(c)
	}
}

// route reads the first byte and hands the connection to its side.
func (s *Split) route(c net.Conn) {
	defer s.wg.Done()
	c.SetReadDeadline(time.Now().Add(sniffTimeout))
	br := bufio.NewReader(c)
	first, err := br.Peek(1)
	c.SetReadDeadline(time.Time{})
	s.mu.Lock()
	delete(s.pending, c)
	s.mu.Unlock()
	if err != nil {
		c.Close()
		return
	}
	var conn net.Conn = &peeked{Conn: c, r: br}
	to := s.sides[1]
	if first[0] == 0x16 {
		conn, to = tls.Server(conn, s.cfg), s.sides[0]
	}
	select {
	case to.conns <- conn:
	case <-to.closed:
		conn.Close()
	}
}

// closeSide closes one side; the last one closes the port, and the connections still being
// sniffed, and waits for the goroutines.
func (s *Split) closeSide() error {
	s.mu.Lock()
	s.open--
	last := s.open == 0
	if last {
		for c := range s.pending {
			c.Close()
		}
	}
	s.mu.Unlock()
	if !last {
		return nil
	}
	err := s.raw.Close()
	s.wg.Wait()
	return err
}

type side struct {
	s      *Split
	conns  chan net.Conn
	once   sync.Once
	closed chan struct{}
}

func (l *side) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *side) Close() error {
	err := net.ErrClosed
	l.once.Do(func() {
		close(l.closed)
		err = l.s.closeSide()
	})
	return err
}

func (l *side) Addr() net.Addr { return l.s.raw.Addr() }

// peeked is a connection whose first bytes were read into r.
type peeked struct {
	net.Conn
	r *bufio.Reader
}

func (p *peeked) Read(b []byte) (int, error) { return p.r.Read(b) }
