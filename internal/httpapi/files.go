package httpapi

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/liveserver/liveserver/internal/classroom"
	"github.com/liveserver/liveserver/internal/domain"
)

// uploadFile streams the multipart field "file" to the blob store: the body is read part by
// part, never whole, and the server stops reading past the limit.
func (s *Server) uploadFile(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	// Who may upload is checked before the body is read.
	if _, _, err := s.svc.RoomViewer(r.Context(), actor, r.PathValue("roomId")); err != nil {
		return err
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return domain.Errorf(domain.EUnsupported, "Send the file as multipart/form-data in the field \"file\".")
	}
	if r.ContentLength > s.opts.MaxUpload+multipartSlack {
		return domain.Errorf(domain.ETooLarge, "The file is larger than the limit of %d MB.", s.opts.MaxUpload>>20)
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxUpload+multipartSlack)
	// The server's read timeout is for ordinary requests; an admitted uploader gets longer.
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(uploadReadTimeout))
	mr, err := r.MultipartReader()
	if err != nil {
		return domain.Errorf(domain.EInvalid, "The multipart body is malformed.")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return domain.Invalid("file", "The request has no field \"file\".")
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return domain.Errorf(domain.ETooLarge, "The file is larger than the limit of %d MB.", s.opts.MaxUpload>>20)
			}
			return domain.Errorf(domain.EInvalid, "The multipart body is malformed.")
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		// The name as the client sent it (part.FileName would strip a "../" we must refuse).
		_, params, _ := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
		f, err := s.svc.UploadFile(r.Context(), actor, r.PathValue("roomId"), params["filename"], part)
		part.Close()
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, classroom.FileViewOf(f))
		return nil
	}
}

// multipartSlack is what the multipart framing may add to the file itself.
const multipartSlack = 64 << 10

func (s *Server) listFiles(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	files, err := s.svc.Files(r.Context(), actor, r.PathValue("roomId"))
	if err != nil {
		return err
	}
	out := make([]classroom.FileView, len(files))
	for i := range files {
		out[i] = classroom.FileViewOf(&files[i])
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// downloadFile sends the file as an attachment, never rendered by the browser.
func (s *Server) downloadFile(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	f, rc, err := s.svc.OpenFile(r.Context(), actor, r.PathValue("roomId"), r.PathValue("fileId"))
	if err != nil {
		return err
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	h.Set("Content-Disposition", attachment(f.Name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, rc); err != nil {
		s.log.WarnContext(r.Context(), "download interrupted", "file", f.ID, "err", err)
	}
	return nil
}

func (s *Server) deleteFile(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	if err := s.svc.DeleteFile(r.Context(), actor, r.PathValue("roomId"), r.PathValue("fileId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// attachment is a Content-Disposition that any browser reads right: an ASCII fallback name,
// and the real one in RFC 5987 encoding (Cyrillic names included).
func attachment(name string) string {
	fallback := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == ';' {
			return '_'
		}
		return r
	}, name)
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, fallback, url.PathEscape(name))
}
