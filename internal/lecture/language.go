package lecture

import (
	"unicode"

	"github.com/liveserver/liveserver/internal/domain"
)

// defaultLanguage is the lectures' language when the instance names none (STT_LANGUAGE auto).
const defaultLanguage = "en"

// language is the lecture's language: the one most segments name, else guessed from the
// script of the text (Cyrillic → ru), else (no text at all) fallback, the instance's language.
func language(segs []domain.TranscriptSegment, fallback string) string {
	count := map[string]int{}
	for _, s := range segs {
		if s.Language != "" {
			count[baseLang(s.Language)] += len(s.Text)
		}
	}
	best, n := "", 0
	for l, c := range count {
		if c > n || (c == n && l < best) {
			best, n = l, c
		}
	}
	if best != "" {
		return best
	}
	var cyr, lat int
	for _, s := range segs {
		for _, r := range s.Text {
			switch {
			case unicode.Is(unicode.Cyrillic, r):
				cyr++
			case unicode.Is(unicode.Latin, r):
				lat++
			}
		}
	}
	switch {
	case cyr > lat:
		return "ru"
	case lat > 0:
		return "en"
	case fallback != "":
		return fallback
	}
	return defaultLanguage
}

func baseLang(tag string) string {
	for i, r := range tag {
		if r == '-' || r == '_' {
			return tag[:i]
		}
	}
	return tag
}

// headings are the summary's sections in the lecture's language.
type headings struct {
	Overview, KeyPoints, Terms, Questions, Assignments, None, Extractive, Empty string
}

var headingsByLang = map[string]headings{
	"ru": {Overview: "Обзор", KeyPoints: "Ключевые моменты", Terms: "Термины", Questions: "Заданные вопросы",
		Assignments: "Задания", None: "Нет.", Extractive: "Автоматическая выдержка из транскрипта (языковая модель не подключена).",
		Empty: "Транскрипт лекции пуст: нечего обобщать."},
	"en": {Overview: "Overview", KeyPoints: "Key points", Terms: "Terms", Questions: "Questions raised",
		Assignments: "Assignments", None: "None.", Extractive: "Sentences picked from the transcript (no language model is configured).",
		Empty: "The lecture's transcript is empty: there is nothing to summarise."},
}

func headingsFor(lang string) headings {
	if h, ok := headingsByLang[lang]; ok {
		return h
	}
	return headingsByLang["en"]
}

// languageName names the language for the model's instructions.
func languageName(lang string) string {
	switch lang {
	case "ru":
		return "Russian"
	case "en":
		return "English"
	}
	return "the language of the transcript (" + lang + ")"
}
