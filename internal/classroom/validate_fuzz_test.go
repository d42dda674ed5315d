package classroom

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Every name a browser may send: an accepted one is a plain last path element, printable,
// bounded, and cleaning it again changes nothing.
func FuzzCleanFileName(f *testing.F) {
	for _, s := range []string{"notes.pdf", "C:\\Users\\a\\отчёт.docx", "../../etc/passwd", "a/./b", "..", " . ", "x\x00y", "\u202eexe.pdf", "ok name (1).txt", strings.Repeat("я", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		name, err := cleanFileName(in)
		if err != nil {
			return
		}
		if !utf8.ValidString(name) || name == "" || strings.ContainsAny(name, `/\`) || strings.Trim(name, ".") == "" ||
			utf8.RuneCountInString(name) > maxFileName || name != strings.TrimSpace(name) {
			t.Fatalf("cleanFileName(%q) = %q", in, name)
		}
		for _, r := range name {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("cleanFileName(%q) kept %U", in, r)
			}
		}
		if again, err := cleanFileName(name); err != nil || again != name {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", in, name, again, err)
		}
	})
}

// A fingerprint is accepted only in its documented alphabet and length.
func FuzzCleanFingerprint(f *testing.F) {
	for _, s := range []string{"abcdef0123456789", "short", "a+b/c=d:e_f-g", strings.Repeat("z", 129), "ёёёёёёёё", "abcdefgh\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		fp, err := cleanFingerprint(in)
		if err != nil {
			return
		}
		if fp != in || len(fp) < 8 || len(fp) > 128 || strings.Trim(fp, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_+/=:") != "" {
			t.Fatalf("cleanFingerprint(%q) = %q", in, fp)
		}
	})
}

// Names and titles end up on other people's screens: an accepted text is trimmed, valid,
// within its bounds and free of control and invisible formatting characters.
func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"Анна", "  Bob  ", "", "a\u200bb", "x\ty", "\xff", strings.Repeat("w", 81)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		v, err := cleanText("name", in, 1, 80)
		if err != nil {
			return
		}
		n := utf8.RuneCountInString(v)
		if !utf8.ValidString(v) || n < 1 || n > 80 || v != strings.TrimSpace(v) {
			t.Fatalf("cleanText(%q) = %q", in, v)
		}
		for _, r := range v {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("cleanText(%q) kept %U", in, r)
			}
		}
	})
}
