package classroom

import (
	"regexp"
	"strings"
	"testing"
)

func TestRoomCodes(t *testing.T) {
	re := regexp.MustCompile(`^[a-hjkmnp-z]{3}-[a-hjkmnp-z]{4}-[a-hjkmnp-z]{3}$`)
	seen := map[string]bool{}
	counts := map[rune]int{}
	const n = 20000
	for range n {
		c := newRoomCode()
		if !re.MatchString(c) {
			t.Fatalf("code %q has the wrong shape", c)
		}
		if seen[c] {
			t.Fatalf("code %q came twice in %d", c, n)
		}
		seen[c] = true
		for _, r := range strings.ReplaceAll(c, "-", "") {
			counts[r]++
		}
	}
	// Every letter of the alphabet is used about equally (each expected n*10/23 ≈ 8696 times).
	if len(counts) != len(codeAlphabet) {
		t.Fatalf("%d letters used, want %d", len(counts), len(codeAlphabet))
	}
	for r, k := range counts {
		if k < 7800 || k > 9600 {
			t.Errorf("letter %c used %d times; biased generator?", r, k)
		}
	}
}

func TestNormalizeRoomCode(t *testing.T) {
	for in, want := range map[string]string{
		"abc-defg-hjk": "abc-defg-hjk", "ABC DEFG HJK": "abc-defg-hjk", "abcdefghjk": "abc-defg-hjk", " abc-defghjk ": "abc-defg-hjk",
		"abc-defg-hjl": "", "abc-defg-hj": "", "abc-defg-hjkm": "", "абв-гдеж-зий": "", "": "", "abc_defg_hjk": "",
	} {
		got, ok := normalizeRoomCode(in)
		if (want == "") == ok || got != want {
			t.Errorf("normalizeRoomCode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func FuzzNormalizeRoomCode(f *testing.F) {
	for _, s := range []string{"abc-defg-hjk", "ABC DEFG HJK", "", "-----", "ё"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := normalizeRoomCode(s)
		if ok && (len(got) != 12 || got[3] != '-' || got[8] != '-') {
			t.Fatalf("normalizeRoomCode(%q) = %q", s, got)
		}
		if ok {
			again, ok2 := normalizeRoomCode(got)
			if !ok2 || again != got {
				t.Fatalf("not idempotent: %q -> %q -> %q", s, got, again)
			}
		}
	})
}

func TestSecretHashing(t *testing.T) {
	h, err := hashSecret(FastHashParams, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q", h)
	}
	h2, _ := hashSecret(FastHashParams, "correct horse")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt?")
	}
	if ok, err := verifySecret(h, "correct horse"); !ok || err != nil {
		t.Fatalf("verify right = %v, %v", ok, err)
	}
	if ok, _ := verifySecret(h, "correct horsE"); ok {
		t.Fatal("wrong password verified")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=64,t=1,p=1$!!$a2V5", "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$"} {
		if _, err := verifySecret(bad, "x"); err == nil {
			t.Errorf("verifySecret(%q) accepted a malformed hash", bad)
		}
	}
}

func TestIPKey(t *testing.T) {
	for in, want := range map[string]string{
		"10.1.2.3": "10.1.2.3", "2001:db8:1:2:aaaa::1": "2001:db8:1:2::/64", "2001:db8:1:2:ffff::9": "2001:db8:1:2::/64",
		"::ffff:10.1.2.3": "::ffff:10.1.2.3", "garbage": "garbage",
	} {
		if got := ipKey(in); got != want {
			t.Errorf("ipKey(%q) = %q, want %q", in, got, want)
		}
	}
}
