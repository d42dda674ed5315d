package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/liveserver/liveserver/internal/classroom"
	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/lecture"
)

type attendeeJSON struct {
	Identity    string     `json:"identity"`
	Name        string     `json:"name"`
	JoinedAt    time.Time  `json:"joinedAt"`
	LeftAt      *time.Time `json:"leftAt"`
	Seconds     int64      `json:"seconds"`
	Connections int        `json:"connections"`
}

type segmentJSON struct {
	Speaker  string `json:"speaker"`
	Identity string `json:"identity"`
	StartMs  int64  `json:"startMs"`
	EndMs    int64  `json:"endMs"`
	Text     string `json:"text"`
	Language string `json:"language"`
}

type summaryJSON struct {
	Status   string `json:"status"`
	Kind     string `json:"kind"`
	Markdown string `json:"markdown"`
	Error    string `json:"error,omitempty"`
	Language string `json:"language"`
}

// lectureInfoJSON is one lecture of a room.
type lectureInfoJSON struct {
	ID        string     `json:"id"`
	RoomID    string     `json:"roomId"`
	Number    int        `json:"number"`
	Status    string     `json:"status"`
	StartedAt *time.Time `json:"startedAt"`
	EndedAt   *time.Time `json:"endedAt"`
}

func toLectureInfoJSON(l *domain.Lecture) lectureInfoJSON {
	return lectureInfoJSON{ID: l.ID, RoomID: l.RoomID, Number: l.Number, Status: string(l.Status), StartedAt: l.StartedAt, EndedAt: l.EndedAt}
}

