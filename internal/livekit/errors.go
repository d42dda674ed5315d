package livekit

import "errors"

var (
	// ErrInvalidSignature means a webhook was not signed by our API key and
	// secret: no or malformed Authorization header, unknown key, wrong
	// secret, expired token, or a body that does not match the signed hash.
	// The HTTP layer answers 401.
	ErrInvalidSignature = errors.New("livekit: webhook signature invalid")

	// ErrMalformedEvent means a correctly signed webhook body could not be
	// parsed. The HTTP layer answers 400.
	ErrMalformedEvent = errors.New("livekit: webhook body malformed")

	// ErrInvalidTokenRequest wraps every validation failure of a
	// TokenRequest, so callers can map it to a 400 without string matching.
	ErrInvalidTokenRequest = errors.New("livekit: invalid token request")

	// ErrParticipantNotFound is returned by the moderation calls when the
	// participant (or its room) is not in LiveKit, for example because it
	// already left. Callers usually treat it as success for removals.
	ErrParticipantNotFound = errors.New("livekit: participant not found")

	// ErrTrackNotFound is returned by MuteTrack when the participant is
	// there but the track is not.
	ErrTrackNotFound = errors.New("livekit: track not found")
)
