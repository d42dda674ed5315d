package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

func TestLobbyAdmissionsBansHands(t *testing.T) {
	sqlstoretest.EachStore(t, func(t *testing.T, d sqlstore.Dialect) {
		ctx := context.Background()
		db := sqlstoretest.Open(t, d)
		u, _ := db.CreateUser(ctx, newUser("a@x.org"), false)
		r := newRoom(u.ID, "abc-defg-hjk")
		db.CreateRoom(ctx, r)

		e1 := domain.LobbyEntry{ID: uuid.NewString(), RoomID: r.ID, LectureID: r.LectureID, SessionID: "s1", DeviceID: "dev1", Name: "Вася", Fingerprint: "fp1", IP: "10.0.0.1",
			Status: domain.LobbyPending, CreatedAt: t0}
		e2 := domain.LobbyEntry{ID: uuid.NewString(), RoomID: r.ID, LectureID: r.LectureID, SessionID: "s2", Name: "Петя", Fingerprint: "fp2",
			Status: domain.LobbyPending, CreatedAt: t0.Add(time.Second)}
		for _, e := range []domain.LobbyEntry{e2, e1} {
			if err := db.CreateLobbyEntry(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		pending, _ := db.LobbyEntries(ctx, r.LectureID, domain.LobbyPending)
		if len(pending) != 2 || pending[0].ID != e1.ID {
			t.Fatalf("pending = %+v, want oldest first", pending)
		}
		if ok, _ := db.DecideLobbyEntry(ctx, e1.ID, domain.LobbyApproved, u.ID, t0.Add(time.Minute)); !ok {
			t.Fatal("pending entry not decided")
		}
		if ok, _ := db.DecideLobbyEntry(ctx, e1.ID, domain.LobbyRejected, u.ID, t0.Add(time.Minute)); ok {
			t.Fatal("a decided entry was decided again")
		}
		got, _ := db.LobbyEntry(ctx, e1.ID)
		if got.Status != domain.LobbyApproved || got.DecidedBy != u.ID || got.DeviceID != "dev1" || !got.DecidedAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("decided entry = %+v", got)
		}
		latest, _ := db.LatestLobbyEntry(ctx, r.LectureID, "s2")
		if latest.ID != e2.ID {
			t.Fatalf("latest of s2 = %+v", latest)
		}

		a := domain.Admission{ID: uuid.NewString(), RoomID: r.ID, LectureID: r.LectureID, Identity: "s1", Name: "Вася", Kind: domain.KindGuest,
			Fingerprint: "fp1", DeviceID: "dev1", LobbyEntryID: e1.ID, AdmittedAt: t0.Add(time.Minute)}
		if err := db.Admit(ctx, a); err != nil {
			t.Fatal(err)
		}
		if ok, _ := db.RevokeAdmission(ctx, r.LectureID, "s1", t0.Add(2*time.Minute)); !ok {
			t.Fatal("admission not revoked")
		}
		db.RevokeApprovals(ctx, r.LectureID, "s1", t0.Add(2*time.Minute))
		if got, _ := db.LobbyEntry(ctx, e1.ID); got.Status != domain.LobbyRevoked {
			t.Fatalf("approval after kick = %s", got.Status)
		}
		adm, _ := db.Admission(ctx, r.LectureID, "s1")
		if adm.Active() {
			t.Fatal("revoked admission still active")
		}
		if list, _ := db.Admissions(ctx, r.LectureID); len(list) != 0 {
			t.Fatalf("active admissions = %+v", list)
		}
		// Admitted again through a new entry: active, bound to the new approval.
		a.LobbyEntryID, a.DeviceID = e2.ID, "dev1b"
		db.Admit(ctx, a)
		if adm, _ = db.Admission(ctx, r.LectureID, "s1"); !adm.Active() || adm.LobbyEntryID != e2.ID || adm.DeviceID != "dev1b" {
			t.Fatalf("renewed admission = %+v", adm)
		}

		ban := domain.Ban{ID: uuid.NewString(), RoomID: r.ID, Identity: "s1", SessionID: "s1", DeviceID: "dev1", Fingerprint: "fp1", IP: "10.0.0.1",
			Name: "Вася", CreatedBy: u.ID, CreatedAt: t0}
		if err := db.CreateBan(ctx, ban); err != nil {
			t.Fatal(err)
		}
		for _, k := range []domain.BanKeys{{SessionID: "s1"}, {SessionID: "new-session", Fingerprint: "fp1"}, {SessionID: "x", Fingerprint: "y", IP: "10.0.0.1"},
			{SessionID: "new-session", DeviceID: "dev1", Fingerprint: "fp-zoomed"}} {
			if b, err := db.ActiveBan(ctx, r.ID, k); err != nil || b.ID != ban.ID || b.DeviceID != "dev1" {
				t.Errorf("ActiveBan(%+v) = %+v, %v", k, b, err)
			}
		}
		for _, k := range []domain.BanKeys{{}, {SessionID: "s2", DeviceID: "dev2", Fingerprint: "fp2", IP: "10.0.0.2"}} {
			if _, err := db.ActiveBan(ctx, r.ID, k); domain.ErrorCode(err) != domain.ENotFound {
				t.Errorf("ActiveBan(%+v) matched: %v", k, err)
			}
		}
		if n, _ := db.LiftBans(ctx, r.ID, "s1", t0); n != 1 {
			t.Fatalf("lifted %d bans", n)
		}
		if _, err := db.ActiveBan(ctx, r.ID, domain.BanKeys{SessionID: "s1", Fingerprint: "fp1"}); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatal("a lifted ban still matches")
		}

		if up, _ := db.RaiseHand(ctx, domain.HandRaise{RoomID: r.ID, Identity: "s2", Name: "Петя", RaisedAt: t0.Add(time.Second)}); !up {
			t.Fatal("hand not raised")
		}
		db.RaiseHand(ctx, domain.HandRaise{RoomID: r.ID, Identity: "s1", Name: "Вася", RaisedAt: t0})
		if up, _ := db.RaiseHand(ctx, domain.HandRaise{RoomID: r.ID, Identity: "s1", Name: "Вася", RaisedAt: t0.Add(time.Hour)}); up {
			t.Fatal("a raised hand went up twice")
		}
		hands, _ := db.Hands(ctx, r.ID)
		if len(hands) != 2 || hands[0].Identity != "s1" {
			t.Fatalf("hands = %+v, want s1 first", hands)
		}
		if down, _ := db.LowerHand(ctx, r.ID, "s1"); !down {
			t.Fatal("hand not lowered")
		}
		if err := db.AppendModeration(ctx, domain.ModerationEntry{ID: uuid.NewString(), RoomID: r.ID, ActorID: u.ID, ActorName: "A",
			Action: "ban", TargetIdentity: "s1", TargetName: "Вася", Detail: "{}", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		db.RecordAttendance(ctx, domain.Attendance{RoomID: r.ID, LectureID: r.LectureID, SID: "PA1", Identity: "s2", JoinedAt: at(1)})
		db.RecordAttendance(ctx, domain.Attendance{RoomID: r.ID, LectureID: r.LectureID, SID: "PA2", Identity: "s2", JoinedAt: at(2)})
		db.RecordAttendance(ctx, domain.Attendance{RoomID: r.ID, LectureID: r.LectureID, SID: "PA3", Identity: "s3", JoinedAt: at(2), LeftAt: at(3)})
		if n, _ := db.ConnectedCount(ctx, r.LectureID); n != 1 {
			t.Fatalf("connected = %d, want 1 (one identity on two connections, one gone)", n)
		}
	})
}
