package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/ogg"
	"github.com/liveserver/liveserver/internal/ogg/oggtest"
)

// fakeTranscriptions speaks POST /v1/audio/transcriptions: a multipart form with file, model,
// language and response_format. It validates each file as a standalone Ogg/Opus stream and
// answers verbose_json "chunk N" with one segment from 0.2 s to 0.1 s before the end.
type fakeTranscriptions struct {
	t      *testing.T
	fail   func(n int) bool // request n (from 0) answers 500
	mu     sync.Mutex
	reqs   int
	files  [][]byte // the accepted ones, in order
	fields []map[string]string
	srv    *httptest.Server
}

func newFakeTranscriptions(t *testing.T, fail func(int) bool) *fakeTranscriptions {
	f := &fakeTranscriptions{t: t, fail: fail}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeTranscriptions) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/audio/transcriptions" {
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("Authorization") != "Bearer sk-test" {
		http.Error(w, `{"error":{"message":"bad key"}}`, http.StatusUnauthorized)
		return
	}
	if err := r.ParseMultipartForm(10 << 20); err != nil {
		f.t.Errorf("multipart: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		f.t.Errorf("no file: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	data, _ := io.ReadAll(file)
	if hdr.Filename != "chunk.ogg" || hdr.Header.Get("Content-Type") != "audio/ogg" {
		f.t.Errorf("file %q of type %q", hdr.Filename, hdr.Header.Get("Content-Type"))
	}
	info, err := ogg.Validate(data, true)
	if err != nil {
		f.t.Errorf("received file is not a valid Ogg/Opus stream: %v", err)
	}
	fields := map[string]string{}
	for k, v := range r.MultipartForm.Value {
		fields[k] = strings.Join(v, ",")
	}
	f.mu.Lock()
	n := f.reqs
	f.reqs++
	fail := f.fail != nil && f.fail(n)
	if !fail {
		f.files = append(f.files, data)
		f.fields = append(f.fields, fields)
	}
	idx := len(f.files) - 1
	f.mu.Unlock()
	if fail {
		w.Header().Set("Retry-After-Ms", "1")
		http.Error(w, `{"error":{"message":"overloaded"}}`, http.StatusInternalServerError)
		return
	}
	dur := info.Duration().Seconds()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"text": fmt.Sprintf(" chunk %d ", idx), "language": "russian", "duration": dur,
		"segments": []any{map[string]any{"id": 0, "start": 0.2, "end": dur - 0.1, "text": "x"}},
	})
}

func (f *fakeTranscriptions) accepted() ([][]byte, []map[string]string, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.files, f.fields, f.reqs
}

