package domain

import (
	"context"
	"time"
)

// Attendance is one connection of a participant to a live room. Either time may be unknown
// for a while: webhooks arrive in any order.
type Attendance struct {
	RoomID    string
	LectureID string
	SID       string
	Identity  string
	Name      string
	JoinedAt  *time.Time
	LeftAt    *time.Time
}

// AttendanceStore keeps who was in a room's call, and when.
type AttendanceStore interface {
	// RecordAttendance merges one connection's times: the earliest join and the latest leave
	// win, so duplicates and any order of events give the same result.
	RecordAttendance(ctx context.Context, a Attendance) error
	// AttendanceOf lists a lecture's connections, earliest join first.
	AttendanceOf(ctx context.Context, lectureID string) ([]Attendance, error)
}
