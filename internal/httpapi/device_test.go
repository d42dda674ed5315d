package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/liveserver/liveserver/internal/sqlstore"
)

// cookie is the client's cookie of that name for the server, or nil.
func (c *client) cookie(name string) *http.Cookie {
	for _, k := range c.http.Jar.Cookies(mustURL(c.e.srv.URL)) {
		if k.Name == name {
			return k
		}
	}
	return nil
}

// setCookie puts (or, with value "", deletes) one cookie in the client's jar, as a browser's
// "clear this site's cookie" or a hand-edited cookie would.
func (c *client) setCookie(name, value string) {
	k := &http.Cookie{Name: name, Value: value, Path: "/"}
	if value == "" {
		k.MaxAge = -1
	}
	c.http.Jar.SetCookies(mustURL(c.e.srv.URL), []*http.Cookie{k})
}

// setCookieOf finds the Set-Cookie header for the cookie name, or "".
func setCookieOf(r response, name string) string {
	for _, v := range r.header.Values("Set-Cookie") {
		if strings.HasPrefix(v, name+"=") {
			return v
		}
	}
	return ""
}

// The device cookie: set at the first knock, HttpOnly, Lax, 400 days, signed; kept when the
// guest session goes; a forged or malformed one is never trusted but replaced.
func TestDeviceCookie(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	host := e.client()
	host.register("device@school.ru", "Учитель")
	r := host.createRoom(map[string]any{"name": "Device"})
	g := e.client()
	res := g.join(r.ID, "Гость", "", "fp-device-0001")
	want(t, res, http.StatusAccepted)
	set := setCookieOf(res, "ls_device")
	for _, attr := range []string{"HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=34560000"} {
		if !strings.Contains(set, attr) {
			t.Errorf("device cookie %q lacks %s", set, attr)
		}
	}
	if strings.Contains(set, "Secure") {
		t.Errorf("device cookie %q is Secure on a plain-HTTP origin", set)
	}
	device := g.cookie("ls_device").Value
	id, mac, ok := strings.Cut(device, ".")
	if !ok || len(id) < 22 || len(mac) < 43 || strings.Contains(device, g.cookie("ls_guest").Value) {
		t.Fatalf("device cookie value %q: want id.signature, apart from the guest session", device)
	}

	// Knocking again keeps it; so does clearing the guest session (a new guest, the same device).
	want(t, g.join(r.ID, "Гость", "", "fp-device-0001"), http.StatusAccepted)
	g.setCookie("ls_guest", "")
	res = g.join(r.ID, "Гость", "", "fp-device-0002")
	want(t, res, http.StatusAccepted)
	if setCookieOf(res, "ls_guest") == "" || setCookieOf(res, "ls_device") != "" || g.cookie("ls_device").Value != device {
		t.Fatalf("after the guest session was cleared: Set-Cookie %q; device %q, want %q kept", res.header.Values("Set-Cookie"), g.cookie("ls_device").Value, device)
	}

	// A forged or malformed value is ignored and replaced by a new device.
	otherMAC := strings.Repeat("A", len(mac))
	for _, forged := range []string{id + "." + otherMAC, id, id + ".", "." + mac, id + "x." + mac, "garbage", id + "." + mac + "." + mac,
		strings.Repeat("a", 300) + "." + mac} {
		f := e.client()
		f.setCookie("ls_device", forged)
		res := f.join(r.ID, "Подделка", "", "fp-forged-0001")
		want(t, res, http.StatusAccepted)
		got := f.cookie("ls_device")
		if setCookieOf(res, "ls_device") == "" || got == nil || got.Value == forged || strings.HasPrefix(got.Value, id+".") {
			t.Errorf("forged device cookie %q: not replaced (now %v)", forged, got)
		}
	}

	// Behind TLS: the __Host- prefix and Secure.
	tls := newEnv(t, sqlstore.SQLite, map[string]string{"DOMAIN": "live.example.com", "AUTH_SECRET": strings.Repeat("s", 32)})
	th := tls.client()
	// A public domain is reachable: the first account comes from the setup link.
	want(t, th.do("POST", "/api/setup", map[string]string{"token": tls.setupToken(), "email": "tls@school.ru", "password": "correct horse", "name": "TLS"}),
		http.StatusCreated)
	tr := th.createRoom(map[string]any{"name": "TLS"})
	res = tls.client().join(tr.ID, "Гость", "", "fp-device-0003")
	if set := setCookieOf(res, "__Host-ls_device"); !strings.Contains(set, "Secure") || !strings.Contains(set, "HttpOnly") {
		t.Fatalf("device cookie behind a domain = %q; want __Host- prefix, Secure, HttpOnly", set)
	}
}

