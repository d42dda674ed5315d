package lecture

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
)

// Drive is a Google Drive account link (gdrive.Client).
type Drive interface {
	AuthCodeURL(state string) string
	Exchange(ctx context.Context, code string) (refreshToken string, err error)
	Upload(ctx context.Context, refreshToken, name, contentType string, content []byte) (fileID string, err error)
}

// driveScope is recorded with each connection.
const driveScope = "drive.file"

// stateTTL bounds how long a consent screen may stay open.
const stateTTL = 15 * time.Minute

// WithDrive turns the Drive export on; secret (the instance's AUTH_SECRET) signs the OAuth state
// and encrypts refresh tokens at rest.
func (s *Service) WithDrive(d Drive, secret string) *Service {
	s.drive, s.secret = d, secret
	return s
}

// DriveEnabled reports whether this instance can export to Google Drive at all, so that the
// lecture page offers the button only then.
func (s *Service) DriveEnabled() bool { return s.drive != nil }

var errNoDrive = domain.Errorf(domain.EUnavailable, "Google Drive is not configured on this instance.")

// DriveConnectURL is Google's consent page for the signed-in user. The state names the user and
// expires, signed, so the callback cannot be replayed for someone else.
func (s *Service) DriveConnectURL(actor domain.Actor) (string, error) {
	if !actor.SignedIn() {
		return "", domain.Errorf(domain.EUnauthorized, "Please sign in.")
	}
	if s.drive == nil {
		return "", errNoDrive
	}
	payload := actor.User.ID + "." + strconv.FormatInt(time.Now().Add(stateTTL).Unix(), 10)
	return s.drive.AuthCodeURL(payload + "." + s.mac(payload)), nil
}

// DriveCallback finishes the consent: the state must be the signed-in user's and fresh.
func (s *Service) DriveCallback(ctx context.Context, actor domain.Actor, code, state string) error {
	if !actor.SignedIn() {
		return domain.Errorf(domain.EUnauthorized, "Please sign in.")
	}
	if s.drive == nil {
		return errNoDrive
	}
	parts := strings.Split(state, ".")
	if len(parts) != 3 || !hmac.Equal([]byte(parts[2]), []byte(s.mac(parts[0]+"."+parts[1]))) || parts[0] != actor.User.ID {
		return domain.Errorf(domain.EForbidden, "This Google consent does not belong to your session; start again.")
	}
	if exp, err := strconv.ParseInt(parts[1], 10, 64); err != nil || time.Now().Unix() > exp {
		return domain.Errorf(domain.EInvalid, "The Google consent took too long; start again.")
	}
	if code == "" {
		return domain.Invalid("code", "Google sent no authorization code (was access denied?).")
	}
	rt, err := s.drive.Exchange(ctx, code)
	if err != nil {
		return domain.Errorf(domain.EUnavailable, "Google did not accept the consent: %v", err)
	}
	enc, err := s.seal(rt)
	if err != nil {
		return err
	}
	return s.store.SetDriveToken(ctx, actor.User.ID, enc, driveScope, time.Now().UTC().Truncate(time.Microsecond))
}

// ExportToDrive uploads the lecture's PDF to the exporting user's Drive.
func (s *Service) ExportToDrive(ctx context.Context, actor domain.Actor, lectureID string) (fileID, name string, err error) {
	if s.drive == nil {
		return "", "", errNoDrive
	}
	ex, err := s.Export(ctx, actor, lectureID, "pdf")
	if err != nil {
		return "", "", err
	}
	enc, err := s.store.DriveToken(ctx, actor.User.ID)
	if domain.ErrorCode(err) == domain.ENotFound {
		return "", "", domain.Errorf(domain.EDriveNotLinked, "Connect your Google Drive first.")
	}
	if err != nil {
		return "", "", err
	}
	rt, err := s.open(enc)
	if err != nil {
		return "", "", err
	}
	id, err := s.drive.Upload(ctx, rt, ex.Name, ex.ContentType, ex.Body)
	if err != nil {
		return "", "", domain.Errorf(domain.EUnavailable, "Google Drive refused the upload: %v", err)
	}
	return id, ex.Name, nil
}

func (s *Service) mac(payload string) string {
	m := hmac.New(sha256.New, []byte("drive-state:"+s.secret))
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// aead is AES-256-GCM keyed by the instance secret.
func (s *Service) aead() (cipher.AEAD, error) {
	key := sha256.Sum256([]byte("drive-token:" + s.secret))
	b, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

func (s *Service) seal(plain string) (string, error) {
	a, err := s.aead()
	if err != nil {
		return "", err
	}
	nonce := make([]byte, a.NonceSize())
	rand.Read(nonce)
	return base64.RawStdEncoding.EncodeToString(a.Seal(nonce, nonce, []byte(plain), nil)), nil
}

func (s *Service) open(sealed string) (string, error) {
	a, err := s.aead()
	if err != nil {
		return "", err
	}
	b, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil || len(b) < a.NonceSize() {
		return "", errors.New("drive: stored token is malformed")
	}
	plain, err := a.Open(nil, b[:a.NonceSize()], b[a.NonceSize():], nil)
	if err != nil {
		return "", errors.New("drive: stored token cannot be decrypted (was AUTH_SECRET changed?)")
	}
	return string(plain), nil
}
