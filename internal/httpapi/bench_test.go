package httpapi_test

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/httpapi/ssetest"
	"github.com/liveserver/liveserver/internal/redis/redistest"
	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
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
				a := benchJoin(g, r.ID, i).joined(b)
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
			opened := openGuestStreams(b, guestSide, r.ID, streams, tr)
			var all, first []time.Duration
			b.ResetTimer()
			for i := range b.N {
				action := []string{"lock", "unlock"}[i%2]
				start := time.Now()
				host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": action})
				got := arrivals(opened, "room.state", start)
				sort.Slice(got, func(x, y int) bool { return got[x] < got[y] })
				first, all = append(first, got[0]), append(all, got[streams-1])
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

// benchJoin is guest number i knocking at the room, from an address of its own (through the
// trusted proxy), so that no per-address limit counts the benchmark's thousands of guests.
func benchJoin(g *client, roomID string, i int) response {
	return g.do("POST", "/api/rooms/"+roomID+"/join", map[string]string{"name": "G", "fingerprint": "fp-bench-" + strconv.Itoa(i)},
		"X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", i/62500, i/250%250, i%250+1))
}

// admitGuests lets n guests into the room (its lobby is off).
func admitGuests(e *env, roomID string, n int, tr http.RoundTripper) []*client {
	guests := make([]*client, n)
	for i := range guests {
		guests[i] = benchClient(e, tr)
		benchJoin(guests[i], roomID, i)
	}
	return guests
}

// openGuestStreams admits n guests and opens each one's event stream on e.
func openGuestStreams(b *testing.B, e *env, roomID string, n int, tr http.RoundTripper) []*ssetest.Stream {
	b.Helper()
	var streams []*ssetest.Stream
	for _, g := range admitGuests(e, roomID, n, tr) {
		st := ssetest.Open(b, g.http, e.srv.URL+"/api/rooms/"+roomID+"/events")
		st.Next("snapshot")
		streams = append(streams, st)
	}
	return streams
}

// arrivals waits for the next event of the type on every stream and says, per stream, how long
// after start it came.
func arrivals(streams []*ssetest.Stream, typ string, start time.Time) []time.Duration {
	out := make([]time.Duration, len(streams))
	var wg sync.WaitGroup
	for j, st := range streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st.Next(typ)
			out[j] = time.Since(start)
		}()
	}
	wg.Wait()
	return out
}

// BenchmarkChatAccept is how many chat messages one replica takes per second: 32 senders at a
// time, each guest sending at most its rate limit.
func BenchmarkChatAccept(b *testing.B) {
	for _, d := range sqlstoretest.Dialects() {
		b.Run(string(d), func(b *testing.B) { benchChatAccept(b, newReplicas(b, d, 1, nil)[0]) })
	}
}

func benchChatAccept(b *testing.B, e *env) {
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	host := benchClient(e, tr)
	host.register("bench@school.ru", "Host")
	r := host.createRoom(map[string]any{"name": "Chat", "lobbyEnabled": false})
	senders := b.N/chatPerSenderBudget + 1
	guests := admitGuests(e, r.ID, senders, tr)
	work := make(chan int)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				res := guests[i%senders].do("POST", "/api/rooms/"+r.ID+"/chat", map[string]string{"text": "сообщение " + strconv.Itoa(i)})
				if res.status != 201 {
					b.Errorf("send: %d %s", res.status, res.body)
				}
			}
		}()
	}
	for i := range b.N {
		work <- i
	}
	close(work)
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

// chatPerSenderBudget keeps each benchmark sender within the chat rate limit.
const chatPerSenderBudget = 8

// BenchmarkChatDelivery is the time from POST to receipt on every open stream, as a latency
// distribution over all deliveries, for 1,000 and 5,000 streams; and the memory an open
// stream costs (server and benchmark client together).
func BenchmarkChatDelivery(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		for _, withRedis := range []bool{false, true} {
			name := fmt.Sprintf("%d-streams/memory", n)
			if withRedis {
				name = fmt.Sprintf("%d-streams/redis-2-replicas", n)
			}
			b.Run(name, func(b *testing.B) {
				rs := benchReplicas(b, withRedis)
				guestSide, hostSide := rs[0], rs[len(rs)-1]
				tr := &http.Transport{MaxIdleConnsPerHost: n + 10}
				defer tr.CloseIdleConnections()
				host := benchClient(hostSide, tr)
				host.register("bench@school.ru", "Host")
				r := host.createRoom(map[string]any{"name": "Chat", "lobbyEnabled": false})
				before := memInUse()
				streams := openGuestStreams(b, guestSide, r.ID, n, tr)
				perStream := (memInUse() - before) / uint64(n)
				var lat []time.Duration
				b.ResetTimer()
				for i := range b.N {
					start := time.Now()
					host.do("POST", "/api/rooms/"+r.ID+"/chat", map[string]string{"text": "всем " + strconv.Itoa(i)})
					lat = append(lat, arrivals(streams, "chat.message", start)...)
				}
				b.StopTimer()
				reportLatency(b, lat)
				b.ReportMetric(float64(perStream)/1024, "KiB/stream")
				for _, st := range streams {
					st.Close()
				}
			})
		}
	}
}

// memInUse is the heap and stacks in use after a collection.
func memInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}
