package redis

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/memory/bustest"
	"github.com/liveserver/liveserver/internal/redis/redistest"
)

// The benchmarks here run two replicas (two Bus instances, A and B) on a private
// redis-server, so other processes using the machine's Redis do not disturb the figures.
// They use only the Bus's public API, so they measure any design of it.

const benchTopics = 1000

var benchMsg = []byte(`{"type":"chat","id":123,"text":"hello, class"}`)

func benchReplicas(b *testing.B) (a, bb *Bus) {
	b.Helper()
	srv := redistest.Start(b)
	return newBus(b, srv.URL), newBus(b, srv.URL)
}

// latencies collects one duration per message and reports its percentiles.
type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	slices.Sort(l)
	at := func(q float64) float64 { return float64(l[int(q*float64(len(l)-1))].Nanoseconds()) }
	b.ReportMetric(at(0.50), "p50-ns")
	b.ReportMetric(at(0.99), "p99-ns")
}

func recvOrFail(b *testing.B, s domain.Subscription) []byte {
	select {
	case m, ok := <-s.C():
		if !ok {
			b.Fatalf("C closed: %v", s.Err())
		}
		return m
	case <-time.After(10 * time.Second):
		b.Fatal("no message within 10s")
		return nil
	}
}

// BenchmarkReplicaLatency: Publish on replica A → the message at a subscriber on replica B,
// one message in flight at a time; p50/p99 per message. With replicas=8, six more replicas
// are connected to the same Redis and have no subscriber of the topic.
func BenchmarkReplicaLatency(b *testing.B) {
	for _, n := range []int{2, 8} {
		b.Run("replicas="+strconv.Itoa(n), func(b *testing.B) {
			ctx := context.Background()
			srv := redistest.Start(b)
			a, bb := newBus(b, srv.URL), newBus(b, srv.URL)
			for range n - 2 {
				newBus(b, srv.URL)
			}
			topic := bustest.Topic(b)
			s, err := bb.Subscribe(ctx, topic)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			lat := make(latencies, 0, 1<<16)
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				start := time.Now()
				if err := a.Publish(ctx, topic, benchMsg); err != nil {
					b.Fatal(err)
				}
				recvOrFail(b, s)
				lat = append(lat, time.Since(start))
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
			lat.report(b)
		})
	}
}

func topicNames(b *testing.B, round int) []string {
	base := bustest.Topic(b) + "." + strconv.Itoa(round) + "."
	names := make([]string, benchTopics)
	for i := range names {
		names[i] = base + strconv.Itoa(i)
	}
	return names
}

func closeAll(subs []domain.Subscription) {
	for _, s := range subs {
		s.Close()
	}
}

