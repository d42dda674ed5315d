package classroom

import (
	"context"
	"time"
)

// CallCheckEvery is how often the calls are compared with our records (CheckCalls).
const CallCheckEvery = 15 * time.Second

// CheckCalls does for every live call what the participant_joined webhook does for one
// connection, for the connections whose webhook never reached us (our server was down while
// LiveKit gave up retrying): a guest whose admission holds gets the rights it is missing, anyone
// else in the call is removed. It says how many it removed and confirmed. Call it periodically.
func (s *Service) CheckCalls(ctx context.Context) (removed, confirmed int, err error) {
	if s.sfu == nil {
		return 0, 0, nil
	}
	live, err := s.store.LiveRoomIDs(ctx)
	if err != nil {
		return 0, 0, err
	}
	for _, id := range live {
		r, err := s.store.Room(ctx, id)
		if err != nil {
			return removed, confirmed, err
		}
		ps, err := s.sfu.Participants(ctx, r.Call())
		if err != nil {
			return removed, confirmed, err
		}
		for _, p := range ps {
			if !p.IsPerson() {
				continue
			}
			host, guest, err := s.inCallAs(ctx, r, p.Identity)
			if err != nil {
				return removed, confirmed, err
			}
			switch {
			case host:
			case guest == nil:
				s.log.WarnContext(ctx, "removing a participant without admission from the call", "room", r.ID, "identity", p.Identity)
				if err := s.sfu.RemoveParticipant(ctx, r.Call(), p.Identity); err != nil {
					return removed, confirmed, err
				}
				removed++
			case !p.CanSubscribe || p.CanPublish != guest.CanPublish:
				if err := s.sfu.ConfirmGuest(ctx, r.Call(), p.Identity, guest.CanPublish); err != nil {
					return removed, confirmed, err
				}
				confirmed++
			}
		}
	}
	return removed, confirmed, nil
}
