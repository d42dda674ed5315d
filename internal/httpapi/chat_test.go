package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

type chatMsg struct {
	ID, ClientID, Identity, Name, Text, CreatedAt string
	Host                                          bool
}

// guestIn lets a guest into the room (lobby off or approved by host) and returns it.
func guestIn(t *testing.T, e *env, host *client, roomID, name, fp string) (*client, joinAnswer) {
	t.Helper()
	g := e.client()
	a := g.join(roomID, name, "", fp).joined(t)
	if a.Status == "pending" {
		want(t, host.do("POST", "/api/rooms/"+roomID+"/lobby", map[string]any{"entryId": a.EntryID, "action": "approve"}), http.StatusOK)
	}
	return g, a
}

func TestChat(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		e := newEnv(t, d, nil)
		host := e.client()
		host.register("chat@school.ru", "Учитель")
		r := host.createRoom(map[string]any{"name": "Chat"})
		g, a := guestIn(t, e, host, r.ID, "Маша", "fp-chat-00001")
		hostEvents := host.stream("/api/rooms/" + r.ID + "/events")
		hostEvents.Next("snapshot")

		res := g.do("POST", "/api/rooms/"+r.ID+"/chat", map[string]string{"text": "  <b>Здравствуйте!</b> 👋  ", "clientId": "c-1"})
		want(t, res, http.StatusCreated)
		var m chatMsg
		res.json(t, &m)
		if m.Text != "<b>Здравствуйте!</b> 👋" || m.Identity != a.Identity || m.Name != "Маша" || m.ClientID != "c-1" || m.ID == "" || m.Host {
			t.Fatalf("message = %+v (the text must come back as written, trimmed)", m)
		}
		ev := hostEvents.Next("chat.message")
		var em chatMsg
		json.Unmarshal([]byte(ev.Data), &em)
		if em != m {
			t.Fatalf("event %+v, response %+v", em, m)
		}
		// A retry (the response was lost) is the same message, announced once.
		res = g.do("POST", "/api/rooms/"+r.ID+"/chat", map[string]string{"text": "  <b>Здравствуйте!</b> 👋  ", "clientId": "c-1"})
		want(t, res, http.StatusOK)
		var again chatMsg
		res.json(t, &again)
		if again.ID != m.ID {
			t.Fatalf("retry made a second message %s", again.ID)
		}
		hostEvents.Quiet("chat.message", 200*time.Millisecond)

		// The host's message carries the host badge, in the answer, the event and the history.
		res = host.do("POST", "/api/rooms/"+r.ID+"/chat", map[string]string{"text": "Добрый день"})
		want(t, res, http.StatusCreated)
		var hm chatMsg
		res.json(t, &hm)
		if !hm.Host {
			t.Fatalf("host's message = %+v, want host", hm)
		}
		if ev := hostEvents.Next("chat.message"); !strings.Contains(ev.Data, `"host":true`) {
			t.Fatalf("host's message event %s, want host", ev.Data)
		}
		for i := range 3 {
			want(t, g.do("POST", "/api/rooms/"+r.ID+"/chat", map[string]string{"text": "msg " + strconv.Itoa(i)}), http.StatusCreated)
		}
		var page []chatMsg
		g.do("GET", "/api/rooms/"+r.ID+"/chat?limit=2", nil).json(t, &page)
		if len(page) != 2 || page[0].Text != "msg 1" || page[1].Text != "msg 2" {
			t.Fatalf("newest page = %+v", page)
		}
		var older []chatMsg
		g.do("GET", "/api/rooms/"+r.ID+"/chat?limit=10&before="+page[0].ID, nil).json(t, &older)
		if len(older) != 3 || older[0].ID != m.ID || older[2].Text != "msg 0" || older[0].Host || !older[1].Host {
			t.Fatalf("older page = %+v", older)
		}

		// The host deletes a message; everyone hears it; it is gone from the history.
		want(t, g.do("DELETE", "/api/rooms/"+r.ID+"/chat/"+m.ID, nil), http.StatusUnauthorized)
		want(t, host.do("DELETE", "/api/rooms/"+r.ID+"/chat/"+m.ID, nil), http.StatusNoContent)
		hostEvents.Next("chat.deleted")
		want(t, host.do("DELETE", "/api/rooms/"+r.ID+"/chat/"+m.ID, nil), http.StatusNotFound)
		var all []chatMsg
		g.do("GET", "/api/rooms/"+r.ID+"/chat", nil).json(t, &all)
		if len(all) != 4 || all[0].Text != "Добрый день" {
			t.Fatalf("after delete = %+v", all)
		}

		// Chat off: guests are refused, the host may still write.
		want(t, host.do("PATCH", "/api/rooms/"+r.ID, map[string]any{"chatEnabled": false}), http.StatusOK)
		want(t, g.do("POST", "/api/rooms/"+r.ID+"/chat", map[string]string{"text": "ещё"}), http.StatusForbidden, "chat_disabled")
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/chat", map[string]string{"text": "Только я"}), http.StatusCreated)
	})
}

