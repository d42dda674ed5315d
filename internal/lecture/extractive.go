package lecture

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/liveserver/liveserver/internal/domain"
)

// extractive summarises without a model: the sentences that carry the lecture's most frequent
// words, in the order they were said, and those words as terms. It is labelled as such.
func extractive(segs []domain.TranscriptSegment, lang string) string {
	h := headingsFor(lang)
	var sentences []string
	for _, s := range segs {
		sentences = append(sentences, splitSentences(s.Text)...)
	}
	freq := map[string]int{}
	for _, s := range sentences {
		for _, w := range words(s) {
			freq[w]++
		}
	}
	type scored struct {
		i     int
		score float64
	}
	var ranked []scored
	for i, s := range sentences {
		ws := words(s)
		if len(ws) < 3 {
			continue
		}
		total := 0
		for _, w := range ws {
			total += freq[w]
		}
		ranked = append(ranked, scored{i, float64(total) / float64(len(ws))})
	}
	sort.SliceStable(ranked, func(a, b int) bool { return ranked[a].score > ranked[b].score })
	keep := min(len(ranked), max(3, len(sentences)/10), 12)
	picked := ranked[:keep]
	sort.Slice(picked, func(a, b int) bool { return picked[a].i < picked[b].i })

	var b strings.Builder
	fmt.Fprintf(&b, "_%s_\n\n## %s\n\n", h.Extractive, h.Overview)
	if len(sentences) > 0 {
		b.WriteString(strings.Join(sentences[:min(2, len(sentences))], " ") + "\n\n")
	}
	fmt.Fprintf(&b, "## %s\n\n", h.KeyPoints)
	for _, p := range picked {
		b.WriteString("- " + sentences[p.i] + "\n")
	}
	fmt.Fprintf(&b, "\n## %s\n\n", h.Terms)
	terms := topTerms(freq, 8)
	if len(terms) == 0 {
		b.WriteString(h.None + "\n")
	} else {
		b.WriteString(strings.Join(terms, ", ") + "\n")
	}
	fmt.Fprintf(&b, "\n## %s\n\n", h.Questions)
	var questions []string
	for _, s := range sentences {
		if strings.HasSuffix(s, "?") {
			questions = append(questions, "- "+s)
		}
	}
	if len(questions) == 0 {
		b.WriteString(h.None + "\n")
	} else {
		b.WriteString(strings.Join(questions[:min(len(questions), 10)], "\n") + "\n")
	}
	fmt.Fprintf(&b, "\n## %s\n\n%s\n", h.Assignments, h.None)
	return b.String()
}

var sentenceEnd = regexp.MustCompile(`([.!?…])\s+`)

func splitSentences(text string) []string {
	var out []string
	for _, s := range strings.Split(sentenceEnd.ReplaceAllString(strings.TrimSpace(text), "$1\n"), "\n") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// words are a sentence's lower-cased words of four letters or more: short ones are mostly
// function words in both Russian and English.
func words(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && r != '-' }) {
		if len([]rune(w)) >= 4 && !stopWords[w] {
			out = append(out, w)
		}
	}
	return out
}

var stopWords = map[string]bool{
	"this": true, "that": true, "with": true, "from": true, "have": true, "will": true, "what": true, "which": true,
	"there": true, "their": true, "about": true, "would": true, "these": true, "they": true, "were": true, "been": true,
	"когда": true, "чтобы": true, "который": true, "которые": true, "этот": true, "этой": true, "если": true,
	"также": true, "потому": true, "только": true, "может": true, "очень": true, "здесь": true, "сегодня": true,
}

func topTerms(freq map[string]int, n int) []string {
	type kv struct {
		w string
		c int
	}
	var all []kv
	for w, c := range freq {
		if c >= 2 {
			all = append(all, kv{w, c})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].c > all[j].c || (all[i].c == all[j].c && all[i].w < all[j].w) })
	var out []string
	for _, e := range all[:min(n, len(all))] {
		out = append(out, e.w)
	}
	return out
}
