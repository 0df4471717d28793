package web

import (
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"kexie/internal/fault"
	"kexie/internal/plan"
	"kexie/internal/register"
)

// readStepForm reads a step posted as a form, urlencoded or multipart,
// with the evidence files it carries (field "evidence", any number).
func readStepForm(r *http.Request) (plan.Step, []*multipart.FileHeader, error) {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if r.MultipartForm == nil {
			if err := r.ParseMultipartForm(8 << 20); err != nil {
				var maxErr *http.MaxBytesError
				if errors.As(err, &maxErr) {
					return plan.Step{}, nil, err
				}
				return plan.Step{}, nil, &bodyError{key: "error.query"}
			}
		}
	} else if err := parseForm(r); err != nil {
		return plan.Step{}, nil, err
	}
	st := plan.Step{Action: r.FormValue("action"), Note: r.FormValue("note")}
	if v := r.FormValue("percent"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			n = -1
		}
		st.Percent = &n
	}
	if v := r.FormValue("milestone"); v != "" {
		st.Milestone, _ = strconv.ParseInt(v, 10, 64)
	}
	var files []*multipart.FileHeader
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["evidence"] {
			if fh.Filename == "" && fh.Size == 0 {
				continue // an untouched file input
			}
			files = append(files, fh)
		}
	}
	return st, files, nil
}

// takeStep takes a step with the evidence uploaded beside it, in one
// transaction: the step is checked first, so a refused step stores no
// file; a refused file (too large, of a refused kind, not what its name
// says) answers under "evidence" and nothing is written.
func (s *Server) takeStep(ctx context.Context, c plan.Caller, id int64, st plan.Step, files []*multipart.FileHeader) (plan.Task, error) {
	if len(files) == 0 {
		return s.app.Plans.Act(ctx, c, id, st)
	}
	if len(files) > plan.MaxEvidence {
		return plan.Task{}, fault.InvalidField("evidence", "error.too_many", "max", plan.MaxEvidence)
	}
	check := st
	if _, err := s.app.Plans.Check(ctx, c, id, &check); err != nil {
		return plan.Task{}, err
	}
	var t plan.Task
	err := s.app.DB.WithTx(ctx, func(ctx context.Context) error {
		for _, fh := range files {
			if fh.Size > s.opts.MaxUpload {
				return register.TooLarge("evidence", s.opts.MaxUpload)
			}
			saved, err := s.saveUpload(ctx, fh, s.opts.MaxUpload)
			if err != nil {
				if fields := fault.FieldsOf(err); len(fields) > 0 {
					return fault.InvalidField("evidence", fields[0].Key, flattenArgs(fields[0].Args)...)
				}
				return err
			}
			n, _ := strconv.ParseInt(saved, 10, 64)
			st.Files = append(st.Files, n)
		}
		var err error
		t, err = s.app.Plans.Act(ctx, c, id, st)
		return err
	})
	return t, err
}

// planEvidence sends a file attached to a step of a task the caller
// sees; any other file is not found.
func (s *Server) planEvidence(w http.ResponseWriter, r *http.Request) error {
	id, err := planPathID(r, "task")
	if err != nil {
		return err
	}
	fid, err := strconv.ParseInt(r.PathValue("file"), 10, 64)
	if err != nil || fid <= 0 {
		return fault.NotFound("file", r.PathValue("file"))
	}
	if err := s.app.Plans.EvidenceFile(r.Context(), planCaller(r), id, fid); err != nil {
		return err
	}
	f, err := s.app.Files.Get(r.Context(), fid)
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
