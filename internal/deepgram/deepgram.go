// Package deepgram is the domain's STT on Deepgram live streaming (/v1/listen over a websocket),
// with a client of our own on github.com/coder/websocket. The official SDK is not used: it
// closes the socket before the last final result arrives, and after a dropped connection it
// goes on mid-stream without the Ogg headers and with times restarting at zero (DESIGN.md §7).
//
// Audio goes out as the Ogg/Opus pages it was written in. An ogg.Replay keeps the two header
// pages and every page after the last final result; when the connection drops the stream
// redials, sends the headers and those pages again (rebased into a fresh stream that starts at
// time zero) and shifts the new connection's result times by where the replay starts, so
// nothing already final is lost or repeated and times keep counting from the start of the
// stream.
package deepgram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/ogg"
)

// Config says which server, key and model. Nothing is read from the environment.
type Config struct {
	BaseURL  string // wss://api.deepgram.com when empty; http(s):// and ws(s):// both work
	APIKey   string
	Model    string // e.g. "nova-3"
	Language string // used when STTOptions.Language is empty; empty too: the model's default
	// KeepAlive is how long the stream may go without audio before it sends a KeepAlive
	// message (Deepgram closes a silent connection after about 10 s); 5 s when zero.
	KeepAlive time.Duration
	// Redials is how many times a dropped connection is redialled before the stream fails;
	// 4 when zero. Backoff is the first wait between tries, doubled each time; 250 ms when zero.
	Redials int
	Backoff time.Duration
	// HTTPClient dials the websocket; http.DefaultClient when nil.
	HTTPClient *http.Client
}

// Client opens Deepgram streams.
type Client struct{ cfg Config }

var _ domain.STT = (*Client)(nil)

// New checks the config and fills in defaults.
func New(cfg Config) (*Client, error) {
	if cfg.APIKey == "" || cfg.Model == "" {
		return nil, errors.New("deepgram: API key and model are required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "wss://api.deepgram.com"
	}
	if _, err := url.Parse(cfg.BaseURL); err != nil {
		return nil, fmt.Errorf("deepgram: base URL: %w", err)
	}
	if cfg.KeepAlive <= 0 {
		cfg.KeepAlive = 5 * time.Second
	}
	if cfg.Redials <= 0 {
		cfg.Redials = 4
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 250 * time.Millisecond
	}
	return &Client{cfg: cfg}, nil
}

// listenURL is the /v1/listen address. Encoding and sample rate are left out: Deepgram reads
// them from the Ogg container.
func (c *Client) listenURL(lang string) string {
	q := url.Values{}
	q.Set("model", c.cfg.Model)
	if lang != "" {
		q.Set("language", lang)
	}
	q.Set("interim_results", "true")
	q.Set("punctuate", "true")
	q.Set("smart_format", "true")
	return strings.TrimRight(c.cfg.BaseURL, "/") + "/v1/listen?" + q.Encode()
}

func (c *Client) dial(ctx context.Context, u string) (*websocket.Conn, error) {
	conn, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{
		HTTPClient: c.cfg.HTTPClient,
		HTTPHeader: http.Header{"Authorization": {"Token " + c.cfg.APIKey}},
	})
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("deepgram: dial: HTTP %d (%s): %w", resp.StatusCode, resp.Header.Get("dg-error"), err)
		}
		return nil, fmt.Errorf("deepgram: dial: %w", err)
	}
	conn.SetReadLimit(1 << 20)
	return conn, nil
}

// Open dials the first connection; ctx bounds only that. The stream lives until Close.
func (c *Client) Open(ctx context.Context, opts domain.STTOptions) (domain.STTStream, error) {
	lang := opts.Language
	if lang == "" {
		lang = c.cfg.Language
	}
	u := c.listenURL(lang)
	conn, err := c.dial(ctx, u)
	if err != nil {
		return nil, err
	}
	life, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &stream{
		c: c, url: u, lang: lang, life: life, cancel: cancel,
		results:   make(chan domain.STTResult, 64),
		done:      make(chan struct{}),
		conn:      conn,
		lastAudio: time.Now(),
	}
	go s.run(conn)
	go s.keepAlive()
	return s, nil
}

