package classroom

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/liveserver/liveserver/internal/domain"
)

// File events.
const (
	EvFileShared  = "file.shared"  // all: a new file (FileView)
	EvFileDeleted = "file.deleted" // all: {id}
)

const (
	uploadsPerSender = 20 // uploads per minute per sender
	maxFileName      = 255
	// DefaultMaxUpload is the upload limit when none is configured.
	DefaultMaxUpload = 50 << 20
)

// FileView is a shared file as everyone in the room sees it.
type FileView struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	ContentType string `json:"contentType"`
	Identity    string `json:"identity"`
	Uploader    string `json:"uploader"`
	CreatedAt   string `json:"createdAt"`
}

// FileViewOf is the file as clients see it.
func FileViewOf(f *domain.SharedFile) FileView {
	return FileView{ID: f.ID, Name: f.Name, Size: f.Size, ContentType: f.ContentType, Identity: f.UploaderIdentity,
		Uploader: f.UploaderName, CreatedAt: f.CreatedAt.Format(timeFormat)}
}

// allowedTypes are the contents a room accepts, by what the bytes are (http.DetectContentType),
// never by the name. HTML and SVG are not among them: they could run script in a browser.
var allowedTypes = map[string]bool{
	"application/pdf": true, "image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
	"text/plain; charset=utf-8": true, "application/zip": true, "audio/mpeg": true, "application/ogg": true,
	"audio/wave": true, "video/mp4": true, "video/webm": true,
}

// zipKinds name the office formats that are ZIP files inside, by extension, once the content
// has shown it is a ZIP.
var zipKinds = map[string]string{
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".odt":  "application/vnd.oasis.opendocument.text",
	".ods":  "application/vnd.oasis.opendocument.spreadsheet",
	".odp":  "application/vnd.oasis.opendocument.presentation",
}

// errTooLarge stops an upload at the limit.
var errTooLarge = errors.New("upload over the limit")

