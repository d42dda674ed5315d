package lecture_test

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/jobs"
	"github.com/liveserver/liveserver/internal/lecture"
	"github.com/liveserver/liveserver/internal/sqlstore"
)

// pdfText reads a PDF back with pdftotext, whitespace collapsed and footers (digit-only lines)
// dropped.
func pdfText(t *testing.T, body []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext (poppler-utils) is not installed")
		}
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	path := filepath.Join(t.TempDir(), "lecture.pdf")
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Trim(l, "0123456789 \f") != "" {
			kept = append(kept, l)
		}
	}
	return strings.Join(strings.Fields(strings.Join(kept, " ")), " ")
}

// Both exports say what the lecture page says, in the lecture's language: the duration as
// h:mm:ss, each person's minutes rounded, the files with their sizes and who shared them.
func TestExportsMatchThePage(t *testing.T) {
	f := setup(t, sqlstore.SQLite, russianLecture)
	ctx := context.Background()
	joined := f.clk.Add(-40 * time.Minute)
	left := joined.Add(95 * time.Second) // 1.6 minutes: the page shows 2
	f.db.RecordAttendance(ctx, domain.Attendance{RoomID: f.roomID, LectureID: f.lectureID, SID: "PA_1", Identity: "g1", Name: "Маша", JoinedAt: &joined, LeftAt: &left})
	f.db.CreateSharedFile(ctx, domain.SharedFile{ID: uuid.NewString(), RoomID: f.roomID, LectureID: f.lectureID, UploaderIdentity: "g1", UploaderName: "Маша",
		FileKey: "k1", Name: "конспект.pdf", Size: 1536, ContentType: "application/pdf", SHA256: strings.Repeat("a", 64), CreatedAt: f.clk})
	svc := lecture.NewService(f.db, owner{f.db})
	wants := []string{"Длительность: 45:00", "Посещаемость", "Маша — 2 мин", "Конспект", "Транскрипт", "Чат", "Сообщений нет.",
		"Файлы", "конспект.pdf — 1,5 КБ · Маша"}

	md, err := svc.Export(ctx, domain.Actor{}, f.lectureID, "md")
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := svc.Export(ctx, domain.Actor{}, f.lectureID, "pdf")
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf.Body)
	for _, w := range wants {
		if !strings.Contains(string(md.Body), w) {
			t.Errorf("the Markdown lacks %q:\n%s", w, md.Body)
		}
		if !strings.Contains(text, w) {
			t.Errorf("the PDF lacks %q: %s", w, text)
		}
	}
	if strings.Contains(string(md.Body), "Duration") || strings.Contains(text, "Duration") {
		t.Error("a Russian lecture's export has English labels")
	}
}

// A lecture nobody said anything in is in the instance's language (STT_LANGUAGE): its empty
// summary and its exports.
func TestSilentLectureInTheInstancesLanguage(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		lang, empty, label string
	}{
		{"ru-RU", "Транскрипт лекции пуст", "Длительность: 45:00"},
		{"en", "transcript is empty", "Duration: 45:00"},
		{"", "transcript is empty", "Duration: 45:00"}, // auto: the default
	} {
		f := setup(t, sqlstore.SQLite, nil)
		sum := lecture.NewSummarizer(f.db, nil, slog.New(slog.DiscardHandler)).WithLanguage(c.lang)
		jobs.New(f.db, slog.New(slog.DiscardHandler), jobs.Options{Now: func() time.Time { return f.clk },
			Handlers: map[string]jobs.Handler{domain.JobSummary: sum.Run}}).RunDue(ctx)
		if a := f.artifact(t); a.SummaryStatus != domain.SummaryReady || !strings.Contains(a.SummaryMarkdown, c.empty) {
			t.Fatalf("%q: empty lecture's summary = %+v", c.lang, a)
		}
		// Also before the summary is written: the page's language comes from the instance.
		g := setup(t, sqlstore.SQLite, nil)
		for name, fx := range map[string]*fixture{"summarised": f, "not yet summarised": g} {
			md, err := lecture.NewService(fx.db, owner{fx.db}).WithLanguage(c.lang).Export(ctx, domain.Actor{}, fx.lectureID, "md")
			if err != nil || !strings.Contains(string(md.Body), c.label) {
				t.Fatalf("%q, %s: markdown %v\n%s", c.lang, name, err, md.Body)
			}
		}
	}
}

