package httpapi_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/classroom"
	"github.com/liveserver/liveserver/internal/config"
	"github.com/liveserver/liveserver/internal/disk"
	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/instance"
	"github.com/liveserver/liveserver/internal/memory"
	"github.com/liveserver/liveserver/internal/redis"
	"github.com/liveserver/liveserver/internal/redis/redistest"
	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

// newReplicas starts n servers over one database of dialect d, as replicas behind a proxy: with
// rd, each has its own Redis bus and limiter on it; without, they share one in-process bus (so
// use n = 1). Clients keep their cookies across replicas, as through a proxy.
func newReplicas(tb testing.TB, d sqlstore.Dialect, n int, rd *redistest.Server) []*env {
	tb.Helper()
	db := sqlstoretest.Open(tb, d)
	cfg, _ := config.Load(func(k string) string {
		return map[string]string{"AUTH_SECRET": "replica-secret-replica-secret-replica", "TRUSTED_PROXIES": "127.0.0.1",
			"LISTEN_ADDR": "127.0.0.1:3000"}[k] // the test servers' loopback: the first registrant is admin
	})
	log := slog.New(slog.DiscardHandler)
	blobs, err := disk.New(filepath.Join(tb.TempDir(), "files"))
	if err != nil {
		tb.Fatal(err)
	}
	shared := memory.NewBus() // the production queue size, so benchmarks measure what runs
	tb.Cleanup(func() { shared.Close() })
	var out []*env
	for range n {
		var bus domain.Bus = shared
		var limiter domain.Limiter = memory.NewLimiter(time.Now)
		if rd != nil {
			rb, err := redis.New(context.Background(), rd.URL, log, redis.WithHealthCheck(300*time.Millisecond))
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { rb.Close() })
			bus, limiter = rb, redis.NewLimiter(rb.Client(), "")
		}
		inst, err := instance.New(cfg, instance.Ports{Store: db, Limiter: limiter, Bus: bus, Blobs: blobs, Log: log},
			// The benchmarks open thousands of streams from 127.0.0.1, standing for a class
			// behind many addresses: the per-address ceiling must not count them as one.
			instance.Options{Hash: classroom.FastHashParams, Heartbeat: 200 * time.Millisecond, StreamsPerAddress: 1 << 20})
		if err != nil {
			tb.Fatal(err)
		}
		srv := httptest.NewServer(inst.HTTP)
		tb.Cleanup(func() { srv.CloseClientConnections(); srv.Close() })
		out = append(out, &env{t: tb, srv: srv, db: db, blobs: blobs})
	}
	return out
}

// A guest's stream drops; messages go on (sent through the other replica, across a Redis
// restart); the reconnect with Last-Event-ID gets every one of them, once, in order. A stream
// that stays connected through the Redis restart hears of the gap and catches up too.
func TestChatResumesAcrossReplicasAndRedisRestart(t *testing.T) {
	for _, d := range sqlstoretest.Dialects() {
		for _, withRedis := range []bool{false, true} {
			name := string(d) + "/memory"
			if withRedis {
				name = string(d) + "/redis"
			}
			t.Run(name, func(t *testing.T) {
				var rd *redistest.Server
				n := 1
				if withRedis {
					rd, n = redistest.Start(t), 2
				}
				rs := newReplicas(t, d, n, rd)
				a, b := rs[0], rs[len(rs)-1]
				host := b.client()
				host.register("resume@school.ru", "Host")
				r := host.createRoom(map[string]any{"name": "Resume", "lobbyEnabled": false})
				g, _ := guestIn(t, a, host, r.ID, "Гость", "fp-resume-0001")
				steady := g.stream("/api/rooms/" + r.ID + "/events") // stays connected throughout
				steady.Next("snapshot")
				dropping := g.stream("/api/rooms/" + r.ID + "/events")
				dropping.Next("snapshot")

				send := func(text string) {
					want(t, host.do("POST", "/api/rooms/"+r.ID+"/chat", map[string]string{"text": text}), 201)
				}
				send("before 1")
				last := dropping.Next("chat.message")
				dropping.Close()
				send("missed 1")
				send("missed 2")
				if rd != nil {
					rd.Stop()
					rd.Restart(t)
					time.Sleep(800 * time.Millisecond) // the buses notice and resubscribe
				}
				send("missed 3")

				resumed := g.stream("/api/rooms/"+r.ID+"/events", "Last-Event-ID", last.ID)
				resumed.Next("snapshot")
				for _, text := range []string{"missed 1", "missed 2", "missed 3"} {
					var m chatMsg
					ev := resumed.Next("chat.message")
					if err := jsonUnmarshal(ev.Data, &m); err != nil || m.Text != text {
						t.Fatalf("resumed stream got %q (%s), want %q", m.Text, ev.Data, text)
					}
				}
				resumed.Quiet("chat.message", 300*time.Millisecond)

				for _, text := range []string{"before 1", "missed 1", "missed 2", "missed 3"} {
					var m chatMsg
					jsonUnmarshal(steady.Next("chat.message").Data, &m)
					if m.Text != text {
						t.Fatalf("steady stream got %q, want %q", m.Text, text)
					}
				}
				steady.Quiet("chat.message", 300*time.Millisecond)
			})
		}
	}
}
