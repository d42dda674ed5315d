package classroom

import (
	"context"
	"strings"
	"unicode"

	"github.com/liveserver/liveserver/internal/domain"

	"golang.org/x/text/unicode/norm"
)

// A guest may not take a name that reads as the host's: the host's own name, or a role word
// (teacher, host, admin…), whatever the case, spacing, punctuation or look-alike letters. On
// screen a guest called "Учитель" or "Anna Petrovna." next to the real one is a social
// engineering tool.

// hostWords are role words a guest's name may not consist of, in their folded form.
var hostWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range []string{"host", "teacher", "admin", "administrator", "moderator", "organizer", "organiser", "lecturer",
		"professor", "instructor", "system", "liveserver", "ведущий", "учитель", "учительница", "преподаватель",
		"преподавательница", "администратор", "админ", "модератор", "организатор", "лектор", "профессор", "система"} {
		m[foldName(w)] = true
	}
	return m
}()

// readsAsHost reports whether a guest's name could pass for the host (named hostName) on screen.
func readsAsHost(name, hostName string) bool {
	f := foldName(name)
	if f == "" {
		return false
	}
	if hostName != "" && f == foldName(hostName) {
		return true
	}
	// The role word alone, or with decoration around it ("(Учитель)", "host 🙂", "Admin 2").
	return hostWords[strings.TrimRight(f, "0123456789")]
}

// foldName reduces a name to what a reader tells apart: letters and digits only, lower case,
// accents dropped, and Latin letters that look like Cyrillic ones (or the other way) made one.
func foldName(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(strings.ToValidUTF8(s, "")) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue // a combining accent
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			r = unicode.ToLower(r)
			if l, ok := lookAlike[r]; ok {
				r = l
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// lookAlike maps Cyrillic letters to the Latin ones they look like (and ё to е's look-alike).
var lookAlike = map[rune]rune{
	'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p', 'с': 'c',
	'т': 't', 'у': 'y', 'х': 'x', 'і': 'i', 'ј': 'j', 'ѕ': 's', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w',
}

// checkGuestName refuses a guest's name that reads as the room's host.
func (s *Service) checkGuestName(ctx context.Context, r *domain.Room, name string) error {
	owner, err := s.store.UserByID(ctx, r.OwnerID)
	if err != nil && domain.ErrorCode(err) != domain.ENotFound {
		return err
	}
	hostName := ""
	if owner != nil {
		hostName = owner.Name
	}
	if readsAsHost(name, hostName) {
		return domain.Invalid("name", "This name could be taken for the host's; choose another one.")
	}
	return nil
}