// What people typed stays text in the Markdown export: no link, image, tag or heading can be
// smuggled in through a chat message, a name or a file name.
func TestMarkdownEscapesWhatPeopleTyped(t *testing.T) {
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	p := &lecture.Page{
		Room:       &domain.Room{Name: "Физика <script>", StartedAt: &at},
		Lecture:    &domain.Lecture{Number: 1, StartedAt: &at},
		Attendance: []lecture.Attendee{{Identity: "g1", Name: "*Маша*", Seconds: 120}},
		Chat: []domain.ChatMessage{{SenderName: "[Учитель](https://evil.example)", CreatedAt: at,
			Text: "смотрите ![x](https://evil.example/t.png) <img src=x onerror=alert(1)>\n# не заголовок\n`код` &amp;"}},
		Files:      []domain.SharedFile{{Name: "<b>план</b>.pdf", Size: 10, UploaderName: "_Петя_"}},
		Transcript: []domain.TranscriptSegment{{SpeakerName: "Анна", Text: "скажите [ссылка](javascript:alert(1))"}},
		Summary:    domain.LectureArtifact{Language: "ru"},
	}
	md := lecture.Markdown(p)
	// What is left once every escaped character is dropped is what a renderer would read as
	// Markdown.
	live := regexp.MustCompile(`\\.`).ReplaceAllString(md, "")
	for _, bad := range []string{"<script>", "<img", "](https://evil", "](javascript", "\n# не", "*Маша*", "<b>", "_Петя_", "`код`", "&amp;"} {
		if strings.Contains(live, bad) {
			t.Errorf("the export carries %q as Markdown:\n%s", bad, md)
		}
	}
	for _, kept := range []string{`Физика \<script\>`, `\*Маша\*`, `\[Учитель\]\(https://evil.example\)`, `\<img src=x onerror=alert\(1\)\>`,
		"  \n  \\# не заголовок", `\&amp;`, `\<b\>план\</b\>.pdf`, `\_Петя\_`} {
		if !strings.Contains(md, kept) {
			t.Errorf("the export lacks %q:\n%s", kept, md)
		}
	}
}

// The room's next lecture has a page and exports of its own: its transcript, not the first
// one's, under a name of its own.
func TestSecondLectureExportsItself(t *testing.T) {
	f := setup(t, sqlstore.SQLite, russianLecture)
	ctx := context.Background()
	r, err := f.db.Room(ctx, f.roomID)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := f.db.StartRoom(ctx, r.ID, r.LectureID, f.clk.Add(time.Hour)); !ok || err != nil {
		t.Fatalf("start the next lecture = %v, %v", ok, err)
	}
	f.db.AppendTranscript(ctx, domain.TranscriptSegment{ID: uuid.NewString(), RoomID: r.ID, LectureID: r.LectureID, SegmentID: "SG_0",
		SpeakerIdentity: r.OwnerID, SpeakerName: "Анна Петровна", TrackID: "TR_1", EndMs: 5000, Text: "Сегодня о дыхании растений.",
		Language: "ru", CreatedAt: f.clk.Add(time.Hour)})
	svc := lecture.NewService(f.db, owner{f.db})
	second, err := svc.Export(ctx, domain.Actor{}, r.LectureID, "md")
	if err != nil {
		t.Fatal(err)
	}
	if second.Name != "Биология_ фотосинтез 2.md" || !strings.Contains(string(second.Body), "Сегодня о дыхании растений.") ||
		strings.Contains(string(second.Body), russianLecture[0]) {
		t.Fatalf("second lecture's export %q:\n%s", second.Name, second.Body)
	}
	first, err := svc.Export(ctx, domain.Actor{}, f.lectureID, "md")
	if err != nil || first.Name != "Биология_ фотосинтез.md" || !strings.Contains(string(first.Body), russianLecture[0]) ||
		strings.Contains(string(first.Body), "дыхании") {
		t.Fatalf("first lecture's export %q, %v:\n%s", first.Name, err, first.Body)
	}
}
