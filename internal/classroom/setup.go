package classroom

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"time"

	"github.com/google/uuid"
	"github.com/liveserver/liveserver/internal/domain"
)

// The first administrator of a server others can reach is made through a one-time setup link
// that only the server's log shows (or with `liveserver user create --admin`), never by
// whoever registers first. Each running server holds one token (256 random bits; only its
// SHA-256 is stored) and renews it while it runs: it works until it is used or its server
// stops (a restart prints a new one; a killed server's runs out within SetupTokenTTL).
const (
	// SetupTokenTTL is how long a token outlives its server's last renewal.
	SetupTokenTTL = 5 * time.Minute
	// SetupRenewEvery is how often a server renews its token.
	SetupRenewEvery = time.Minute
	setupPerIP      = 10
	setupWindow     = 15 * time.Minute
	setupTokenBytes = 32
)

var setupTokenEncoding = base64.RawURLEncoding.Strict()

// setupTokenLen is the length of a token's text: 32 bytes in unpadded base64url.
var setupTokenLen = setupTokenEncoding.EncodedLen(setupTokenBytes)

// ParseSetupToken checks that s has a setup token's form (43 characters of unpadded
// base64url, 256 bits) and returns its bytes. Every other text is refused the same way, so
// the answer tells nothing but "not a token".
func ParseSetupToken(s string) ([]byte, error) {
	bad := domain.Errorf(domain.ESetupToken, "This setup link is not valid. The server's log shows the current one.")
	if len(s) != setupTokenLen {
		return nil, bad
	}
	b, err := setupTokenEncoding.DecodeString(s)
	if err != nil || len(b) != setupTokenBytes {
		return nil, bad
	}
	return b, nil
}

// RegistrationState says whether anyone may register a host account, and why not.
type RegistrationState struct {
	Open bool
	// NeedsSetup: the server is reachable and has no administrator yet; the setup link in its
	// log makes the first one, and registration waits for it.
	NeedsSetup bool
	// ClosedByConfig: REGISTRATION=closed, which the admin panel cannot change.
	ClosedByConfig bool
}

// Registration is the instance's registration state.
func (s *Service) Registration(ctx context.Context) (RegistrationState, error) {
	var st RegistrationState
	needs, err := s.NeedsSetup(ctx)
	if err != nil {
		return st, err
	}
	st.NeedsSetup = needs
	switch {
	case s.opts.Registration == RegistrationClosed:
		st.ClosedByConfig = true
	case needs:
	default:
		v, err := s.store.Setting(ctx, domain.SettingRegistration)
		switch domain.ErrorCode(err) {
		case "":
			st.Open = v == "open"
		case domain.ENotFound:
			// Until an admin decides: open on the developer's own machine (as always), closed
			// where others can reach the server.
			st.Open = s.opts.Registration == RegistrationOpen || !s.opts.Reachable
		default:
			return st, err
		}
	}
	return st, nil
}

// NeedsSetup reports whether the server is reachable and has no enabled administrator.
func (s *Service) NeedsSetup(ctx context.Context) (bool, error) {
	if !s.opts.Reachable {
		return false, nil
	}
	n, err := s.store.CountAdmins(ctx)
	return n == 0, err
}

// OpenSetup makes this server's setup token when the instance needs one, and "" when not (on
// loopback, or with an administrator already there).
func (s *Service) OpenSetup(ctx context.Context) (string, error) {
	if needs, err := s.NeedsSetup(ctx); err != nil || !needs {
		return "", err
	}
	raw := make([]byte, setupTokenBytes)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	token := setupTokenEncoding.EncodeToString(raw)
	now := s.now()
	if err := s.store.PutSetupToken(ctx, hashToken(token), now, now.Add(SetupTokenTTL)); err != nil {
		return "", err
	}
	return token, nil
}

// RenewSetup keeps this server's token alive. It reports false, and forgets the token, once
// the instance has an administrator (made by the link, the CLI or another server's link).
func (s *Service) RenewSetup(ctx context.Context, token string) (bool, error) {
	needs, err := s.NeedsSetup(ctx)
	if err != nil {
		return true, err
	}
	if !needs {
		return false, s.store.DeleteSetupToken(ctx, hashToken(token))
	}
	now := s.now()
	return true, s.store.PutSetupToken(ctx, hashToken(token), now, now.Add(SetupTokenTTL))
}

