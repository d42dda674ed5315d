package openai

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	sdk "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/ogg"
)

// TranscriberConfig says which /v1/audio/transcriptions server and model (OpenAI, speaches,
// vLLM), and how the stream is cut into requests.
type TranscriberConfig struct {
	BaseURL  string // e.g. https://api.openai.com/v1 or http://speaches.local:8000/v1
	APIKey   string
	Model    string // e.g. "whisper-1"
	Language string // used when STTOptions.Language is empty; empty too: the server detects it
	// Timeout bounds one request (the SDK's retries come on top); 2 minutes when zero.
	Timeout time.Duration
	// MaxRetries is how often the SDK retries a chunk after a connection error, 408, 409, 429
	// or 5xx; 2 when zero, none when negative.
	MaxRetries int

	// MaxChunk cuts a chunk at this length even without a pause; 15 s when zero.
	MaxChunk time.Duration
	// MinChunk is the shortest chunk cut at a pause; 2 s when zero.
	MinChunk time.Duration
	// Pause is how long a run of quiet packets must be to cut there; 300 ms when zero.
	Pause time.Duration
	// QuietBytes is the largest Opus packet counted as quiet; 2 when zero. See Stream.
	QuietBytes int
}

// Transcriber is the domain's STT on an OpenAI-compatible transcription endpoint.
//
// That endpoint takes whole files, so each stream cuts its audio into chunks and sends them
// one after another, in order. Each chunk is a standalone Ogg/Opus file: the stream's OpusHead
// and OpusTags pages, then the chunk's pages with granule positions rebased to start at zero,
// sequence numbers counting on from the headers and EOS on the last page (a file cut from the
// middle of a stream without rebasing claims to start late, and its page numbers skip).
//
// Where to cut is found without decoding: Opus packet sizes come from the Ogg segment tables,
// and a run of tiny packets is a pause. With DTX (which WebRTC microphones use) the encoder
// emits 1–2 byte packets for silence; without DTX silence still costs tens of bytes, so no
// pause is seen and chunks are cut at MaxChunk. A writer that drops DTX packets instead of
// writing them (pion's oggwriter writes what arrives) leaves no pause to see either. A chunk
// that holds only quiet packets is not sent (Whisper makes up text for silence).
//
// There are no interim results: each chunk's text comes out as one final result, when the
// server answers. Its times are the chunk's place in the stream, narrowed to the first and last
// segment when the server returns verbose_json segments.
type Transcriber struct {
	c   sdk.Client
	cfg TranscriberConfig
}

var _ domain.STT = (*Transcriber)(nil)

