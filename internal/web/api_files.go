package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"kexie/internal/auth"
	"kexie/internal/fault"
)

// apiUploadFile takes one attachment (multipart field "file"), streamed
// to disk with its size bounded; records then refer to it by id.
func (s *Server) apiUploadFile(w http.ResponseWriter, r *http.Request) error {
	if !principal(r).Can(auth.PermDataEntry) {
		return fault.ErrForbidden
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxUpload+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return fault.InvalidField("file", "register.file.missing")
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return fault.InvalidField("file", "register.file.missing")
		}
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return err
		}
		if err != nil { // a malformed form is the client's, not a 500
			return fault.InvalidField("file", "register.file.missing")
		}
		if part.FormName() != "file" {
			continue
		}
		f, err := s.app.Files.Save(r.Context(), part.FileName(), part, s.opts.MaxUpload)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusCreated, f)
	}
}

// apiDownloadFile sends an attachment to a caller who can read a record
// that refers to it, or who uploaded it.
func (s *Server) apiDownloadFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := s.app.Registers.FileFor(r.Context(), principal(r).Scope(auth.PermRead), principal(r).UserID, id)
	if err != nil {
		return err
	}
	fh, err := s.app.Files.Open(f)
	if err != nil {
		return err
	}
	defer fh.Close()
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename*=UTF-8''%s", url.PathEscape(f.Name)))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", f.CreatedAt, fh)
	return nil
}
