package lecture

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
)

// SetSharing turns the lecture's share link on (a new token, returned once: only its hash is
// kept, so turning it on again makes a new link and the old one stops working) or off.
func (s *Service) SetSharing(ctx context.Context, actor domain.Actor, lectureID string, on bool) (string, error) {
	l, _, err := s.lecture(ctx, s.rooms, actor, lectureID)
	if err != nil {
		return "", err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	if !on {
		return "", s.store.SetShareToken(ctx, l.ID, "", now)
	}
	var raw [24]byte
	rand.Read(raw[:])
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	return token, s.store.SetShareToken(ctx, l.ID, hashShare(token), now)
}

// SharedPage is the lecture page for someone holding its share link.
func (s *Service) SharedPage(ctx context.Context, lectureID, token, query string) (*Page, error) {
	if err := s.checkShare(ctx, lectureID, token); err != nil {
		return nil, err
	}
	return s.page(ctx, sharedAccess{s.store}, domain.Actor{}, lectureID, query)
}

// SharedExport is an export for someone holding the share link.
func (s *Service) SharedExport(ctx context.Context, lectureID, token, format string) (*Export, error) {
	if err := s.checkShare(ctx, lectureID, token); err != nil {
		return nil, err
	}
	return s.export(ctx, domain.Actor{}, lectureID, format, sharedAccess{s.store})
}

func (s *Service) checkShare(ctx context.Context, lectureID, token string) error {
	denied := domain.Errorf(domain.EForbidden, "This share link is not valid (any more).")
	if token == "" || len(token) > 64 {
		return denied
	}
	h, err := s.store.ShareToken(ctx, lectureID)
	if err != nil && domain.ErrorCode(err) != domain.ENotFound {
		return err
	}
	if h == "" || subtle.ConstantTimeCompare([]byte(h), []byte(hashShare(token))) != 1 {
		return denied
	}
	return nil
}

func hashShare(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// sharedAccess reads the room without an account: the share link was checked.
type sharedAccess struct{ store Store }

func (a sharedAccess) Room(ctx context.Context, _ domain.Actor, id string) (*domain.Room, error) {
	return a.store.Room(ctx, id)
}