func TestChatRefusals(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	host := e.client()
	host.register("chat@school.ru", "Host")
	r := host.createRoom(map[string]any{"name": "Chat"})
	other := host.createRoom(map[string]any{"name": "Other", "lobbyEnabled": false})
	g, _ := guestIn(t, e, host, r.ID, "Гость", "fp-chat-00002")
	stranger, _ := guestIn(t, e, host, other.ID, "Чужой", "fp-chat-00003")
	waiting := e.client()
	want(t, waiting.join(r.ID, "Ждёт", "", "fp-chat-00004"), http.StatusAccepted)

	post := func(c *client, body any) response { return c.do("POST", "/api/rooms/"+r.ID+"/chat", body) }
	for _, tc := range []struct {
		name string
		body any
	}{
		{"empty", map[string]string{"text": ""}},
		{"blank", map[string]string{"text": " \n\t "}},
		{"too long", map[string]string{"text": strings.Repeat("я", 2001)}},
		{"control characters", map[string]string{"text": "bell\x07"}},
		{"bidi override", map[string]string{"text": "abc\u202edef"}},
		{"odd clientId", map[string]string{"text": "hi", "clientId": "has space"}},
		{"wrong type", `{"text": 42}`},
	} {
		t.Run(tc.name, func(t *testing.T) { want(t, post(g, tc.body), http.StatusBadRequest, "invalid") })
	}
	want(t, post(g, map[string]string{"text": strings.Repeat("я", 2000)}), http.StatusCreated)
	want(t, post(waiting, map[string]string{"text": "пустите"}), http.StatusForbidden, "not_admitted")
	want(t, post(stranger, map[string]string{"text": "привет"}), http.StatusForbidden, "not_admitted")
	want(t, post(e.client(), map[string]string{"text": "аноним"}), http.StatusForbidden, "not_admitted")
	want(t, stranger.do("GET", "/api/rooms/"+r.ID+"/chat", nil), http.StatusForbidden)
	want(t, g.do("GET", "/api/rooms/"+r.ID+"/chat?limit=500", nil), http.StatusBadRequest)
	want(t, g.do("GET", "/api/rooms/"+r.ID+"/chat?before=nope", nil), http.StatusBadRequest)

	// Ten messages in ten seconds per sender, then 429 with Retry-After.
	for i := range 9 {
		want(t, post(g, map[string]string{"text": "flood " + strconv.Itoa(i)}), http.StatusCreated)
	}
	res := post(g, map[string]string{"text": "one too many"})
	want(t, res, http.StatusTooManyRequests, "rate_limited")
	if res.header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
	var all []chatMsg
	g.do("GET", "/api/rooms/"+r.ID+"/chat?limit=200", nil).json(t, &all)
	if len(all) != 10 {
		t.Fatalf("%d messages stored, want 10 (refused ones must not be)", len(all))
	}
}

// A deleted message stays deleted: a stream resuming from before it, from 0 included, replays
// its deletion and never its text, while the messages around it replay as they were.
func TestDeletedChatIsNotReplayed(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		e := newEnv(t, d, nil)
		host := e.client()
		host.register("deleted@school.ru", "Учитель")
		r := host.createRoom(map[string]any{"name": "Deleted"})
		g, _ := guestIn(t, e, host, r.ID, "Петя", "fp-deleted-001")
		var secret, kept chatMsg
		g.do("POST", "/api/rooms/"+r.ID+"/chat", map[string]string{"text": "мой пароль hunter2"}).json(t, &secret)
		g.do("POST", "/api/rooms/"+r.ID+"/chat", map[string]string{"text": "вопрос по теме"}).json(t, &kept)
		want(t, host.do("DELETE", "/api/rooms/"+r.ID+"/chat/"+secret.ID, nil), http.StatusNoContent)

		for _, from := range []string{"0", "1"} {
			st := g.stream("/api/rooms/"+r.ID+"/events", "Last-Event-ID", from)
			deletions, sawKept := 0, false
			timeout := time.After(10 * time.Second)
			for deletions < 2 || !sawKept {
				select {
				case ev, ok := <-st.C:
					if !ok {
						t.Fatal("stream ended")
					}
					if strings.Contains(ev.Data, "hunter2") {
						t.Fatalf("resume from %s replayed the deleted text: %s %s", from, ev.Type, ev.Data)
					}
					switch {
					case ev.Type == "chat.deleted" && strings.Contains(ev.Data, secret.ID):
						deletions++
					case ev.Type == "chat.message" && strings.Contains(ev.Data, kept.ID):
						sawKept = true
					}
				case <-timeout:
					t.Fatalf("resume from %s: %d deletions, kept message seen %v", from, deletions, sawKept)
				}
			}
			st.Close()
		}
	})
}

// A hand going up and down in a loop beeps at the host each time: 20 changes a minute, then 429.
func TestHandRaisingIsLimited(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	host := e.client()
	host.register("hands@school.ru", "Учитель")
	r := host.createRoom(map[string]any{"name": "Hands", "lobbyEnabled": false})
	g, _ := guestIn(t, e, host, r.ID, "Вова", "fp-hands-0001")
	for i := range 20 {
		want(t, g.do("POST", "/api/rooms/"+r.ID+"/hand-raise", map[string]any{"raised": i%2 == 0}), http.StatusNoContent)
	}
	want(t, g.do("POST", "/api/rooms/"+r.ID+"/hand-raise", map[string]any{"raised": true}), http.StatusTooManyRequests, "rate_limited")
	other, _ := guestIn(t, e, host, r.ID, "Оля", "fp-hands-0002")
	want(t, other.do("POST", "/api/rooms/"+r.ID+"/hand-raise", map[string]any{"raised": true}), http.StatusNoContent)
}
