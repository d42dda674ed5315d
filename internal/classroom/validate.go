package classroom

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/liveserver/liveserver/internal/domain"
)

// cleanText trims a one-line text field and checks its length in characters. Control and
// invisible formatting characters are refused: names end up in other people's screens.
func cleanText(field, v string, min, max int) (string, error) {
	v = strings.TrimSpace(v)
	if !utf8.ValidString(v) {
		return "", domain.Invalid(field, "The %s is not valid UTF-8 text.", field)
	}
	n := utf8.RuneCountInString(v)
	if n < min {
		if min == 1 {
			return "", domain.Invalid(field, "The %s is required.", field)
		}
		return "", domain.Invalid(field, "The %s must be at least %d characters long.", field, min)
	}
	if n > max {
		return "", domain.Invalid(field, "The %s must be at most %d characters long.", field, max)
	}
	for _, r := range v {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return "", domain.Invalid(field, "The %s contains characters that are not allowed.", field)
		}
	}
	return v, nil
}

// cleanEmail checks an e-mail address and returns it lower-cased.
func cleanEmail(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", domain.Invalid("email", "The e-mail address is required.")
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || len(v) > 254 || !strings.Contains(v[strings.LastIndexByte(v, '@'):], ".") {
		return "", domain.Invalid("email", "This is not a valid e-mail address.")
	}
	return strings.ToLower(v), nil
}

const minPassword, maxPassword = 8, 256

func checkPassword(v string) error {
	n := utf8.RuneCountInString(v)
	if n < minPassword {
		return domain.Invalid("password", "The password must be at least %d characters long.", minPassword)
	}
	if n > maxPassword {
		return domain.Invalid("password", "The password must be at most %d characters long.", maxPassword)
	}
	return nil
}

// validID reports whether id looks like one of our identifiers, so that garbage never reaches
// the database.
func validID(id string) bool {
	return len(id) == 36 && uuid.Validate(id) == nil
}
