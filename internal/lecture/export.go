package lecture

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
)

// Export is a rendered lecture document.
type Export struct {
	Name        string // file name for the download
	ContentType string
	Body        []byte
}

// Export renders the lecture as "md" or "pdf" for its owner or an admin.
func (s *Service) Export(ctx context.Context, actor domain.Actor, lectureID, format string) (*Export, error) {
	return s.export(ctx, actor, lectureID, format, s.rooms)
}

func (s *Service) export(ctx context.Context, actor domain.Actor, lectureID, format string, access Rooms) (*Export, error) {
	if format != "md" && format != "pdf" {
		return nil, domain.Invalid("format", "The format must be md or pdf.")
	}
	p, err := s.page(ctx, access, actor, lectureID, "")
	if err != nil {
		return nil, err
	}
	name := fileName(p.Room.Name)
	if p.Lecture.Number > 1 {
		// The room's later lectures: their downloads do not overwrite the first one's.
		name += " " + strconv.Itoa(p.Lecture.Number)
	}
	if format == "md" {
		return &Export{Name: name + ".md", ContentType: "text/markdown; charset=utf-8", Body: []byte(Markdown(p))}, nil
	}
	b, err := PDF(p)
	if err != nil {
		return nil, err
	}
	return &Export{Name: name + ".pdf", ContentType: "application/pdf", Body: b}, nil
}

func fileName(title string) string {
	f := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) || r < 0x20 {
			return '_'
		}
		return r
	}, strings.TrimSpace(title))
	if f == "" {
		f = "lecture"
	}
	return f
}

// labels of the exported document, by language: the lecture page's words.
type labels struct {
	Date, Duration, Attendance, Summary, Transcript, Chat, Files, Pending, Minutes string
	NoAttendance, NoTranscript, NoChat                                             string
	Bytes, KB, MB, Decimal                                                         string
}

var labelsByLang = map[string]labels{
	"ru": {Date: "Дата", Duration: "Длительность", Attendance: "Посещаемость", Summary: "Конспект", Transcript: "Транскрипт",
		Chat: "Чат", Files: "Файлы", Pending: "Конспект ещё не готов.", Minutes: "мин",
		NoAttendance: "Никто не подключался.", NoTranscript: "Транскрипта нет.", NoChat: "Сообщений нет.",
		Bytes: "Б", KB: "КБ", MB: "МБ", Decimal: ","},
	"en": {Date: "Date", Duration: "Duration", Attendance: "Attendance", Summary: "Summary", Transcript: "Transcript",
		Chat: "Chat", Files: "Files", Pending: "The summary is not ready yet.", Minutes: "min",
		NoAttendance: "Nobody joined.", NoTranscript: "No transcript.", NoChat: "No messages.",
		Bytes: "B", KB: "KB", MB: "MB", Decimal: "."},
}

func labelsFor(lang string) labels {
	if l, ok := labelsByLang[lang]; ok {
		return l
	}
	return labelsByLang["en"]
}

// pageLanguage is the language the exports are written in.
func pageLanguage(p *Page) string {
	if p.Language != "" {
		return p.Language
	}
	if p.Summary.Language != "" {
		return p.Summary.Language
	}
	return language(p.Transcript, "")
}

// minutes is a person's time present as the page shows it: whole minutes, rounded.
func minutes(seconds int64) int64 { return (seconds + 30) / 60 }

// fileSize is a file's size as the page shows it, in the document's language: 512 Б, 1,5 КБ.
func (l labels) fileSize(n int64) string {
	one := func(v float64, unit string) string {
		return strings.Replace(fmt.Sprintf("%.1f", v), ".", l.Decimal, 1) + " " + unit
	}
	switch {
	case n < 1024:
		return fmt.Sprintf("%d %s", n, l.Bytes)
	case n < 1024*1024:
		return one(float64(n)/1024, l.KB)
	}
	return one(float64(n)/1024/1024, l.MB)
}

// facts are the lines under the title: date and duration (as the page has them).
func facts(p *Page, l labels) []string {
	var out []string
	if p.Lecture.StartedAt != nil {
		out = append(out, fmt.Sprintf("%s: %s", l.Date, p.Lecture.StartedAt.Format("2006-01-02 15:04 MST")),
			fmt.Sprintf("%s: %s", l.Duration, clock(p.Duration.Milliseconds())))
	} else {
		out = append(out, l.Duration+": —")
	}
	return out
}

func attendeeLine(a Attendee, l labels, esc func(string) string) string {
	return fmt.Sprintf("%s — %d %s", esc(a.Name), minutes(a.Seconds), l.Minutes)
}

func fileLine(f domain.SharedFile, l labels, esc func(string) string) string {
	return fmt.Sprintf("%s — %s · %s", esc(f.Name), l.fileSize(f.Size), esc(f.UploaderName))
}

// plain leaves a text as it is (the PDF draws text, it does not parse it).
func plain(s string) string { return s }

// mdText writes what people typed (names, chat, file names, what the transcript heard) into
// Markdown as text: the marks that make emphasis, code, links, images, tables, headings, HTML
// tags and entities are escaped, so a chat message cannot become a link, an image or a tag in
// whatever renders the export; a line break continues the list item it is in.
func mdText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString("  \n  ")
		case r == '\r':
		case r < 0x80 && strings.ContainsRune("\\`*_{}[]()<>#|!~&", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Markdown renders the lecture in the page's order: title, date, duration, summary,
// attendance, transcript, chat, files.
func Markdown(p *Page) string {
	l := labelsFor(pageLanguage(p))
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", mdText(p.Room.Name))
	for _, f := range facts(p, l) {
		fmt.Fprintf(&b, "- %s\n", f)
	}
	fmt.Fprintf(&b, "\n## %s\n\n", l.Summary)
	if p.Summary.SummaryStatus == domain.SummaryReady {
		// The summary's own headings move one level down under ours.
		b.WriteString(strings.ReplaceAll("\n"+p.Summary.SummaryMarkdown, "\n## ", "\n### ")[1:] + "\n")
	} else {
		b.WriteString(l.Pending + "\n\n")
	}
	fmt.Fprintf(&b, "## %s\n\n", l.Attendance)
	if len(p.Attendance) == 0 {
		b.WriteString(l.NoAttendance + "\n")
	}
	for _, a := range p.Attendance {
		fmt.Fprintf(&b, "- %s\n", attendeeLine(a, l, mdText))
	}
	fmt.Fprintf(&b, "\n## %s\n\n", l.Transcript)
	if len(p.Transcript) == 0 {
		b.WriteString(l.NoTranscript + "\n\n")
	}
	for _, s := range p.Transcript {
		fmt.Fprintf(&b, "**[%s] %s:** %s\n\n", clock(s.StartMs), mdText(s.SpeakerName), mdText(s.Text))
	}
	fmt.Fprintf(&b, "## %s\n\n", l.Chat)
	if len(p.Chat) == 0 {
		b.WriteString(l.NoChat + "\n")
	}
	for _, m := range p.Chat {
		fmt.Fprintf(&b, "- %s **%s:** %s\n", m.CreatedAt.Format(time.TimeOnly), mdText(m.SenderName), mdText(m.Text))
	}
	if len(p.Files) > 0 {
		fmt.Fprintf(&b, "\n## %s\n\n", l.Files)
		for _, f := range p.Files {
			fmt.Fprintf(&b, "- %s\n", fileLine(f, l, mdText))
		}
	}
	return b.String()
}
