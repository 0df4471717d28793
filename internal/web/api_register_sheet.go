package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"kexie/internal/auth"
	"kexie/internal/fault"
	"kexie/internal/register"
	"kexie/internal/sheet"
)

// csvType is the media type of an exported CSV file.
const csvType = "text/csv; charset=utf-8"

// apiRegisterTemplate answers the workbook to fill in for a register:
// bilingual headers, required columns marked, drop-down lists of the
// options, and a sheet of instructions.
func (s *Server) apiRegisterTemplate(w http.ResponseWriter, r *http.Request) error {
	reg, err := s.app.Registers.Get(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	lang := reqOf(r).lang
	out := &lazyHeaders{ResponseWriter: w, header: func(h http.Header) {
		h.Set("Content-Type", xlsxType)
		h.Set("Content-Disposition", attachment(reg.Code+"-template.xlsx", registerName(reg, lang)+"-模板.xlsx"))
		h.Set("Cache-Control", "no-store")
	}}
	return s.finishDownload(r, out, s.app.Registers.Template(r.Context(), reg.Code, out, lang))
}

// registerName is a register's name in lang, for file names.
func registerName(reg *register.Register, lang string) string {
	if lang == "en" && reg.Schema.NameEN != "" {
		return reg.Schema.NameEN
	}
	return reg.Schema.NameZH
}

// finishDownload ends a streamed download: an error before its first
// byte is answered as a problem; after it, only logged (the status is
// sent) and the body cut short.
func (s *Server) finishDownload(r *http.Request, out *lazyHeaders, err error) error {
	if err != nil && out.started {
		s.log.Error("download cut short", slog.String("request_id", reqOf(r).id), slog.Any("error", err))
		return nil
	}
	return err
}

// apiExportRecords streams the records the caller may read that match the
// list's filters (unit, period, status, q, f.FIELD[.OP], sort) as an XLSX
// workbook or a CSV file that the import reads back; columns=a,b narrows
// the fields written to those and the key's.
func (s *Server) apiExportRecords(w http.ResponseWriter, r *http.Request) error {
	f, err := recordFilter(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	opts := register.ExportOptions{Format: q.Get("format"), Lang: reqOf(r).lang}
	if opts.Format == "" {
		opts.Format = register.ExportXLSX
	}
	if opts.Format != register.ExportXLSX && opts.Format != register.ExportCSV {
		return fault.InvalidField("format", "error.option", "value", opts.Format)
	}
	if c := strings.TrimSpace(q.Get("columns")); c != "" {
		opts.Fields = strings.Split(c, ",")
	}
	reg, err := s.app.Registers.Get(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	day := time.Now().In(sheetZone).Format("20060102")
	ct := xlsxType
	if opts.Format == register.ExportCSV {
		ct = csvType
	}
	out := &lazyHeaders{ResponseWriter: w, header: func(h http.Header) {
		h.Set("Content-Type", ct)
		h.Set("Content-Disposition", attachment(reg.Code+"-"+day+"."+opts.Format, registerName(reg, opts.Lang)+"-"+day+"."+opts.Format))
		h.Set("Cache-Control", "no-store")
	}}
	_, err = s.app.Registers.Export(r.Context(), recordAccess(principal(r)), reg.Code, f, opts, out)
	return s.finishDownload(r, out, err)
}

// importWait is how long starting an import waits for it to finish, so
// that a small file answers with its outcome.
const (
	importWait    = 2 * time.Second
	importWaitMax = 10 * time.Second
)

// apiStartImport receives a file (multipart field "file", an XLSX
// workbook or a CSV file; fields or parameters dry_run and unit) and
// starts importing it into the register in the background of this
// server, all or nothing. It answers 202 with the job, which
// GET /api/v1/imports/{id} follows; it waits up to ?wait= seconds
// (default 2) for the job to end first.
func (s *Server) apiStartImport(w http.ResponseWriter, r *http.Request) error {
	wait := importWait
	if v := r.URL.Query().Get("wait"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || time.Duration(n)*time.Second > importWaitMax {
			return fault.InvalidField("wait", "error.option", "value", v)
		}
		wait = time.Duration(n) * time.Second
	}
	job, err := s.startImport(w, r, wait)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/imports/"+idString(job.ID))
	return writeJSON(w, http.StatusAccepted, s.importJobJSON(r, job))
}

// startImport receives the uploaded file, records the job and runs it in
// the background, waiting up to wait for it to end; it returns the job as
// it then is.
func (s *Server) startImport(w http.ResponseWriter, r *http.Request, wait time.Duration) (*register.ImportJob, error) {
	p := principal(r)
	if !p.Can(auth.PermDataEntry) {
		return nil, fault.ErrForbidden
	}
	reg, err := s.app.Registers.Get(r.Context(), r.PathValue("code"))
	if err != nil {
		return nil, err
	}
	up, err := s.receiveUpload(w, r)
	if err != nil {
		return nil, err
	}
	keep := false
	defer func() {
		if !keep {
			os.Remove(up.path)
		}
	}()
	c := &fault.Check{}
	dry := formFlag(up.values, r, "dry_run", c)
	unitCode := strings.TrimSpace(formValue(up.values, r, "unit"))
	if err := c.Err(); err != nil {
		return nil, err
	}
	acc := recordAccess(p)
	job := &register.ImportJob{Register: reg.Code, FileName: up.name, SHA256: up.sum, Size: up.size, DryRun: dry,
		Unit: unitCode, Lang: reqOf(r).lang, OwnerID: p.UserID, OwnerName: p.Name}
	if unitCode != "" {
		u, err := s.app.Units.Get(r.Context(), acc.Enter, unitCode)
		if errors.Is(err, fault.ErrNotFound) {
			return nil, fault.InvalidField("unit", "regsheet.unit.unknown", "code", unitCode)
		}
		if err != nil {
			return nil, err
		}
		job.UnitPath = u.Path
	} else if roots := acc.Enter.Roots(); len(roots) == 1 {
		job.UnitPath = roots[0]
	}
	if err := s.app.Registers.CreateImportJob(r.Context(), job); err != nil {
		return nil, err
	}
	lang := job.Lang
	message := func(p sheet.Problem) string { return s.msgs.T(lang, p.Key, p.Args) }
	done := make(chan struct{})
	keep = true
	// the job outlives the request: keep its values (the actor), not its end
	ctx := context.WithoutCancel(r.Context())
	go func() {
		defer close(done)
		defer os.Remove(up.path)
		s.app.Registers.RunImportJob(ctx, job, acc, up.path, message)
	}()
	if wait > 0 {
		select {
		case <-done:
		case <-time.After(wait):
		case <-r.Context().Done():
		}
	}
	return s.app.Registers.ImportJob(r.Context(), job.ID)
}

// upload is a file received into a temporary file.
type upload struct {
	path, name, sum string
	size            int64
	values          url.Values // the form's other fields
}

// receiveUpload streams the multipart field "file" to a temporary file,
// within the upload limit, without holding it in memory.
func (s *Server) receiveUpload(w http.ResponseWriter, r *http.Request) (upload, error) {
	missing := &bodyError{field: "file", key: "sheet.file.missing"}
	var up upload
	save := func(name string, src io.Reader) error {
		tmp, err := os.CreateTemp("", "kexie-upload-*"+strings.ToLower(filepath.Ext(filepath.Base(name))))
		if err != nil {
			return err
		}
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(src, s.opts.MaxUpload+1))
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil && n > s.opts.MaxUpload {
			err = &http.MaxBytesError{Limit: s.opts.MaxUpload}
		}
		if err != nil {
			os.Remove(tmp.Name())
			return err
		}
		up.path, up.name, up.size, up.sum = tmp.Name(), filepath.Base(name), n, hex.EncodeToString(h.Sum(nil))
		return nil
	}
	if r.MultipartForm != nil { // parsed by the CSRF check of a session
		defer r.MultipartForm.RemoveAll()
		up.values = url.Values(r.MultipartForm.Value)
		fhs := r.MultipartForm.File["file"]
		if len(fhs) == 0 {
			return up, missing
		}
		f, err := fhs[0].Open()
		if err != nil {
			return up, err
		}
		defer f.Close()
		return up, save(fhs[0].Filename, f)
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxUpload+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return up, missing
	}
	up.values = url.Values{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return up, err
		}
		if err != nil {
			return up, missing
		}
		if err := s.readPart(part, &up, save); err != nil {
			if up.path != "" {
				os.Remove(up.path)
			}
			return up, err
		}
	}
	if up.path == "" {
		return up, missing
	}
	return up, nil
}

// readPart reads one part of the form: the file, or a short field.
func (s *Server) readPart(part *multipart.Part, up *upload, save func(string, io.Reader) error) error {
	defer part.Close()
	if part.FormName() == "file" && part.FileName() != "" && up.path == "" {
		return save(part.FileName(), part)
	}
	b, err := io.ReadAll(io.LimitReader(part, 1<<10))
	if err != nil {
		return err
	}
	if !cleanText(string(b)) || !cleanText(part.FormName()) {
		return fault.InvalidField(strings.ToValidUTF8(part.FormName(), "?"), "error.bad_text")
	}
	up.values.Add(part.FormName(), string(b))
	return nil
}

// formValue is a field of the form, or else a query parameter.
func formValue(form url.Values, r *http.Request, name string) string {
	if v, ok := form[name]; ok && len(v) > 0 {
		return v[0]
	}
	return r.URL.Query().Get(name)
}

// formFlag reads an optional yes/no field or parameter.
func formFlag(form url.Values, r *http.Request, name string, c *fault.Check) bool {
	switch v := formValue(form, r, name); v {
	case "", "0", "false", "off":
		return false
	case "1", "true", "on":
		return true
	default:
		c.Add(name, "error.option", "value", v)
		return false
	}
}

// importJobJSON is an import job as the API answers it.
type importJobJSON struct {
	*register.ImportJob
	Error     string         `json:"error,omitempty"`
	Detail    string         `json:"detail,omitempty"`
	Problems  []sheetProblem `json:"problems"`
	Annotated string         `json:"annotated,omitempty"`
}

func (s *Server) importJobJSON(r *http.Request, j *register.ImportJob) importJobJSON {
	lang := reqOf(r).lang
	out := importJobJSON{ImportJob: j, Problems: make([]sheetProblem, 0, len(j.Problems))}
	for _, p := range j.Problems {
		msg := s.msgs.T(lang, p.Key, p.Args)
		if p.Header != "" {
			msg = p.Header + sep(lang) + msg
		}
		out.Problems = append(out.Problems, sheetProblem{Sheet: p.Sheet, Row: p.Row, Column: p.Column, Header: p.Header,
			Value: p.Value, Key: p.Key, Message: msg})
	}
	switch {
	case j.ErrorKey != "":
		out.Error = s.msgs.T(lang, j.ErrorKey, nil)
	case j.Status == register.JobRefused:
		out.Detail = s.msgs.T(lang, "sheet.import.refused", map[string]any{"count": len(j.Problems)})
	}
	if j.Annotated != 0 {
		out.Annotated = "/api/v1/imports/" + idString(j.ID) + "/annotated"
	}
	return out
}

// importJobFor returns a job its owner or an administrator over its
// units may follow; anyone else is told it does not exist.
func (s *Server) importJobFor(r *http.Request) (*register.ImportJob, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	j, err := s.app.Registers.ImportJob(r.Context(), id)
	if err != nil {
		return nil, err
	}
	p := principal(r)
	if j.OwnerID != 0 && j.OwnerID == p.UserID {
		return j, nil
	}
	if isRootAdmin(p) || (j.UnitPath != "" && p.HasRoleAt(auth.RoleAdmin, j.UnitPath)) {
		return j, nil
	}
	return nil, fault.NotFound("import", id)
}

// apiImportJob answers an import job: its progress, and once it has ended
// its counts or every problem with its cell and a localised message.
func (s *Server) apiImportJob(w http.ResponseWriter, r *http.Request) error {
	j, err := s.importJobFor(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.importJobJSON(r, j))
}

// apiImportAnnotated answers the copy of a refused workbook with the
// cells at fault filled red and commented.
func (s *Server) apiImportAnnotated(w http.ResponseWriter, r *http.Request) error {
	j, err := s.importJobFor(r)
	if err != nil {
		return err
	}
	f, rc, err := s.app.Registers.AnnotatedFile(r.Context(), j)
	if err != nil {
		return err
	}
	defer rc.Close()
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", attachment("import-"+idString(j.ID)+"-problems.xlsx", f.Name))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.FormatInt(f.Size, 10))
	_, err = io.Copy(w, rc)
	return err
}
