package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	lkproto "github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/livekit/livekittest"
	"github.com/liveserver/liveserver/internal/sqlstore"
)

// The run command brings up our server and a dev LiveKit server; a host creates a room, starts
// it, gets a token that LiveKit accepts, and ends the lecture for everyone. LiveKit's own
// webhooks reach us and are applied; forged and replayed ones change nothing.
func TestLiveLectureWithDevLiveKit(t *testing.T) {
	bin := livekittest.Binary(t)
	livekittest.RequireLoopbackOnly(t)
	dir := t.TempDir()
	base, stop := startServe(t, map[string]string{"DATA_DIR": dir, "LISTEN_ADDR": "127.0.0.1:0",
		"LIVESERVER_INSECURE_FAST_HASH": "1", "LIVEKIT_SERVER_BIN": bin, "LIVEKIT_DEV_PORT": "0"})
	defer stop()
	db, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(dir, "liveserver.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	ready := newSession(t, base).call("GET", "/readyz", "", 200)
	if checks, _ := ready["checks"].(map[string]any); checks["livekit"] != "ok" {
		t.Fatalf("readyz = %v, want livekit ok", ready)
	}

	host := newSession(t, base)
	host.call("POST", "/api/auth/register", `{"email":"host@school.ru","password":"correct horse","name":"Анна"}`, 201)
	other := newSession(t, base)
	other.call("POST", "/api/auth/register", `{"email":"other@school.ru","password":"correct horse","name":"Boris"}`, 201)
	room := host.call("POST", "/api/rooms", `{"name":"Физика"}`, 201)
	id := room["id"].(string)
	// The call is the room's current lecture's: LiveKit knows it by the lecture's id.
	lec := room["lectureId"].(string)
	tokenBody := `{"roomId":"` + id + `"}`

	host.call("POST", "/api/livekit/token", tokenBody, 409) // not started
	other.call("POST", "/api/rooms/"+id+"/start", "", 403)
	started := host.call("POST", "/api/rooms/"+id+"/start", "", 200)
	if started["status"] != "LIVE" || started["startedAt"] == nil {
		t.Fatalf("started room = %v", started)
	}
	host.call("POST", "/api/rooms/"+id+"/start", "", 200) // starting twice is harmless

	other.call("POST", "/api/livekit/token", tokenBody, 403)
	newSession(t, base).call("POST", "/api/livekit/token", tokenBody, 403)
	host.call("POST", "/api/livekit/token", `{"roomId":"nope"}`, 400)
	tok := host.call("POST", "/api/livekit/token", tokenBody, 200)
	url, _ := tok["url"].(string)
	if !strings.HasPrefix(url, "ws://127.0.0.1:") {
		t.Fatalf("LiveKit url %q, want loopback", url)
	}
	bot, err := livekittest.Join(t, url, tok["token"].(string))
	if err != nil {
		t.Fatalf("LiveKit refused our host token: %v", err)
	}
	if bot.Room.Name() != lec || lec == id {
		t.Fatalf("bot joined %q, want the lecture %q", bot.Room.Name(), lec)
	}
	if got := bot.Room.LocalParticipant.Identity(); got == "" {
		t.Fatal("bot has no identity")
	}

	// LiveKit's participant_joined webhook reaches us: attendance has the bot.
	var att []domain.Attendance
	waitFor(t, "attendance from LiveKit's webhook", func() bool {
		att, _ = db.AttendanceOf(context.Background(), lec)
		return len(att) == 1 && att[0].JoinedAt != nil
	})
	if att[0].Name != "Анна" || att[0].Identity != bot.Room.LocalParticipant.Identity() {
		t.Fatalf("attendance = %+v", att[0])
	}

	// A forged webhook (wrong secret) claiming the room finished is refused and changes nothing.
	secret, err := os.ReadFile(filepath.Join(dir, "livekit_dev_secret"))
	if err != nil {
		t.Fatal(err)
	}
	finished := livekittest.WebhookEvent{Event: "room_finished", ID: "EV_forged", CreatedAt: time.Now().Unix(),
		Room: &livekittest.WebhookRoom{Name: lec, SID: "RM_x"}}
	body, auth := livekittest.SignWebhook(t, devAPIKey, "not-the-secret-not-the-secret-not-the-secret", finished)
	postWebhook(t, base, body, auth, 401)
	postWebhook(t, base, body, "", 401)
	// Signed, but the body changed after signing.
	body, auth = livekittest.SignWebhook(t, devAPIKey, strings.TrimSpace(string(secret)), finished)
	postWebhook(t, base, bytes.Replace(body, []byte("EV_forged"), []byte("EV_forgeX"), 1), auth, 401)
	if r, _ := db.Room(context.Background(), id); r.Status != domain.RoomLive {
		t.Fatalf("a refused webhook changed the room: %s", r.Status)
	}

	// Out of order and replayed: a signed participant_left before its participant_joined, then
	// both again; the attendance of that connection (a second one of the host's: only someone
	// who may be in the call gets a row) comes out right once.
	key := strings.TrimSpace(string(secret))
	who := &livekittest.WebhookIdentity{SID: "PA_late", Identity: bot.Room.LocalParticipant.Identity(), Name: "Анна"}
	left := livekittest.WebhookEvent{Event: "participant_left", ID: "EV_left", CreatedAt: time.Now().Add(time.Minute).Unix(),
		Room: &livekittest.WebhookRoom{Name: lec}, Participant: who}
	joined := livekittest.WebhookEvent{Event: "participant_joined", ID: "EV_joined", CreatedAt: time.Now().Unix(),
		Room: &livekittest.WebhookRoom{Name: lec}, Participant: who}
	for _, ev := range []livekittest.WebhookEvent{left, joined, left, joined} {
		b, a := livekittest.SignWebhook(t, devAPIKey, key, ev)
		postWebhook(t, base, b, a, 204)
	}
	att, _ = db.AttendanceOf(context.Background(), lec)
	var late *domain.Attendance
	for i := range att {
		if att[i].SID == "PA_late" {
			late = &att[i]
		}
	}
	if late == nil || late.JoinedAt == nil || late.LeftAt == nil || late.LeftAt.Sub(*late.JoinedAt) != time.Minute {
		t.Fatalf("out-of-order attendance = %+v, want one minute", late)
	}

	// End for all: the bot is disconnected, the room is ENDED, the summary is queued, and no
	// token is issued any more.
	other.call("POST", "/api/rooms/"+id+"/end", "", 403)
	ended := host.call("POST", "/api/rooms/"+id+"/end", "", 200)
	if ended["status"] != "ENDED" || ended["endedAt"] == nil {
		t.Fatalf("ended room = %v", ended)
	}
	bot.WaitGone(t, lksdk.OtherReason, lkproto.DisconnectReason_ROOM_DELETED)
	host.call("POST", "/api/livekit/token", tokenBody, 409)
	host.call("POST", "/api/rooms/"+id+"/end", "", 200) // ending twice is harmless
	jobs, err := db.JobsOf(context.Background(), id)
	if err != nil || len(jobs) != 1 || jobs[0].Kind != domain.JobSummary {
		t.Fatalf("jobs = %+v, %v; want one summary job", jobs, err)
	}
	// The old token cannot bring the room back: LiveKit does not create rooms on join.
	if b, err := livekittest.Join(t, url, tok["token"].(string)); err == nil {
		t.Fatalf("the host token joined the ended room %q", b.Room.Name())
	}
	// LiveKit's room_finished arrives and is applied without changing the end time.
	waitFor(t, "the bot's participant_left from LiveKit", func() bool {
		att, _ = db.AttendanceOf(context.Background(), lec)
		return len(att) > 0 && att[0].LeftAt != nil
	})

	// The room lasts a course: starting it again opens its next lecture, a new call under a
	// new name, with an attendance of its own; the first lecture's token opens neither.
	again := host.call("POST", "/api/rooms/"+id+"/start", "", 200)
	lec2, _ := again["lectureId"].(string)
	if again["status"] != "LIVE" || lec2 == "" || lec2 == lec || again["code"] != room["code"] {
		t.Fatalf("restarted room = %v; want LIVE with a new lecture and the same invite code", again)
	}
	if b, err := livekittest.Join(t, url, tok["token"].(string)); err == nil {
		t.Fatalf("the first lecture's token joined %q", b.Room.Name())
	}
	tok2 := host.call("POST", "/api/livekit/token", tokenBody, 200)
	bot2, err := livekittest.Join(t, url, tok2["token"].(string))
	if err != nil {
		t.Fatalf("LiveKit refused the second lecture's token: %v", err)
	}
	if bot2.Room.Name() != lec2 {
		t.Fatalf("bot joined %q, want the second lecture %q", bot2.Room.Name(), lec2)
	}
	waitFor(t, "the second lecture's attendance", func() bool {
		att, _ = db.AttendanceOf(context.Background(), lec2)
		return len(att) == 1 && att[0].JoinedAt != nil
	})
	if first, _ := db.AttendanceOf(context.Background(), lec); len(first) != 2 {
		t.Fatalf("the first lecture's attendance = %+v; want its two connections only", first)
	}
	host.call("POST", "/api/rooms/"+id+"/end", "", 200)
	bot2.WaitGone(t, lksdk.OtherReason, lkproto.DisconnectReason_ROOM_DELETED)
	lectures := host.callList("GET", "/api/rooms/"+id+"/lectures", "", 200)
	if len(lectures) != 2 || lectures[0]["id"] != lec2 || lectures[1]["id"] != lec || lectures[0]["number"] != 2.0 || lectures[1]["status"] != "ENDED" {
		t.Fatalf("lectures = %v", lectures)
	}
	other.call("GET", "/api/rooms/"+id+"/lectures", "", 403)
	if jobs, _ := db.JobsOf(context.Background(), id); len(jobs) != 2 {
		t.Fatalf("jobs = %+v; want a summary for each lecture", jobs)
	}
	for _, l := range []string{lec, lec2} {
		page := host.call("GET", "/api/lectures/"+l, "", 200)
		if info, _ := page["lecture"].(map[string]any); info["id"] != l {
			t.Fatalf("lecture page of %s = %v", l, page["lecture"])
		}
	}
}

// A second room ends through LiveKit alone: a signed room_finished for a live room ends it
// and queues its summary, exactly once however often it is delivered.
func TestRoomFinishedWebhookEndsLecture(t *testing.T) {
	bin := livekittest.Binary(t)
	dir := t.TempDir()
	base, stop := startServe(t, map[string]string{"DATA_DIR": dir, "LISTEN_ADDR": "127.0.0.1:0",
		"LIVESERVER_INSECURE_FAST_HASH": "1", "LIVEKIT_SERVER_BIN": bin, "LIVEKIT_DEV_PORT": "0"})
	defer stop()
	host := newSession(t, base)
	host.call("POST", "/api/auth/register", `{"email":"host@school.ru","password":"correct horse","name":"Анна"}`, 201)
	room := host.call("POST", "/api/rooms", `{"name":"Химия"}`, 201)
	id, lec := room["id"].(string), room["lectureId"].(string)
	host.call("POST", "/api/rooms/"+id+"/start", "", 200)

	secret, _ := os.ReadFile(filepath.Join(dir, "livekit_dev_secret"))
	ev := livekittest.WebhookEvent{Event: "room_finished", ID: "EV_fin", CreatedAt: time.Now().Unix(),
		Room: &livekittest.WebhookRoom{Name: lec}}
	for range 3 {
		body, auth := livekittest.SignWebhook(t, devAPIKey, strings.TrimSpace(string(secret)), ev)
		postWebhook(t, base, body, auth, 204)
	}
	got := host.call("GET", "/api/rooms/"+id, "", 200)
	if got["status"] != "ENDED" {
		t.Fatalf("after room_finished: %v", got)
	}
	db, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(dir, "liveserver.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if jobs, _ := db.JobsOf(context.Background(), id); len(jobs) != 1 {
		t.Fatalf("jobs = %+v, want exactly one", jobs)
	}
	// Events about rooms that are not ours are acknowledged and ignored.
	body, auth := livekittest.SignWebhook(t, devAPIKey, strings.TrimSpace(string(secret)),
		livekittest.WebhookEvent{Event: "room_started", ID: "EV_other", CreatedAt: time.Now().Unix(), Room: &livekittest.WebhookRoom{Name: "someone-elses"}})
	postWebhook(t, base, body, auth, 204)
}

func postWebhook(t *testing.T, base string, body []byte, authorization string, want int) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/api/livekit/webhook", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/webhook+json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != want {
		t.Fatalf("webhook answered %d, want %d", resp.StatusCode, want)
	}
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The video room can vanish under a live lecture (the video server crashed and was restarted
// empty); a host token request brings it back, so the host can rejoin.
func TestTokenRecreatesLostVideoRoom(t *testing.T) {
	bin := livekittest.Binary(t)
	livekittest.RequireLoopbackOnly(t)
	dir := t.TempDir()
	base, stop := startServe(t, map[string]string{"DATA_DIR": dir, "LISTEN_ADDR": "127.0.0.1:0",
		"LIVESERVER_INSECURE_FAST_HASH": "1", "LIVEKIT_SERVER_BIN": bin, "LIVEKIT_DEV_PORT": "0"})
	defer stop()
	host := newSession(t, base)
	host.call("POST", "/api/auth/register", `{"email":"host@school.ru","password":"correct horse","name":"Анна"}`, 201)
	id := host.call("POST", "/api/rooms", `{"name":"Биология"}`, 201)["id"].(string)
	host.call("POST", "/api/rooms/"+id+"/start", "", 200)
	tok := host.call("POST", "/api/livekit/token", `{"roomId":"`+id+`"}`, 200)

	// Crash the supervised livekit-server: it sends no webhook, and comes back empty.
	out, err := exec.Command("pgrep", "-P", strconv.Itoa(os.Getpid()), "-x", "livekit-server").Output()
	pid, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil || pid == 0 {
		t.Fatalf("no livekit-server child: %v %q", err, out)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "livekit-server to be restarted", func() bool {
		out, _ := exec.Command("pgrep", "-P", strconv.Itoa(os.Getpid()), "-x", "livekit-server").Output()
		p, _ := strconv.Atoi(strings.TrimSpace(string(out)))
		return p != 0 && p != pid && readyLiveKit(base)
	})
	if _, err := livekittest.Join(t, tok["url"].(string), tok["token"].(string)); err == nil {
		t.Fatal("joined a room LiveKit no longer has; the test proves nothing")
	}
	if got := host.call("GET", "/api/rooms/"+id, "", 200); got["status"] != "LIVE" {
		t.Fatalf("room = %v, want still LIVE", got)
	}
	tok = host.call("POST", "/api/livekit/token", `{"roomId":"`+id+`"}`, 200)
	if _, err := livekittest.Join(t, tok["url"].(string), tok["token"].(string)); err != nil {
		t.Fatalf("host could not rejoin after the video server lost the room: %v", err)
	}
}

func readyLiveKit(base string) bool {
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == 200
}