// CloseSetup forgets this server's token (at shutdown).
func (s *Service) CloseSetup(ctx context.Context, token string) error {
	return s.store.DeleteSetupToken(ctx, hashToken(token))
}

// SetupInput is what the setup page sends: the token from its link and the first
// administrator's account.
type SetupInput struct {
	Token, Email, Password, Name string
}

// Setup makes the first administrator with a setup token and signs them in. The token works
// once: every server's token ends with it.
func (s *Service) Setup(ctx context.Context, actor domain.Actor, in SetupInput) (*SignedIn, error) {
	if err := s.limit(ctx, "setup:ip:"+ipKey(actor.IP), setupPerIP, setupWindow); err != nil {
		return nil, err
	}
	if needs, err := s.NeedsSetup(ctx); err != nil {
		return nil, err
	} else if !needs {
		if !s.opts.Reachable {
			return nil, domain.Errorf(domain.ESetupToken, "This server needs no setup link: on this computer the first account registered becomes the administrator.")
		}
		return nil, domain.Errorf(domain.ESetupDone, "This server has an administrator already: sign in.")
	}
	if _, err := ParseSetupToken(in.Token); err != nil {
		s.log.InfoContext(ctx, "setup refused: malformed token")
		return nil, err
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
	hash, err := hashSecret(s.opts.Hash, in.Password)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var u *domain.User
	err = s.store.InTx(ctx, func(tx domain.Store) error {
		if err := tx.UseSetupToken(ctx, hashToken(in.Token), now); err != nil {
			return err
		}
		u, err = tx.CreateUser(ctx, domain.User{ID: uuid.NewString(), Email: email, Name: name, Role: domain.RoleAdmin,
			PasswordHash: hash, CreatedAt: now, UpdatedAt: now}, false)
		return err
	})
	if domain.ErrorCode(err) == domain.ENotFound {
		s.log.InfoContext(ctx, "setup refused: unknown token")
		return nil, domain.Errorf(domain.ESetupToken, "This setup link is not valid: it was used, or its server restarted. The server's log shows the current one.")
	}
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "first administrator created with the setup link", "user", u.ID)
	return s.startSession(ctx, u)
}

// SetRegistration opens or closes registration (admins only). REGISTRATION=closed cannot be
// overruled here.
func (s *Service) SetRegistration(ctx context.Context, actor domain.Actor, open bool) (RegistrationState, error) {
	if err := requireAdmin(actor); err != nil {
		return RegistrationState{}, err
	}
	if open && s.opts.Registration == RegistrationClosed {
		return RegistrationState{}, domain.Errorf(domain.ERegistration, "Registration is closed by the server's configuration (REGISTRATION=closed).")
	}
	v := "closed"
	if open {
		v = "open"
	}
	if err := s.store.PutSetting(ctx, domain.SettingRegistration, v, s.now()); err != nil {
		return RegistrationState{}, err
	}
	s.log.InfoContext(ctx, "registration "+v, "by", actor.User.ID)
	return s.Registration(ctx)
}

// AdminSettings are the instance's settings as the admin panel shows them.
func (s *Service) AdminSettings(ctx context.Context, actor domain.Actor) (RegistrationState, error) {
	if err := requireAdmin(actor); err != nil {
		return RegistrationState{}, err
	}
	return s.Registration(ctx)
}

// NewUserInput is an account an admin makes for someone: with an initial password the admin
// passes on.
type NewUserInput struct {
	Email, Name, Password string
	Role                  domain.Role // HOST when empty
}

// AdminCreateUser makes an account (admins only), whether or not registration is open.
func (s *Service) AdminCreateUser(ctx context.Context, actor domain.Actor, in NewUserInput) (*domain.User, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	if in.Role == "" {
		in.Role = domain.RoleHost
	}
	u, err := s.CreateUser(ctx, in.Email, in.Name, in.Password, in.Role, false)
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "user created by an administrator", "user", u.ID, "role", u.Role, "by", actor.User.ID)
	return u, nil
}
