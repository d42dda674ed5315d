package httpapi_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/liveserver/liveserver/internal/sqlstore"
)

type fileJSON struct {
	ID, Name, ContentType, Identity, Uploader, CreatedAt string
	Size                                                 int64
}

// multipartBody is a multipart form with content in the field "file", named name.
func multipartBody(t testing.TB, name string, content []byte) (string, []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(content)
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

func (c *client) upload(roomID, name string, content []byte) response {
	c.e.t.Helper()
	ctype, body := multipartBody(c.e.t, name, content)
	return c.do("POST", "/api/rooms/"+roomID+"/files", string(body), "Content-Type", ctype)
}

var pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// blobCount is how many files the disk blob store holds.
func (e *env) blobCount(t *testing.T) int {
	n := 0
	filepath.WalkDir(e.blobs.Root(), func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

func TestFiles(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	host := e.client()
	host.register("files@school.ru", "Учитель")
	r := host.createRoom(map[string]any{"name": "Files"})
	g, a := guestIn(t, e, host, r.ID, "Маша", "fp-files-0001")
	other, _ := guestIn(t, e, host, r.ID, "Петя", "fp-files-0002")
	events := other.stream("/api/rooms/" + r.ID + "/events")
	events.Next("snapshot")

	res := g.upload(r.ID, `C:\Users\masha\Домашняя работа.pdf`, pdf)
	want(t, res, http.StatusCreated)
	var f fileJSON
	res.json(t, &f)
	if f.Name != "Домашняя работа.pdf" || f.ContentType != "application/pdf" || f.Size != int64(len(pdf)) || f.Identity != a.Identity || f.Uploader != "Маша" {
		t.Fatalf("uploaded = %+v", f)
	}
	events.Next("file.shared")

	var list []fileJSON
	other.do("GET", "/api/rooms/"+r.ID+"/files", nil).json(t, &list)
	if len(list) != 1 || list[0].ID != f.ID {
		t.Fatalf("list = %+v", list)
	}
	dl := other.do("GET", "/api/rooms/"+r.ID+"/files/"+f.ID, nil)
	want(t, dl, http.StatusOK)
	if !bytes.Equal(dl.body, pdf) {
		t.Fatal("downloaded content differs")
	}
	cd := dl.header.Get("Content-Disposition")
	if !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "filename*=UTF-8''%D0%94") {
		t.Fatalf("Content-Disposition = %q", cd)
	}
	if dl.header.Get("X-Content-Type-Options") != "nosniff" || dl.header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("download headers = %v", dl.header)
	}

	// An office document is a ZIP inside; the extension names which kind once the bytes are ZIP.
	docx := append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0}, 100)...)
	res = host.upload(r.ID, "lecture.docx", docx)
	want(t, res, http.StatusCreated)
	var d fileJSON
	res.json(t, &d)
	if !strings.Contains(d.ContentType, "wordprocessingml") {
		t.Fatalf("docx type = %q", d.ContentType)
	}

	// Only the uploader or the host deletes.
	want(t, other.do("DELETE", "/api/rooms/"+r.ID+"/files/"+f.ID, nil), http.StatusForbidden)
	want(t, g.do("DELETE", "/api/rooms/"+r.ID+"/files/"+d.ID, nil), http.StatusForbidden)
	want(t, g.do("DELETE", "/api/rooms/"+r.ID+"/files/"+f.ID, nil), http.StatusNoContent)
	events.Next("file.deleted")
	want(t, host.do("DELETE", "/api/rooms/"+r.ID+"/files/"+d.ID, nil), http.StatusNoContent)
	want(t, other.do("GET", "/api/rooms/"+r.ID+"/files/"+f.ID, nil), http.StatusNotFound)
	if n := e.blobCount(t); n != 0 {
		t.Fatalf("%d blobs left after deleting every file", n)
	}

	// Files off: guests are refused.
	want(t, host.do("PATCH", "/api/rooms/"+r.ID, map[string]any{"filesEnabled": false}), http.StatusOK)
	want(t, g.upload(r.ID, "x.pdf", pdf), http.StatusForbidden, "files_disabled")

	// Deleting the room deletes its files' contents too.
	want(t, host.upload(r.ID, "keep.pdf", pdf), http.StatusCreated)
	if e.blobCount(t) != 1 {
		t.Fatal("upload stored no blob")
	}
	want(t, host.do("DELETE", "/api/rooms/"+r.ID, nil), http.StatusNoContent)
	if n := e.blobCount(t); n != 0 {
		t.Fatalf("%d blobs left after deleting the room", n)
	}
}