type stream struct {
	c      *Client
	url    string
	lang   string
	life   context.Context // ends when Close gives up waiting
	cancel context.CancelFunc

	results chan domain.STTResult
	done    chan struct{} // closed after results

	writeMu sync.Mutex // orders what goes on the wire: Write, a replay, KeepAlive, CloseStream

	mu        sync.Mutex
	split     ogg.Splitter
	replay    ogg.Replay // the headers and the pages not yet covered by a final result
	conn      *websocket.Conn
	offsetMs  int64 // added to this connection's result times: where its replay started
	closing   bool  // Close was called
	closeSent *websocket.Conn
	lastAudio time.Time
	err       error
}

// Write sends whole Ogg pages (an incomplete tail is held for the next Write). While the
// connection is down the pages are only kept, and go out with the replay after the redial.
func (s *stream) Write(data []byte) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return errors.New("deepgram: write after Close")
	}
	if s.err != nil {
		err := s.err
		s.mu.Unlock()
		return err
	}
	// The pages are kept for a replay; after one they come back rewritten to follow on in it.
	pages, err := s.split.Push(data)
	var out []byte
	for i := 0; err == nil && i < len(pages); i++ {
		var p ogg.Page
		if p, err = s.replay.Add(pages[i]); err == nil {
			out = append(out, p.Raw...)
		}
	}
	if err != nil {
		s.mu.Unlock()
		return fmt.Errorf("deepgram: %w", err)
	}
	conn := s.conn
	s.mu.Unlock()
	if conn == nil || len(out) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(s.life, 10*time.Second)
	defer cancel()
	// A failed write ends the connection; the reader sees it and the pages are replayed.
	if conn.Write(ctx, websocket.MessageBinary, out) == nil {
		s.mu.Lock()
		s.lastAudio = time.Now()
		s.mu.Unlock()
	}
	return nil
}

type message struct {
	Type        string  `json:"type"`
	IsFinal     bool    `json:"is_final"`
	SpeechFinal bool    `json:"speech_final"`
	Start       float64 `json:"start"`
	Duration    float64 `json:"duration"`
	Channel     struct {
		Alternatives []struct {
			Transcript string `json:"transcript"`
		} `json:"alternatives"`
	} `json:"channel"`
}

// run reads each connection until the stream ends, redialling after a drop.
func (s *stream) run(conn *websocket.Conn) {
	defer close(s.done)
	defer close(s.results)
	tries := s.c.cfg.Redials
	for {
		got, err := s.read(conn)
		s.mu.Lock()
		s.conn = nil
		finished := s.closeSent == conn && websocket.CloseStatus(err) == websocket.StatusNormalClosure
		s.mu.Unlock()
		conn.CloseNow()
		if finished || s.life.Err() != nil {
			return
		}
		if got {
			tries = s.c.cfg.Redials // a connection that worked earns a fresh budget
		}
		conn, err = s.redial(err, &tries)
		if err != nil {
			s.mu.Lock()
			s.err = err
			s.mu.Unlock()
			return
		}
	}
}

// read delivers one connection's results until it ends; it says whether any came.
func (s *stream) read(conn *websocket.Conn) (bool, error) {
	got := false
	for {
		typ, data, err := conn.Read(s.life)
		if err != nil {
			return got, err
		}
		if typ != websocket.MessageText {
			continue
		}
		var m message
		if json.Unmarshal(data, &m) != nil || m.Type != "Results" {
			continue // Metadata, SpeechStarted, UtteranceEnd
		}
		got = true
		s.mu.Lock()
		off := s.offsetMs
		start := off + int64(m.Start*1000+0.5)
		end := off + int64((m.Start+m.Duration)*1000+0.5)
		if m.IsFinal {
			// Empty finals too: silence is final as well. The end is rounded to the
			// millisecond, so the final covers the whole of its last millisecond.
			s.replay.Ack(time.Duration(end+1)*time.Millisecond - 1)
		}
		s.mu.Unlock()
		text := ""
		if len(m.Channel.Alternatives) > 0 {
			text = strings.TrimSpace(m.Channel.Alternatives[0].Transcript)
		}
		if text == "" {
			continue
		}
		r := domain.STTResult{Text: text, Final: m.IsFinal, StartMs: start, EndMs: end, Language: s.lang}
		select {
		case s.results <- r:
		case <-s.life.Done():
			return got, s.life.Err()
		}
	}
}

