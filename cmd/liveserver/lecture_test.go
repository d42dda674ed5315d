package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/livekit/livekittest"
	"github.com/liveserver/liveserver/internal/sqlstore"
)

// End a lecture as LiveKit would (a signed room_finished), with a stored transcript: the
// summary job runs against a local OpenAI-compatible server and the lecture page shows it.
func TestSummaryAfterRoomFinished(t *testing.T) {
	bin := livekittest.Binary(t)
	var got []string
	llm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Messages []struct{ Content string } `json:"messages"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		for _, m := range req.Messages {
			got = append(got, m.Content)
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"id": "c1", "object": "chat.completion", "model": "m", "created": 1,
			"choices": []map[string]any{{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": "## Обзор\n\nО фотосинтезе.\n"}}}})
	}))
	defer llm.Close()
	dir := t.TempDir()
	base, stop := startServe(t, map[string]string{"DATA_DIR": dir, "LISTEN_ADDR": "127.0.0.1:0", "LIVESERVER_INSECURE_FAST_HASH": "1",
		"LIVEKIT_SERVER_BIN": bin, "LIVEKIT_DEV_PORT": "0", "LLM_BASE_URL": llm.URL + "/v1", "LLM_MODEL": "m"})
	defer stop()
	host := newSession(t, base)
	host.call("POST", "/api/auth/register", `{"email":"host@school.ru","password":"correct horse","name":"Анна"}`, 201)
	room := host.call("POST", "/api/rooms", `{"name":"Биология"}`, 201)
	id, lec := room["id"].(string), room["lectureId"].(string)
	host.call("POST", "/api/rooms/"+id+"/start", "", 200)

	db, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(dir, "liveserver.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.AppendTranscript(context.Background(), domain.TranscriptSegment{ID: uuid.NewString(), RoomID: id, LectureID: lec, SegmentID: "SG1",
		SpeakerIdentity: "h", SpeakerName: "Анна", StartMs: 0, EndMs: 4000, Text: "Хлорофилл поглощает свет.", Language: "ru", CreatedAt: time.Now().UTC()})

	secret, _ := os.ReadFile(filepath.Join(dir, "livekit_dev_secret"))
	body, auth := livekittest.SignWebhook(t, devAPIKey, strings.TrimSpace(string(secret)),
		livekittest.WebhookEvent{Event: "room_finished", ID: "EV_end", CreatedAt: time.Now().Unix(), Room: &livekittest.WebhookRoom{Name: lec}})
	postWebhook(t, base, body, auth, 204)

	var page map[string]any
	waitFor(t, "the summary", func() bool {
		page = host.call("GET", "/api/lectures/"+lec, "", 200)
		s, _ := page["summary"].(map[string]any)
		return s["status"] == "READY"
	})
	s := page["summary"].(map[string]any)
	if s["kind"] != "llm" || !strings.Contains(s["markdown"].(string), "О фотосинтезе") {
		t.Fatalf("summary = %v", s)
	}
	if len(got) != 2 || !strings.Contains(got[1], "Хлорофилл поглощает свет.") {
		t.Fatalf("the model got %q", got)
	}
}

// The server is stopped while the model writes a summary: after the restart the job is taken
// up again and completes.
func TestSummarySurvivesRestart(t *testing.T) {
	bin := livekittest.Binary(t)
	var mu sync.Mutex
	calls := 0
	asked := make(chan struct{}, 1)
	llm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		if first {
			// Read the body: only then does net/http notice the client going away.
			io.Copy(io.Discard, r.Body)
			asked <- struct{}{}
			<-r.Context().Done() // the first answer never comes: the server stops meanwhile
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"id": "c2", "object": "chat.completion", "model": "m", "created": 1,
			"choices": []map[string]any{{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": "## Overview\n\nAfter the restart.\n"}}}})
	}))
	defer llm.Close()
	dir := t.TempDir()
	vars := map[string]string{"DATA_DIR": dir, "LISTEN_ADDR": "127.0.0.1:0", "LIVESERVER_INSECURE_FAST_HASH": "1",
		"LIVEKIT_SERVER_BIN": bin, "LIVEKIT_DEV_PORT": "0", "LLM_BASE_URL": llm.URL + "/v1", "LLM_MODEL": "m"}
	base, stop := startServe(t, vars)
	host := newSession(t, base)
	host.call("POST", "/api/auth/register", `{"email":"host@school.ru","password":"correct horse","name":"Анна"}`, 201)
	room := host.call("POST", "/api/rooms", `{"name":"Restart"}`, 201)
	id, lec := room["id"].(string), room["lectureId"].(string)
	host.call("POST", "/api/rooms/"+id+"/start", "", 200)
	db, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(dir, "liveserver.db"))
	if err != nil {
		t.Fatal(err)
	}
	db.AppendTranscript(context.Background(), domain.TranscriptSegment{ID: uuid.NewString(), RoomID: id, LectureID: lec, SegmentID: "SG1",
		SpeakerIdentity: "h", SpeakerName: "Анна", EndMs: 3000, Text: "Perseverance matters.", Language: "en", CreatedAt: time.Now().UTC()})
	db.Close()
	host.call("POST", "/api/rooms/"+id+"/end", "", 200)
	select {
	case <-asked:
	case <-time.After(20 * time.Second):
		t.Fatal("the summary job never asked the model")
	}
	stop() // mid-job

	base, stop = startServe(t, vars)
	defer stop()
	host = newSession(t, base)
	host.call("POST", "/api/auth/login", `{"email":"host@school.ru","password":"correct horse"}`, 200)
	var s map[string]any
	waitFor(t, "the summary after the restart", func() bool {
		s, _ = host.call("GET", "/api/lectures/"+lec, "", 200)["summary"].(map[string]any)
		return s["status"] == "READY"
	})
	if !strings.Contains(s["markdown"].(string), "After the restart.") {
		t.Fatalf("summary = %v", s)
	}
}
