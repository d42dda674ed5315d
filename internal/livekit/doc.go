// Package livekit adapts LiveKit to LiveServer: it mints access tokens, wraps
// the RoomService API, and verifies and parses webhooks. Everything it exports
// is our own type; LiveKit protobufs stay inside this package so the rest of
// the program never depends on LiveKit's wire types.
//
// The development server (install, config, supervision) lives in the
// devserver subpackage; livekittest starts a real server for tests.
package livekit