// roomLectures answers GET /api/rooms/{roomId}/lectures: the room's lectures, the latest first.
func (s *Server) roomLectures(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	ls, err := s.svc.Lectures(r.Context(), actor, r.PathValue("roomId"))
	if err != nil {
		return err
	}
	out := make([]lectureInfoJSON, len(ls))
	for i := range ls {
		out[i] = toLectureInfoJSON(&ls[i])
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type lectureJSON struct {
	Room            any                  `json:"room"` // roomJSON, or sharedRoomJSON for a share link's reader
	Lecture         lectureInfoJSON      `json:"lecture"`
	DurationSeconds int64                `json:"durationSeconds"`
	Attendance      []attendeeJSON       `json:"attendance"`
	Chat            []classroom.ChatView `json:"chat"`
	Files           []classroom.FileView `json:"files"`
	Transcript      []segmentJSON        `json:"transcript"`
	Summary         summaryJSON          `json:"summary"`
	// DriveExport: the instance has Google Drive configured (the owner may export to it).
	DriveExport bool `json:"driveExport"`
}

// lecturePage answers GET /api/lectures/{lectureId}?q=search.
func (s *Server) lecturePage(w http.ResponseWriter, r *http.Request) error {
	if s.lectures == nil {
		return domain.Errorf(domain.EUnavailable, "Lecture pages are not available.")
	}
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	var p *lecture.Page
	token := r.URL.Query().Get("share")
	if token != "" {
		p, err = s.lectures.SharedPage(r.Context(), r.PathValue("lectureId"), token, r.URL.Query().Get("q"))
	} else {
		p, err = s.lectures.Page(r.Context(), actor, r.PathValue("lectureId"), r.URL.Query().Get("q"))
	}
	if err != nil {
		return err
	}
	out := lectureJSON{Room: toRoomJSON(p.Room), Lecture: toLectureInfoJSON(p.Lecture), DurationSeconds: int64(p.Duration.Seconds()),
		Attendance: []attendeeJSON{}, Chat: []classroom.ChatView{}, Files: []classroom.FileView{}, Transcript: []segmentJSON{},
		Summary: summaryJSON{Status: p.Summary.SummaryStatus, Kind: p.Summary.SummaryKind, Markdown: p.Summary.SummaryMarkdown,
			Error: p.Summary.SummaryError, Language: p.Summary.Language},
		DriveExport: s.lectures.DriveEnabled()}
	for _, a := range p.Attendance {
		out.Attendance = append(out.Attendance, attendeeJSON{Identity: a.Identity, Name: a.Name, JoinedAt: a.FirstJoined,
			LeftAt: a.LastLeft, Seconds: a.Seconds, Connections: a.Connections})
	}
	for i := range p.Chat {
		out.Chat = append(out.Chat, classroom.ChatViewOf(&p.Chat[i]))
	}
	for i := range p.Files {
		out.Files = append(out.Files, classroom.FileViewOf(&p.Files[i]))
	}
	for _, seg := range p.Transcript {
		out.Transcript = append(out.Transcript, segmentJSON{Speaker: seg.SpeakerName, Identity: seg.SpeakerIdentity,
			StartMs: seg.StartMs, EndMs: seg.EndMs, Text: seg.Text, Language: seg.Language})
	}
	if token != "" {
		forReader(&out, p.Room, p.Lecture)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// lectureExport answers GET /api/lectures/{lectureId}/export?format=pdf|md with a download.
func (s *Server) lectureExport(w http.ResponseWriter, r *http.Request) error {
	if s.lectures == nil {
		return domain.Errorf(domain.EUnavailable, "Lecture pages are not available.")
	}
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "pdf"
	}
	var ex *lecture.Export
	if token := r.URL.Query().Get("share"); token != "" {
		ex, err = s.lectures.SharedExport(r.Context(), r.PathValue("lectureId"), token, format)
	} else {
		ex, err = s.lectures.Export(r.Context(), actor, r.PathValue("lectureId"), format)
	}
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", ex.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(ex.Body)))
	h.Set("Content-Disposition", attachment(ex.Name))
	h.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(ex.Body)
	return nil
}

// driveConnect sends the signed-in host to Google's consent page.
func (s *Server) driveConnect(w http.ResponseWriter, r *http.Request) error {
	if s.lectures == nil {
		return domain.Errorf(domain.EUnavailable, "Lecture pages are not available.")
	}
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	u, err := s.lectures.DriveConnectURL(actor)
	if err != nil {
		return err
	}
	http.Redirect(w, r, u, http.StatusFound)
	return nil
}

// driveCallback is where Google sends the host back; on success, to the dashboard.
func (s *Server) driveCallback(w http.ResponseWriter, r *http.Request) error {
	if s.lectures == nil {
		return domain.Errorf(domain.EUnavailable, "Lecture pages are not available.")
	}
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if err := s.lectures.DriveCallback(r.Context(), actor, q.Get("code"), q.Get("state")); err != nil {
		return err
	}
	http.Redirect(w, r, "/dashboard?drive=connected", http.StatusFound)
	return nil
}

// driveExport uploads the lecture's PDF to the exporting user's Drive: 201 {fileId, name}.
func (s *Server) driveExport(w http.ResponseWriter, r *http.Request) error {
	if s.lectures == nil {
		return domain.Errorf(domain.EUnavailable, "Lecture pages are not available.")
	}
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	id, name, err := s.lectures.ExportToDrive(r.Context(), actor, r.PathValue("lectureId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]string{"fileId": id, "name": name})
	return nil
}

// lectureShare turns the share link on or off: {enabled} → {enabled, token, url}.
func (s *Server) lectureShare(w http.ResponseWriter, r *http.Request) error {
	if s.lectures == nil {
		return domain.Errorf(domain.EUnavailable, "Lecture pages are not available.")
	}
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	var in struct {
		Enabled *bool `json:"enabled"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Enabled == nil {
		return domain.Invalid("enabled", "Say whether the share link is on: {\"enabled\": true} or false.")
	}
	token, err := s.lectures.SetSharing(r.Context(), actor, r.PathValue("lectureId"), *in.Enabled)
	if err != nil {
		return err
	}
	out := map[string]any{"enabled": *in.Enabled}
	if token != "" {
		out["token"] = token
		out["url"] = s.opts.PublicURL + "/lectures/" + r.PathValue("lectureId") + "?share=" + token
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// sharedRoomJSON is all a share link's reader learns of the room: not its invite code, not its
// owner.
type sharedRoomJSON struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Status    string     `json:"status"`
	StartedAt *time.Time `json:"startedAt"`
	EndedAt   *time.Time `json:"endedAt"`
}

// forReader keeps from a share link's reader what only the class and its host should see: the
// invite code and the owner's id, and the participants' identities (a guest's is its session
// id), which become aliases that still tell one person from another on the page.
func forReader(out *lectureJSON, r *domain.Room, l *domain.Lecture) {
	out.Room = sharedRoomJSON{ID: r.ID, Name: r.Name, Status: string(l.Status), StartedAt: l.StartedAt, EndedAt: l.EndedAt}
	out.DriveExport = false
	aliases := map[string]string{}
	alias := func(identity string) string {
		if identity == "" {
			return ""
		}
		if a, ok := aliases[identity]; ok {
			return a
		}
		a := "participant-" + strconv.Itoa(len(aliases)+1)
		aliases[identity] = a
		return a
	}
	for i := range out.Attendance {
		out.Attendance[i].Identity = alias(out.Attendance[i].Identity)
	}
	for i := range out.Chat {
		out.Chat[i].Identity, out.Chat[i].ClientID = alias(out.Chat[i].Identity), ""
	}
	for i := range out.Files {
		out.Files[i].Identity = alias(out.Files[i].Identity)
	}
	for i := range out.Transcript {
		out.Transcript[i].Identity = alias(out.Transcript[i].Identity)
	}
}