func TestFileRefusals(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, map[string]string{"MAX_UPLOAD_MB": "1"})
	host := e.client()
	host.register("files@school.ru", "Host")
	r := host.createRoom(map[string]any{"name": "Files", "lobbyEnabled": false})
	other := host.createRoom(map[string]any{"name": "Other", "lobbyEnabled": false})
	g, _ := guestIn(t, e, host, r.ID, "Гость", "fp-files-0003")
	stranger, _ := guestIn(t, e, host, other.ID, "Чужой", "fp-files-0004")
	res := host.upload(other.ID, "other.pdf", pdf)
	want(t, res, http.StatusCreated)
	var otherFile fileJSON
	res.json(t, &otherFile)
	before := e.blobCount(t)

	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00"), bytes.Repeat([]byte{0}, 200)...)
	elf := append([]byte("\x7fELF\x02\x01\x01"), bytes.Repeat([]byte{0}, 200)...)
	cases := []struct {
		name, file string
		content    []byte
		status     int
		code       string
	}{
		{"a disguised Windows executable", "homework.pdf", exe, 415, "file_type_not_allowed"},
		{"a disguised Linux executable", "notes.txt", elf, 415, "file_type_not_allowed"},
		{"HTML that would run script", "page.pdf", []byte("<html><script>alert(1)</script></html>"), 415, "file_type_not_allowed"},
		{"SVG", "pic.png", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), 415, "file_type_not_allowed"},
		{"a path that climbs", "../../etc/passwd", []byte("root:x:0:0"), 400, "invalid"},
		{"a Windows path that climbs", `..\..\boot.ini`, []byte("text"), 400, "invalid"},
		{"a NUL in the name", "evil\x00.pdf", pdf, 400, "invalid"},
		{"a control character in the name", "evil\x1b[31m.pdf", pdf, 400, "invalid"},
		{"an empty file", "empty.pdf", nil, 400, "invalid"},
		{"no name", "", pdf, 400, "invalid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { want(t, g.upload(r.ID, tc.file, tc.content), tc.status, tc.code) })
	}
	want(t, g.do("POST", "/api/rooms/"+r.ID+"/files", "{}", "Content-Type", "application/json"), http.StatusUnsupportedMediaType)
	ctype, body := multipartBody(t, "x.pdf", pdf)
	want(t, g.do("POST", "/api/rooms/"+r.ID+"/files", strings.Replace(string(body), `name="file"`, `name="other"`, 1), "Content-Type", ctype), http.StatusBadRequest)
	want(t, stranger.upload(r.ID, "x.pdf", pdf), http.StatusForbidden, "not_admitted")
	want(t, e.client().upload(r.ID, "x.pdf", pdf), http.StatusForbidden, "not_admitted")
	// Another room's file is not reachable through this room.
	want(t, g.do("GET", "/api/rooms/"+r.ID+"/files/"+otherFile.ID, nil), http.StatusNotFound)
	want(t, g.do("GET", "/api/rooms/"+other.ID+"/files/"+otherFile.ID, nil), http.StatusForbidden)
	want(t, g.do("DELETE", "/api/rooms/"+r.ID+"/files/"+otherFile.ID, nil), http.StatusNotFound)

	var list []fileJSON
	g.do("GET", "/api/rooms/"+r.ID+"/files", nil).json(t, &list)
	if len(list) != 0 || e.blobCount(t) != before {
		t.Fatalf("refused uploads left %d files and %d blobs (had %d)", len(list), e.blobCount(t), before)
	}
}

// Over the limit the server answers 413 and stops reading: of a 20 MB upload against a 1 MB
// limit it reads little more than the limit. (What the client manages to write meanwhile
// depends on the kernel's socket buffers, so the server's side is what is measured.)
func TestUploadOverLimitStopsEarly(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, map[string]string{"MAX_UPLOAD_MB": "1"})
	host := e.client()
	host.register("files@school.ru", "Host")
	r := host.createRoom(map[string]any{"name": "Big"})

	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	var sent atomic.Int64
	go func() {
		fw, _ := mw.CreateFormFile("file", "big.pdf")
		chunk := append([]byte(nil), pdf...)
		chunk = append(chunk, bytes.Repeat([]byte("x"), 64<<10-len(pdf))...)
		for i := 0; i < 20*16; i++ {
			n, err := fw.Write(chunk)
			sent.Add(int64(n))
			if err != nil {
				pw.CloseWithError(err)
				return
			}
			chunk = bytes.Repeat([]byte("x"), 64<<10)
		}
		mw.Close()
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/rooms/"+r.ID+"/files", pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := host.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	pr.CloseWithError(io.ErrClosedPipe)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "too_large") {
		t.Fatalf("status %d %s, want 413 too_large", resp.StatusCode, b)
	}
	if n := e.bodyRead.Load(); n > 1<<20+256<<10 {
		t.Fatalf("the server read %d bytes of a body over its 1 MB limit", n)
	}
	if sent.Load() <= 1<<20+256<<10 {
		t.Fatalf("the client sent only %d bytes; the test did not stream enough to prove anything", sent.Load())
	}
	if n := e.blobCount(t); n != 0 {
		t.Fatalf("%d blobs left", n)
	}
}

// A blob store that fails (disk full, S3 down) is the server's fault: 500 with a request id,
// not a 400 telling the user their upload was interrupted, and no server path in the answer.
func TestUploadStorageFailureIsTheServers(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	host := e.client()
	host.register("broken@school.ru", "Учитель")
	r := host.createRoom(map[string]any{"name": "Broken disk"})
	// A file where the room's folder would go: every write under it fails, also for root.
	if err := os.MkdirAll(filepath.Join(e.blobs.Root(), "rooms"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.blobs.Root(), "rooms", r.ID), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	res := host.upload(r.ID, "lecture.pdf", pdf)
	want(t, res, http.StatusInternalServerError, "internal")
	if strings.Contains(string(res.body), e.blobs.Root()) || strings.Contains(string(res.body), "rooms/") {
		t.Fatalf("the answer shows server paths: %s", res.body)
	}
}

// One sender's uploads: 20 a minute, then 429 with Retry-After; another sender is not held up.
func TestUploadsAreLimited(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	host := e.client()
	host.register("uploads@school.ru", "Учитель")
	r := host.createRoom(map[string]any{"name": "Uploads", "lobbyEnabled": false})
	g, _ := guestIn(t, e, host, r.ID, "Маша", "fp-uploads-001")
	for i := range 20 {
		want(t, g.upload(r.ID, "homework-"+strconv.Itoa(i)+".pdf", pdf), http.StatusCreated)
	}
	res := g.upload(r.ID, "one-too-many.pdf", pdf)
	want(t, res, http.StatusTooManyRequests, "rate_limited")
	if res.header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
	other, _ := guestIn(t, e, host, r.ID, "Петя", "fp-uploads-002")
	want(t, other.upload(r.ID, "mine.pdf", pdf), http.StatusCreated)
}
