package lecture_test

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/gdrive"
	"github.com/liveserver/liveserver/internal/lecture"
	"github.com/liveserver/liveserver/internal/sqlstore"
)

// fakeGoogle is Google's OAuth token endpoint and Drive's multipart upload, on loopback.
type fakeGoogle struct {
	mu       sync.Mutex
	grants   []url.Values
	uploads  []upload
	accessOK string // the only access token the upload accepts: a fresh one
}

type upload struct {
	meta    map[string]string
	ctype   string
	content []byte
}

func (g *fakeGoogle) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch r.URL.Path {
	case "/token":
		r.ParseForm()
		if r.PostForm.Get("client_id") == "" && r.Header.Get("Authorization") == "" {
			http.Error(w, `{"error":"invalid_client"}`, 401)
			return
		}
		g.grants = append(g.grants, r.PostForm)
		w.Header().Set("Content-Type", "application/json")
		switch r.PostForm.Get("grant_type") {
		case "authorization_code":
			// An access token that is already expired: only a refresh makes the upload work.
			json.NewEncoder(w).Encode(map[string]any{"access_token": "stale", "expires_in": 1, "refresh_token": "rt-secret", "token_type": "Bearer"})
		case "refresh_token":
			if r.PostForm.Get("refresh_token") != "rt-secret" {
				http.Error(w, `{"error":"invalid_grant"}`, 400)
				return
			}
			g.accessOK = "fresh-" + string(rune('0'+len(g.grants)))
			json.NewEncoder(w).Encode(map[string]any{"access_token": g.accessOK, "expires_in": 3600, "token_type": "Bearer"})
		}
	case "/upload":
		if r.Header.Get("Authorization") != "Bearer "+g.accessOK || g.accessOK == "" || r.URL.Query().Get("uploadType") != "multipart" {
			http.Error(w, `{"error":{"code":401}}`, 401)
			return
		}
		_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		mr := multipart.NewReader(r.Body, params["boundary"])
		var u upload
		p, _ := mr.NextPart()
		json.NewDecoder(p).Decode(&u.meta)
		p, _ = mr.NextPart()
		u.ctype = p.Header.Get("Content-Type")
		u.content, _ = io.ReadAll(p)
		g.uploads = append(g.uploads, u)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id":"drive-file-1","name":"x"}`))
	default:
		http.NotFound(w, r)
	}
}

func TestDriveExport(t *testing.T) {
	f := setup(t, sqlstore.SQLite, russianLecture)
	g := &fakeGoogle{}
	srv := httptest.NewServer(g)
	defer srv.Close()
	client := gdrive.New(gdrive.Config{ClientID: "cid", ClientSecret: "csecret", RedirectURL: "http://127.0.0.1/api/drive/callback",
		AuthURL: srv.URL + "/auth", TokenURL: srv.URL + "/token", UploadURL: srv.URL + "/upload"}, srv.Client())
	svc := lecture.NewService(f.db, owner{f.db}).WithDrive(client, "instance-secret-instance-secret-xx")
	room, _ := f.db.Room(context.Background(), f.roomID)
	host, _ := f.db.UserByID(context.Background(), room.OwnerID)
	actor := domain.Actor{User: host}
	stranger := domain.Actor{User: &domain.User{ID: "00000000-0000-4000-8000-000000000001", Role: domain.RoleHost}}
	ctx := context.Background()
	if !svc.DriveEnabled() || lecture.NewService(f.db, owner{f.db}).DriveEnabled() {
		t.Fatal("DriveEnabled does not follow WithDrive")
	}

	if _, _, err := svc.ExportToDrive(ctx, actor, f.lectureID); domain.ErrorCode(err) != domain.EDriveNotLinked {
		t.Fatalf("export before connecting: %v", err)
	}
	consent, err := svc.DriveConnectURL(actor)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(consent)
	q := u.Query()
	if q.Get("scope") != gdrive.Scope || q.Get("access_type") != "offline" || q.Get("client_id") != "cid" || q.Get("state") == "" {
		t.Fatalf("consent URL = %s", consent)
	}
	state := q.Get("state")
	// The consent of one user cannot be completed in another's session, nor tampered with.
	if err := svc.DriveCallback(ctx, stranger, "code-1", state); domain.ErrorCode(err) != domain.EForbidden {
		t.Fatalf("callback in another session: %v", err)
	}
	if err := svc.DriveCallback(ctx, actor, "code-1", state+"x"); domain.ErrorCode(err) != domain.EForbidden {
		t.Fatalf("tampered state: %v", err)
	}
	if err := svc.DriveCallback(ctx, actor, "code-1", state); err != nil {
		t.Fatal(err)
	}
	stored, _ := f.db.DriveToken(ctx, host.ID)
	if stored == "" || strings.Contains(stored, "rt-secret") {
		t.Fatalf("refresh token stored as %q; want it encrypted", stored)
	}

	id, name, err := svc.ExportToDrive(ctx, actor, f.lectureID)
	if err != nil {
		t.Fatal(err)
	}
	if id != "drive-file-1" || name != "Биология_ фотосинтез.pdf" {
		t.Fatalf("upload = %s %q", id, name)
	}
	if len(g.uploads) != 1 {
		t.Fatalf("%d uploads", len(g.uploads))
	}
	up := g.uploads[0]
	if up.meta["name"] != name || up.meta["mimeType"] != "application/pdf" || up.ctype != "application/pdf" || !strings.HasPrefix(string(up.content), "%PDF-") {
		t.Fatalf("uploaded %v %s %q…", up.meta, up.ctype, up.content[:min(8, len(up.content))])
	}
	var refreshed bool
	for _, gr := range g.grants {
		if gr.Get("grant_type") == "refresh_token" {
			refreshed = true
		}
	}
	if !refreshed {
		t.Fatal("the expired access token was not refreshed")
	}
	// Without the instance secret the stored token is useless.
	other := lecture.NewService(f.db, owner{f.db}).WithDrive(client, "another-secret-another-secret-xxx")
	if _, _, err := other.ExportToDrive(ctx, actor, f.lectureID); err == nil || !strings.Contains(err.Error(), "decrypted") {
		t.Fatalf("export with another secret: %v", err)
	}
	// Not configured at all.
	if _, _, err := lecture.NewService(f.db, owner{f.db}).ExportToDrive(ctx, actor, f.lectureID); domain.ErrorCode(err) != domain.EUnavailable {
		t.Fatalf("export without Drive configured: %v", err)
	}
}
