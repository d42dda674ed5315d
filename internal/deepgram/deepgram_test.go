package deepgram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/ogg"
	"github.com/liveserver/liveserver/internal/ogg/oggtest"
)

const key = "test-key"

// fakeConn is what one connection to the fake Deepgram received.
type fakeConn struct {
	auth     string
	query    url.Values
	audio    []byte
	texts    []string
	info     ogg.Info
	validErr error
	dropped  bool
}

// fakeDeepgram speaks /v1/listen: it reads Ogg/Opus pages and, by the audio time of its own
// connection, answers an empty interim, an interim "cN kK" at every whole second K, and makes
// it final at every even second. On CloseStream it waits closeDelay, sends a last final over
// the rest of the audio ("cN last") and closes normally.
type fakeDeepgram struct {
	t           *testing.T
	dropAtMs    int64 // connection 0 is cut without a close frame once its audio reaches this
	refuseFrom  int   // connections from this index on get 503 (0: never)
	closeDelay  time.Duration
	ignoreClose bool

	mu    sync.Mutex
	conns []*fakeConn
	srv   *httptest.Server
}

func newFake(t *testing.T, f *fakeDeepgram) *fakeDeepgram {
	f.t = t
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeDeepgram) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/listen" {
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("Authorization") != "Token "+key {
		http.Error(w, "bad key", http.StatusUnauthorized)
		return
	}
	f.mu.Lock()
	idx := len(f.conns)
	if f.refuseFrom > 0 && idx >= f.refuseFrom {
		f.mu.Unlock()
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	fc := &fakeConn{auth: r.Header.Get("Authorization"), query: r.URL.Query()}
	f.conns = append(f.conns, fc)
	f.mu.Unlock()

	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	ctx := r.Context()
	send := func(final bool, startMs, endMs int64, text string) {
		b, _ := json.Marshal(map[string]any{
			"type": "Results", "is_final": final, "speech_final": final,
			"start": float64(startMs) / 1000, "duration": float64(endMs-startMs) / 1000,
			"channel": map[string]any{"alternatives": []any{map[string]any{"transcript": text}}},
		})
		_ = c.Write(ctx, websocket.MessageText, b)
	}
	_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"Metadata","request_id":"x"}`))

	var split ogg.Splitter
	var preSkip, nowMs, lastFinal int64
	next := int64(1000)
	npages := 0
	for {
		typ, data, err := c.Read(ctx)
		if err != nil {
			return
		}
		if typ == websocket.MessageText {
			f.mu.Lock()
			fc.texts = append(fc.texts, string(data))
			f.mu.Unlock()
			var m struct{ Type string }
			_ = json.Unmarshal(data, &m)
			if m.Type == "CloseStream" && !f.ignoreClose {
				time.Sleep(f.closeDelay)
				if nowMs > lastFinal {
					send(true, lastFinal, nowMs, fmt.Sprintf("c%d last", idx))
				}
				_ = c.Close(websocket.StatusNormalClosure, "")
				return
			}
			continue
		}
		f.mu.Lock()
		fc.audio = append(fc.audio, data...)
		f.mu.Unlock()
		pages, err := split.Push(data)
		if err != nil {
			f.t.Errorf("conn %d: %v", idx, err)
			return
		}
		for _, p := range pages {
			npages++
			switch npages {
			case 1:
				h, err := ogg.ParseOpusHead(p)
				if err != nil {
					f.t.Errorf("conn %d: %v", idx, err)
				}
				preSkip = int64(h.PreSkip)
				continue
			case 2:
				continue
			}
			if p.Granule != -1 {
				nowMs = (p.Granule - preSkip) * 1000 / ogg.SampleRate
			}
			for nowMs >= next {
				send(false, lastFinal, next, "")
				k := next / 1000
				send(k%2 == 0, lastFinal, next, fmt.Sprintf("c%d k%d", idx, k))
				if k%2 == 0 {
					lastFinal = next
				}
				next += 1000
			}
			if idx == 0 && f.dropAtMs > 0 && nowMs >= f.dropAtMs {
				f.mu.Lock()
				fc.dropped = true
				f.mu.Unlock()
				c.CloseNow() // no close frame: a dropped connection
				return
			}
		}
	}
}

func (f *fakeDeepgram) conn(i int) *fakeConn {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i >= len(f.conns) {
		f.t.Fatalf("only %d connections", len(f.conns))
	}
	c := *f.conns[i]
	c.info, c.validErr = ogg.Validate(c.audio, false)
	return &c
}

func (f *fakeDeepgram) client(t *testing.T, mod func(*Config)) *Client {
	cfg := Config{BaseURL: f.srv.URL, APIKey: key, Model: "nova-3", Language: "en",
		KeepAlive: 5 * time.Second, Backoff: 10 * time.Millisecond, Redials: 3}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func speech(t *testing.T) []ogg.Page {
	data := oggtest.Speech(t, "en", `One, two, three, four, five, six, seven, eight, nine, ten, eleven, twelve.`,
		"--max-delay", "100")
	return oggtest.Pages(t, data)
}

func ms(p ogg.Page, preSkip int64) int64 { return (p.Granule - preSkip) * 1000 / ogg.SampleRate }

// collect reads results until Results closes.
func collect(t *testing.T, s domain.STTStream) []domain.STTResult {
	var out []domain.STTResult
	timeout := time.After(10 * time.Second)
	for {
		select {
		case r, ok := <-s.Results():
			if !ok {
				return out
			}
			out = append(out, r)
		case <-timeout:
			t.Fatal("results did not close")
		}
	}
}

func finals(rs []domain.STTResult) []domain.STTResult {
	var out []domain.STTResult
	for _, r := range rs {
		if r.Final {
			out = append(out, r)
		}
	}
	return out
}

func TestStreamSendsOggAndDeliversResultsUntilTheServerCloses(t *testing.T) {
	pages := speech(t)
	f := newFake(t, &fakeDeepgram{closeDelay: 400 * time.Millisecond})
	c := f.client(t, func(c *Config) { c.KeepAlive = 60 * time.Millisecond })
	s, err := c.Open(context.Background(), domain.STTOptions{Language: "ru"})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // no audio yet: KeepAlive goes out
	var all []byte
	for _, p := range pages {
		all = append(all, p.Raw...)
	}
	// Pages in uneven pieces: the client splits them itself.
	for off := 0; off < len(all); off += 1000 {
		if err := s.Write(all[off:min(off+1000, len(all))]); err != nil {
			t.Fatal(err)
		}
	}
	var rs []domain.STTResult
	done := make(chan struct{})
	go func() { rs = collect(t, s); close(done) }()
	start := time.Now()
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < 400*time.Millisecond {
		t.Errorf("Close returned before the server closed")
	}
	<-done
	if s.Err() != nil {
		t.Fatal(s.Err())
	}

	fc := f.conn(0)
	if fc.auth != "Token "+key {
		t.Errorf("auth %q", fc.auth)
	}
	q := fc.query
	for k, v := range map[string]string{"model": "nova-3", "language": "ru", "interim_results": "true", "punctuate": "true", "smart_format": "true"} {
		if q.Get(k) != v {
			t.Errorf("query %s=%q, want %q", k, q.Get(k), v)
		}
	}
	if q.Has("encoding") || q.Has("sample_rate") {
		t.Errorf("encoding/sample_rate sent for Ogg: %v", q)
	}
	if fc.validErr != nil {
		t.Fatalf("received audio is not a valid Ogg/Opus stream: %v", fc.validErr)
	}
	if !bytes.Equal(fc.audio, all) {
		t.Errorf("received %d bytes, wrote %d (or they differ)", len(fc.audio), len(all))
	}
	preSkip := int64(fc.info.Head.PreSkip)
	endMs := ms(pages[len(pages)-1], preSkip)
	if got := fc.info.Duration().Milliseconds(); got != endMs || got < 4000 {
		t.Errorf("received %d ms of audio, want %d", got, endMs)
	}
	if len(fc.texts) < 2 || fc.texts[0] != `{"type":"KeepAlive"}` || fc.texts[len(fc.texts)-1] != `{"type":"CloseStream"}` {
		t.Errorf("text messages %q", fc.texts)
	}

	// Every whole second an interim, every even one a final; the last final after CloseStream.
	var want []domain.STTResult
	last := int64(0)
	for k := int64(1); k*1000 <= endMs; k++ {
		want = append(want, domain.STTResult{Text: fmt.Sprintf("c0 k%d", k), Final: k%2 == 0, StartMs: last, EndMs: k * 1000, Language: "ru"})
		if k%2 == 0 {
			last = k * 1000
		}
	}
	want = append(want, domain.STTResult{Text: "c0 last", Final: true, StartMs: last, EndMs: endMs, Language: "ru"})
	if fmt.Sprint(rs) != fmt.Sprint(want) {
		t.Errorf("results\n got %v\nwant %v", rs, want)
	}
}

func TestReconnectReplaysHeadersAndPagesAfterTheLastFinal(t *testing.T) {
	pages := speech(t)
	f := newFake(t, &fakeDeepgram{dropAtMs: 3300})
	s, err := f.client(t, nil).Open(context.Background(), domain.STTOptions{})
	if err != nil {
		t.Fatal(err)
	}
	head, _ := ogg.ParseOpusHead(pages[0])
	preSkip := int64(head.PreSkip)

	// Write up to 2.5 s and wait for the final that ends at 2 s.
	i := 0
	for ; ms(pages[i], preSkip) < 2500 || i < 2; i++ {
		if err := s.Write(pages[i].Raw); err != nil {
			t.Fatal(err)
		}
	}
	var rs []domain.STTResult
	for r := range s.Results() {
		rs = append(rs, r)
		if r.Final {
			break
		}
	}
	if r := rs[len(rs)-1]; r.Text != "c0 k2" || r.EndMs != 2000 {
		t.Fatalf("first final %+v", r)
	}
	for ; i < len(pages); i++ {
		if err := s.Write(pages[i].Raw); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	done := make(chan struct{})
	go func() { rs = append(rs, collect(t, s)...); close(done) }()
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-done
	if s.Err() != nil {
		t.Fatal(s.Err())
	}

	if c0 := f.conn(0); !c0.dropped || c0.validErr != nil {
		t.Fatalf("connection 0: dropped %v, valid %v", c0.dropped, c0.validErr)
	}
	c1 := f.conn(1)
	if c1.validErr != nil {
		t.Fatalf("the replayed stream is not a valid standalone Ogg/Opus stream: %v", c1.validErr)
	}
	// The replay starts with the first page that is not wholly before 2000 ms.
	k := 2
	for ms(pages[k], preSkip) <= 2000 {
		k++
	}
	base := pages[k-1].Granule
	got := oggtest.Pages(t, c1.audio)
	if !bytes.Equal(got[0].Payload(), pages[0].Payload()) || !bytes.Equal(got[1].Payload(), pages[1].Payload()) {
		t.Error("the replay does not start with the OpusHead and OpusTags pages")
	}
	if len(got)-2 != len(pages)-k {
		t.Fatalf("replayed %d audio pages, want %d (pages %d.. of %d)", len(got)-2, len(pages)-k, k, len(pages))
	}
	for j := range len(pages) - k {
		g, p := got[2+j], pages[k+j]
		if !bytes.Equal(g.Payload(), p.Payload()) || g.Granule != p.Granule-base {
			t.Fatalf("replayed page %d: granule %d, want %d (or payload differs)", j, g.Granule, p.Granule-base)
		}
	}
	endMs := ms(pages[len(pages)-1], preSkip)
	offset := base * 1000 / ogg.SampleRate
	if d := c1.info.Duration().Milliseconds(); d != ms(pages[len(pages)-1], base+preSkip) {
		t.Errorf("replayed %d ms", d)
	}

	// Finals: c0's up to 2 s, then c1's shifted by where the replay starts, then c1's last.
	fs := finals(rs)
	want := []string{"c0 k2 0-2000"}
	last := int64(0)
	for k := int64(1); offset+k*1000 <= endMs; k++ {
		if k%2 == 0 {
			want = append(want, fmt.Sprintf("c1 k%d %d-%d", k, offset+last, offset+k*1000))
			last = k * 1000
		}
	}
	want = append(want, fmt.Sprintf("c1 last %d-%d", offset+last, endMs))
	var gotF []string
	for _, r := range fs {
		gotF = append(gotF, fmt.Sprintf("%s %d-%d", r.Text, r.StartMs, r.EndMs))
	}
	if strings.Join(gotF, ", ") != strings.Join(want, ", ") {
		t.Errorf("finals\n got %v\nwant %v", gotF, want)
	}
	if offset > 2000 || offset < 1800 {
		t.Errorf("replay offset %d ms", offset)
	}
}

func TestRedialFailingEndsTheStreamWithErr(t *testing.T) {
	pages := speech(t)
	f := newFake(t, &fakeDeepgram{dropAtMs: 1500, refuseFrom: 1})
	s, err := f.client(t, nil).Open(context.Background(), domain.STTOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		if s.Write(p.Raw) != nil {
			break
		}
	}
	collect(t, s)
	if err := s.Err(); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("Err = %v", err)
	}
	if err := s.Write(pages[len(pages)-1].Raw); err == nil {
		t.Error("Write after failure succeeded")
	}
	if err := s.Close(context.Background()); err == nil {
		t.Error("Close after failure returned nil")
	}
}

func TestCloseIsBoundedByContext(t *testing.T) {
	pages := speech(t)
	f := newFake(t, &fakeDeepgram{ignoreClose: true})
	s, err := f.client(t, nil).Open(context.Background(), domain.STTOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pages[:10] {
		if err := s.Write(p.Raw); err != nil {
			t.Fatal(err)
		}
	}
	go func() {
		for range s.Results() {
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := s.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v", err)
	}
	if _, ok := <-s.Results(); ok {
		t.Error("Results still open")
	}
}

func TestOpenFailsOnABadKey(t *testing.T) {
	f := newFake(t, &fakeDeepgram{})
	c := f.client(t, func(c *Config) { c.APIKey = "wrong" })
	if _, err := c.Open(context.Background(), domain.STTOptions{}); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("Open = %v", err)
	}
	if _, err := New(Config{APIKey: "k"}); err == nil {
		t.Error("New without a model succeeded")
	}
}
