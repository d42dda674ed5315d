package httpapi_test

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/httpapi/ssetest"
	"github.com/liveserver/liveserver/internal/redis/redistest"
	"github.com/liveserver/liveserver/internal/sqlstore"
)

// benchClient is a browser on e sharing transport with the others, so that thousands of them
// do not each keep their own idle connections.
func benchClient(e *env, transport http.RoundTripper) *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, http: &http.Client{Jar: jar, Transport: transport}}
}

func BenchmarkApprovalToWaitingGuest(b *testing.B) {
	for _, mode := range []struct {
		name  string
		redis bool
	}{{"memory", false}, {"redis-2-replicas", true}} {
		b.Run(mode.name, func(b *testing.B) {
			rs := benchReplicas(b, mode.redis)
			guestSide, hostSide := rs[0], rs[len(rs)-1]
			tr := &http.Transport{MaxIdleConnsPerHost: 64}
			defer tr.CloseIdleConnections()
			host := benchClient(hostSide, tr)
			host.register("bench@school.ru", "Host")
			r := host.createRoom(map[string]any{"name": "Bench"})
			var lat []time.Duration
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				g := benchClient(guestSide, tr)
				a := g.do("POST", "/api/rooms/"+r.ID+"/join", map[string]string{"name": "G", "fingerprint": "fp-bench-" + strconv.Itoa(i)},
					"X-Forwarded-For", fmt.Sprintf("10.%d.%d.1", i/250, i%250)).joined(b)
				lobby := ssetest.Open(b, g.http, guestSide.srv.URL+"/api/rooms/"+r.ID+"/lobby/stream")
				lobby.Next("snapshot")
				b.StartTimer()
				start := time.Now()
				host.do("POST", "/api/rooms/"+r.ID+"/lobby", map[string]any{"entryId": a.EntryID, "action": "approve"})
				lobby.Next("lobby.decision")
				lat = append(lat, time.Since(start))
				b.StopTimer()
				lobby.Close()
				b.StartTimer()
			}
			reportLatency(b, lat)
		})
	}
}

// BenchmarkModerationToStreams measures a lock reaching every one of 1,000 admitted guests'
// streams: each iteration is one moderation call and 1,000 deliveries.
func BenchmarkModerationToStreams(b *testing.B) {
	const streams = 1000
	for _, mode := range []struct {
		name  string
		redis bool
	}{{"memory", false}, {"redis-2-replicas", true}} {
		b.Run(mode.name, func(b *testing.B) {
			rs := benchReplicas(b, mode.redis)
			guestSide, hostSide := rs[0], rs[len(rs)-1]
			tr := &http.Transport{MaxIdleConnsPerHost: streams + 10, MaxConnsPerHost: 0}
			defer tr.CloseIdleConnections()
			host := benchClient(hostSide, tr)
			host.register("bench@school.ru", "Host")
			r := host.createRoom(map[string]any{"name": "Bench", "lobbyEnabled": false})
			var opened []*ssetest.Stream
			for i := range streams {
				g := benchClient(guestSide, tr)
				g.do("POST", "/api/rooms/"+r.ID+"/join", map[string]string{"name": "G", "fingerprint": "fp-bench-" + strconv.Itoa(i)},
					"X-Forwarded-For", fmt.Sprintf("10.%d.%d.1", i/250, i%250))
				st := ssetest.Open(b, g.http, guestSide.srv.URL+"/api/rooms/"+r.ID+"/events")
				st.Next("snapshot")
				opened = append(opened, st)
			}
			var all, first []time.Duration
			b.ResetTimer()
			for i := range b.N {
				action := []string{"lock", "unlock"}[i%2]
				start := time.Now()
				host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": action})
				arrivals := make([]time.Duration, streams)
				var wg sync.WaitGroup
				for j, st := range opened {
					wg.Add(1)
					go func() {
						defer wg.Done()
						st.Next("room.state")
						arrivals[j] = time.Since(start)
					}()
				}
				wg.Wait()
				sort.Slice(arrivals, func(x, y int) bool { return arrivals[x] < arrivals[y] })
				first, all = append(first, arrivals[0]), append(all, arrivals[streams-1])
			}
			b.StopTimer()
			b.ReportMetric(float64(median(first).Microseconds())/1000, "ms-first")
			b.ReportMetric(float64(median(all).Microseconds())/1000, "ms-all-1000")
			for _, st := range opened {
				st.Close()
			}
		})
	}
}

func reportLatency(b *testing.B, lat []time.Duration) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(median(lat).Microseconds())/1000, "ms-p50")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "ms-p99")
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// benchReplicas is one server with the in-process bus, or two sharing a private Redis.
func benchReplicas(b *testing.B, withRedis bool) []*env {
	if !withRedis {
		return newReplicas(b, sqlstore.SQLite, 1, nil)
	}
	return newReplicas(b, sqlstore.SQLite, 2, redistest.Start(b))
}