// A ban holds on to the device cookie: the banned guest who clears its guest session and
// changes its fingerprint (browser zoom does) is still refused. A fingerprint match refuses
// only new knocks: classmates already in the call who share it stay.
func TestBanByDevice(t *testing.T) {
	e := newLiveEnv(t, sqlstore.SQLite, nil)
	admit := func(host *client, r room, g *client, name, fp string) joinAnswer {
		t.Helper()
		a := g.join(r.ID, name, "", fp).joined(t)
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/lobby", map[string]any{"entryId": a.EntryID, "action": "approve"}), http.StatusOK)
		want(t, g.token(r.ID), http.StatusOK)
		return a
	}
	ban := func(host *client, r room, identity string) {
		t.Helper()
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "ban", "identity": identity}), http.StatusOK)
	}

	t.Run("a cleared guest session and a new fingerprint do not get past the ban", func(t *testing.T) {
		host, r := liveRoom(t, e, map[string]any{"name": "Zoom"})
		g := e.client()
		a := admit(host, r, g, "Тролль", "fp-zoom-100pct")
		ban(host, r, a.Identity)
		g.setCookie("ls_guest", "")
		want(t, g.join(r.ID, "Не тролль", "", "fp-zoom-125pct"), http.StatusForbidden, "banned")
		// What a ban cannot stop: another browser (no device cookie) with another fingerprint.
		want(t, e.client().join(r.ID, "Другой", "", "fp-zoom-other1"), http.StatusAccepted)
	})

	t.Run("banning a device removes its other sessions and rejects its waiting knocks", func(t *testing.T) {
		host, r := liveRoom(t, e, map[string]any{"name": "Sessions"})
		g := e.client()
		first := admit(host, r, g, "Первый", "fp-sess-00001")
		g.setCookie("ls_guest", "")
		second := admit(host, r, g, "Второй", "fp-sess-00002") // the host did not recognise them
		g.setCookie("ls_guest", "")
		third := g.join(r.ID, "Третий", "", "fp-sess-00003").joined(t)
		ban(host, r, first.Identity)
		if second.Identity == first.Identity || third.Identity == second.Identity {
			t.Fatal("a cleared guest session kept its identity")
		}
		// The third, waiting, is rejected at approval though its session and fingerprint are new.
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/lobby", map[string]any{"entryId": third.EntryID, "action": "approve"}), http.StatusOK)
		if adm, err := e.db.Admission(t.Context(), r.LectureID, third.Identity); err == nil && adm.Active() {
			t.Fatal("a waiting knock of the banned device was admitted")
		}
		if adm, err := e.db.Admission(t.Context(), r.LectureID, second.Identity); err != nil || adm.Active() {
			t.Fatalf("the banned device's other admitted session = %+v, %v; want revoked", adm, err)
		}
	})

	t.Run("a forged device cookie is not trusted, so it cannot frame a classmate", func(t *testing.T) {
		host, r := liveRoom(t, e, map[string]any{"name": "Forged"})
		victim := e.client()
		want(t, victim.join(r.ID, "Маша", "", "fp-victim-0001"), http.StatusAccepted)
		id, _, _ := strings.Cut(victim.cookie("ls_device").Value, ".")
		m := e.client()
		m.setCookie("ls_device", id+"."+strings.Repeat("A", 43)) // the classmate's id, without the server's signature
		a := admit(host, r, m, "Хулиган", "fp-mallory-01")
		ban(host, r, a.Identity)
		// The ban holds the device the server gave the forger, not the classmate's.
		victim.setCookie("ls_guest", "")
		admit(host, r, victim, "Маша", "fp-victim-0001")
		m.setCookie("ls_guest", "")
		want(t, m.join(r.ID, "Хулиган", "", "fp-mallory-02"), http.StatusForbidden, "banned")

		// A genuine copy is the same device: whoever copies a classmate's cookie (which needs
		// that browser's profile: it is HttpOnly) can only get that classmate refused too.
		copier := e.client()
		copier.setCookie("ls_device", victim.cookie("ls_device").Value)
		c := admit(host, r, copier, "Копия", "fp-copier-001")
		ban(host, r, c.Identity)
		want(t, victim.token(r.ID), http.StatusForbidden)
	})

	t.Run("banning one of two classmates who share a fingerprint leaves the other in", func(t *testing.T) {
		host, r := liveRoom(t, e, map[string]any{"name": "Lab"})
		troll, classmate := e.client(), e.client()
		a := admit(host, r, troll, "Тролль", "fp-lab-machine")
		b := admit(host, r, classmate, "Отличник", "fp-lab-machine")
		events := classmate.stream("/api/rooms/" + r.ID + "/events")
		events.Next("snapshot")
		// A third lab machine knocked and waits.
		late := e.client()
		waiting := late.join(r.ID, "Опоздавший", "", "fp-lab-machine").joined(t)

		ban(host, r, a.Identity)
		if ev := events.Next("participant.out"); !strings.Contains(ev.Data, a.Identity) {
			t.Fatalf("participant.out = %s", ev.Data)
		}
		// The classmate stays: token, reload, its stream still delivers.
		want(t, classmate.token(r.ID), http.StatusOK)
		if again := classmate.join(r.ID, "Отличник", "", "fp-lab-machine").joined(t); again.Status != "admitted" || again.Identity != b.Identity {
			t.Fatalf("the classmate's reload = %+v", again)
		}
		want(t, classmate.do("POST", "/api/rooms/"+r.ID+"/chat", map[string]string{"text": "я ещё здесь", "clientId": "c-1"}), http.StatusCreated)
		events.Next("chat.message")

		// But the fingerprint refuses a new knock, and a waiting one at approval.
		want(t, e.client().join(r.ID, "Новый", "", "fp-lab-machine"), http.StatusForbidden, "banned")
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/lobby", map[string]any{"entryId": waiting.EntryID, "action": "approve"}), http.StatusOK)
		want(t, late.token(r.ID), http.StatusForbidden)
	})
}