func newTestTranscriber(t *testing.T, f *fakeTranscriptions, mod func(*TranscriberConfig)) *Transcriber {
	cfg := TranscriberConfig{BaseURL: f.srv.URL + "/v1", APIKey: "sk-test", Model: "whisper-1"}
	if mod != nil {
		mod(&cfg)
	}
	tr, err := NewTranscriber(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func run(t *testing.T, s domain.STTStream, pages []ogg.Page) ([]domain.STTResult, error) {
	var all []byte
	for _, p := range pages {
		all = append(all, p.Raw...)
	}
	for off := 0; off < len(all); off += 700 { // uneven pieces
		if err := s.Write(all[off:min(off+700, len(all))]); err != nil {
			break
		}
	}
	var rs []domain.STTResult
	done := make(chan struct{})
	go func() {
		defer close(done)
		for r := range s.Results() {
			rs = append(rs, r)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := s.Close(ctx)
	<-done
	return rs, err
}

// locate finds where a received chunk's audio pages are in the original stream and checks they
// are the same pages, rebased; it returns the index of the first.
func locate(t *testing.T, orig []ogg.Page, file []byte) (int, int) {
	got := oggtest.Pages(t, file)
	if !bytes.Equal(got[0].Payload(), orig[0].Payload()) || !bytes.Equal(got[1].Payload(), orig[1].Payload()) {
		t.Fatal("chunk does not start with the stream's OpusHead and OpusTags")
	}
	for k := 2; k < len(orig); k++ {
		if bytes.Equal(orig[k].Payload(), got[2].Payload()) {
			base := orig[k-1].Granule
			for j, g := range got[2:] {
				if !bytes.Equal(g.Payload(), orig[k+j].Payload()) || g.Granule != orig[k+j].Granule-base {
					t.Fatalf("chunk page %d is not original page %d rebased", j, k+j)
				}
			}
			return k, k + len(got) - 2
		}
	}
	t.Fatal("chunk's first page is not in the stream")
	return 0, 0
}

// checkChunks checks the chunks are in order without overlap, that every page with a packet
// above quiet size was sent, and that each result's times are its chunk's place narrowed by
// the fake's segment.
func checkChunks(t *testing.T, pages []ogg.Page, files [][]byte, rs []domain.STTResult, quiet int) {
	t.Helper()
	if len(rs) != len(files) {
		t.Fatalf("%d results for %d chunks: %v", len(rs), len(files), rs)
	}
	head, _ := ogg.ParseOpusHead(pages[0])
	sent := map[int]bool{}
	prevEnd := 2
	for i, file := range files {
		from, to := locate(t, pages, file)
		if from < prevEnd {
			t.Fatalf("chunk %d starts at page %d, before the previous chunk ended (%d)", i, from, prevEnd)
		}
		prevEnd = to
		for k := from; k < to; k++ {
			sent[k] = true
		}
		oggtest.Decode(t, file) // an independent decoder takes it
		info, _ := ogg.Validate(file, true)
		off := pages[from-1].Granule * 1000 / ogg.SampleRate
		want := domain.STTResult{Text: fmt.Sprintf("chunk %d", i), Final: true,
			StartMs: off + 200, EndMs: off + int64((info.Duration().Seconds()-0.1)*1000), Language: "ru"}
		if rs[i] != want {
			t.Errorf("result %d = %+v, want %+v", i, rs[i], want)
		}
		if i > 0 && rs[i].StartMs < rs[i-1].EndMs {
			t.Errorf("result %d starts before result %d ends", i, i-1)
		}
	}
	for k := 2; k < len(pages); k++ {
		if !sent[k] && hasSound(pages[k], quiet) {
			t.Errorf("page %d has sound but was not sent", k)
		}
	}
	_ = head
}

func TestChunksAtPausesAreValidFilesWithTheirTimes(t *testing.T) {
	data := oggtest.Speech(t, "ru",
		`Привет, это тест. <break time="1500ms"/> Вторая фраза после паузы. <break time="1500ms"/> И третья.`,
		"--max-delay", "100", "--set-ctl-int", "4016=1") // DTX: silence in 1-byte packets
	pages := oggtest.Pages(t, data)
	f := newFakeTranscriptions(t, nil)
	tr := newTestTranscriber(t, f, func(c *TranscriberConfig) { c.MinChunk = 500 * time.Millisecond; c.Language = "ru" })
	s, err := tr.Open(context.Background(), domain.STTOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := run(t, s, pages)
	if err != nil || s.Err() != nil {
		t.Fatal(err, s.Err())
	}
	files, fields, _ := f.accepted()
	if len(files) != 3 {
		t.Fatalf("%d chunks, want one per phrase (3): %v", len(files), rs)
	}
	for _, fl := range fields {
		if fl["model"] != "whisper-1" || fl["language"] != "ru" || fl["response_format"] != "verbose_json" {
			t.Errorf("fields %v", fl)
		}
	}
	checkChunks(t, pages, files, rs, 2)
}

func TestMaxLengthCutsAndARetriedChunk(t *testing.T) {
	// No DTX: silence is not tiny, so only the maximum length cuts.
	data := oggtest.Speech(t, "en", `One, two, three, four, five, six, seven, eight, nine, ten.`, "--max-delay", "100")
	pages := oggtest.Pages(t, data)
	f := newFakeTranscriptions(t, func(n int) bool { return n == 1 }) // the second request fails once
	tr := newTestTranscriber(t, f, func(c *TranscriberConfig) { c.MaxChunk = 2 * time.Second })
	s, err := tr.Open(context.Background(), domain.STTOptions{Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := run(t, s, pages)
	if err != nil || s.Err() != nil {
		t.Fatal(err, s.Err())
	}
	files, fields, reqs := f.accepted()
	if reqs != len(files)+1 {
		t.Errorf("%d requests for %d chunks: the failed one was not retried once", reqs, len(files))
	}
	if len(files) < 2 {
		t.Fatalf("%d chunks", len(files))
	}
	for i, file := range files {
		info, _ := ogg.Validate(file, true)
		if info.Duration() > 2100*time.Millisecond {
			t.Errorf("chunk %d is %v long", i, info.Duration())
		}
		if fields[i]["language"] != "en" {
			t.Errorf("language %q", fields[i]["language"])
		}
	}
	for i := range rs {
		rs[i].Language = "ru" // checkChunks expects the tag it was given; here it is "en"
	}
	checkChunks(t, pages, files, rs, 2)
}

func TestAChunkThatKeepsFailingEndsTheStream(t *testing.T) {
	data := oggtest.Speech(t, "en", `One, two, three, four, five, six.`, "--max-delay", "100")
	pages := oggtest.Pages(t, data)
	f := newFakeTranscriptions(t, func(int) bool { return true })
	tr := newTestTranscriber(t, f, func(c *TranscriberConfig) { c.MaxChunk = time.Second })
	s, err := tr.Open(context.Background(), domain.STTOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rs, closeErr := run(t, s, pages)
	if len(rs) != 0 {
		t.Errorf("results %v", rs)
	}
	if err := s.Err(); err == nil || !strings.Contains(err.Error(), "500") || !strings.Contains(err.Error(), "overloaded") {
		t.Fatalf("Err = %v", err)
	}
	if closeErr == nil {
		t.Error("Close returned nil")
	}
	if _, _, reqs := f.accepted(); reqs != 3 {
		t.Errorf("%d requests, want 3 (one and two retries), then stop", reqs)
	}
	if err := s.Write(pages[2].Raw); err == nil {
		t.Error("Write after failure succeeded")
	}
}

func TestNewTranscriberNeedsBaseURLAndModel(t *testing.T) {
	if _, err := NewTranscriber(TranscriberConfig{Model: "whisper-1"}); err == nil {
		t.Error("no base URL accepted")
	}
	if languageCode("Russian") != "ru" || languageCode("de") != "de" {
		t.Error("languageCode")
	}
}

// hasSound says a page holds three packets above quiet size in a row: speech, not a lone
// comfort-noise update.
func hasSound(p ogg.Page, quiet int) bool {
	run := 0
	for _, size := range p.PacketSizes() {
		if size > quiet {
			if run++; run >= 3 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}
