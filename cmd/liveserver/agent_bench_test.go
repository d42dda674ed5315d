package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/liveserver/liveserver/internal/agent"
	"github.com/liveserver/liveserver/internal/deepgram/deepgramtest"
	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/livekit"
	"github.com/liveserver/liveserver/internal/livekit/livekittest"
	"github.com/liveserver/liveserver/internal/ogg/oggtest"
	"github.com/liveserver/liveserver/internal/sqlstore"
)

// BenchmarkAgentTracks measures `liveserver agent` as its own process while speakers publish
// real speech into rooms of a real LiveKit (5 speakers per room), with the fake Deepgram
// answering at once: its CPU and resident memory with 1, 10 and 50 tracks, and how long a
// result takes from leaving the STT server to reaching a listener as a caption (the agent's
// result path plus LiveKit's data forwarding). Run it alone, once per size:
//
//	go test ./cmd/liveserver -run '^$' -bench BenchmarkAgentTracks -benchtime 1x
func BenchmarkAgentTracks(b *testing.B) {
	bin := livekittest.Binary(b)
	livekittest.RequireLoopbackOnly(b)
	text := strings.Repeat("Сегодня мы продолжаем разговор о законах Ньютона. Второй закон связывает силу, массу и ускорение. ", 4)
	speech := oggtest.Speech(b, "ru", text)
	for _, n := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("tracks=%d", n), func(b *testing.B) {
			for range b.N {
				agentLoad(b, bin, speech, n)
			}
		})
	}
}

func agentLoad(b *testing.B, bin string, speech []byte, tracks int) {
	ctx := context.Background()
	srv := livekittest.Start(b)
	lk, err := livekit.NewClient(srv.Config)
	if err != nil {
		b.Fatal(err)
	}
	dg := deepgramtest.Start(b)
	dir := b.TempDir()
	db, err := sqlstore.OpenSQLite(ctx, filepath.Join(dir, "liveserver.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx, slog.New(slog.DiscardHandler)); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	owner, err := db.CreateUser(ctx, domain.User{ID: uuid.NewString(), Email: "t@school.ru", Name: "T", Role: domain.RoleHost,
		PasswordHash: "x", CreatedAt: now, UpdatedAt: now}, false)
	if err != nil {
		b.Fatal(err)
	}
	const perRoom = 5
	var rooms []string
	for i := 0; i*perRoom < tracks; i++ {
		r := domain.Room{ID: uuid.NewString(), LectureID: uuid.NewString(), Code: fmt.Sprintf("abc-defg-%03d", i), OwnerID: owner.ID, Name: "Load",
			MaxParticipants: 50, Status: domain.RoomCreated, CreatedAt: now, UpdatedAt: now}
		if err := db.CreateRoom(ctx, r); err != nil {
			b.Fatal(err)
		}
		if _, err := db.StartRoom(ctx, r.ID, r.LectureID, now); err != nil {
			b.Fatal(err)
		}
		if _, err := lk.CreateRoom(ctx, livekit.RoomSpec{Name: r.LectureID}); err != nil {
			b.Fatal(err)
		}
		rooms = append(rooms, r.LectureID) // the call is named by the lecture
	}
	proc := startAgentProcess(b, map[string]string{"DATA_DIR": dir, "LIVEKIT_URL": srv.Config.URL, "LIVEKIT_API_KEY": srv.Config.APIKey,
		"LIVEKIT_API_SECRET": srv.Config.APISecret, "STT_PROVIDER": "deepgram", "DEEPGRAM_URL": dg.URL, "DEEPGRAM_API_KEY": deepgramtest.Key,
		"LOG_LEVEL": "warn", "AGENT_LISTEN_ADDR": "off"})
	pid := proc.cmd.Process.Pid
	worker := func() domain.AgentWorker {
		ws, err := db.AgentWorkers(ctx, time.Now().Add(-5*time.Second))
		if err != nil || len(ws) != 1 {
			return domain.AgentWorker{}
		}
		return ws[0]
	}
	waitFor(b, "the assistant in every room", func() bool { return worker().Rooms == len(rooms) })
	idleRSS := rssKB(b, pid)

	join := func(room, identity string) *lksdk.Room {
		tok, err := srv.Config.Token(livekit.TokenRequest{Room: room, Identity: identity, Name: identity, TTL: time.Hour,
			CanPublish: true, CanSubscribe: true})
		if err != nil {
			b.Fatal(err)
		}
		bot, err := livekittest.Join(b, srv.Config.URL, tok)
		if err != nil {
			b.Fatal(err)
		}
		return bot.Room
	}
	// A listener in the first room times the captions.
	var mu sync.Mutex
	var lags []time.Duration
	listener := join(rooms[0], "listener")
	if err := listener.RegisterTextStreamHandler(agent.TranscriptionTopic, func(r *lksdk.TextStreamReader, _ string) {
		text := r.ReadAll()
		got := time.Now()
		if sent, ok := dg.SentAt(text, r.Info.Attributes[agent.AttrFinal] == "true"); ok {
			mu.Lock()
			lags = append(lags, got.Sub(sent))
			mu.Unlock()
		}
	}); err != nil {
		b.Fatal(err)
	}
	speakers := make([]*lksdk.Room, tracks)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range tracks {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			speakers[i] = join(rooms[i/perRoom], "speaker-"+strconv.Itoa(i))
		})
	}
	wg.Wait()
	for _, s := range speakers {
		livekittest.PublishOgg(b, s, speech)
	}
	waitFor(b, "every track transcribed", func() bool { return worker().Tracks == tracks })
	time.Sleep(2 * time.Second) // past the start-up of every stream
	cpu0, t0 := cpuTicks(b, pid), time.Now()
	time.Sleep(10 * time.Second)
	cpu1, t1 := cpuTicks(b, pid), time.Now()
	rss := rssKB(b, pid)
	if w := worker(); w.Tracks != tracks {
		b.Fatalf("the speech ended inside the window: %d tracks", w.Tracks)
	}
	cpuPct := float64(cpu1-cpu0) / clockTicks / t1.Sub(t0).Seconds() * 100
	b.ReportMetric(cpuPct, "cpu-%")
	b.ReportMetric(cpuPct/float64(tracks), "cpu-%/track")
	b.ReportMetric(float64(rss)/1024, "rss-MB")
	b.ReportMetric(float64(rss-idleRSS)/1024/float64(tracks), "MB/track")
	mu.Lock()
	slices.Sort(lags)
	if len(lags) > 0 {
		b.ReportMetric(float64(lags[len(lags)/2].Microseconds())/1000, "caption-p50-ms")
		b.ReportMetric(float64(lags[len(lags)*95/100].Microseconds())/1000, "caption-p95-ms")
	}
	mu.Unlock()
	b.Logf("%d tracks in %d rooms: agent CPU %.1f%% of a core, RSS %d MB (idle %d MB), %d captions timed",
		tracks, len(rooms), cpuPct, rss/1024, idleRSS/1024, len(lags))
	for _, s := range speakers {
		s.Disconnect()
	}
}

// clockTicks is the kernel's USER_HZ, the unit of /proc/PID/stat times (100 on Linux).
const clockTicks = 100

func cpuTicks(b *testing.B, pid int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return utime + stime
}

func rssKB(b *testing.B, pid int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb
		}
	}
	b.Fatal("no VmRSS")
	return 0
}