// NewTranscriber makes the client. The base URL is always given explicitly: the SDK would
// otherwise read OPENAI_BASE_URL from the environment or default to the public API.
func NewTranscriber(cfg TranscriberConfig) (*Transcriber, error) {
	if cfg.BaseURL == "" || cfg.Model == "" {
		return nil, errors.New("openai: base URL and model are required")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Minute
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = 2
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.MaxChunk <= 0 {
		cfg.MaxChunk = 15 * time.Second
	}
	if cfg.MinChunk <= 0 {
		cfg.MinChunk = 2 * time.Second
	}
	if cfg.Pause <= 0 {
		cfg.Pause = 300 * time.Millisecond
	}
	if cfg.QuietBytes <= 0 {
		cfg.QuietBytes = 2
	}
	c := sdk.NewClient(option.WithBaseURL(cfg.BaseURL), option.WithAPIKey(cfg.APIKey),
		option.WithMaxRetries(cfg.MaxRetries), option.WithRequestTimeout(cfg.Timeout))
	return &Transcriber{c: c, cfg: cfg}, nil
}

// Open starts a stream; nothing is sent until the first chunk is cut.
func (t *Transcriber) Open(ctx context.Context, opts domain.STTOptions) (domain.STTStream, error) {
	lang := opts.Language
	if lang == "" {
		lang = t.cfg.Language
	}
	life, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &tstream{
		t: t, lang: lang, life: life, cancel: cancel,
		results: make(chan domain.STTResult, 16),
		wake:    make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
	go s.run()
	return s, nil
}

type chunk struct {
	pages []ogg.Page
	base  int64 // granule at the chunk's start
	end   int64 // granule at its end
}

type tstream struct {
	t      *Transcriber
	lang   string
	life   context.Context
	cancel context.CancelFunc

	results chan domain.STTResult
	wake    chan struct{}
	done    chan struct{}

	mu      sync.Mutex
	split   ogg.Splitter
	clock   ogg.Clock  // the headers every chunk starts with, and the stream's time
	cur     []ogg.Page // the chunk being gathered
	curBase int64
	curEnd  int64
	loud    bool  // cur has sound (see soundRun)
	quiet   int64 // samples of quiet packets at the end of cur
	sound   int   // packets above quiet size in a row
	queue   []chunk
	closing bool
	err     error
}

// Write adds whole Ogg pages (an incomplete tail waits for the next Write) and cuts chunks.
func (s *tstream) Write(data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	if s.closing {
		return errors.New("openai: write after Close")
	}
	pages, err := s.split.Push(data)
	if err != nil {
		return fmt.Errorf("openai: %w", err)
	}
	for _, p := range pages {
		if err := s.add(p); err != nil {
			return fmt.Errorf("openai: %w", err)
		}
	}
	return nil
}

// add takes one page. Called with mu held.
func (s *tstream) add(p ogg.Page) error {
	if audio, err := s.clock.Add(p); !audio {
		return err // a header page, or a page that does not fit the stream
	}
	s.cur = append(s.cur, p)
	// Quiet packets are judged by size alone; their duration comes from their TOC byte. Sound
	// is a run of soundRun packets above quiet size: a lone one amid quiet is a DTX
	// comfort-noise update (one every 400 ms).
	payload := p.Payload()
	off := 0
	for _, size := range p.PacketSizes() {
		pkt := payload[off : off+size]
		off += size
		if size <= s.t.cfg.QuietBytes {
			s.quiet += int64(ogg.PacketSamples(pkt))
			s.sound = 0
		} else {
			s.quiet = 0
			if s.sound++; s.sound >= soundRun {
				s.loud = true
			}
		}
	}
	s.curEnd = s.clock.Position()
	if !p.EndsPacket() {
		return nil // cut only where a packet ends
	}
	if !s.loud && s.quiet > 0 {
		// Nothing but silence so far: not sent, the chunk starts after it.
		s.cur, s.curBase = nil, s.curEnd
		return nil
	}
	length := ogg.SampleDuration(s.curEnd - s.curBase)
	pause := ogg.SampleDuration(s.quiet)
	if length >= s.t.cfg.MaxChunk || (length >= s.t.cfg.MinChunk && pause >= s.t.cfg.Pause) {
		s.cut()
	}
	return nil
}

// soundRun packets above quiet size in a row are sound.
const soundRun = 3

// cut queues the gathered pages as a chunk (unless they are all quiet). Called with mu held.
func (s *tstream) cut() {
	if len(s.cur) > 0 && s.loud {
		s.queue = append(s.queue, chunk{pages: s.cur, base: s.curBase, end: s.curEnd})
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	s.cur, s.curBase, s.loud, s.quiet, s.sound = nil, s.curEnd, false, 0, 0
}

// run sends the chunks in order until Close has flushed them all or a chunk fails for good.
func (s *tstream) run() {
	defer close(s.done)
	defer close(s.results)
	for {
		s.mu.Lock()
		var c chunk
		have := len(s.queue) > 0
		if have {
			c = s.queue[0]
			s.queue = s.queue[1:]
		}
		closing := s.closing
		clock := s.clock // the headers do not change once in: a copy is a snapshot
		s.mu.Unlock()
		if !have {
			if closing {
				return
			}
			select {
			case <-s.wake:
				continue
			case <-s.life.Done():
				return
			}
		}
		r, ok, err := s.transcribe(&clock, c)
		if err != nil {
			s.mu.Lock()
			s.err = err
			s.queue = nil
			s.mu.Unlock()
			return
		}
		if !ok {
			continue
		}
		select {
		case s.results <- r:
		case <-s.life.Done():
			return
		}
	}
}

// transcribe sends one chunk as a file and makes its result; ok is false for empty text.
func (s *tstream) transcribe(clock *ogg.Clock, c chunk) (domain.STTResult, bool, error) {
	file := clock.Cut(c.pages, c.base, true)
	params := sdk.AudioTranscriptionNewParams{
		File:           sdk.File(bytes.NewReader(file), "chunk.ogg", "audio/ogg"),
		Model:          sdk.AudioModel(s.t.cfg.Model),
		ResponseFormat: sdk.AudioResponseFormatVerboseJSON,
	}
	if s.lang != "" {
		params.Language = sdk.String(s.lang)
	}
	res, err := s.t.c.Audio.Transcriptions.New(s.life, params)
	startMs, endMs := clock.Time(c.base).Milliseconds(), clock.Time(c.end).Milliseconds()
	if err != nil {
		var apiErr *sdk.Error
		if errors.As(err, &apiErr) {
			err = fmt.Errorf("%d %s", apiErr.StatusCode, truncate(apiErr.RawJSON(), 300))
		}
		return domain.STTResult{}, false, fmt.Errorf("transcribe: audio %d–%d ms: %w", startMs, endMs, err)
	}
	text := strings.TrimSpace(res.Text)
	if text == "" {
		return domain.STTResult{}, false, nil
	}
	// The chunk's decoded audio starts base/48 ms into the stream's decoded audio (both
	// drop the pre-skip); segments narrow the span to where speech was found.
	off := ogg.SampleDuration(c.base).Milliseconds()
	if segs := res.Segments; len(segs) > 0 {
		a := off + int64(segs[0].Start*1000)
		b := off + int64(segs[len(segs)-1].End*1000)
		if a >= startMs && a < b {
			startMs = a
		}
		if b <= endMs && b > startMs {
			endMs = b
		}
	}
	lang := s.lang
	if lang == "" {
		lang = languageCode(res.Language)
	}
	return domain.STTResult{Text: text, Final: true, StartMs: startMs, EndMs: endMs, Language: lang}, true, nil
}

// languageCode turns verbose_json's language ("russian", as Whisper names it, or already a
// code) into a BCP 47 tag where it knows how.
func languageCode(l string) string {
	l = strings.ToLower(strings.TrimSpace(l))
	if code, ok := map[string]string{
		"english": "en", "russian": "ru", "ukrainian": "uk", "german": "de", "french": "fr",
		"spanish": "es", "italian": "it", "portuguese": "pt", "polish": "pl", "turkish": "tr",
		"chinese": "zh", "japanese": "ja", "korean": "ko", "arabic": "ar", "kazakh": "kk",
	}[l]; ok {
		return code
	}
	return l
}

// Results delivers one final result per chunk, in order.
func (s *tstream) Results() <-chan domain.STTResult { return s.results }

// Err is why Results closed early, or nil.
func (s *tstream) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close cuts the last chunk and waits, bounded by ctx, until every chunk is transcribed.
func (s *tstream) Close(ctx context.Context) error {
	s.mu.Lock()
	if !s.closing && s.err == nil && s.clock.Ready() {
		s.cut()
	}
	s.closing = true
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	select {
	case <-s.done:
	case <-ctx.Done():
		s.cancel()
		<-s.done
		return fmt.Errorf("openai: close: %w", ctx.Err())
	}
	s.cancel()
	return s.Err()
}