// redial connects again and replays the headers and the pages after the last final result.
// Connections that end before any result come out of one budget of tries.
func (s *stream) redial(cause error, tries *int) (*websocket.Conn, error) {
	wait := s.c.cfg.Backoff
	err := errors.New("no tries left")
	for ; *tries > 0; *tries-- {
		select {
		case <-time.After(wait):
		case <-s.life.Done():
			return nil, s.life.Err()
		}
		wait *= 2
		var conn *websocket.Conn
		ctx, cancel := context.WithTimeout(s.life, 10*time.Second)
		conn, err = s.c.dial(ctx, s.url)
		cancel()
		if err != nil {
			continue
		}
		if err = s.resend(conn); err != nil {
			conn.CloseNow()
			continue
		}
		*tries--
		return conn, nil
	}
	return nil, fmt.Errorf("deepgram: connection lost (%v) and redialling failed: %w", cause, err)
}

// resend sends a fresh stream (headers, then the kept pages rebased to start at zero) on a new
// connection and makes it current; Writes wait meanwhile, so nothing goes out of order.
func (s *stream) resend(conn *websocket.Conn) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.Lock()
	out, start := s.replay.Restart()
	s.offsetMs = start.Milliseconds()
	closing := s.closing
	s.mu.Unlock()

	ctx, cancel := context.WithTimeout(s.life, 10*time.Second)
	defer cancel()
	if len(out) > 0 {
		if err := conn.Write(ctx, websocket.MessageBinary, out); err != nil {
			return err
		}
	}
	if closing {
		if err := conn.Write(ctx, websocket.MessageText, []byte(`{"type":"CloseStream"}`)); err != nil {
			return err
		}
	}
	s.mu.Lock()
	s.conn = conn
	if closing {
		s.closeSent = conn
	}
	s.lastAudio = time.Now()
	s.mu.Unlock()
	return nil
}

// keepAlive sends KeepAlive when no audio went out for a while.
func (s *stream) keepAlive() {
	every := s.c.cfg.KeepAlive
	t := time.NewTicker(every / 2)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
		}
		s.writeMu.Lock()
		s.mu.Lock()
		conn, idle := s.conn, time.Since(s.lastAudio) >= every && !s.closing
		if idle && conn != nil {
			s.lastAudio = time.Now()
		}
		s.mu.Unlock()
		if idle && conn != nil {
			ctx, cancel := context.WithTimeout(s.life, 5*time.Second)
			_ = conn.Write(ctx, websocket.MessageText, []byte(`{"type":"KeepAlive"}`))
			cancel()
		}
		s.writeMu.Unlock()
	}
}

// Results delivers interim and final results in order.
func (s *stream) Results() <-chan domain.STTResult { return s.results }

// Err is why Results closed early, or nil.
func (s *stream) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close sends CloseStream and waits, bounded by ctx, for the server to send its last results
// and close the connection; the results that come meanwhile are delivered. If the connection
// is down, the redial replays what is not final yet and sends CloseStream after it.
func (s *stream) Close(ctx context.Context) error {
	s.writeMu.Lock()
	s.mu.Lock()
	already := s.closing
	s.closing = true
	conn := s.conn
	if conn != nil && !already {
		s.closeSent = conn
	}
	s.mu.Unlock()
	if conn != nil && !already {
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		// If this fails the connection is gone; the redial sends CloseStream after its replay.
		_ = conn.Write(wctx, websocket.MessageText, []byte(`{"type":"CloseStream"}`))
		cancel()
	}
	s.writeMu.Unlock()

	select {
	case <-s.done:
	case <-ctx.Done():
		s.cancel()
		<-s.done
		return fmt.Errorf("deepgram: close: %w", ctx.Err())
	}
	s.cancel()
	return s.Err()
}
