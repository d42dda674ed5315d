// Package openaitest is a local stand-in for an OpenAI-compatible /v1/audio/transcriptions
// endpoint for tests of what uses the openai transcriber: it checks the key and the multipart
// form, validates every uploaded file as a whole Ogg/Opus stream, and answers verbose_json.
package openaitest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/liveserver/liveserver/internal/ogg"
)

// Key is the API key the server accepts.
const Key = "sk-test"

// Text is what the server "recognised" in the n-th file it received.
func Text(n int) string { return fmt.Sprintf("кусок %d", n) }

// Upload is one received request.
type Upload struct {
	File   []byte
	Info   ogg.Info
	Fields map[string]string
}

// Transcriptions is a running fake.
type Transcriptions struct {
	URL string // the base URL, ending in /v1
	t   testing.TB
	mu  sync.Mutex
	ups []Upload
}

// StartTranscriptions runs a fake on loopback until the test ends.
func StartTranscriptions(t testing.TB) *Transcriptions {
	f := &Transcriptions{t: t}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	f.URL = srv.URL + "/v1"
	return f
}

// Uploads returns what was received so far.
func (f *Transcriptions) Uploads() []Upload {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Upload(nil), f.ups...)
}

func (f *Transcriptions) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/audio/transcriptions" {
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+Key {
		http.Error(w, `{"error":{"message":"bad key"}}`, http.StatusUnauthorized)
		return
	}
	if err := r.ParseMultipartForm(10 << 20); err != nil {
		f.t.Errorf("openaitest: multipart: %v", err)
		http.Error(w, `{"error":{"message":"bad form"}}`, http.StatusBadRequest)
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		f.t.Errorf("openaitest: no file: %v", err)
		http.Error(w, `{"error":{"message":"no file"}}`, http.StatusBadRequest)
		return
	}
	data, _ := io.ReadAll(file)
	if !strings.HasSuffix(hdr.Filename, ".ogg") || hdr.Header.Get("Content-Type") != "audio/ogg" {
		f.t.Errorf("openaitest: file %q of type %q", hdr.Filename, hdr.Header.Get("Content-Type"))
	}
	info, err := ogg.Validate(data, true)
	if err != nil {
		f.t.Errorf("openaitest: the uploaded file is not a whole Ogg/Opus stream: %v", err)
		http.Error(w, `{"error":{"message":"cannot decode"}}`, http.StatusBadRequest)
		return
	}
	fields := map[string]string{}
	for k, v := range r.MultipartForm.Value {
		fields[k] = strings.Join(v, ",")
	}
	f.mu.Lock()
	n := len(f.ups)
	f.ups = append(f.ups, Upload{File: data, Info: info, Fields: fields})
	f.mu.Unlock()
	dur := info.Duration().Seconds()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"text": " " + Text(n) + " ", "language": "russian", "duration": dur,
		"segments": []any{map[string]any{"id": 0, "start": 0.0, "end": dur, "text": Text(n)}},
	})
}
