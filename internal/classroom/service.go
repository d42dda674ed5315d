// Package classroom holds LiveServer's rules, one use case a file: accounts, rooms, joining and
// the lobby, admissions, tokens, the lecture's start and end, the video server's webhooks,
// moderation, hands, chat and files. It talks to the outside only through domain's ports.
package classroom

import (
	"log/slog"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
)

// Options are the rule settings that come from configuration.
type Options struct {
	// Registration is RegistrationAuto (the admin panel's switch decides), RegistrationOpen
	// (the switch starts open) or RegistrationClosed (never).
	Registration string
	// Reachable says computers other than this one can reach the server: its first
	// administrator comes from the setup link, not from the first registration.
	Reachable  bool
	SessionTTL time.Duration
	Hash       HashParams
	Now        func() time.Time // the clock; time.Now when nil
	// MaxUpload is the largest shared file in bytes; DefaultMaxUpload when zero.
	MaxUpload int64
	// BanByIP makes a ban match the banned guest's address too. Off by default: a whole school
	// behind one address would be banned with one troublemaker.
	BanByIP bool
	// StreamLifetime is how long an event stream lasts before its client reconnects and is
	// authorised again; DefaultStreamLifetime when zero.
	StreamLifetime time.Duration
	// EventRetention is how long the room event log keeps an event (retention.go);
	// DefaultEventRetention when zero.
	EventRetention time.Duration
	// CompactBatch is how many events one compaction statement deletes;
	// DefaultCompactBatch when zero.
	CompactBatch int
	// Quotas bound the stored bytes per room, per host and for the instance; zero fields are
	// unlimited.
	Quotas Quotas
}

// The values of Options.Registration (REGISTRATION).
const (
	RegistrationAuto   = "auto"
	RegistrationOpen   = "open"
	RegistrationClosed = "closed"
)

// Deps are the ports the rules work through.
type Deps struct {
	Store   domain.Store
	Limiter domain.Limiter
	// SFU is the video server; nil when none is configured, and then going live, tokens and
	// moderation in the call answer "unavailable".
	SFU domain.SFU
	// Bus carries room events to the streams of every replica.
	Bus domain.Bus
	// Blobs stores shared files; nil turns file sharing off.
	Blobs domain.Blobs
	Log   *slog.Logger
}

// Service carries out every use case of the classroom.
type Service struct {
	store   domain.Store
	limiter domain.Limiter
	sfu     domain.SFU
	bus     domain.Bus
	blobs   domain.Blobs
	log     *slog.Logger
	opts    Options
	// vanished remembers the LIVE rooms seen absent from the video server (EndVanished).
	vanished absences
	// dummyHash is verified against when an e-mail is unknown, so a login takes as long
	// whether or not the account exists.
	dummyHash string
}

// New returns a Service over the given ports.
func New(d Deps, opts Options) (*Service, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 30 * 24 * time.Hour
	}
	if opts.MaxUpload <= 0 {
		opts.MaxUpload = DefaultMaxUpload
	}
	if opts.StreamLifetime <= 0 {
		opts.StreamLifetime = DefaultStreamLifetime
	}
	if opts.EventRetention <= 0 {
		opts.EventRetention = DefaultEventRetention
	}
	if opts.CompactBatch <= 0 {
		opts.CompactBatch = DefaultCompactBatch
	}
	if opts.Hash == (HashParams{}) {
		opts.Hash = DefaultHashParams
	}
	dummy, err := hashSecret(opts.Hash, "not a password")
	if err != nil {
		return nil, err
	}
	return &Service{store: d.Store, limiter: d.Limiter, sfu: d.SFU, bus: d.Bus, blobs: d.Blobs, log: d.Log, opts: opts, dummyHash: dummy}, nil
}

// now is the clock at PostgreSQL's precision, so a value reads back as it was written.
func (s *Service) now() time.Time { return s.opts.Now().UTC().Truncate(time.Microsecond) }
