package httpapi

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"
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
