package httpapi

import (
	"net/http"
	"time"

	"github.com/liveserver/liveserver/internal/classroom"
	"github.com/liveserver/liveserver/internal/domain"
)

// roomJSON is a room as its owner and admins see it.
type roomJSON struct {
	ID              string     `json:"id"`
	Code            string     `json:"code"`
	Name            string     `json:"name"`
	Status          string     `json:"status"`
	LectureID       string     `json:"lectureId"` // the current lecture: the live one, or the next
	OwnerID         string     `json:"ownerId"`
	LobbyEnabled    bool       `json:"lobbyEnabled"`
	HasPIN          bool       `json:"hasPin"`
	ChatEnabled     bool       `json:"chatEnabled"`
	FilesEnabled    bool       `json:"filesEnabled"`
	MaxParticipants int        `json:"maxParticipants"`
	Locked          bool       `json:"locked"`
	CreatedAt       time.Time  `json:"createdAt"`
	UpdatedAt       time.Time  `json:"updatedAt"`
	StartedAt       *time.Time `json:"startedAt"`
	EndedAt         *time.Time `json:"endedAt"`
}

func toRoomJSON(r *domain.Room) roomJSON {
	return roomJSON{ID: r.ID, Code: r.Code, Name: r.Name, Status: string(r.Status), LectureID: r.LectureID, OwnerID: r.OwnerID,
		LobbyEnabled: r.LobbyEnabled, HasPIN: r.HasPIN(), ChatEnabled: r.ChatEnabled, FilesEnabled: r.FilesEnabled,
		MaxParticipants: r.MaxParticipants, Locked: r.Locked, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		StartedAt: r.StartedAt, EndedAt: r.EndedAt}
}

// roomSettingsJSON is the body of POST and PATCH /api/rooms/…: absent (or null) fields keep
// their default, or their value.
type roomSettingsJSON struct {
	Name            *string `json:"name"`
	LobbyEnabled    *bool   `json:"lobbyEnabled"`
	PIN             *string `json:"pin"`
	ChatEnabled     *bool   `json:"chatEnabled"`
	FilesEnabled    *bool   `json:"filesEnabled"`
	MaxParticipants *int    `json:"maxParticipants"`
}

// publicRoomJSON is all a guest learns before joining, and nothing more.
type publicRoomJSON struct {
	ID           string `json:"id"`
	Code         string `json:"code"`
	Name         string `json:"name"`
	Status       string `json:"status"`
	HasPIN       bool   `json:"hasPin"`
	LobbyEnabled bool   `json:"lobbyEnabled"`
}

func (s *Server) listRooms(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	rooms, err := s.svc.Rooms(r.Context(), actor)
	if err != nil {
		return err
	}
	out := make([]roomJSON, len(rooms))
	for i := range rooms {
		out[i] = toRoomJSON(&rooms[i])
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) createRoom(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	if !actor.SignedIn() {
		return domain.Errorf(domain.EUnauthorized, "Please sign in.")
	}
	var in roomSettingsJSON
	if err := decode(w, r, &in); err != nil {
		return err
	}
	room, err := s.svc.CreateRoom(r.Context(), actor, classroom.RoomPatch(in))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toRoomJSON(room))
	return nil
}

func (s *Server) getRoom(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	room, err := s.svc.Room(r.Context(), actor, r.PathValue("roomId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toRoomJSON(room))
	return nil
}

func (s *Server) updateRoom(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.roomManager(r)
	if err != nil {
		return err
	}
	var in roomSettingsJSON
	if err := decode(w, r, &in); err != nil {
		return err
	}
	room, err := s.svc.UpdateRoom(r.Context(), actor, r.PathValue("roomId"), classroom.RoomPatch(in))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toRoomJSON(room))
	return nil
}

func (s *Server) deleteRoom(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	if err := s.svc.DeleteRoom(r.Context(), actor, r.PathValue("roomId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// roomByCode is public: what a guest needs to see before joining.
func (s *Server) roomByCode(w http.ResponseWriter, r *http.Request) error {
	room, err := s.svc.RoomByCode(r.Context(), domain.Actor{IP: s.clientIP(r)}, r.PathValue("code"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, publicRoomJSON{ID: room.ID, Code: room.Code, Name: room.Name, Status: string(room.Status),
		HasPIN: room.HasPIN(), LobbyEnabled: room.LobbyEnabled})
	return nil
}

func (s *Server) startRoom(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	room, err := s.svc.StartRoom(r.Context(), actor, r.PathValue("roomId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toRoomJSON(room))
	return nil
}

func (s *Server) endRoom(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	room, err := s.svc.EndRoom(r.Context(), actor, r.PathValue("roomId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toRoomJSON(room))
	return nil
}
