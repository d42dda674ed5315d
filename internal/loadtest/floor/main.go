// Command floor is the floor that the event-delivery benchmark measures LiveServer against
// (issue #16): an SSE server that does nothing but keep one goroutine and a 256-slot channel per
// stream and write and flush each message. Whatever LiveServer spends beyond it is ours.
//
//	GET  /stream       an event stream
//	POST /send?text=…  hand text to every open stream
//	GET  /count        how many streams are open
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
)

type hub struct {
	mu   sync.Mutex
	subs map[chan []byte]struct{}
}

func (h *hub) stream(w http.ResponseWriter, r *http.Request) {
	ch := make(chan []byte, 256)
	h.mu.Lock()
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.subs, ch)
		h.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	rc.Flush()
	for {
		select {
		case <-r.Context().Done():
			return
		case msg, ok := <-ch:
			if !ok {
				return
			}
			if _, err := w.Write(msg); err != nil {
				return
			}
			if rc.Flush() != nil {
				return
			}
		}
	}
}

func (h *hub) send(w http.ResponseWriter, r *http.Request) {
	msg := []byte("event: m\ndata: " + r.URL.Query().Get("text") + "\n\n")
	h.mu.Lock()
	for ch := range h.subs {
		select {
		case ch <- msg:
		default: // a full queue: that stream is too slow; the floor drops, it does not wait
		}
	}
	h.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (h *hub) count(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	n := len(h.subs)
	h.mu.Unlock()
	fmt.Fprint(w, strconv.Itoa(n))
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()
	h := &hub{subs: map[chan []byte]struct{}{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stream", h.stream)
	mux.HandleFunc("POST /send", h.send)
	mux.HandleFunc("GET /count", h.count)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	// The benchmark reads the address from the first line.
	fmt.Fprintln(os.Stdout, ln.Addr().String())
	log.Fatal(http.Serve(ln, mux))
}
