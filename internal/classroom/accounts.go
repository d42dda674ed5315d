package classroom

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/liveserver/liveserver/internal/domain"
)

// Rate limits on account endpoints. Per IP they stop one machine's brute force; per account
// they stop a botnet from guessing one password. Only failures count against an account, and a
// browser that signed in to the account before (KnownBrowser) has a budget of its own, so a
// flood of wrong guesses from elsewhere never locks the teacher out of their usual browser.
const (
	loginPerIP        = 20
	loginPerAccount   = 10
	loginWindow       = 5 * time.Minute
	registerPerIP     = 10
	registerWindow    = time.Hour
	sessionTouchEvery = time.Hour
)

// RegisterInput is what a new host gives.
type RegisterInput struct {
	Email, Password, Name string
}

// SignedIn is the result of registering or logging in: the user and the new session's token,
// which only the cookie carries.
type SignedIn struct {
	User      *domain.User
	Token     string
	ExpiresAt time.Time
}

// Register creates a host account and signs it in, while registration is open. On loopback
// the first account of an empty instance becomes its admin (a developer on their own
// machine); a reachable server gets its first admin from the setup link instead.
func (s *Service) Register(ctx context.Context, actor domain.Actor, in RegisterInput) (*SignedIn, error) {
	st, err := s.Registration(ctx)
	if err != nil {
		return nil, err
	}
	if st.NeedsSetup {
		return nil, domain.Errorf(domain.ERegistration, "This server has no administrator yet, so registration is closed. Its administrator opens the setup link from the server's log.")
	}
	if !st.Open {
		return nil, domain.Errorf(domain.ERegistration, "Registration is closed on this server. Ask its administrator for an account.")
	}
	email, err := cleanEmail(in.Email)
	if err != nil {
		return nil, err
	}
	name, err := cleanText("name", in.Name, 1, 100)
	if err != nil {
		return nil, err
	}
	if err := checkPassword(in.Password); err != nil {
		return nil, err
	}
	if err := s.limit(ctx, "register:ip:"+ipKey(actor.IP), registerPerIP, registerWindow); err != nil {
		return nil, err
	}
	u, err := s.CreateUser(ctx, email, name, in.Password, domain.RoleHost, !s.opts.Reachable)
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "user registered", "user", u.ID, "role", u.Role)
	return s.startSession(ctx, u)
}

// CreateUser makes an account without signing it in (the CLI's `user create`). With
// promoteFirst, the first account of the instance becomes ADMIN.
func (s *Service) CreateUser(ctx context.Context, email, name, password string, role domain.Role, promoteFirst bool) (*domain.User, error) {
	email, err := cleanEmail(email)
	if err != nil {
		return nil, err
	}
	if name, err = cleanText("name", name, 1, 100); err != nil {
		return nil, err
	}
	if err := checkPassword(password); err != nil {
		return nil, err
	}
	if role != domain.RoleAdmin && role != domain.RoleHost {
		return nil, domain.Invalid("role", "The role must be ADMIN or HOST.")
	}
	hash, err := hashSecret(s.opts.Hash, password)
	if err != nil {
		return nil, err
	}
	now := s.now()
	return s.store.CreateUser(ctx, domain.User{ID: uuid.NewString(), Email: email, Name: name, Role: role,
		PasswordHash: hash, CreatedAt: now, UpdatedAt: now}, promoteFirst)
}

// LoginInput is what a browser sends to sign in. KnownBrowser says the browser proved (with a
// cookie the server set at an earlier sign-in to this very account) that it signed in before.
type LoginInput struct {
	Email, Password string
	KnownBrowser    bool
}

// Login checks an e-mail and password and starts a new session. Every failure that could tell
// whether an account exists answers the same.
func (s *Service) Login(ctx context.Context, actor domain.Actor, in LoginInput) (*SignedIn, error) {
	email, password := in.Email, in.Password
	badLogin := domain.Errorf(domain.EBadLogin, "The e-mail or password is wrong.")
	email, err := cleanEmail(email)
	if err != nil {
		return nil, err
	}
	if password == "" {
		return nil, domain.Invalid("password", "The password is required.")
	}
	if len(password) > 4*maxPassword {
		return nil, badLogin
	}
	if err := s.limit(ctx, "login:ip:"+ipKey(actor.IP), loginPerIP, loginWindow); err != nil {
		return nil, err
	}
	accountKey := "login:account:" + email
	if in.KnownBrowser {
		accountKey = "login:account-known:" + email
	}
	if err := s.limit(ctx, accountKey, loginPerAccount, loginWindow); err != nil {
		return nil, err
	}
	u, err := s.store.UserByEmail(ctx, email)
	if domain.ErrorCode(err) == domain.ENotFound {
		verifySecret(s.dummyHash, password) // same work as a real check
		return nil, badLogin
	}
	if err != nil {
		return nil, err
	}
	ok, err := verifySecret(u.PasswordHash, password)
	if err != nil {
		return nil, fmt.Errorf("verify password of user %s: %w", u.ID, err)
	}
	if !ok {
		s.log.InfoContext(ctx, "login failed", "user", u.ID)
		return nil, badLogin
	}
	if u.Disabled {
		return nil, domain.Errorf(domain.EAccountLocked, "This account is disabled. Ask an administrator.")
	}
	// A right password is not a guess: it does not use up the account's budget.
	if err := s.limiter.Undo(ctx, accountKey); err != nil {
		s.log.WarnContext(ctx, "rate limiter unavailable", "err", err)
	}
	return s.startSession(ctx, u)
}

func (s *Service) startSession(ctx context.Context, u *domain.User) (*SignedIn, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, err
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	now := s.now()
	sess := domain.Session{TokenHash: hashToken(token), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.opts.SessionTTL), LastSeenAt: now}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return nil, err
	}
	return &SignedIn{User: u, Token: token, ExpiresAt: sess.ExpiresAt}, nil
}

// Authenticate returns the user behind a session token. The session slides: activity extends
// it, written at most once an hour to keep reads cheap.
func (s *Service) Authenticate(ctx context.Context, token string) (*domain.User, error) {
	unauth := domain.Errorf(domain.EUnauthorized, "Please sign in.")
	if token == "" || len(token) > 128 {
		return nil, unauth
	}
	now := s.now()
	sess, u, err := s.store.SessionUser(ctx, hashToken(token), now)
	if domain.ErrorCode(err) == domain.ENotFound {
		return nil, unauth
	}
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		// Disabling ends sessions; this guards the moment in between.
		return nil, unauth
	}
	if now.Sub(sess.LastSeenAt) > sessionTouchEvery {
		if err := s.store.TouchSession(ctx, sess.TokenHash, now, now.Add(s.opts.SessionTTL)); err != nil {
			s.log.WarnContext(ctx, "session touch failed", "err", err)
		}
	}
	return u, nil
}

// Logout ends the session of token; an unknown token is already logged out.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return s.store.DeleteSession(ctx, hashToken(token))
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// limit counts one attempt against key and turns a refusal into ERateLimited. A limiter that
// fails lets the request through: an outage of Redis must not lock everyone out.
func (s *Service) limit(ctx context.Context, key string, n int, per time.Duration) error {
	ok, retry, err := s.limiter.Allow(ctx, key, n, per)
	if err != nil {
		s.log.WarnContext(ctx, "rate limiter unavailable", "err", err)
		return nil
	}
	if !ok {
		return &domain.Error{Code: domain.ERateLimited, Message: "Too many attempts. Please wait and try again.", RetryAfter: retry}
	}
	return nil
}
