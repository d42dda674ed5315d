package lecture_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/jobs"
	"github.com/liveserver/liveserver/internal/lecture"
	"github.com/liveserver/liveserver/internal/openai"
	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

// fakeLLM speaks OpenAI's chat-completions wire format, records what it received, and fails
// the first failures requests with a 500 (always, when failures < 0).
type fakeLLM struct {
	mu       sync.Mutex
	failures int
	requests []chatRequest
	answer   string
}

type chatRequest struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
	Auth string `json:"-"`
}

func (f *fakeLLM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != "POST" || r.URL.Path != "/v1/chat/completions" {
		http.Error(w, `{"error":{"message":"no such route"}}`, 404)
		return
	}
	var req chatRequest
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, `{"error":{"message":"bad json"}}`, 400)
		return
	}
	req.Auth = r.Header.Get("Authorization")
	f.mu.Lock()
	f.requests = append(f.requests, req)
	fail := f.failures != 0
	if f.failures > 0 {
		f.failures--
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if fail {
		w.WriteHeader(500)
		w.Write([]byte(`{"error":{"message":"the model is overloaded","type":"server_error"}}`))
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"id": "chatcmpl-1", "object": "chat.completion", "created": time.Now().Unix(), "model": req.Model,
		"choices": []map[string]any{{"index": 0, "finish_reason": "stop", "message": map[string]any{"role": "assistant", "content": f.answer}}}})
}

const russianSummary = "## Обзор\n\nЛекция о фотосинтезе.\n\n## Ключевые моменты\n\n- Хлорофилл поглощает свет.\n\n## Термины\n\n- Хлоропласт — органоид клетки.\n\n## Заданные вопросы\n\n- Почему листья зелёные?\n\n## Задания\n\n- Прочитать главу 5.\n"

var russianLecture = []string{
	"Сегодня мы поговорим о фотосинтезе и о том, как растения получают энергию.",
	"Хлорофилл поглощает свет, в основном красный и синий, а зелёный отражает.",
	"Почему листья зелёные? Потому что хлорофилл отражает зелёную часть спектра.",
	"Ёжик в тумане — это не про биологию, но «кавычки» и тире — тоже текст.",
	"К следующему занятию прочитайте пятую главу учебника.",
}

type fixture struct {
	db        *sqlstore.DB
	roomID    string
	lectureID string // the room's first lecture, ended
	clk       time.Time
}

