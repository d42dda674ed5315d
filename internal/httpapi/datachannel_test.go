package httpapi_test

import (
	"testing"
	"time"

	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/liveserver/liveserver/internal/sqlstore"
)

// A guest cannot send data into the call (no fake captions under its name, no spam on the data
// channel), while what the host sends still reaches the guest.
func TestGuestsCannotSendDataIntoTheCall(t *testing.T) {
	e := newLiveEnv(t, sqlstore.SQLite, nil)
	host, r := liveRoom(t, e, map[string]any{"name": "Data", "lobbyEnabled": false})
	hb := hostBot(t, host, r.ID)
	_, _, gb := admittedBot(t, e, host, r.ID, "Вася", "fp-data-00001")

	received := func(b *lksdk.Room) <-chan string {
		c := make(chan string, 8)
		if err := b.RegisterTextStreamHandler("lk.transcription", func(rd *lksdk.TextStreamReader, from string) {
			c <- from + ": " + rd.ReadAll()
		}); err != nil {
			t.Fatal(err)
		}
		return c
	}
	atHost, atGuest := received(hb.Room), received(gb.Room)

	// The control: the host's stream reaches the guest, so the path works.
	hb.Room.LocalParticipant.SendText("от учителя", lksdk.StreamTextOptions{Topic: "lk.transcription"})
	select {
	case got := <-atGuest:
		t.Logf("guest received %q", got)
	case <-time.After(10 * time.Second):
		t.Fatal("the host's text stream never reached the guest")
	}
	// The guest's reaches nobody.
	gb.Room.LocalParticipant.SendText("поддельные субтитры", lksdk.StreamTextOptions{Topic: "lk.transcription"})
	if err := gb.Room.LocalParticipant.PublishDataPacket(lksdk.UserData([]byte("spam")), lksdk.WithDataPublishReliable(true)); err == nil {
		t.Log("the SDK queued the guest's data packet; the server must drop it")
	}
	select {
	case got := <-atHost:
		t.Fatalf("the host received a guest's text stream: %q", got)
	case <-time.After(3 * time.Second):
	}
}
