package main

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/liveserver/liveserver/internal/s3/s3test"
)

// With S3_ENDPOINT set, shared files go to the S3 server and come back from it.
func TestFilesOnS3(t *testing.T) {
	s3 := s3test.Start(t)
	base, stop := startServe(t, map[string]string{"DATA_DIR": t.TempDir(), "LISTEN_ADDR": "127.0.0.1:0",
		"LIVESERVER_INSECURE_FAST_HASH": "1", "LIVEKIT_DEV_SERVER": "off",
		"S3_ENDPOINT": s3.Endpoint, "S3_ACCESS_KEY": s3.AccessKey, "S3_SECRET_KEY": s3.SecretKey, "S3_BUCKET": "lectures"})
	defer stop()
	ready := newSession(t, base).call("GET", "/readyz", "", 200)
	if checks, _ := ready["checks"].(map[string]any); checks["storage"] != "ok" {
		t.Fatalf("readyz = %v", ready)
	}
	host := newSession(t, base)
	host.call("POST", "/api/auth/register", `{"email":"host@school.ru","password":"correct horse","name":"Анна"}`, 201)
	id := host.call("POST", "/api/rooms", `{"name":"S3"}`, 201)["id"].(string)

	content := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("лекция "), 200000)...) // about 2.6 MB
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "Лекция 1.pdf")
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest("POST", base+"/api/rooms/"+id+"/files", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := host.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("upload = %d", resp.StatusCode)
	}
	files := []map[string]any{}
	r, _ := host.c.Get(base + "/api/rooms/" + id + "/files")
	decodeJSON(t, r, &files)
	if len(files) != 1 {
		t.Fatalf("files = %v", files)
	}
	dl, err := host.c.Get(base + "/api/rooms/" + id + "/files/" + files[0]["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(dl.Body)
	dl.Body.Close()
	if !bytes.Equal(got, content) {
		t.Fatalf("downloaded %d bytes, want %d", len(got), len(content))
	}
	// The room, with its files, can be deleted.
	host.call("DELETE", "/api/rooms/"+id, "", 204)
}
