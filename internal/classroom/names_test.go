package classroom

import "testing"

func TestReadsAsHost(t *testing.T) {
	for _, c := range []struct {
		name, host string
		want       bool
	}{
		{"Анна Петровна", "Анна Петровна", true},
		{"анна  петровна.", "Анна Петровна", true},
		{"Аnna", "Anna", true}, // a Cyrillic А
		{"Anna", "Аnnа", true},
		{"Учитель", "Анна", true},
		{"(учитель)", "Анна", true},
		{"Teacher 2", "Анна", true},
		{"HOST", "Анна", true},
		{"Hóst", "Анна", true},
		{"Преподаватель", "", true},
		{"Анна", "Анна Петровна", false},
		{"Маша", "Анна Петровна", false},
		{"Учитель физики Иванов", "Анна", false}, // more than the role word: a real name may contain it
		{"Hostel", "Анна", false},
		{"", "Анна", false},
	} {
		if got := readsAsHost(c.name, c.host); got != c.want {
			t.Errorf("readsAsHost(%q, %q) = %v, want %v", c.name, c.host, got, c.want)
		}
	}
}

// Any name: folding never panics, is idempotent, and keeps only lower-case letters and digits.
func FuzzFoldName(f *testing.F) {
	for _, s := range []string{"Анна Петровна", "Hóst", "ﬁ", "\u0301", "Ａｄｍｉｎ", "ǅ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := foldName(s)
		if foldName(a) != a {
			t.Fatalf("foldName(%q) = %q, again %q", s, a, foldName(a))
		}
	})
}
