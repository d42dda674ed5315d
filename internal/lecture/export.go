package lecture

import (
	"context"
	"fmt"
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
func (s *Service) Export(ctx context.Context, actor domain.Actor, roomID, format string) (*Export, error) {
	return s.export(ctx, actor, roomID, format, s.rooms)
}

func (s *Service) export(ctx context.Context, actor domain.Actor, roomID, format string, access Rooms) (*Export, error) {
	if format != "md" && format != "pdf" {
		return nil, domain.Invalid("format", "The format must be md or pdf.")
	}
	p, err := s.page(ctx, access, actor, roomID, "")
	if err != nil {
		return nil, err
	}
	name := fileName(p.Room.Name)
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

// labels of the exported document, by language.
type labels struct {
	Date, Duration, Attendance, Summary, Transcript, Chat, Files, Pending, Minutes string
}

var labelsByLang = map[string]labels{
	"ru": {"Дата", "Длительность", "Присутствовали", "Итоги", "Транскрипт", "Чат", "Файлы", "Итоги ещё готовятся.", "мин"},
	"en": {"Date", "Duration", "Attendance", "Summary", "Transcript", "Chat", "Files", "The summary is not ready yet.", "min"},
}

func labelsFor(lang string) labels {
	if l, ok := labelsByLang[lang]; ok {
		return l
	}
	return labelsByLang["en"]
}

func pageLanguage(p *Page) string {
	if p.Summary.Language != "" {
		return p.Summary.Language
	}
	return language(p.Transcript)
}

// Markdown renders the lecture: title, date, duration, attendance, summary, transcript, chat.
func Markdown(p *Page) string {
	l := labelsFor(pageLanguage(p))
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", p.Room.Name)
	if p.Room.StartedAt != nil {
		fmt.Fprintf(&b, "- %s: %s\n", l.Date, p.Room.StartedAt.Format("2006-01-02 15:04 MST"))
	}
	fmt.Fprintf(&b, "- %s: %d %s\n\n", l.Duration, int(p.Duration.Minutes()), l.Minutes)
	fmt.Fprintf(&b, "## %s\n\n", l.Attendance)
	for _, a := range p.Attendance {
		fmt.Fprintf(&b, "- %s — %d %s\n", a.Name, a.Seconds/60, l.Minutes)
	}
	fmt.Fprintf(&b, "\n## %s\n\n", l.Summary)
	if p.Summary.SummaryStatus == domain.SummaryReady {
		// The summary's own headings move one level down under ours.
		b.WriteString(strings.ReplaceAll("\n"+p.Summary.SummaryMarkdown, "\n## ", "\n### ")[1:] + "\n")
	} else {
		b.WriteString(l.Pending + "\n\n")
	}
	fmt.Fprintf(&b, "## %s\n\n", l.Transcript)
	for _, s := range p.Transcript {
		fmt.Fprintf(&b, "**[%s] %s:** %s\n\n", clock(s.StartMs), s.SpeakerName, s.Text)
	}
	if len(p.Files) > 0 {
		fmt.Fprintf(&b, "## %s\n\n", l.Files)
		for _, f := range p.Files {
			fmt.Fprintf(&b, "- %s (%s)\n", f.Name, f.UploaderName)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "## %s\n\n", l.Chat)
	for _, m := range p.Chat {
		fmt.Fprintf(&b, "- %s **%s:** %s\n", m.CreatedAt.Format(time.TimeOnly), m.SenderName, m.Text)
	}
	return b.String()
}
