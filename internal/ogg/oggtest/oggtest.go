// Package oggtest makes real Ogg/Opus speech for tests with espeak-ng and opusenc (Debian
// packages espeak-ng and opus-tools). A test without them is skipped, unless the environment
// variable CI is set: then it fails, so CI cannot pass by skipping.
package oggtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/liveserver/liveserver/internal/ogg"
)

// Need skips (or, under CI, fails) the test when a tool is missing.
func Need(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			msg := tool + " is not installed (apt-get install espeak-ng opus-tools)"
			if os.Getenv("CI") != "" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
}

// Speech speaks ssml (espeak-ng SSML: <break time="1500ms"/> makes a pause) in the voice and
// encodes it with opusenc and its extra flags (e.g. "--max-delay", "100" for short pages).
// The result is checked with ogg.Validate.
func Speech(t testing.TB, voice, ssml string, opusencFlags ...string) []byte {
	t.Helper()
	Need(t, "espeak-ng", "opusenc")
	dir := t.TempDir()
	wav, out := filepath.Join(dir, "speech.wav"), filepath.Join(dir, "speech.ogg")
	run(t, "espeak-ng", "-v", voice, "-m", "-w", wav, ssml)
	run(t, "opusenc", append(append([]string{"--quiet"}, opusencFlags...), wav, out)...)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ogg.Validate(data, true); err != nil {
		t.Fatalf("opusenc output does not validate: %v", err)
	}
	return data
}

// Pages splits a whole stream into pages.
func Pages(t testing.TB, data []byte) []ogg.Page {
	t.Helper()
	var s ogg.Splitter
	pages, err := s.Push(data)
	if err != nil || s.Pending() != 0 {
		t.Fatalf("split: %v (%d bytes left)", err, s.Pending())
	}
	return pages
}

// Decode runs opusdec on a stream and returns its stderr, failing the test if opusdec does:
// an independent decoder's opinion of a file we built. Skipped (or failed under CI) without
// opusdec.
func Decode(t testing.TB, data []byte) string {
	t.Helper()
	Need(t, "opusdec")
	dir := t.TempDir()
	in := filepath.Join(dir, "in.ogg")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return run(t, "opusdec", in, filepath.Join(dir, "out.wav"))
}

func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}
