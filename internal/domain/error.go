// Package domain holds LiveServer's nouns, its error type and the interfaces the rules need.
// It imports nothing of ours, so every other package can depend on it.
package domain

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. Each maps to one HTTP status in httpapi; clients read the code, people the message.
const (
	EInvalid        = "invalid"      // bad input: 400
	EUnauthorized   = "unauthorized" // not signed in: 401
	EForbidden      = "forbidden"    // signed in, not allowed: 403
	ENotFound       = "not_found"    // 404
	EConflict       = "conflict"     // 409
	ETooLarge       = "too_large"    // 413
	EUnsupported    = "unsupported"  // 415
	ERateLimited    = "rate_limited" // 429, with RetryAfter
	EUnavailable    = "unavailable"  // a dependency is down: 503
	EInternal       = "internal"     // 500; details only in the log
	EEmailTaken     = "email_taken"  // 409
	EBadLogin       = "invalid_credentials"
	ERegistration   = "registration_closed"   // 403
	EAccountLocked  = "account_disabled"      // 403
	EDevAccess      = "dev_access_required"   // 401: a dev instance's access key is missing
	ENotAdmitted    = "not_admitted"          // 403: not let into the room (yet)
	ERoomNotLive    = "room_not_live"         // 409: the room has not been started
	ERoomEnded      = "room_ended"            // 409: the lecture is over
	ERoomLocked     = "room_locked"           // 423: nobody new gets in
	EBanned         = "banned"                // 403: this browser may not come back
	EWrongPIN       = "wrong_pin"             // 403
	EPINAttempts    = "too_many_pin_attempts" // 429, with RetryAfter
	ERoomFull       = "room_full"             // 409
	EChatOff        = "chat_disabled"         // 403: the host turned chat off
	EFilesOff       = "files_disabled"        // 403: the host turned file sharing off
	EOwnAdmin       = "own_admin_rights"      // 409: an admin may not demote or disable themselves
	ELastAdmin      = "last_admin"            // 409: the instance keeps an enabled admin
	EFileType       = "file_type_not_allowed" // 415: the content is not on the allow-list
	EDriveNotLinked = "drive_not_connected"   // 409: connect Google Drive first
	EQuotaExceeded  = "quota_exceeded"        // 507: a storage quota is used up (Details: QuotaDetails)
	ENoSpace        = "insufficient_storage"  // 507: the disk is below its free-space margin
	ESetupToken     = "invalid_setup_token"   // 403: the setup link is wrong, used or ran out
	ESetupDone      = "already_set_up"        // 409: the instance has an administrator
)

// Error is the one error type that crosses package boundaries with a meaning for clients.
// Message is safe to show to the user; anything internal stays in wrapped errors and the log.
type Error struct {
	Code    string
	Message string
	// Field names the offending input field for EInvalid, when there is one.
	Field string
	// RetryAfter is set with ERateLimited.
	RetryAfter time.Duration
	// Details are machine-readable facts for the client (sent as "details"), such as which
	// quota is full and how much of it is used, so that it can say so in its own language.
	Details any
}

// QuotaDetails are the Details of EQuotaExceeded.
type QuotaDetails struct {
	// Quota is "room", "host" or "instance".
	Quota      string `json:"quota"`
	UsedBytes  int64  `json:"usedBytes"`
	LimitBytes int64  `json:"limitBytes"`
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf makes an *Error with a formatted, user-facing message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid reports bad input in one field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal for any other error
// and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-facing message of err; internal errors get a generic one.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrSlowSubscriber ends a bus subscription whose reader fell too far behind: its bounded
// queue overflowed. The reader resumes from the Store (SSE clients reconnect with Last-Event-ID).
var ErrSlowSubscriber = errors.New("bus: subscriber too slow, queue overflowed")
