// Package deepgramtest is a local stand-in for Deepgram's live streaming API (/v1/listen over a
// websocket) for tests of what uses the deepgram client: it checks the key, reads the Ogg/Opus
// pages, answers scripted results by the audio's own clock, and records what it received.
package deepgramtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/liveserver/liveserver/internal/ogg"
)

// Key is the API key the server accepts.
const Key = "dg-test-key"

// PieceMs is the length of one scripted piece of speech.
const PieceMs = 2000

// Text is what the server "recognised" as piece n of connection c.
func Text(c, n int) string { return fmt.Sprintf("фраза %d.%d", c, n) }

// Conn is what one connection received.
type Conn struct {
	Query       url.Values
	Audio       []byte   // every binary frame, in order
	Messages    []string // text frames (KeepAlive, Finalize, CloseStream)
	CloseStream bool     // the client asked to finish
	Finals      int      // final results sent
	Interims    int      // interim results sent
}

// Info validates the received audio as one Ogg/Opus stream.
func (c Conn) Info() (ogg.Info, error) { return ogg.Validate(c.Audio, false) }

// Server is a running fake.
type Server struct {
	URL  string
	t    testing.TB
	mu   sync.Mutex
	cs   []*Conn
	sent map[string]time.Time // when each result text was sent, by "final:" or "interim:" + text
}

// SentAt is when the result with this text was written to the socket.
func (s *Server) SentAt(text string, final bool) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.sent[resultKey(text, final)]
	return at, ok
}

func resultKey(text string, final bool) string {
	if final {
		return "final:" + text
	}
	return "interim:" + text
}

// Start runs a fake on loopback until the test ends. Its script: the audio is cut into pieces
// of PieceMs; halfway through piece n an interim result Text(c, n) is sent, at its end the
// final one; on CloseStream the rest of the audio gets a last final result, then the server
// closes normally.
func Start(t testing.TB) *Server {
	s := &Server{t: t, sent: map[string]time.Time{}}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Conns returns copies of what each connection received so far.
func (s *Server) Conns() []Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Conn, len(s.cs))
	for i, c := range s.cs {
		out[i] = *c
		out[i].Audio = append([]byte(nil), c.Audio...)
		out[i].Messages = append([]string(nil), c.Messages...)
	}
	return out
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/listen" {
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("Authorization") != "Token "+Key {
		http.Error(w, `{"err_code":"INVALID_AUTH"}`, http.StatusUnauthorized)
		return
	}
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	c.SetReadLimit(1 << 20)
	s.mu.Lock()
	idx := len(s.cs)
	rec := &Conn{Query: r.URL.Query()}
	s.cs = append(s.cs, rec)
	s.mu.Unlock()

	ctx := r.Context()
	send := func(final bool, startMs, endMs int64, text string) {
		b, _ := json.Marshal(map[string]any{
			"type": "Results", "is_final": final, "speech_final": final,
			"start": float64(startMs) / 1000, "duration": float64(endMs-startMs) / 1000,
			"channel": map[string]any{"alternatives": []any{map[string]any{"transcript": text, "confidence": 0.9}}},
		})
		s.mu.Lock()
		if final {
			rec.Finals++
		} else {
			rec.Interims++
		}
		s.sent[resultKey(text, final)] = time.Now()
		s.mu.Unlock()
		_ = c.Write(ctx, websocket.MessageText, b)
	}
	_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"Metadata","request_id":"fake"}`))

	var split ogg.Splitter
	var preSkip, nowMs, pieceStart int64
	piece, pages := 0, 0
	interimSent := false
	for {
		typ, data, err := c.Read(ctx)
		if err != nil {
			return
		}
		if typ == websocket.MessageText {
			var m struct{ Type string }
			_ = json.Unmarshal(data, &m)
			s.mu.Lock()
			rec.Messages = append(rec.Messages, string(data))
			if m.Type == "CloseStream" {
				rec.CloseStream = true
			}
			s.mu.Unlock()
			if m.Type == "CloseStream" {
				if nowMs > pieceStart {
					send(true, pieceStart, nowMs, Text(idx, piece))
				}
				_ = c.Close(websocket.StatusNormalClosure, "")
				return
			}
			continue
		}
		s.mu.Lock()
		rec.Audio = append(rec.Audio, data...)
		s.mu.Unlock()
		ps, err := split.Push(data)
		if err != nil {
			s.t.Errorf("deepgramtest: connection %d: %v", idx, err)
			return
		}
		for _, p := range ps {
			pages++
			if pages == 1 {
				h, err := ogg.ParseOpusHead(p)
				if err != nil {
					s.t.Errorf("deepgramtest: connection %d: first page: %v", idx, err)
					return
				}
				preSkip = int64(h.PreSkip)
			}
			if pages <= 2 || p.Granule == -1 {
				continue
			}
			nowMs = max(0, (p.Granule-preSkip)*1000/ogg.SampleRate)
			if !interimSent && nowMs >= pieceStart+PieceMs/2 {
				send(false, pieceStart, nowMs, Text(idx, piece))
				interimSent = true
			}
			if nowMs >= pieceStart+PieceMs {
				send(true, pieceStart, pieceStart+PieceMs, Text(idx, piece))
				piece, pieceStart, interimSent = piece+1, pieceStart+PieceMs, false
			}
		}
	}
}
