package domain

import (
	"strconv"
	"strings"
)

// A lecture's call (its video room) is named by the lecture and the call's epoch. The epoch
// starts at 0 and a ban moves it on: every token issued before the ban then names a room that
// no longer exists, and the video server (which creates no room on join) refuses it. Epoch 0 is
// the bare lecture id, the name every call had before epochs, so a call live during an upgrade
// keeps its name.

// callSep separates the lecture id from the epoch; a lecture id (a UUID) never contains it.
const callSep = "."

// CallName names the video room of a lecture at an epoch.
func CallName(lectureID string, epoch int) string {
	if epoch <= 0 {
		return lectureID
	}
	return lectureID + callSep + strconv.Itoa(epoch)
}

// maxCallEpoch bounds a parsed epoch (a ban a second for 68 years; the column is an integer).
const maxCallEpoch = 1<<31 - 1

// ParseCallName reads a video room's name back; ok is false for a name CallName never makes
// (a room of another application on a shared video server). The lecture id is only checked
// for its shape: whether it is one of ours is the store's to say.
func ParseCallName(name string) (lectureID string, epoch int, ok bool) {
	lectureID, digits, hasEpoch := strings.Cut(name, callSep)
	if !isUUID(lectureID) {
		return "", 0, false
	}
	if !hasEpoch {
		return lectureID, 0, true
	}
	// Only the canonical form: no sign, no leading zero, not 0 (which is the bare id).
	if digits == "" || len(digits) > 10 || digits[0] == '0' {
		return "", 0, false
	}
	for _, c := range []byte(digits) {
		if c < '0' || c > '9' {
			return "", 0, false
		}
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n > maxCallEpoch {
		return "", 0, false
	}
	return lectureID, n, true
}

// isUUID reports whether s has the canonical shape of a UUID (8-4-4-4-12 hex digits), which
// every id we make has.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// Call is the name of the video room of the room's current lecture.
func (r *Room) Call() string { return CallName(r.LectureID, r.CallEpoch) }

// Call is the name of the lecture's video room now.
func (l *Lecture) Call() string { return CallName(l.ID, l.CallEpoch) }
