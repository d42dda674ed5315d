// Package web serves the browser app: the Vite build in web/dist, embedded into the binary.
// The Go build never needs npm: without a build, every page says how to make one.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed all:dist
var dist embed.FS

// Built reports whether the embedded folder holds a web app build.
func Built() bool {
	_, err := fs.Stat(dist, "dist/index.html")
	return err == nil
}

// Handler serves the app's files, and index.html for every other path so that the app's own
// router handles it (a single-page app).
func Handler() http.Handler {
	if !Built() {
		return http.HandlerFunc(notBuilt)
	}
	root, _ := fs.Sub(dist, "dist")
	return serve(root)
}

// serve is Handler over the built files in root.
func serve(root fs.FS) http.Handler {
	files := http.FileServerFS(root)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if name != "" {
			if st, err := fs.Stat(root, name); err == nil && !st.IsDir() {
				if strings.HasPrefix(name, "assets/") {
					// Vite puts a content hash in every asset's name.
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				}
				files.ServeHTTP(w, r)
				return
			}
			if strings.HasPrefix(name, "assets/") {
				// A chunk of another build (a tab left open across a deploy): a 404, not the app's
				// HTML, which the browser would try to run as a script.
				http.NotFound(w, r)
				return
			}
		}
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeFileFS(w, r, root, "index.html")
	})
}

const notBuiltPage = `<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>LiveServer</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
<h1>LiveServer</h1>
<p lang="ru">Веб-приложение не собрано. Сервер и API работают; чтобы получить интерфейс, запустите <code>make run</code> или <code>make web</code>.</p>
<p lang="en">The web app is not built. The server and its API work; to get the interface, run <code>make run</code> or <code>make web</code>.</p>
</body></html>`

func notBuilt(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(notBuiltPage))
}
