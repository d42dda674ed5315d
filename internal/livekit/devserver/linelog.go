package devserver

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"strings"
	"sync"
)

// lineLogger is an io.Writer that logs each complete line of a child
// process's output, so LiveKit's lines land in our structured log.
type lineLogger struct {
	log    *slog.Logger
	source string

	mu  sync.Mutex
	buf []byte
}

// maxLine bounds a line kept waiting for its newline.
const maxLine = 64 << 10

func newLineLogger(log *slog.Logger, source string) *lineLogger {
	return &lineLogger{log: log, source: source}
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		l.emit(l.buf[:i])
		l.buf = l.buf[i+1:]
	}
	if len(l.buf) > maxLine {
		l.emit(l.buf)
		l.buf = nil
	}
	return len(p), nil
}

// Flush logs a last line that had no newline.
func (l *lineLogger) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.emit(l.buf)
		l.buf = nil
	}
}

func (l *lineLogger) emit(line []byte) {
	s := strings.TrimRight(string(line), "\r")
	if s == "" {
		return
	}
	s = jwtPattern.ReplaceAllString(s, "[token redacted]")
	l.log.Log(context.Background(), levelOf(s), l.source+": "+s, "source", l.source)
}

// jwtPattern finds an access token in a line: LiveKit logs a token it refused whole ("invalid
// token: eyJ..., error: ..."), and an expired or mistyped token is still somebody's.
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+`)

// levelOf keeps LiveKit's own level (its console format is
// "time<TAB>LEVEL<TAB>..."), so its warnings stay warnings.
func levelOf(line string) slog.Level {
	switch {
	case strings.Contains(line, "\tERROR\t"), strings.Contains(line, "\tFATAL\t"), strings.Contains(line, "\tPANIC\t"):
		return slog.LevelError
	case strings.Contains(line, "\tWARN\t"):
		return slog.LevelWarn
	case strings.Contains(line, "\tDEBUG\t"):
		return slog.LevelDebug
	}
	return slog.LevelInfo
}
