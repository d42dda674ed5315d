package main

import (
	"net"
	"net/http"
	"os"
	"strconv"
	"testing"

	lkproto "github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/liveserver/liveserver/internal/httpapi/ssetest"
	"github.com/liveserver/liveserver/internal/livekit/livekittest"
	"github.com/liveserver/liveserver/internal/redis/redistest"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

// Two replicas behind one (imagined) proxy share PostgreSQL and Redis: a guest waits on
// replica A, the host approves on replica B, the guest's stream on A hears it, and the token
// from A works in LiveKit. A kick on B reaches the guest's stream on A and the video room.
func TestTwoReplicas(t *testing.T) {
	if os.Getenv(sqlstoretest.PostgresEnv) == "" {
		t.Skip(sqlstoretest.PostgresEnv + " is not set")
	}
	livekittest.RequireLoopbackOnly(t)
	dbURL := sqlstoretest.Schema(t)
	rd := redistest.Start(t)
	portA := redistest.FreePort(t)
	lk := livekittest.Start(t, livekittest.WithWebhookURL("http://127.0.0.1:"+strconv.Itoa(portA)+"/api/livekit/webhook"))
	replica := func(addr string) (string, func()) {
		return startServe(t, map[string]string{"DATA_DIR": t.TempDir(), "LISTEN_ADDR": addr, "LIVESERVER_INSECURE_FAST_HASH": "1",
			"DATABASE_URL": dbURL, "REDIS_URL": rd.URL, "AUTH_SECRET": "shared-secret-shared-secret-shared",
			"LIVEKIT_URL": lk.Config.URL, "LIVEKIT_API_KEY": lk.Config.APIKey, "LIVEKIT_API_SECRET": lk.Config.APISecret})
	}
	a, stopA := replica(net.JoinHostPort("127.0.0.1", strconv.Itoa(portA)))
	defer stopA()
	b, stopB := replica("127.0.0.1:0")
	defer stopB()

	// The host works on B. Cookies carry over between replicas (same database, same secret).
	hostB := newSession(t, b)
	hostB.call("POST", "/api/auth/register", `{"email":"host@school.ru","password":"correct horse","name":"Учитель"}`, 201)
	id := hostB.call("POST", "/api/rooms", `{"name":"Две реплики"}`, 201)["id"].(string)
	hostB.call("POST", "/api/rooms/"+id+"/start", "", 200)
	hostEventsB := ssetest.Open(t, hostB.c, b+"/api/rooms/"+id+"/events")
	hostEventsB.Next("snapshot")

	// The guest works on A.
	guestA := newSession(t, a)
	pending := guestA.call("POST", "/api/rooms/"+id+"/join", `{"name":"Гость","fingerprint":"fp-replica-001"}`, 202)
	lobbyA := ssetest.Open(t, guestA.c, a+"/api/rooms/"+id+"/lobby/stream")
	lobbyA.Next("snapshot")
	hostEventsB.Next("lobby.knock") // made on A, heard on B

	hostB.call("POST", "/api/rooms/"+id+"/lobby", `{"entryId":"`+pending["entryId"].(string)+`","action":"approve"}`, 200)
	lobbyA.Next("lobby.decision")
	lobbyA.Ends()

	tok := guestA.call("POST", "/api/livekit/token", `{"roomId":"`+id+`"}`, 200)
	bot, err := livekittest.Join(t, tok["url"].(string), tok["token"].(string))
	if err != nil {
		t.Fatalf("the guest's token from replica A was refused: %v", err)
	}
	eventsA := ssetest.Open(t, guestA.c, a+"/api/rooms/"+id+"/events")
	eventsA.Next("snapshot")

	hostB.call("POST", "/api/rooms/"+id+"/moderate", `{"action":"kick","identity":"`+pending["identity"].(string)+`"}`, 200)
	eventsA.Next("removed")
	eventsA.Ends()
	bot.WaitGone(t, lksdk.ParticipantRemoved, lkproto.DisconnectReason_PARTICIPANT_REMOVED)
	guestA.call("POST", "/api/livekit/token", `{"roomId":"`+id+`"}`, http.StatusForbidden)
}