// BenchmarkThousandTopics: replica B holds 1,000 topics with one subscriber each.
func BenchmarkThousandTopics(b *testing.B) {
	ctx := context.Background()

	// One op: subscribing 1,000 new topics one after another (ns/op is for all 1,000).
	b.Run("subscribe-sequential", func(b *testing.B) {
		_, bb := benchReplicas(b)
		round := 0
		b.ReportAllocs()
		for b.Loop() {
			names := topicNames(b, round)
			round++
			subs := make([]domain.Subscription, 0, len(names))
			for _, n := range names {
				s, err := bb.Subscribe(ctx, n)
				if err != nil {
					b.Fatal(err)
				}
				subs = append(subs, s)
			}
			b.StopTimer()
			closeAll(subs)
			b.StartTimer()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchTopics), "ns/subscribe")
	})

	// One op: 1,000 streams subscribing to 1,000 topics at once (a replica restarting and its
	// clients reconnecting); ns/op is until the last Subscribe returned.
	b.Run("subscribe-concurrent", func(b *testing.B) {
		_, bb := benchReplicas(b)
		round := 0
		for b.Loop() {
			names := topicNames(b, round)
			round++
			subs := make([]domain.Subscription, len(names))
			var wg sync.WaitGroup
			for i, n := range names {
				wg.Go(func() {
					s, err := bb.Subscribe(ctx, n)
					if err != nil {
						b.Error(err)
						return
					}
					subs[i] = s
				})
			}
			wg.Wait()
			b.StopTimer()
			for _, s := range subs {
				if s != nil {
					s.Close()
				}
			}
			b.StartTimer()
		}
	})

	// One op: Publish on A to one of the 1,000 topics (in turn) → its subscriber on B has it.
	b.Run("publish-receive", func(b *testing.B) {
		a, bb := benchReplicas(b)
		names := topicNames(b, 0)
		subs := make([]domain.Subscription, len(names))
		for i, n := range names {
			s, err := bb.Subscribe(ctx, n)
			if err != nil {
				b.Fatal(err)
			}
			subs[i] = s
		}
		defer closeAll(subs)
		lat := make(latencies, 0, 1<<16)
		i := 0
		b.ReportAllocs()
		for b.Loop() {
			k := i % len(names)
			i++
			start := time.Now()
			if err := a.Publish(ctx, names[k], benchMsg); err != nil {
				b.Fatal(err)
			}
			recvOrFail(b, subs[k])
			lat = append(lat, time.Since(start))
		}
		lat.report(b)
	})

	// One op: A publishes one message to each of the 1,000 topics, from 8 goroutines; ns/op is
	// until every subscriber on B has its message.
	b.Run("burst", func(b *testing.B) {
		a, bb := benchReplicas(b)
		names := topicNames(b, 0)
		subs := make([]domain.Subscription, len(names))
		for i, n := range names {
			s, err := bb.Subscribe(ctx, n)
			if err != nil {
				b.Fatal(err)
			}
			subs[i] = s
		}
		defer closeAll(subs)
		const publishers = 8
		for b.Loop() {
			var wg sync.WaitGroup
			for p := range publishers {
				wg.Go(func() {
					for k := p; k < len(names); k += publishers {
						if err := a.Publish(ctx, names[k], benchMsg); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			for _, s := range subs {
				recvOrFail(b, s)
			}
			wg.Wait()
		}
	})

	// Memory of 1,000 subscribed topics: Go heap on B and Redis's used_memory, per topic.
	b.Run("memory", func(b *testing.B) {
		_, bb := benchReplicas(b)
		for b.Loop() {
			heap0, redis0 := heapInUse(), redisUsedMemory(b, bb)
			subs := make([]domain.Subscription, 0, benchTopics)
			for _, n := range topicNames(b, 0) {
				s, err := bb.Subscribe(ctx, n)
				if err != nil {
					b.Fatal(err)
				}
				subs = append(subs, s)
			}
			heap1, redis1 := heapInUse(), redisUsedMemory(b, bb)
			b.ReportMetric(float64(int64(heap1)-int64(heap0))/benchTopics, "heap-B/topic")
			b.ReportMetric(float64(redis1-redis0)/benchTopics, "redis-B/topic")
			runtime.KeepAlive(subs)
			closeAll(subs)
		}
	})
}

// BenchmarkForeignTraffic: A publishes to topics that nobody on B subscribes to (another
// replica's rooms), then one message to a topic B does subscribe to; ns/op is per foreign
// message, until B has the last one: what a message B has no use for costs B, if anything.
func BenchmarkForeignTraffic(b *testing.B) {
	ctx := context.Background()
	a, bb := benchReplicas(b)
	mine := bustest.Topic(b)
	s, err := bb.Subscribe(ctx, mine)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	foreign := topicNames(b, 0)
	const batch = 1000
	b.ReportAllocs()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i += batch {
		pipe := a.Client().Pipeline()
		for k := range min(batch, b.N-i) {
			pipe.Publish(ctx, testPrefix+foreign[k%len(foreign)], benchMsg)
		}
		pipe.Publish(ctx, testPrefix+mine, benchMsg)
		if _, err := pipe.Exec(ctx); err != nil {
			b.Fatal(err)
		}
		recvOrFail(b, s)
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// cpuTime is the CPU time this process has used, both replicas and the Go runtime included.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func redisUsedMemory(b *testing.B, bus *Bus) int64 {
	info, err := bus.Client().Info(context.Background(), "memory").Result()
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.SplitSeq(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatal(fmt.Sprintf("no used_memory in INFO memory: %q", info))
	return 0
}