func setup(t *testing.T, d sqlstore.Dialect, lines []string) *fixture {
	ctx := context.Background()
	db := sqlstoretest.Open(t, d)
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	u, _ := db.CreateUser(ctx, domain.User{ID: uuid.NewString(), Email: "t@x.org", Name: "Анна Петровна", Role: domain.RoleHost,
		PasswordHash: "h", CreatedAt: now, UpdatedAt: now}, false)
	r := domain.Room{ID: uuid.NewString(), LectureID: uuid.NewString(), Code: "abc-defg-hjk", OwnerID: u.ID, Name: "Биология: фотосинтез", MaxParticipants: 30,
		Status: domain.RoomCreated, CreatedAt: now, UpdatedAt: now}
	if err := db.CreateRoom(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := db.StartRoom(ctx, r.ID, r.LectureID, now); err != nil {
		t.Fatal(err)
	}
	for i, l := range lines {
		db.AppendTranscript(ctx, domain.TranscriptSegment{ID: uuid.NewString(), RoomID: r.ID, LectureID: r.LectureID, SegmentID: fmt.Sprintf("SG_%d", i),
			SpeakerIdentity: u.ID, SpeakerName: "Анна Петровна", TrackID: "TR_1", StartMs: int64(i) * 15000, EndMs: int64(i)*15000 + 14000,
			Text: l, Language: "ru", CreatedAt: now})
	}
	if _, err := db.EndRoom(ctx, r.ID, r.LectureID, now.Add(45*time.Minute)); err != nil {
		t.Fatal(err)
	}
	return &fixture{db: db, roomID: r.ID, lectureID: r.LectureID, clk: now.Add(45 * time.Minute)}
}

func (f *fixture) runner(llm domain.LLM) *jobs.Runner {
	sum := lecture.NewSummarizer(f.db, llm, slog.New(slog.DiscardHandler))
	return jobs.New(f.db, slog.New(slog.DiscardHandler), jobs.Options{Now: func() time.Time { return f.clk },
		Backoff: func(int) time.Duration { return time.Minute }, Handlers: map[string]jobs.Handler{domain.JobSummary: sum.Run}})
}

func (f *fixture) artifact(t *testing.T) *domain.LectureArtifact {
	a, err := f.db.Artifact(context.Background(), f.lectureID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func newLLM(t *testing.T, fake *fakeLLM) domain.LLM {
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	l, err := openai.New(openai.Config{BaseURL: srv.URL + "/v1", APIKey: "sk-test", Model: "local-model"})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestSummaryByModel(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		f := setup(t, d, russianLecture)
		fake := &fakeLLM{answer: russianSummary}
		f.runner(newLLM(t, fake)).RunDue(context.Background())
		a := f.artifact(t)
		if a.SummaryStatus != domain.SummaryReady || a.SummaryKind != domain.SummaryLLM || a.Language != "ru" ||
			!strings.Contains(a.SummaryMarkdown, "Хлорофилл поглощает свет") {
			t.Fatalf("artifact = %+v", a)
		}
		if len(fake.requests) != 1 {
			t.Fatalf("%d requests for a short lecture, want 1", len(fake.requests))
		}
		req := fake.requests[0]
		if req.Model != "local-model" || req.Auth != "Bearer sk-test" || len(req.Messages) != 2 {
			t.Fatalf("request = %+v", req)
		}
		if !strings.Contains(req.Messages[0].Content, "Russian") || !strings.Contains(req.Messages[0].Content, "## Ключевые моменты") {
			t.Fatalf("system prompt does not ask for Russian sections: %s", req.Messages[0].Content)
		}
		if !strings.Contains(req.Messages[1].Content, "[0:15] Анна Петровна: Хлорофилл поглощает свет") {
			t.Fatalf("the transcript was not sent: %s", req.Messages[1].Content)
		}
	})
}

// A long lecture is summarised in parts, then as a whole.
func TestLongLectureInTwoStages(t *testing.T) {
	var lines []string
	for i := range 400 {
		lines = append(lines, fmt.Sprintf("Фраза номер %d о фотосинтезе, хлорофилле и свете, чтобы лекция была длинной.", i))
	}
	f := setup(t, sqlstore.SQLite, lines)
	fake := &fakeLLM{answer: russianSummary}
	f.runner(newLLM(t, fake)).RunDue(context.Background())
	if a := f.artifact(t); a.SummaryStatus != domain.SummaryReady {
		t.Fatalf("artifact = %+v", a)
	}
	if n := len(fake.requests); n < 3 {
		t.Fatalf("%d requests, want the parts and the whole", n)
	}
	last := fake.requests[len(fake.requests)-1]
	if !strings.Contains(last.Messages[0].Content, "notes taken on consecutive parts") || !strings.Contains(last.Messages[1].Content, "### 1/") {
		t.Fatalf("final request is not over the parts' notes: %s", last.Messages[0].Content)
	}
}

func TestSummaryRetriedThenFailed(t *testing.T) {
	f := setup(t, sqlstore.SQLite, russianLecture)
	fake := &fakeLLM{answer: russianSummary, failures: 2 * 3} // two attempts, each with the SDK's 2 retries
	r := f.runner(newLLM(t, fake))
	r.RunDue(context.Background())
	if a := f.artifact(t); a.SummaryStatus != domain.SummaryPending || !strings.Contains(a.SummaryError, "overloaded") {
		t.Fatalf("after a failed attempt: %+v", a)
	}
	f.clk = f.clk.Add(2 * time.Minute)
	r.RunDue(context.Background())
	f.clk = f.clk.Add(2 * time.Minute)
	r.RunDue(context.Background())
	if a := f.artifact(t); a.SummaryStatus != domain.SummaryReady || a.SummaryError != "" {
		t.Fatalf("after two failed attempts and a good one: %+v", a)
	}

	g := setup(t, sqlstore.SQLite, russianLecture)
	always := &fakeLLM{failures: -1}
	rr := g.runner(newLLM(t, always))
	for range 10 {
		rr.RunDue(context.Background())
		g.clk = g.clk.Add(2 * time.Minute)
	}
	a := g.artifact(t)
	if a.SummaryStatus != domain.SummaryFailed || !strings.Contains(a.SummaryError, "overloaded") {
		t.Fatalf("a model that always fails: %+v", a)
	}
	js, _ := g.db.JobsOf(context.Background(), g.roomID)
	if js[0].Status != "FAILED" {
		t.Fatalf("job = %+v", js[0])
	}
}

func TestExtractiveWithoutModel(t *testing.T) {
	f := setup(t, sqlstore.SQLite, russianLecture)
	f.runner(nil).RunDue(context.Background())
	a := f.artifact(t)
	if a.SummaryStatus != domain.SummaryReady || a.SummaryKind != domain.SummaryExtractive || !strings.Contains(a.SummaryMarkdown, "## Ключевые моменты") ||
		!strings.Contains(a.SummaryMarkdown, "языковая модель не подключена") || !strings.Contains(a.SummaryMarkdown, "Почему листья зелёные?") {
		t.Fatalf("extractive = %+v\n%s", a, a.SummaryMarkdown)
	}
	empty := setup(t, sqlstore.SQLite, nil)
	empty.runner(nil).RunDue(context.Background())
	if a := empty.artifact(t); a.SummaryStatus != domain.SummaryReady || !strings.Contains(a.SummaryMarkdown, "empty") {
		t.Fatalf("empty lecture = %+v", a)
	}
}

type owner struct{ db *sqlstore.DB }

func (o owner) Room(ctx context.Context, _ domain.Actor, id string) (*domain.Room, error) {
	return o.db.Room(ctx, id)
}

// The PDF of a Russian lecture, read back with pdftotext, has the transcript's and the summary's
// sentences, every character intact; an emoji in the chat does not break it.
func TestRussianPDF(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext (poppler-utils) is not installed")
		}
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	f := setup(t, sqlstore.SQLite, russianLecture)
	f.runner(newLLM(t, &fakeLLM{answer: russianSummary})).RunDue(context.Background())
	f.db.CreateChatMessage(context.Background(), domain.ChatMessage{ID: uuid.NewString(), RoomID: f.roomID, LectureID: f.lectureID, SenderIdentity: "g",
		SenderName: "Маша", ClientID: "c1", Text: "Спасибо! 👍🏽 Всё понятно", CreatedAt: f.clk})
	svc := lecture.NewService(f.db, owner{f.db})
	ex, err := svc.Export(context.Background(), domain.Actor{}, f.lectureID, "pdf")
	if err != nil {
		t.Fatal(err)
	}
	if ex.ContentType != "application/pdf" || !strings.HasSuffix(ex.Name, ".pdf") {
		t.Fatalf("export = %s %s", ex.Name, ex.ContentType)
	}
	path := filepath.Join(t.TempDir(), "lecture.pdf")
	os.WriteFile(path, ex.Body, 0o600)
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	// Lines wrap and page numbers land mid-text: compare with whitespace collapsed, digits-only
	// lines (footers) dropped.
	var kept []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Trim(l, "0123456789 \f") != "" {
			kept = append(kept, l)
		}
	}
	text := strings.Join(strings.Fields(strings.Join(kept, " ")), " ")
	for _, want := range append(russianLecture, "Биология: фотосинтез", "Хлорофилл поглощает свет.", "Прочитать главу 5.", "Спасибо!", "Всё понятно") {
		if !strings.Contains(text, strings.Join(strings.Fields(want), " ")) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	md, err := svc.Export(context.Background(), domain.Actor{}, f.lectureID, "md")
	if err != nil || !strings.Contains(string(md.Body), "### Ключевые моменты") || !strings.Contains(string(md.Body), "**[0:15] Анна Петровна:**") {
		t.Fatalf("markdown: %v\n%s", err, md.Body)
	}
	if _, err := svc.Export(context.Background(), domain.Actor{}, f.lectureID, "docx"); domain.ErrorCode(err) != domain.EInvalid {
		t.Fatalf("unknown format: %v", err)
	}
}

// A lecture ends while the assistant still stores its last captions: the summary waits until
// the assistant gives the room up, and reads them.
func TestSummaryWaitsForTheAssistantsLastCaptions(t *testing.T) {
	f := setup(t, sqlstore.SQLite, nil)
	ctx := context.Background()
	now := time.Now()
	if ok, err := f.db.ClaimAgentRoom(ctx, f.lectureID, "agent-1", now, now.Add(time.Minute)); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	const last = "Последняя фраза лекции: к следующему занятию прочитайте пятую главу."
	go func() {
		time.Sleep(500 * time.Millisecond)
		if _, err := f.db.AppendTranscript(ctx, domain.TranscriptSegment{ID: uuid.NewString(), RoomID: f.roomID, LectureID: f.lectureID, SegmentID: "SG_last",
			SpeakerIdentity: "u", SpeakerName: "Анна Петровна", TrackID: "TR_1", StartMs: 1000, EndMs: 5000, Text: last,
			Language: "ru", CreatedAt: now}); err != nil {
			t.Error(err)
		}
		if err := f.db.ReleaseAgentRoom(ctx, f.lectureID, "agent-1"); err != nil {
			t.Error(err)
		}
	}()
	f.runner(nil).RunDue(ctx)
	a := f.artifact(t)
	if a.SummaryStatus != domain.SummaryReady || !strings.Contains(a.SummaryMarkdown, "пятую главу") {
		t.Fatalf("summary %s:\n%s", a.SummaryStatus, a.SummaryMarkdown)
	}
}