// UploadFile shares a file in the room. The content streams to the blob store (never whole in
// memory), is stopped at the size limit, and must sniff as an allowed type; the object key is
// ours. The row and its event are written only once the blob is complete; on any failure the
// blob is removed, so nothing half-written stays.
func (s *Service) UploadFile(ctx context.Context, actor domain.Actor, roomID, name string, content io.Reader) (*domain.SharedFile, error) {
	v, r, err := s.RoomViewer(ctx, actor, roomID)
	if err != nil {
		return nil, err
	}
	if s.blobs == nil {
		return nil, domain.Errorf(domain.EUnavailable, "File storage is not configured.")
	}
	if r.Status == domain.RoomEnded {
		return nil, domain.Errorf(domain.ERoomEnded, "This lecture has ended.")
	}
	if !v.IsHost && !r.FilesEnabled {
		return nil, domain.Errorf(domain.EFilesOff, "The host has turned file sharing off.")
	}
	name, err = cleanFileName(name)
	if err != nil {
		return nil, err
	}
	if err := s.limit(ctx, "upload:"+r.ID+":"+v.Identity, uploadsPerSender, time.Minute); err != nil {
		return nil, err
	}
	// A full quota refuses before a byte is stored; a partly used one bounds the stream.
	use, err := s.store.StorageUse(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	quota, quotaLimited := s.opts.Quotas.tightest(use)
	if quotaLimited && quota.left() <= 0 {
		return nil, quotaError(quota)
	}

	head := make([]byte, 512)
	n, err := io.ReadFull(content, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, uploadReadError(err)
	}
	head = head[:n]
	if n == 0 {
		return nil, domain.Invalid("file", "The file is empty.")
	}
	ctype := http.DetectContentType(head)
	if !allowedTypes[ctype] {
		return nil, &domain.Error{Code: domain.EFileType, Field: "file",
			Message: "This kind of file cannot be shared here. Allowed: PDF, images, text, office documents, ZIP, audio and video."}
	}
	if ctype == "application/zip" {
		if kind, ok := zipKinds[strings.ToLower(path.Ext(name))]; ok {
			ctype = kind
		}
	}

	f := domain.SharedFile{ID: uuid.NewString(), RoomID: r.ID, LectureID: r.LectureID, UploaderIdentity: v.Identity, UploaderName: v.Name,
		FileKey: "rooms/" + r.ID + "/" + uuid.NewString(), Name: name, ContentType: ctype, CreatedAt: s.now()}
	hash := sha256.New()
	body := &limitedReader{r: io.TeeReader(io.MultiReader(bytes.NewReader(head), content), hash), left: s.opts.MaxUpload, quota: -1}
	if quotaLimited {
		body.quota = quota.left()
	}
	if err := s.blobs.Put(ctx, f.FileKey, body, -1, ctype); err != nil {
		s.dropBlob(f.FileKey)
		// (A blob store may not wrap the reader's error: the reader remembers it too.)
		if errors.Is(err, errOverQuota) || errors.Is(body.failed, errOverQuota) {
			return nil, quotaError(quota)
		}
		if errors.Is(err, errTooLarge) {
			return nil, domain.Errorf(domain.ETooLarge, "The file is larger than the limit of %d MB.", s.opts.MaxUpload>>20)
		}
		if code := domain.ErrorCode(err); code != domain.EInternal {
			return nil, err
		}
		if body.failed != nil {
			return nil, uploadReadError(body.failed)
		}
		// The blob store failed (disk full, S3 down): the server's fault, logged as such.
		return nil, fmt.Errorf("store upload %s: %w", f.FileKey, err)
	}
	f.Size, f.SHA256 = body.read, hex.EncodeToString(hash.Sum(nil))
	err = s.inTx(ctx, func(st domain.Store, out *outbox) error {
		// Uploads that raced past the first check are counted again, one at a time: the
		// quotas hold exactly, and the loser's blob is removed below.
		if err := st.LockStorage(ctx); err != nil {
			return err
		}
		use, err := st.StorageUse(ctx, r.ID)
		if err != nil {
			return err
		}
		if q, over := s.opts.Quotas.crossed(use, f.Size); over {
			return quotaError(q)
		}
		if err := st.CreateSharedFile(ctx, f); err != nil {
			return err
		}
		return out.add(ctx, st, r.ID, EvFileShared, domain.AudienceAll, FileViewOf(&f))
	})
	if err != nil {
		s.dropBlob(f.FileKey)
		return nil, err
	}
	s.log.InfoContext(ctx, "file shared", "room", r.ID, "file", f.ID, "size", f.Size, "type", ctype)
	return &f, nil
}

// uploadReadError explains a failed read of the request body: usually the client went away
// or sent more than the server accepts.
func uploadReadError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) || errors.Is(err, errTooLarge) {
		return domain.Errorf(domain.ETooLarge, "The file is larger than the limit.")
	}
	// The read error itself names this server's and the client's addresses: not for the answer.
	return domain.Errorf(domain.EInvalid, "The upload was interrupted; send the file again.")
}

// dropBlob removes an unfinished or orphaned blob; a failure only leaves garbage, so it is logged.
func (s *Service) dropBlob(key string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.blobs.Delete(ctx, key); err != nil {
		s.log.WarnContext(ctx, "delete blob", "key", key, "err", err)
	}
}

// Files lists the room's shared files, oldest first.
func (s *Service) Files(ctx context.Context, actor domain.Actor, roomID string) ([]domain.SharedFile, error) {
	_, r, err := s.RoomViewer(ctx, actor, roomID)
	if err != nil {
		return nil, err
	}
	return s.store.SharedFiles(ctx, r.LectureID)
}

