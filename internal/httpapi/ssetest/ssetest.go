// Package ssetest is a Server-Sent Events client for tests: it opens a stream, parses its
// events, and waits for the ones a test expects.
package ssetest

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Event is one Server-Sent Event as a client sees it.
type Event struct {
	ID, Type, Data string
}

// Stream is an open event stream; its events arrive on C, which closes when the stream ends.
type Stream struct {
	t      testing.TB
	C      chan Event
	cancel context.CancelFunc
}

// Open starts a GET of url with client; it fails the test unless the server answers 200.
// headers are name, value pairs. The stream is closed at cleanup.
func Open(t testing.TB, client *http.Client, url string, headers ...string) *Stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	st := &Stream{t: t, C: make(chan Event, 64), cancel: cancel}
	t.Cleanup(cancel)
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		t.Fatalf("stream %s = %d %s", url, resp.StatusCode, b)
	}
	go func() {
		defer close(st.C)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var ev Event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Type != "" {
					st.C <- ev
				}
				ev = Event{}
			case strings.HasPrefix(line, "id: "):
				ev.ID = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.Type = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.Data = line[6:]
			}
		}
	}()
	return st
}

// Close drops the connection, as a client going away.
func (st *Stream) Close() { st.cancel() }

// Next returns the next event of the given type, skipping others; it fails after 10 s.
func (st *Stream) Next(typ string) Event {
	st.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-st.C:
			if !ok {
				st.t.Fatalf("stream ended while waiting for %q", typ)
			}
			if ev.Type == typ {
				return ev
			}
		case <-timeout:
			st.t.Fatalf("no %q event within 10s", typ)
		}
	}
}

// Ends waits for the server to close the stream.
func (st *Stream) Ends() {
	st.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-st.C:
			if !ok {
				return
			}
		case <-timeout:
			st.t.Fatal("stream still open after 10s")
		}
	}
}

// Quiet fails if an event of the type arrives within d.
func (st *Stream) Quiet(typ string, d time.Duration) {
	st.t.Helper()
	timeout := time.After(d)
	for {
		select {
		case ev, ok := <-st.C:
			if !ok {
				return
			}
			if ev.Type == typ {
				st.t.Fatalf("unexpected %q event: %s", typ, ev.Data)
			}
		case <-timeout:
			return
		}
	}
}
