package domain

// Actor is whoever makes a request: a signed-in user, a guest (a browser with a guest
// session), both, or nobody yet.
type Actor struct {
	User *User
	// GuestSession is the guest's sessionId from its signed cookie: its identity in rooms it
	// joins as a guest.
	GuestSession string
	// Device is the browser's device id from its own signed cookie (set at the first knock and
	// kept when the guest session is cleared): what a ban holds on to beyond the session.
	Device string
	IP     string // client address, for rate limits and the ban's secondary signal
}

// SignedIn reports whether the actor has an account session.
func (a Actor) SignedIn() bool { return a.User != nil }

// CanManage reports whether the actor may read and change the room: its owner or an admin.
func (a Actor) CanManage(r *Room) bool {
	return a.User != nil && (a.User.IsAdmin() || a.User.ID == r.OwnerID)
}
