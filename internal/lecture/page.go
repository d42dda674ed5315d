package lecture

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/liveserver/liveserver/internal/domain"
)

// Rooms authorises access to a room: its owner or an admin (classroom.Service does).
type Rooms interface {
	Room(ctx context.Context, actor domain.Actor, id string) (*domain.Room, error)
}

// Store is what the lecture page, its exports and its share link read and write.
type Store interface {
	Room(ctx context.Context, id string) (*domain.Room, error)
	Lecture(ctx context.Context, id string) (*domain.Lecture, error)
	AttendanceOf(ctx context.Context, lectureID string) ([]domain.Attendance, error)
	ChatMessages(ctx context.Context, lectureID, before string, limit int) ([]domain.ChatMessage, error)
	SharedFiles(ctx context.Context, lectureID string) ([]domain.SharedFile, error)
	Transcript(ctx context.Context, lectureID string) ([]domain.TranscriptSegment, error)
	Artifact(ctx context.Context, lectureID string) (*domain.LectureArtifact, error)
	domain.ShareStore
	domain.DriveStore
}

// Service assembles the lecture page and its exports.
type Service struct {
	store  Store
	rooms  Rooms
	drive  Drive  // nil: no Drive export
	secret string // signs Drive states, encrypts Drive tokens
	lang   string // the instance's lecture language, for a lecture nobody said anything in
}

// NewService makes the lecture service.
func NewService(store Store, rooms Rooms) *Service {
	return &Service{store: store, rooms: rooms, lang: defaultLanguage}
}

// WithLanguage sets the lectures' language (STT_LANGUAGE), which the exports of a lecture
// without a summary or transcript are written in; "" (auto) keeps the default.
func (s *Service) WithLanguage(tag string) *Service {
	if tag != "" {
		s.lang = baseLang(tag)
	}
	return s
}

// Attendee is one person's presence over the lecture.
type Attendee struct {
	Identity    string
	Name        string
	FirstJoined time.Time
	LastLeft    *time.Time // nil while still connected
	Seconds     int64      // time present, overlapping connections counted once
	Connections int
}

// Page is everything the lecture page shows.
type Page struct {
	Room       *domain.Room
	Lecture    *domain.Lecture
	Duration   time.Duration
	Attendance []Attendee
	Chat       []domain.ChatMessage
	Files      []domain.SharedFile
	Transcript []domain.TranscriptSegment
	Summary    domain.LectureArtifact
	// Language is the lecture's: the summary's, else the transcript's, else the instance's.
	Language string
}

// maxChatLog bounds the chat a page carries.
const maxChatLog = 10000

// Page reads the lecture's page for the room's owner or an admin. With query, only the
// transcript segments containing it (case-insensitively) are returned.
func (s *Service) Page(ctx context.Context, actor domain.Actor, lectureID, query string) (*Page, error) {
	return s.page(ctx, s.rooms, actor, lectureID, query)
}

var errNoLecture = domain.Errorf(domain.ENotFound, "No such lecture.")

// lecture reads a lecture, and its room if access lets the actor see it.
func (s *Service) lecture(ctx context.Context, access Rooms, actor domain.Actor, lectureID string) (*domain.Lecture, *domain.Room, error) {
	if uuid.Validate(lectureID) != nil {
		return nil, nil, errNoLecture
	}
	l, err := s.store.Lecture(ctx, lectureID)
	if domain.ErrorCode(err) == domain.ENotFound {
		return nil, nil, errNoLecture
	}
	if err != nil {
		return nil, nil, err
	}
	r, err := access.Room(ctx, actor, l.RoomID)
	if err != nil {
		return nil, nil, err
	}
	return l, r, nil
}

// page reads the page of a lecture whose room access lets the actor see.
func (s *Service) page(ctx context.Context, access Rooms, actor domain.Actor, lectureID, query string) (*Page, error) {
	l, r, err := s.lecture(ctx, access, actor, lectureID)
	if err != nil {
		return nil, err
	}
	p := &Page{Room: r, Lecture: l}
	if l.StartedAt != nil {
		end := time.Now().UTC()
		if l.EndedAt != nil {
			end = *l.EndedAt
		}
		p.Duration = end.Sub(*l.StartedAt).Round(time.Second)
	}
	att, err := s.store.AttendanceOf(ctx, l.ID)
	if err != nil {
		return nil, err
	}
	p.Attendance = attendance(att)
	if p.Chat, err = s.store.ChatMessages(ctx, l.ID, "", maxChatLog); err != nil {
		return nil, err
	}
	if p.Files, err = s.store.SharedFiles(ctx, l.ID); err != nil {
		return nil, err
	}
	if p.Transcript, err = s.store.Transcript(ctx, l.ID); err != nil {
		return nil, err
	}
	if q := strings.ToLower(strings.TrimSpace(query)); q != "" {
		var hits []domain.TranscriptSegment
		for _, seg := range p.Transcript {
			if strings.Contains(strings.ToLower(seg.Text), q) || strings.Contains(strings.ToLower(seg.SpeakerName), q) {
				hits = append(hits, seg)
			}
		}
		p.Transcript = hits
	}
	a, err := s.store.Artifact(ctx, l.ID)
	switch domain.ErrorCode(err) {
	case "":
		p.Summary = *a
	case domain.ENotFound:
		p.Summary = domain.LectureArtifact{RoomID: r.ID, LectureID: l.ID, SummaryStatus: domain.SummaryPending}
	default:
		return nil, err
	}
	p.Language = p.Summary.Language
	if p.Language == "" {
		p.Language = language(p.Transcript, s.lang)
	}
	return p, nil
}

// attendance merges each identity's connections: overlapping ones (two tabs) count once.
func attendance(rows []domain.Attendance) []Attendee {
	by := map[string][]domain.Attendance{}
	var order []string
	for _, a := range rows {
		if a.JoinedAt == nil {
			continue
		}
		if _, ok := by[a.Identity]; !ok {
			order = append(order, a.Identity)
		}
		by[a.Identity] = append(by[a.Identity], a)
	}
	now := time.Now().UTC()
	var out []Attendee
	for _, id := range order {
		conns := by[id]
		sort.Slice(conns, func(i, j int) bool { return conns[i].JoinedAt.Before(*conns[j].JoinedAt) })
		at := Attendee{Identity: id, Name: conns[0].Name, FirstJoined: *conns[0].JoinedAt, Connections: len(conns)}
		var curStart, curEnd time.Time
		open := false
		for i, c := range conns {
			end := now
			if c.LeftAt != nil {
				end = *c.LeftAt
			} else {
				open = true
			}
			if c.Name != "" {
				at.Name = c.Name
			}
			if i == 0 || c.JoinedAt.After(curEnd) {
				at.Seconds += int64(curEnd.Sub(curStart).Seconds())
				curStart, curEnd = *c.JoinedAt, end
			} else if end.After(curEnd) {
				curEnd = end
			}
		}
		at.Seconds += int64(curEnd.Sub(curStart).Seconds())
		if !open {
			last := curEnd
			at.LastLeft = &last
		}
		out = append(out, at)
	}
	return out
}
