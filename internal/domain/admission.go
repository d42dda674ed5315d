package domain

import (
	"context"
	"time"
)

// Participant kinds.
const (
	KindHost  = "HOST"
	KindGuest = "GUEST"
	KindAgent = "AGENT"
)

// Admission (the participant history) is the right of one identity to be in a room: to get a
// token, read and write its chat and files, follow its events. A guest's admission is bound to
// the lobby entry that was approved; kicking revokes it.
type Admission struct {
	ID           string
	RoomID       string
	LectureID    string
	Identity     string
	UserID       string
	Name         string
	Kind         string
	Fingerprint  string
	DeviceID     string // a guest's device cookie at its knock
	LobbyEntryID string
	AdmittedAt   time.Time
	RevokedAt    *time.Time
	// CanPublish is false once the host stopped the participant's publishing.
	CanPublish bool
}

// Active reports whether the admission still holds.
func (a *Admission) Active() bool { return a != nil && a.RevokedAt == nil }

// AdmissionStore keeps who may be in a lecture: its participant history. Admissions are per
// lecture: one admitted last week knocks again.
type AdmissionStore interface {
	// Admit records (or renews) an identity's admission.
	Admit(ctx context.Context, a Admission) error
	Admission(ctx context.Context, lectureID, identity string) (*Admission, error)
	// Admissions lists the lecture's admissions that still hold.
	Admissions(ctx context.Context, lectureID string) ([]Admission, error)
	// SetCanPublish records whether the admitted identity may publish; false when none holds.
	SetCanPublish(ctx context.Context, lectureID, identity string, can bool) (bool, error)
	// RevokeAdmission takes an admission back; false when none held.
	RevokeAdmission(ctx context.Context, lectureID, identity string, at time.Time) (bool, error)
	// ConnectedCount is how many identities are in the call now (by the video server's events).
	ConnectedCount(ctx context.Context, lectureID string) (int, error)
}
