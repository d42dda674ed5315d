package livekit

import "google.golang.org/protobuf/proto"

// cloneProto copies a protobuf message with its concrete type.
func cloneProto[M proto.Message](m M) M {
	return proto.Clone(m).(M)
}