// OpenFile opens a shared file for download by someone in the room's current lecture; the
// host may open the files of its past lectures too (their pages link them).
func (s *Service) OpenFile(ctx context.Context, actor domain.Actor, roomID, fileID string) (*domain.SharedFile, io.ReadCloser, error) {
	v, r, err := s.RoomViewer(ctx, actor, roomID)
	if err != nil {
		return nil, nil, err
	}
	if s.blobs == nil {
		return nil, nil, domain.Errorf(domain.EUnavailable, "File storage is not configured.")
	}
	f, err := s.fileOf(ctx, r.LectureID, fileID)
	if domain.ErrorCode(err) == domain.ENotFound && v.IsHost {
		if f, err = s.store.RoomFile(ctx, r.ID, fileID); domain.ErrorCode(err) == domain.ENotFound {
			err = domain.Errorf(domain.ENotFound, "No such file.")
		}
	}
	if err != nil {
		return nil, nil, err
	}
	rc, _, err := s.blobs.Get(ctx, f.FileKey)
	if err != nil {
		return nil, nil, err
	}
	return f, rc, nil
}

// DeleteFile removes a shared file: its uploader, the host or an admin may.
func (s *Service) DeleteFile(ctx context.Context, actor domain.Actor, roomID, fileID string) error {
	v, r, err := s.RoomViewer(ctx, actor, roomID)
	if err != nil {
		return err
	}
	f, err := s.fileOf(ctx, r.LectureID, fileID)
	if err != nil {
		return err
	}
	if !v.IsHost && f.UploaderIdentity != v.Identity {
		return domain.Errorf(domain.EForbidden, "Only the host or the person who shared a file may delete it.")
	}
	err = s.inTx(ctx, func(st domain.Store, out *outbox) error {
		ok, err := st.DeleteSharedFile(ctx, r.LectureID, f.ID)
		if err != nil {
			return err
		}
		if !ok {
			return domain.Errorf(domain.ENotFound, "No such file.")
		}
		return out.add(ctx, st, r.ID, EvFileDeleted, domain.AudienceAll, map[string]string{"id": f.ID})
	})
	if err != nil {
		return err
	}
	if s.blobs != nil {
		s.dropBlob(f.FileKey)
	}
	return nil
}

func (s *Service) fileOf(ctx context.Context, lectureID, fileID string) (*domain.SharedFile, error) {
	if !validID(fileID) {
		return nil, domain.Errorf(domain.ENotFound, "No such file.")
	}
	f, err := s.store.SharedFile(ctx, lectureID, fileID)
	if domain.ErrorCode(err) == domain.ENotFound {
		return nil, domain.Errorf(domain.ENotFound, "No such file.")
	}
	return f, err
}

// cleanFileName keeps the last element of a path a browser may send, and refuses names that
// try to be paths or hide characters.
func cleanFileName(name string) (string, error) {
	if !utf8.ValidString(name) {
		return "", domain.Invalid("file", "The file name is not valid UTF-8.")
	}
	for _, r := range name {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return "", domain.Invalid("file", "The file name contains characters that are not allowed.")
		}
	}
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '/' || r == '\\' }) {
		if part == ".." || part == "." {
			return "", domain.Invalid("file", "The file name may not contain %q.", part)
		}
	}
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimSpace(name)
	if name == "" || strings.Trim(name, ".") == "" {
		return "", domain.Invalid("file", "The file has no name.")
	}
	if utf8.RuneCountInString(name) > maxFileName {
		return "", domain.Invalid("file", "The file name is longer than %d characters.", maxFileName)
	}
	return name, nil
}

// limitedReader counts what it reads and fails once more than left bytes come (errTooLarge),
// or more than quota bytes when quota is not negative (errOverQuota).
type limitedReader struct {
	r     io.Reader
	left  int64
	quota int64
	read  int64
	// failed is the upload's own read error (the client went away, or sent too much), as
	// opposed to the blob store's.
	failed error
}

func (l *limitedReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.read += int64(n)
	if l.read > l.left {
		err = errTooLarge
	} else if l.quota >= 0 && l.read > l.quota {
		err = errOverQuota
	}
	if err != nil && err != io.EOF {
		l.failed = err
	}
	return n, err
}
