package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"kexie/internal/auth"
	"kexie/internal/fault"
	"kexie/internal/unit"
)

// xlsxType is the media type of an XLSX workbook.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// sheetZone names the day in export file names; China keeps one zone
// and no summer time, so a fixed offset needs no time zone database.
var sheetZone = time.FixedZone("CST", 8*3600)

// apiExportUnits answers the units the caller may read that match the
// list filters (every page of them) as an XLSX workbook that
// POST /api/v1/imports/units reads back.
func (s *Server) apiExportUnits(w http.ResponseWriter, r *http.Request) error {
	f, err := unitFilter(r)
	if err != nil {
		return err
	}
	lang := reqOf(r).lang
	day := time.Now().In(sheetZone).Format("20060102")
	name := "units-" + day + ".xlsx"
	local := name
	if lang != "en" {
		local = "组织机构-" + day + ".xlsx"
	}
	out := &lazyHeaders{ResponseWriter: w, header: func(h http.Header) {
		h.Set("Content-Type", xlsxType)
		h.Set("Content-Disposition", attachment(name, local))
		h.Set("Cache-Control", "no-store")
	}}
	err = s.app.Units.Export(r.Context(), principal(r).Scope(auth.PermRead), f, out, lang)
	if err != nil && out.started {
		// The status is sent: all that is left is to log and cut the body short.
		s.log.Error("export cut short", slog.String("request_id", reqOf(r).id), slog.Any("error", err))
		return nil
	}
	return err
}

// importAnswer is the answer to an import that passed.
type importAnswer struct {
	Created   int  `json:"created"`
	Updated   int  `json:"updated"`
	Unchanged int  `json:"unchanged"`
	DryRun    bool `json:"dry_run"`
}

// apiImportUnits imports units from the uploaded file (multipart field
// "file", an XLSX workbook or a CSV file), all or nothing.
//
// A refused import answers 422 with problem details whose "problems" list
// every problem by sheet, row, column and localised message. With
// ?annotate=1 the 422 instead carries a copy of the uploaded workbook
// (Content-Type xlsx) in which each cell at fault is filled red and has a
// comment giving the reason, for the user to correct and upload again.
// When the problems cannot be shown in the file (a CSV upload, a file that
// is no workbook, a problem with the file as a whole) the answer stays JSON.
// ?dry_run=1 checks and counts everything and writes nothing.
func (s *Server) apiImportUnits(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if !p.Can(auth.PermUnitWrite) {
		return fault.ErrForbidden
	}
	c := &fault.Check{}
	dry := queryFlag(r, "dry_run", c)
	annotate := queryFlag(r, "annotate", c)
	if err := c.Err(); err != nil {
		return err
	}
	data, name, err := s.uploaded(w, r, "file")
	if err != nil {
		return err
	}
	res, err := s.app.Units.Import(r.Context(), p.Access(auth.PermUnitWrite), bytes.NewReader(data),
		unit.ImportOptions{DryRun: dry, FileName: name, MaxBytes: s.opts.MaxUpload})
	var refused *unit.ImportProblems
	if errors.As(err, &refused) {
		return s.writeImportProblems(w, r, refused, data, name, annotate)
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, importAnswer{Created: res.Created, Updated: res.Updated, Unchanged: res.Unchanged, DryRun: res.DryRun})
}

// sheetProblem is a problem of an imported file as the API shows it.
type sheetProblem struct {
	Sheet   string `json:"sheet"`
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Header  string `json:"header,omitempty"`
	Value   string `json:"value"`
	Key     string `json:"key"`
	Message string `json:"message"`
}

// importProblem is the problem details of a refused import.
type importProblem struct {
	Problem
	Problems []sheetProblem `json:"problems"`
}

// writeImportProblems answers a refused import: 422 with every problem,
// as JSON or, when asked and possible, as the annotated workbook.
func (s *Server) writeImportProblems(w http.ResponseWriter, r *http.Request, refused *unit.ImportProblems, data []byte, name string, annotate bool) error {
	lang := reqOf(r).lang
	message := func(p unit.Problem) string {
		reason := s.msgs.T(lang, p.Key, p.Args)
		if p.Field == "" {
			return reason
		}
		return s.fieldLabel(lang, p.Field) + sep(lang) + reason
	}
	if annotate {
		var buf bytes.Buffer
		reason := func(p unit.Problem) string { return s.msgs.T(lang, p.Key, p.Args) }
		err := unit.Annotate(data, refused.Problems, reason, &buf)
		switch {
		case err == nil:
			w.Header().Set("Content-Type", xlsxType)
			base := strings.TrimSuffix(name, ".xlsx")
			if base == "" {
				base = "units"
			}
			w.Header().Set("Content-Disposition", attachment("units-problems.xlsx", base+"-problems.xlsx"))
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusUnprocessableEntity)
			_, err = w.Write(buf.Bytes())
			return err
		case !errors.Is(err, unit.ErrNothingToAnnotate):
			s.log.Warn("annotate import", slog.String("request_id", reqOf(r).id), slog.Any("error", err))
		}
	}
	body := importProblem{Problem: s.problemOf(r, refused), Problems: make([]sheetProblem, 0, len(refused.Problems))}
	body.Detail = s.msgs.T(lang, "sheet.import.refused", map[string]any{"count": len(refused.Problems)})
	for _, p := range refused.Problems {
		body.Problems = append(body.Problems, sheetProblem{Sheet: p.Sheet, Row: p.Row, Column: p.Column, Header: p.Header,
			Value: p.Value, Key: p.Key, Message: message(p)})
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusUnprocessableEntity)
	return json.NewEncoder(w).Encode(body)
}

// uploaded returns the file sent in a multipart form field and its name,
// within the upload limit.
func (s *Server) uploaded(w http.ResponseWriter, r *http.Request, field string) ([]byte, string, error) {
	missing := &bodyError{field: field, key: "sheet.file.missing"}
	if r.MultipartForm == nil { // not parsed yet by the CSRF check
		r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxUpload)
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			var maxErr *http.MaxBytesError
			if errors.As(err, &maxErr) {
				return nil, "", maxErr
			}
			return nil, "", missing
		}
	}
	defer r.MultipartForm.RemoveAll()
	f, h, err := r.FormFile(field)
	if err != nil {
		return nil, "", missing
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, s.opts.MaxUpload+1))
	if err != nil {
		return nil, "", err
	}
	if int64(len(data)) > s.opts.MaxUpload {
		return nil, "", &http.MaxBytesError{Limit: s.opts.MaxUpload}
	}
	return data, h.Filename, nil
}

// queryFlag reads an optional yes/no query parameter.
func queryFlag(r *http.Request, name string, c *fault.Check) bool {
	switch v := r.URL.Query().Get(name); v {
	case "", "0", "false":
		return false
	case "1", "true":
		return true
	default:
		c.Add(name, "error.option", "value", v)
		return false
	}
}

// attachment is a Content-Disposition naming a download: an ASCII name
// for old clients and the real (Chinese) name in UTF-8 per RFC 6266.
func attachment(ascii, name string) string {
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + rfc5987(name)
}

// rfc5987 percent-encodes everything but RFC 5987's attr-char.
func rfc5987(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// lazyHeaders sets a download's headers on its first byte, so that an
// error before it still answers as a problem.
type lazyHeaders struct {
	http.ResponseWriter
	header  func(http.Header)
	started bool
}

func (w *lazyHeaders) Write(b []byte) (int, error) {
	if !w.started {
		w.started = true
		w.header(w.ResponseWriter.Header())
	}
	return w.ResponseWriter.Write(b)
}
