package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"
)

func TestServeFilesAndTheAppsRoutes(t *testing.T) {
	h := serve(fstest.MapFS{
		"index.html":          {Data: []byte("<!doctype html><title>app</title>")},
		"assets/index-abc.js": {Data: []byte("console.log(1)")},
	})
	for _, c := range []struct {
		path   string
		status int
		cache  string
	}{
		{"/assets/index-abc.js", 200, "public, max-age=31536000, immutable"},
		{"/room/abc-defg-hjk", 200, "no-cache"}, // the app's own route: index.html
		{"/", 200, ""},
		{"/assets/Room-old.js", 404, ""}, // a chunk of another build
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.path, nil))
		if rec.Code != c.status || (c.cache != "" && rec.Header().Get("Cache-Control") != c.cache) {
			t.Errorf("%s: %d %q, want %d %q", c.path, rec.Code, rec.Header().Get("Cache-Control"), c.status, c.cache)
		}
	}
}
