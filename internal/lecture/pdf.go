package lecture

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/sfnt"

	"github.com/liveserver/liveserver/internal/domain"
)

// DejaVu Sans (Debian's fonts-dejavu-core; its licence is in fonts/LICENSE) covers Latin and
// Cyrillic; the PDF embeds only the glyphs it uses.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

// glyphs knows which characters the font has: fpdf fails the whole document on one it lacks
// (an emoji in the chat), so those are replaced first.
var glyphs = sync.OnceValues(func() (*sfnt.Font, error) { return sfnt.Parse(fontRegular) })

func printable(s string) string {
	f, err := glyphs()
	if err != nil {
		return s
	}
	var buf sfnt.Buffer
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r < 0x20 || r == 0x200d || (r >= 0xfe00 && r <= 0xfe0f):
			return -1 // controls, joiners and variation selectors of emoji
		}
		if gi, err := f.GlyphIndex(&buf, r); err != nil || gi == 0 {
			return '□'
		}
		return r
	}, s)
}

// PDF renders the lecture as an A4 document in the page's order: title, date and duration,
// summary, attendance, transcript, chat and files, with page numbers.
func PDF(p *Page) ([]byte, error) {
	l := labelsFor(pageLanguage(p))
	d := fpdf.New("P", "mm", "A4", "")
	d.AddUTF8FontFromBytes("DejaVu", "", fontRegular)
	d.AddUTF8FontFromBytes("DejaVu", "B", fontBold)
	d.SetMargins(18, 18, 18)
	d.SetAutoPageBreak(true, 18)
	d.SetTitle(printable(p.Room.Name), true)
	d.SetFooterFunc(func() {
		d.SetY(-12)
		d.SetFont("DejaVu", "", 8)
		d.CellFormat(0, 6, fmt.Sprintf("%d", d.PageNo()), "", 0, "C", false, 0, "")
	})
	d.AddPage()
	text := func(size float64, bold bool, s string) {
		style := ""
		if bold {
			style = "B"
		}
		d.SetFont("DejaVu", style, size)
		// Left-aligned: fpdf's justified text barely justifies and looks broken.
		d.MultiCell(0, size*0.5, printable(s), "", "L", false)
	}
	heading := func(s string) {
		d.Ln(3)
		text(14, true, s)
		d.Ln(1)
	}

	text(20, true, p.Room.Name)
	d.Ln(2)
	for _, f := range facts(p, l) {
		text(10, false, f)
	}

	heading(l.Summary)
	if p.Summary.SummaryStatus != domain.SummaryReady {
		text(10, false, l.Pending)
	}
	for _, line := range strings.Split(p.Summary.SummaryMarkdown, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
			d.Ln(1)
		case strings.HasPrefix(line, "#"):
			d.Ln(1)
			text(12, true, strings.TrimSpace(strings.TrimLeft(line, "#")))
		case strings.HasPrefix(line, "- ") || strings.HasPrefix(line, "* "):
			text(10, false, "• "+stripMarkdown(line[2:]))
		default:
			text(10, false, stripMarkdown(line))
		}
	}

	heading(l.Attendance)
	if len(p.Attendance) == 0 {
		text(10, false, l.NoAttendance)
	}
	for _, a := range p.Attendance {
		text(10, false, "• "+attendeeLine(a, l, plain))
	}

	heading(l.Transcript)
	if len(p.Transcript) == 0 {
		text(10, false, l.NoTranscript)
	}
	for _, s := range p.Transcript {
		text(10, false, fmt.Sprintf("[%s] %s: %s", clock(s.StartMs), s.SpeakerName, s.Text))
	}

	heading(l.Chat)
	if len(p.Chat) == 0 {
		text(10, false, l.NoChat)
	}
	for _, m := range p.Chat {
		text(10, false, fmt.Sprintf("%s %s: %s", m.CreatedAt.Format(time.TimeOnly), m.SenderName, m.Text))
	}

	if len(p.Files) > 0 {
		heading(l.Files)
		for _, f := range p.Files {
			text(10, false, "• "+fileLine(f, l, plain))
		}
	}

	var out bytes.Buffer
	if err := d.Output(&out); err != nil {
		return nil, fmt.Errorf("render pdf: %w", err)
	}
	return out.Bytes(), nil
}

// stripMarkdown drops emphasis marks a PDF line would show literally.
func stripMarkdown(s string) string {
	return strings.NewReplacer("**", "", "__", "", "`", "").Replace(strings.Trim(s, "_*"))
}
