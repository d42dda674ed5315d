package jobs_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.uber.org/goleak"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/jobs"
	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// clock is a test clock the runners share.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// endedRoom makes a room and ends it, which queues its summary job.
func endedRoom(t *testing.T, db *sqlstore.DB, now time.Time) string {
	ctx := context.Background()
	u, err := db.CreateUser(ctx, domain.User{ID: uuid.NewString(), Email: uuid.NewString() + "@x.org", Name: "H", Role: domain.RoleHost,
		PasswordHash: "h", CreatedAt: now, UpdatedAt: now}, false)
	if err != nil {
		t.Fatal(err)
	}
	r := domain.Room{ID: uuid.NewString(), LectureID: uuid.NewString(), Code: uuid.NewString()[:12], OwnerID: u.ID, Name: "R", MaxParticipants: 10,
		Status: domain.RoomLive, CreatedAt: now, UpdatedAt: now}
	if err := db.CreateRoom(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := db.EndRoom(ctx, r.ID, r.LectureID, now); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func jobOf(t *testing.T, db *sqlstore.DB, roomID string) domain.Job {
	js, err := db.JobsOf(context.Background(), roomID)
	if err != nil || len(js) != 1 {
		t.Fatalf("jobs = %+v, %v", js, err)
	}
	return js[0]
}

func TestRetriesThenDone(t *testing.T) {
	sqlstoretest.EachStore(t, func(t *testing.T, d sqlstore.Dialect) {
		db := sqlstoretest.Open(t, d)
		clk := &clock{t: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
		room := endedRoom(t, db, clk.Now())
		calls := 0
		r := jobs.New(db, slog.New(slog.DiscardHandler), jobs.Options{Now: clk.Now, Backoff: func(int) time.Duration { return time.Minute },
			Handlers: map[string]jobs.Handler{domain.JobSummary: func(ctx context.Context, j domain.Job) error {
				calls++
				if calls <= 2 {
					return errors.New("model overloaded")
				}
				return nil
			}}})
		r.RunDue(context.Background())
		if j := jobOf(t, db, room); j.Status != "QUEUED" || j.Attempts != 1 || j.LastError != "model overloaded" {
			t.Fatalf("after a failure: %+v", j)
		}
		r.RunDue(context.Background()) // not due yet: the backoff holds it
		if calls != 1 {
			t.Fatalf("ran %d times before its backoff passed", calls)
		}
		for range 2 {
			clk.Add(61 * time.Second)
			r.RunDue(context.Background())
		}
		if j := jobOf(t, db, room); j.Status != "DONE" || j.Attempts != 3 {
			t.Fatalf("after two failures and a success: %+v", j)
		}
	})
}

func TestFailsForGoodAfterItsAttempts(t *testing.T) {
	db := sqlstoretest.Open(t, sqlstore.SQLite)
	clk := &clock{t: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	room := endedRoom(t, db, clk.Now())
	r := jobs.New(db, slog.New(slog.DiscardHandler), jobs.Options{Now: clk.Now, Backoff: func(int) time.Duration { return time.Second },
		Handlers: map[string]jobs.Handler{domain.JobSummary: func(context.Context, domain.Job) error { return errors.New("always") }}})
	for range 20 {
		r.RunDue(context.Background())
		clk.Add(2 * time.Second)
	}
	j := jobOf(t, db, room)
	if j.Status != "FAILED" || j.Attempts != j.MaxAttempts || j.LastError != "always" {
		t.Fatalf("job = %+v", j)
	}
	// A permanent error fails at once.
	room2 := endedRoom(t, db, clk.Now())
	jobs.New(db, slog.New(slog.DiscardHandler), jobs.Options{Now: clk.Now, Handlers: map[string]jobs.Handler{
		domain.JobSummary: func(context.Context, domain.Job) error { return jobs.Permanent(errors.New("no such room")) }}}).RunDue(context.Background())
	if j := jobOf(t, db, room2); j.Status != "FAILED" || j.Attempts != 1 {
		t.Fatalf("permanent: %+v", j)
	}
}

// A worker dies with a job in hand (its process is gone: nothing more happens on its side):
// nobody else takes the job while its lease runs; then another worker does and finishes it.
func TestDeadWorkersJobIsTakenOver(t *testing.T) {
	sqlstoretest.EachStore(t, func(t *testing.T, d sqlstore.Dialect) {
		db := sqlstoretest.Open(t, d)
		clk := &clock{t: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
		room := endedRoom(t, db, clk.Now())
		if _, err := db.ClaimJob(context.Background(), "dead", clk.Now(), clk.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		var ran atomic.Int32
		healthy := jobs.New(db, slog.New(slog.DiscardHandler), jobs.Options{Owner: "healthy", Now: clk.Now, Lease: time.Minute,
			Handlers: map[string]jobs.Handler{domain.JobSummary: func(context.Context, domain.Job) error { ran.Add(1); return nil }}})
		healthy.RunDue(context.Background())
		if ran.Load() != 0 {
			t.Fatal("the job was taken while its lease still ran")
		}
		clk.Add(61 * time.Second)
		healthy.RunDue(context.Background())
		if j := jobOf(t, db, room); ran.Load() != 1 || j.Status != "DONE" || j.Attempts != 2 {
			t.Fatalf("after the lease ran out: ran %d, %+v", ran.Load(), j)
		}
	})
}

// A worker stopped in the middle of a job (a shutdown) hands it back at once: the next worker
// takes it up without waiting for the lease.
func TestStoppedWorkerHandsTheJobBack(t *testing.T) {
	sqlstoretest.EachStore(t, func(t *testing.T, d sqlstore.Dialect) {
		db := sqlstoretest.Open(t, d)
		clk := &clock{t: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
		room := endedRoom(t, db, clk.Now())
		started := make(chan struct{})
		ctx, stop := context.WithCancel(context.Background())
		stopping := jobs.New(db, slog.New(slog.DiscardHandler), jobs.Options{Owner: "stopping", Now: clk.Now, Lease: time.Minute,
			Handlers: map[string]jobs.Handler{domain.JobSummary: func(ctx context.Context, j domain.Job) error {
				close(started)
				<-ctx.Done()
				return ctx.Err()
			}}})
		done := make(chan struct{})
		go func() { stopping.RunDue(ctx); close(done) }()
		<-started
		stop()
		<-done
		if j := jobOf(t, db, room); j.Status != "QUEUED" || j.LastError != "interrupted by a shutdown" {
			t.Fatalf("after the shutdown: %+v", j)
		}
		var ran atomic.Int32
		jobs.New(db, slog.New(slog.DiscardHandler), jobs.Options{Owner: "next", Now: clk.Now,
			Handlers: map[string]jobs.Handler{domain.JobSummary: func(context.Context, domain.Job) error { ran.Add(1); return nil }}}).RunDue(context.Background())
		if j := jobOf(t, db, room); ran.Load() != 1 || j.Status != "DONE" {
			t.Fatalf("the next worker: ran %d, %+v", ran.Load(), j)
		}
	})
}

// Many workers at once: every job runs exactly once.
func TestEachJobRunsOnce(t *testing.T) {
	sqlstoretest.EachStore(t, func(t *testing.T, d sqlstore.Dialect) {
		db := sqlstoretest.Open(t, d)
		now := time.Now().UTC()
		const n = 30
		for range n {
			endedRoom(t, db, now)
		}
		var mu sync.Mutex
		runs := map[string]int{}
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				jobs.New(db, slog.New(slog.DiscardHandler), jobs.Options{Owner: "w" + string(rune('0'+w)),
					Handlers: map[string]jobs.Handler{domain.JobSummary: func(_ context.Context, j domain.Job) error {
						mu.Lock()
						runs[j.ID]++
						mu.Unlock()
						time.Sleep(time.Millisecond)
						return nil
					}}}).RunDue(context.Background())
			}()
		}
		wg.Wait()
		if len(runs) != n {
			t.Fatalf("%d of %d jobs ran", len(runs), n)
		}
		for id, c := range runs {
			if c != 1 {
				t.Fatalf("job %s ran %d times", id, c)
			}
		}
	})
}
