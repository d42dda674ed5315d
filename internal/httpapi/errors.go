package httpapi

import (
	"errors"
	"net/http"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/logging"
)

// statusOf is the one table from error codes to HTTP statuses.
var statusOf = map[string]int{
	domain.EInvalid:        http.StatusBadRequest,
	domain.EUnauthorized:   http.StatusUnauthorized,
	domain.EBadLogin:       http.StatusUnauthorized,
	domain.EDevAccess:      http.StatusUnauthorized,
	domain.EForbidden:      http.StatusForbidden,
	domain.ERegistration:   http.StatusForbidden,
	domain.ESetupToken:     http.StatusForbidden,
	domain.ESetupDone:      http.StatusConflict,
	domain.EAccountLocked:  http.StatusForbidden,
	domain.ENotFound:       http.StatusNotFound,
	domain.EConflict:       http.StatusConflict,
	domain.ENotAdmitted:    http.StatusForbidden,
	domain.ERoomNotLive:    http.StatusConflict,
	domain.ERoomEnded:      http.StatusConflict,
	domain.ERoomLocked:     http.StatusLocked,
	domain.EBanned:         http.StatusForbidden,
	domain.EWrongPIN:       http.StatusForbidden,
	domain.EPINAttempts:    http.StatusTooManyRequests,
	domain.ERoomFull:       http.StatusConflict,
	domain.EChatOff:        http.StatusForbidden,
	domain.EFilesOff:       http.StatusForbidden,
	domain.EDriveNotLinked: http.StatusConflict,
	domain.EOwnAdmin:       http.StatusConflict,
	domain.ELastAdmin:      http.StatusConflict,
	domain.EFileType:       http.StatusUnsupportedMediaType,
	domain.EEmailTaken:     http.StatusConflict,
	domain.ETooLarge:       http.StatusRequestEntityTooLarge,
	domain.EUnsupported:    http.StatusUnsupportedMediaType,
	domain.ERateLimited:    http.StatusTooManyRequests,
	domain.EUnavailable:    http.StatusServiceUnavailable,
	domain.EInternal:       http.StatusInternalServerError,
	// RFC 4918 §11.5 and RFC 4331 §6: the server cannot store the content (a quota, the disk).
	domain.EQuotaExceeded: http.StatusInsufficientStorage,
	domain.ENoSpace:       http.StatusInsufficientStorage,
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	Details any    `json:"details,omitempty"`
}

// writeError answers with the JSON error shape. Internal errors are logged with the request id
// and reach the client only as a generic message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := domain.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError // a code without a row is a bug: make it loud
	}
	body := errorBody{Error: errorDetail{Code: code, Message: domain.ErrorMessage(err)}}
	var de *domain.Error
	if errors.As(err, &de) {
		body.Error.Field, body.Error.Details = de.Field, de.Details
		if de.RetryAfter > 0 {
			w.Header().Set("Retry-After", retryAfterSeconds(de.RetryAfter))
		}
	}
	if code == domain.EQuotaExceeded {
		// A rule that holds, not a failure: the log says it, quietly.
		s.log.InfoContext(r.Context(), "upload over a quota", "path", r.URL.Path, "err", err)
	} else if status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		if code == domain.EInternal {
			body.Error.Message = "Internal error. It has been logged as " + logging.RequestID(r.Context()) + "."
		}
	}
	writeJSON(w, status, body)
}
