package domain

import "context"

// STT turns speech into text (Deepgram live streaming, or an OpenAI-compatible transcription
// endpoint). One Stream serves one audio track.
type STT interface {
	// Open starts a stream. The audio is Ogg/Opus, written as whole Ogg pages in order (the
	// first pages are the OpusHead and OpusTags headers).
	Open(ctx context.Context, opts STTOptions) (STTStream, error)
}

// STTOptions configure one stream.
type STTOptions struct {
	// Language is a BCP 47 tag such as "ru" or "en"; empty lets the provider detect it where it
	// can.
	Language string
}

// STTStream is one track's transcription in progress.
type STTStream interface {
	// Write sends one or more whole Ogg pages.
	Write(pages []byte) error
	// Results delivers interim and final results in order; it is closed after Close has
	// delivered everything still pending, or when the stream fails for good (Err says why).
	Results() <-chan STTResult
	// Close ends the audio, waits for the last final results (bounded by ctx), and releases the
	// stream.
	Close(ctx context.Context) error
	// Err is why Results closed early, or nil.
	Err() error
}

// STTResult is one recognised piece. Interim results of one piece share its start and are
// replaced by the final one. Times count from the start of the stream's audio.
type STTResult struct {
	Text     string
	Final    bool
	StartMs  int64
	EndMs    int64
	Language string
}
