package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/liveserver/liveserver/internal/classroom"
	"github.com/liveserver/liveserver/internal/config"
	"github.com/liveserver/liveserver/internal/disk"
	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/instance"
	"github.com/liveserver/liveserver/internal/jobs"
	"github.com/liveserver/liveserver/internal/lecture"
	"github.com/liveserver/liveserver/internal/logging"
	"github.com/liveserver/liveserver/internal/memory"
	"github.com/liveserver/liveserver/internal/openai"
	"github.com/liveserver/liveserver/internal/redis"
	"github.com/liveserver/liveserver/internal/s3"
	"github.com/liveserver/liveserver/internal/sqlstore"
)

// app is the wired program: which adapter stands behind each port is decided here only.
type app struct {
	cfg  *config.Config
	log  *slog.Logger
	db   *sqlstore.DB
	hash classroom.HashParams
}

// hashParams lets tests of the whole program use cheap password hashing
// (LIVESERVER_INSECURE_FAST_HASH=1); it is never documented for operators.
func hashParams(getenv func(string) string) classroom.HashParams {
	if getenv("LIVESERVER_INSECURE_FAST_HASH") == "1" {
		return classroom.FastHashParams
	}
	return classroom.DefaultHashParams
}

func newApp(ctx context.Context, getenv func(string) string, stderr io.Writer) (*app, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return nil, err
	}
	log := logging.New(stderr, cfg.LogLevel, cfg.LogFormat)
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("DATA_DIR %s: %w", cfg.DataDir, err)
	}
	if cfg.AuthSecret == "" {
		if cfg.AuthSecret, err = localSecret(filepath.Join(cfg.DataDir, "auth_secret")); err != nil {
			return nil, err
		}
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, log); err != nil {
		db.Close()
		return nil, err
	}
	return &app{cfg: cfg, log: log, db: db, hash: hashParams(getenv)}, nil
}

func (a *app) Close() error { return a.db.Close() }

// classroom makes the rules over the store and the given ports.
func (a *app) classroom(d classroom.Deps) (*classroom.Service, error) {
	d.Store, d.Log = a.db, a.log
	if d.Limiter == nil {
		d.Limiter = memory.NewLimiter(time.Now)
	}
	return classroom.New(d, classroom.Options{Registration: a.cfg.Registration, Reachable: a.cfg.Reachable(), SessionTTL: a.cfg.SessionTTL,
		Hash: a.hash, BanByIP: a.cfg.BanByIP, MaxUpload: a.cfg.MaxUpload(), EventRetention: a.cfg.EventRetention,
		Quotas: instance.Quotas(a.cfg)})
}

// blobs picks where shared files live: S3-compatible storage when S3_ENDPOINT is set, a folder
// under DATA_DIR otherwise.
func (a *app) blobs(ctx context.Context) (domain.Blobs, error) {
	if a.cfg.S3Endpoint == "" {
		b, err := disk.New(filepath.Join(a.cfg.DataDir, "files"))
		if err != nil {
			return nil, err
		}
		return b.WithFreeMargin(a.cfg.DiskFreeMargin()), nil
	}
	b, err := s3.New(ctx, s3.Config{Endpoint: a.cfg.S3Endpoint, Bucket: a.cfg.S3Bucket, AccessKey: a.cfg.S3AccessKey,
		SecretKey: a.cfg.S3SecretKey, Region: a.cfg.S3Region, PathStyle: a.cfg.S3PathStyle})
	if err != nil {
		return nil, fmt.Errorf("S3_ENDPOINT: %w", err)
	}
	a.log.Info("shared files on S3", "bucket", a.cfg.S3Bucket)
	return b, nil
}

// realtime picks the bus and the rate limiter: Redis when REDIS_URL is set, so that replicas
// act as one; this process's memory otherwise. close releases them.
func (a *app) realtime(ctx context.Context) (domain.Bus, domain.Limiter, func(), error) {
	if a.cfg.RedisURL == "" {
		bus := memory.NewBus()
		return bus, memory.NewLimiter(time.Now), func() { bus.Close() }, nil
	}
	bus, err := redis.New(ctx, a.cfg.RedisURL, a.log.With("component", "redis"))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	a.log.Info("using Redis for the event bus and rate limits")
	return bus, redis.NewLimiter(bus.Client(), ""), func() { bus.Close() }, nil
}

func openStore(ctx context.Context, cfg *config.Config) (*sqlstore.DB, error) {
	if cfg.DatabaseURL != "" {
		return sqlstore.OpenPostgres(ctx, cfg.DatabaseURL)
	}
	return sqlstore.OpenSQLite(ctx, cfg.SQLitePath())
}

// localSecret reads the instance's generated secret, making it on first start. It serves the
// one-machine mode; several replicas must share AUTH_SECRET instead.
func localSecret(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	secret := hex.EncodeToString(raw[:])
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return secret, nil
}

// jobRunner runs the background jobs in this process: the lecture summaries, by the configured
// language model or, without one, extractive.
func (a *app) jobRunner() (*jobs.Runner, error) {
	var llm domain.LLM
	if a.cfg.LLMBaseURL != "" {
		l, err := openai.New(openai.Config{BaseURL: a.cfg.LLMBaseURL, APIKey: a.cfg.LLMAPIKey, Model: a.cfg.LLMModel})
		if err != nil {
			return nil, fmt.Errorf("LLM_BASE_URL: %w", err)
		}
		llm = l
		a.log.Info("summaries by a language model", "model", a.cfg.LLMModel)
	}
	host, _ := os.Hostname()
	sum := lecture.NewSummarizer(a.db, llm, a.log.With("component", "summary")).WithLanguage(a.cfg.STTLanguage)
	return jobs.New(a.db, a.log.With("component", "jobs"), jobs.Options{Owner: fmt.Sprintf("%s-%d", host, os.Getpid()),
		Handlers: map[string]jobs.Handler{domain.JobSummary: sum.Run}}), nil
}
