// Package jobs runs durable background work (a lecture's summary, exports) from the jobs table:
// every replica runs a Runner; a job is leased to one of them at a time, retried with backoff,
// and taken over by another when its worker dies and the lease runs out.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
)

// Handler does one job. An error retries the job later, unless it is Permanent or the job has
// used its attempts; then the job fails with the error as its reason.
type Handler func(ctx context.Context, job domain.Job) error

type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// Permanent marks an error that no retry can mend.
func Permanent(err error) error { return permanent{err} }

// Options tune a Runner; zero values are sensible.
type Options struct {
	Owner    string        // this worker's name in leases (e.g. host and pid)
	Poll     time.Duration // how often to look for due work when idle (1 s)
	Lease    time.Duration // how long a claim lasts without renewal (60 s)
	Backoff  func(attempt int) time.Duration
	Now      func() time.Time
	Handlers map[string]Handler // by job kind
}

// Runner claims and runs due jobs one at a time until its context ends.
type Runner struct {
	store domain.JobStore
	log   *slog.Logger
	o     Options
}

// New makes a Runner.
func New(store domain.JobStore, log *slog.Logger, o Options) *Runner {
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Lease <= 0 {
		o.Lease = time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Backoff == nil {
		o.Backoff = DefaultBackoff
	}
	if o.Owner == "" {
		o.Owner = fmt.Sprintf("worker-%08x", rand.Uint32())
	}
	return &Runner{store: store, log: log, o: o}
}

// DefaultBackoff waits 10 s after the first failure, doubling up to 10 minutes, with jitter so
// that retries of many jobs do not come in waves.
func DefaultBackoff(attempt int) time.Duration {
	d := 10 * time.Second << min(attempt-1, 6)
	d = min(d, 10*time.Minute)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

func (r *Runner) now() time.Time { return r.o.Now().UTC().Truncate(time.Microsecond) }

// Run works until ctx ends; a job in progress then loses its context and is retried later
// (by this or another worker) when its lease ends.
func (r *Runner) Run(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for r.runOne(ctx) {
			if ctx.Err() != nil {
				return
			}
		}
		t.Reset(r.o.Poll)
	}
}

// RunDue runs every job that is due now, then returns: for tests and one-shot commands.
func (r *Runner) RunDue(ctx context.Context) {
	for r.runOne(ctx) {
	}
}

// runOne claims one due job and runs it; false when there was none (or the store failed).
func (r *Runner) runOne(ctx context.Context) bool {
	now := r.now()
	job, err := r.store.ClaimJob(ctx, r.o.Owner, now, now.Add(r.o.Lease))
	if domain.ErrorCode(err) == domain.ENotFound {
		return false
	}
	if err != nil {
		if ctx.Err() == nil {
			r.log.Warn("claim job", "err", err)
		}
		return false
	}
	log := r.log.With("job", job.ID, "kind", job.Kind, "room", job.RoomID, "attempt", job.Attempts)
	h, ok := r.o.Handlers[job.Kind]
	if !ok {
		log.Error("no handler for job kind")
		r.store.FailJob(ctx, job.ID, r.o.Owner, r.now(), "no handler for kind "+job.Kind)
		return true
	}
	err = r.withLease(ctx, job, h)
	switch {
	case err == nil:
		if err := r.store.FinishJob(ctx, job.ID, r.o.Owner, r.now()); err != nil {
			log.Warn("finish job", "err", err)
		}
		log.Info("job done")
	case ctx.Err() != nil:
		// Stopping: hand the job back at once, so a restart (or another replica) takes it up
		// without waiting for the lease. A worker that dies without this keeps its lease until
		// it runs out; then the job is taken over all the same.
		bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		if err := r.store.RetryJob(bg, job.ID, r.o.Owner, r.now(), "interrupted by a shutdown"); err != nil {
			log.Warn("hand back job", "err", err)
		}
		cancel()
	case errors.As(err, new(permanent)) || job.Attempts >= job.MaxAttempts:
		log.Error("job failed", "err", err)
		r.store.FailJob(ctx, job.ID, r.o.Owner, r.now(), err.Error())
	default:
		wait := r.o.Backoff(job.Attempts)
		log.Warn("job will be retried", "err", err, "in", wait)
		r.store.RetryJob(ctx, job.ID, r.o.Owner, r.now().Add(wait), err.Error())
	}
	return true
}

// withLease runs h while renewing the job's lease; if the lease is lost (another worker took
// the job over), h's context is cancelled.
func (r *Runner) withLease(ctx context.Context, job *domain.Job, h Handler) error {
	hctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(r.o.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if err := r.store.ExtendLease(hctx, job.ID, r.o.Owner, r.now().Add(r.o.Lease)); err != nil && hctx.Err() == nil {
					r.log.Warn("job lease lost", "job", job.ID, "err", err)
					cancel()
				}
			}
		}
	}()
	err := h(hctx, *job)
	close(done)
	return err
}
