package httpapi

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/liveserver/liveserver/internal/domain"
)

// Every error code the domain declares has its HTTP status in statusOf; a missing one would
// answer 500.
func TestEveryErrorCodeHasAStatus(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../domain/error.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	ast.Inspect(f, func(node ast.Node) bool {
		vs, ok := node.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || len(vs.Values) != 1 || vs.Names[0].Name[0] != 'E' {
			return true
		}
		lit, ok := vs.Values[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		code, _ := strconv.Unquote(lit.Value)
		n++
		if _, ok := statusOf[code]; !ok {
			t.Errorf("%s (%q) has no HTTP status in statusOf", vs.Names[0].Name, code)
		}
		return true
	})
	if n < 20 {
		t.Fatalf("found only %d codes; the parse is wrong", n)
	}
}

func TestConnectSources(t *testing.T) {
	for in, want := range map[string]string{
		"":                              "'self'",
		"ws://127.0.0.1:7880":           "'self' ws://127.0.0.1:7880 http://127.0.0.1:7880",
		"wss://livekit.school.ru":       "'self' wss://livekit.school.ru https://livekit.school.ru",
		"wss://myproject.livekit.cloud": "'self' wss://*.livekit.cloud https://*.livekit.cloud",
	} {
		if got := connectSources(in); got != want {
			t.Errorf("connectSources(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzLastEventID reads any resume id a client sends: it accepts only a decimal number that fits
// (never a negative one), and reads it as sent.
func FuzzLastEventID(f *testing.F) {
	for _, s := range []string{"", "0", "42", "-1", "9223372036854775807", "9223372036854775808", "1e3", " 7", "0x10", "٣"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, v string, inQuery bool) {
		r := httptest.NewRequest(http.MethodGet, "/api/rooms/x/events", nil)
		if inQuery {
			r.URL.RawQuery = url.Values{"lastEventId": {v}}.Encode()
		} else {
			r.Header.Set("Last-Event-ID", v)
		}
		n, ok := lastEventID(r)
		if !ok {
			if n != 0 {
				t.Fatalf("%q refused but gave %d", v, n)
			}
			return
		}
		got := r.Header.Get("Last-Event-ID")
		if inQuery {
			got = r.URL.Query().Get("lastEventId")
		}
		digits := got
		if n < 0 || digits == "" || strings.Trim(digits, "0123456789") != "" {
			t.Fatalf("%q read as %d", v, n)
		}
		if want, err := strconv.ParseInt(digits, 10, 64); err != nil || want != n {
			t.Fatalf("%q read as %d", v, n)
		}
	})
}

// A body that fails to arrive is answered without the read error's text, which names this
// server's and the client's addresses.
func TestBodyReadErrorsNameNoAddress(t *testing.T) {
	err := jsonError(fmt.Errorf("read tcp 10.20.30.40:3000->192.0.2.7:51234: read: connection reset by peer"))
	if msg := domain.ErrorMessage(err); strings.Contains(msg, "10.20.30.40") || strings.Contains(msg, "192.0.2.7") || domain.ErrorCode(err) != domain.EInvalid {
		t.Fatalf("%s: %q", domain.ErrorCode(err), msg)
	}
}
