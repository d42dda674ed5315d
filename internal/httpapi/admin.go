package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/liveserver/liveserver/internal/classroom"
	"github.com/liveserver/liveserver/internal/domain"
)

type adminRoomJSON struct {
	roomJSON
	OwnerEmail        string `json:"ownerEmail"`
	OwnerName         string `json:"ownerName"`
	ParticipantsNow   int    `json:"participantsNow"`
	ParticipantsTotal int    `json:"participantsTotal"`
	StoredBytes       int64  `json:"storedBytes"`
}

func (s *Server) adminRooms(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	rooms, err := s.svc.AdminRooms(r.Context(), actor)
	if err != nil {
		return err
	}
	out := make([]adminRoomJSON, len(rooms))
	for i := range rooms {
		out[i] = adminRoomJSON{roomJSON: toRoomJSON(&rooms[i].Room), OwnerEmail: rooms[i].OwnerEmail, OwnerName: rooms[i].OwnerName,
			ParticipantsNow: rooms[i].ParticipantsNow, ParticipantsTotal: rooms[i].ParticipantsTotal, StoredBytes: rooms[i].StoredBytes}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type adminUserJSON struct {
	userJSON
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"createdAt"`
}

func toAdminUser(u *domain.User) adminUserJSON {
	return adminUserJSON{userJSON: toUserJSON(u), Disabled: u.Disabled, CreatedAt: u.CreatedAt}
}

func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	users, err := s.svc.Users(r.Context(), actor)
	if err != nil {
		return err
	}
	out := make([]adminUserJSON, len(users))
	for i := range users {
		out[i] = toAdminUser(&users[i])
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) adminUpdateUser(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	if err := s.svc.RequireAdmin(actor); err != nil {
		return err
	}
	var in struct {
		Role     *string `json:"role"`
		Disabled *bool   `json:"disabled"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p := classroom.UserPatch{Disabled: in.Disabled}
	if in.Role != nil {
		role := domain.Role(*in.Role)
		p.Role = &role
	}
	u, err := s.svc.UpdateUser(r.Context(), actor, r.PathValue("userId"), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAdminUser(u))
	return nil
}

type moderationJSON struct {
	ID             string    `json:"id"`
	RoomID         string    `json:"roomId"`
	ActorID        string    `json:"actorId"`
	ActorName      string    `json:"actorName"`
	Action         string    `json:"action"`
	TargetIdentity string    `json:"targetIdentity"`
	TargetName     string    `json:"targetName"`
	Detail         string    `json:"detail"`
	CreatedAt      time.Time `json:"createdAt"`
}

// adminModerationLog answers ?roomId=&action=&before=<entryId>&limit=.
func (s *Server) adminModerationLog(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := domain.ModerationFilter{RoomID: q.Get("roomId"), Action: q.Get("action")}
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 {
			return domain.Invalid("limit", "The limit must be a positive number.")
		}
	}
	f.BeforeID = q.Get("before")
	log, err := s.svc.ModerationLog(r.Context(), actor, f)
	if err != nil {
		return err
	}
	out := make([]moderationJSON, len(log))
	for i, m := range log {
		out[i] = moderationJSON{ID: m.ID, RoomID: m.RoomID, ActorID: m.ActorID, ActorName: m.ActorName, Action: m.Action,
			TargetIdentity: m.TargetIdentity, TargetName: m.TargetName, Detail: m.Detail, CreatedAt: m.CreatedAt}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type healthJSON struct {
	Status    string  `json:"status"`
	LatencyMs float64 `json:"latencyMs"`
	Error     string  `json:"error,omitempty"`
	// For the assistant: processes heard from lately, the rooms and tracks they caption.
	Workers *int `json:"workers,omitempty"`
	Rooms   *int `json:"rooms,omitempty"`
	Tracks  *int `json:"tracks,omitempty"`
}

// adminHealth asks every dependency, with its latency and (for admins only) the error.
func (s *Server) adminHealth(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	if err := s.svc.RequireAdmin(actor); err != nil {
		return err
	}
	out := map[string]healthJSON{}
	for _, p := range s.pingAll(r.Context()) {
		h := healthJSON{Status: "ok", LatencyMs: float64(p.took.Microseconds()) / 1000}
		if p.err != nil {
			h.Status, h.Error = "down", p.err.Error()
		}
		out[p.name] = h
	}
	out["agent"] = s.assistantHealth(r, actor)
	writeJSON(w, http.StatusOK, out)
	return nil
}

// assistantHealth sums up the assistant processes' heartbeats: "off" without a speech-to-text
// provider, "down" when none reported lately.
func (s *Server) assistantHealth(r *http.Request, actor domain.Actor) healthJSON {
	if !s.opts.Captions {
		return healthJSON{Status: "off", Error: "STT_PROVIDER=none: captions are off"}
	}
	start := time.Now()
	ws, err := s.svc.Assistants(r.Context(), actor)
	h := healthJSON{LatencyMs: float64(time.Since(start).Microseconds()) / 1000}
	if err != nil {
		h.Status, h.Error = "down", err.Error()
		return h
	}
	workers, rooms, tracks := len(ws), 0, 0
	for _, w := range ws {
		rooms += w.Rooms
		tracks += w.Tracks
	}
	h.Workers, h.Rooms, h.Tracks = &workers, &rooms, &tracks
	h.Status = "ok"
	if workers == 0 {
		h.Status, h.Error = "down", "no assistant process reported in the last "+domain.AgentSilentAfter.String()
	}
	return h
}

type storageJSON struct {
	UsedBytes int64 `json:"usedBytes"`
	// The quotas in bytes; 0 is unlimited.
	Quotas struct {
		RoomBytes     int64 `json:"roomBytes"`
		HostBytes     int64 `json:"hostBytes"`
		InstanceBytes int64 `json:"instanceBytes"`
	} `json:"quotas"`
	// Disk is null when the files are not on this server's disk (S3).
	Disk  *diskJSON         `json:"disk"`
	Hosts []hostStorageJSON `json:"hosts"`
}

type diskJSON struct {
	FreeBytes   int64 `json:"freeBytes"`
	TotalBytes  int64 `json:"totalBytes"`
	MarginBytes int64 `json:"marginBytes"`
}

type hostStorageJSON struct {
	UserID string `json:"userId"`
	Email  string `json:"email"`
	Name   string `json:"name"`
	Bytes  int64  `json:"bytes"`
}

// adminStorage is the instance's stored bytes against its quotas, the disk against its margin
// and the accounts that hold the most.
func (s *Server) adminStorage(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	rep, err := s.svc.Storage(r.Context(), actor)
	if err != nil {
		return err
	}
	out := storageJSON{UsedBytes: rep.Used, Hosts: make([]hostStorageJSON, len(rep.TopHosts))}
	out.Quotas.RoomBytes, out.Quotas.HostBytes, out.Quotas.InstanceBytes = rep.Quotas.Room, rep.Quotas.Host, rep.Quotas.Instance
	if rep.Disk != nil {
		out.Disk = &diskJSON{FreeBytes: rep.Disk.Free, TotalBytes: rep.Disk.Total, MarginBytes: rep.Disk.Margin}
	}
	for i, h := range rep.TopHosts {
		out.Hosts[i] = hostStorageJSON{UserID: h.UserID, Email: h.Email, Name: h.Name, Bytes: h.Bytes}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
