// Package lecture is what happens after a lecture: its summary (by a language model, or
// extractive without one), the lecture page's data, and its exports.
package lecture

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/jobs"
)

// chunkChars bounds one request's transcript: long lectures are summarised part by part, then
// the parts' notes together (two stages).
const chunkChars = 12000

// SummaryStore is what the summary job reads and writes.
type SummaryStore interface {
	Transcript(ctx context.Context, lectureID string) ([]domain.TranscriptSegment, error)
	SetSummary(ctx context.Context, a domain.LectureArtifact) error
	// AgentHolds tells whether the assistant may still be storing the lecture's last captions.
	AgentHolds(ctx context.Context, lectureID string, now time.Time) (bool, error)
}

// Summarizer writes lecture summaries: the handler of the summary job.
type Summarizer struct {
	store SummaryStore
	llm   domain.LLM // nil: extractive summaries
	log   *slog.Logger
	now   func() time.Time
	lang  string // the instance's lecture language, for a lecture nobody said anything in
}

// NewSummarizer makes the job handler; llm may be nil.
func NewSummarizer(store SummaryStore, llm domain.LLM, log *slog.Logger) *Summarizer {
	return &Summarizer{store: store, llm: llm, log: log, now: time.Now, lang: defaultLanguage}
}

// WithLanguage sets the lectures' language (STT_LANGUAGE, e.g. ru or en-US), which a lecture
// without a transcript is written in; "" (auto) keeps the default.
func (s *Summarizer) WithLanguage(tag string) *Summarizer {
	if tag != "" {
		s.lang = baseLang(tag)
	}
	return s
}

// Run is the jobs.Handler of domain.JobSummary.
func (s *Summarizer) Run(ctx context.Context, job domain.Job) error {
	if job.LectureID == "" {
		return jobs.Permanent(fmt.Errorf("summary job without a lecture"))
	}
	if err := s.waitForAssistant(ctx, job.LectureID); err != nil {
		return err
	}
	segs, err := s.store.Transcript(ctx, job.LectureID)
	if err != nil {
		return err
	}
	lang := language(segs, s.lang)
	art := domain.LectureArtifact{RoomID: job.RoomID, LectureID: job.LectureID, SummaryStatus: domain.SummaryRunning, Language: lang, UpdatedAt: s.stamp()}
	if err := s.store.SetSummary(ctx, art); err != nil {
		return err
	}
	switch {
	case len(segs) == 0:
		art.SummaryKind, art.SummaryMarkdown = domain.SummaryExtractive, "_"+headingsFor(lang).Empty+"_\n"
	case s.llm == nil:
		art.SummaryKind, art.SummaryMarkdown = domain.SummaryExtractive, extractive(segs, lang)
	default:
		md, err := s.summarise(ctx, segs, lang)
		if err != nil {
			// Keep the reason visible; the final attempt turns it into FAILED.
			art.SummaryStatus, art.SummaryError = domain.SummaryPending, err.Error()
			if job.Attempts >= job.MaxAttempts {
				art.SummaryStatus = domain.SummaryFailed
			}
			art.UpdatedAt = s.stamp()
			if serr := s.store.SetSummary(context.WithoutCancel(ctx), art); serr != nil {
				s.log.Warn("record summary failure", "lecture", job.LectureID, "err", serr)
			}
			return err
		}
		art.SummaryKind, art.SummaryMarkdown = domain.SummaryLLM, md
	}
	art.SummaryStatus, art.SummaryError, art.UpdatedAt = domain.SummaryReady, "", s.stamp()
	return s.store.SetSummary(ctx, art)
}

// assistantGrace bounds the wait for the captioning assistant to leave the ended room.
const assistantGrace = 30 * time.Second

// waitForAssistant waits while an assistant still holds the room's lease: when a lecture ends,
// the assistant stores the last final captions of each track (up to 10 s) before it gives the
// room up, and the summary should read them. A lease of a dead assistant runs out by itself.
func (s *Summarizer) waitForAssistant(ctx context.Context, lectureID string) error {
	deadline := s.now().Add(assistantGrace)
	for {
		held, err := s.store.AgentHolds(ctx, lectureID, s.now())
		if err != nil || !held {
			return err
		}
		if s.now().After(deadline) {
			s.log.Warn("the assistant still holds the ended room; summarising without waiting more", "lecture", lectureID)
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func (s *Summarizer) stamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// summarise asks the model once for a short lecture; for a long one, for notes on each part,
// then for the summary of all notes.
func (s *Summarizer) summarise(ctx context.Context, segs []domain.TranscriptSegment, lang string) (string, error) {
	chunks := chunk(transcriptText(segs), chunkChars)
	material := chunks[0]
	if len(chunks) > 1 {
		var notes []string
		for i, c := range chunks {
			n, err := s.llm.Complete(ctx, notesPrompt(lang, i+1, len(chunks)), c)
			if err != nil {
				return "", fmt.Errorf("part %d of %d: %w", i+1, len(chunks), err)
			}
			notes = append(notes, fmt.Sprintf("### %d/%d\n%s", i+1, len(chunks), n))
		}
		material = strings.Join(notes, "\n\n")
	}
	md, err := s.llm.Complete(ctx, summaryPrompt(lang, len(chunks) > 1), material)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(md) + "\n", nil
}

func summaryPrompt(lang string, fromNotes bool) string {
	h := headingsFor(lang)
	src := "the transcript of a lecture"
	if fromNotes {
		src = "notes taken on consecutive parts of a lecture"
	}
	return fmt.Sprintf(`You summarise lectures for the students who attended. You are given %s.
Answer in %s only. Write Markdown with exactly these five sections, in this order, each a level-2 heading:
## %s — three to five sentences.
## %s — a bulleted list.
## %s — a bulleted list of terms with one-line definitions.
## %s — a bulleted list of questions asked during the lecture.
## %s — a bulleted list of homework or tasks given.
Use only what the material says; where a section has nothing, write "%s". Do not add a title.`,
		src, languageName(lang), h.Overview, h.KeyPoints, h.Terms, h.Questions, h.Assignments, h.None)
}

func notesPrompt(lang string, part, of int) string {
	return fmt.Sprintf(`You take notes on part %d of %d of a lecture transcript, in %s: the main points, the terms
introduced, the questions asked and any tasks given, as a concise bulleted list.`, part, of, languageName(lang))
}

// transcriptText is the transcript as lines "[mm:ss] Speaker: text".
func transcriptText(segs []domain.TranscriptSegment) []string {
	lines := make([]string, len(segs))
	for i, s := range segs {
		lines[i] = fmt.Sprintf("[%s] %s: %s", clock(s.StartMs), s.SpeakerName, s.Text)
	}
	return lines
}

// clock formats milliseconds from the start as m:ss or h:mm:ss.
func clock(ms int64) string {
	sec := ms / 1000
	if sec >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", sec/3600, sec/60%60, sec%60)
	}
	return fmt.Sprintf("%d:%02d", sec/60, sec%60)
}

// chunk joins lines into pieces of at most max characters (a longer line is a piece alone).
func chunk(lines []string, max int) []string {
	var out []string
	var b strings.Builder
	for _, l := range lines {
		if b.Len() > 0 && b.Len()+len(l)+1 > max {
			out = append(out, b.String())
			b.Reset()
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l)
	}
	if b.Len() > 0 || len(out) == 0 {
		out = append(out, b.String())
	}
	return out
}
