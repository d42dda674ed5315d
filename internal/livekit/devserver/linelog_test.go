package devserver

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// LiveKit logs a refused token whole; our log gets the line without it, at LiveKit's level.
func TestLineLoggerRedactsTokens(t *testing.T) {
	var out bytes.Buffer
	l := newLineLogger(slog.New(slog.NewTextHandler(&out, nil)), "livekit-server")
	token := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJ0ZXN0Iiwic3ViIjoiaW50cnVkZXIifQ.AW95mbk5lYjHBnJ8SfE6QYk-Z7zh9SPint32yntB1J4"
	l.Write([]byte("2026-12-03T13:26:26.054Z\tWARN\tlivekit\tservice/utils.go:84\terror handling request\t" +
		`{"status": 401, "path": "/rtc", "error": "invalid token: ` + token + `, error: token signature is invalid"}` + "\n"))
	got := out.String()
	if strings.Contains(got, token) || strings.Contains(got, "eyJpc3Mi") || !strings.Contains(got, "invalid token: [token redacted], error") {
		t.Fatalf("log line: %s", got)
	}
	if !strings.Contains(got, "level=WARN") {
		t.Errorf("LiveKit's level lost: %s", got)
	}
}
