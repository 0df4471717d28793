package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"kexie/internal/auth"
	"kexie/internal/fault"
	"kexie/internal/plan"
)

// planCaller is the caller as the plan service knows it: it reads its
// read scope, reports on tasks where it enters data, and supervises
// (creates plans, closes and returns tasks) where it inspects.
func planCaller(r *http.Request) plan.Caller {
	p := principal(r)
	return plan.Caller{UserID: p.UserID, Read: p.Scope(auth.PermRead), Report: p.Scope(auth.PermDataEntry), Supervise: p.Scope(auth.PermInspect)}
}

func planPathID(r *http.Request, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fault.NotFound(what, r.PathValue("id"))
	}
	return id, nil
}

func (s *Server) apiListPlans(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.app.Plans.List(r.Context(), planCaller(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": ps})
}

func (s *Server) apiCreatePlan(w http.ResponseWriter, r *http.Request) error {
	var in plan.Spec
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	c := planCaller(r)
	id, err := s.app.Plans.Create(r.Context(), c, in)
	if err != nil {
		return err
	}
	p, err := s.app.Plans.Get(r.Context(), c, id)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/plans/"+strconv.FormatInt(id, 10))
	return writeJSON(w, http.StatusCreated, p)
}

func (s *Server) apiGetPlan(w http.ResponseWriter, r *http.Request) error {
	id, err := planPathID(r, "plan")
	if err != nil {
		return err
	}
	p, err := s.app.Plans.Get(r.Context(), planCaller(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

func (s *Server) apiGetPlanTask(w http.ResponseWriter, r *http.Request) error {
	id, err := planPathID(r, "task")
	if err != nil {
		return err
	}
	t, err := s.app.Plans.Task(r.Context(), planCaller(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

func (s *Server) apiPlanTaskStep(w http.ResponseWriter, r *http.Request) error {
	id, err := planPathID(r, "task")
	if err != nil {
		return err
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		// a step with its evidence in one request
		r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxUpload+1<<20)
		st, files, err := readStepForm(r)
		if err != nil {
			return err
		}
		if r.MultipartForm != nil {
			defer r.MultipartForm.RemoveAll()
		}
		t, err := s.takeStep(r.Context(), planCaller(r), id, st, files)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, t)
	}
	var in plan.Step
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	t, err := s.app.Plans.Act(r.Context(), planCaller(r), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

func (s *Server) apiPlanTodo(w http.ResponseWriter, r *http.Request) error {
	td, err := s.app.Plans.Todo(r.Context(), planCaller(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, td)
}

func (s *Server) apiPlanRemind(w http.ResponseWriter, r *http.Request) error {
	id, err := planPathID(r, "plan")
	if err != nil {
		return err
	}
	var in plan.Remind
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	n, err := s.app.Plans.Remind(r.Context(), planCaller(r), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"sent": n})
}

func (s *Server) apiExportPlan(w http.ResponseWriter, r *http.Request) error {
	id, err := planPathID(r, "plan")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := s.app.Plans.Export(r.Context(), planCaller(r), id, &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="plan-%d.xlsx"`, id))
	_, err = w.Write(buf.Bytes())
	return err
}

// apiImportPlan creates a plan from an uploaded sheet (field "file"),
// with its title, period and unit in the query parameters of those names.
func (s *Server) apiImportPlan(w http.ResponseWriter, r *http.Request) error {
	data, name, err := s.uploaded(w, r, "file")
	if err != nil {
		return err
	}
	c := planCaller(r)
	id, err := s.app.Plans.Import(r.Context(), c, r.URL.Query().Get("title"), r.URL.Query().Get("period"), r.URL.Query().Get("unit"), data, name)
	if err != nil {
		return err
	}
	p, err := s.app.Plans.Get(r.Context(), c, id)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/plans/"+strconv.FormatInt(id, 10))
	return writeJSON(w, http.StatusCreated, p)
}

// apiPlanRemindRule sets a plan's standing reminder rule.
func (s *Server) apiPlanRemindRule(w http.ResponseWriter, r *http.Request) error {
	id, err := planPathID(r, "plan")
	if err != nil {
		return err
	}
	var in plan.RemindRule
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	out, err := s.app.Plans.SetRemindRule(r.Context(), planCaller(r), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiGetPlanContact(w http.ResponseWriter, r *http.Request) error {
	c, err := s.app.Plans.ContactOf(r.Context(), planCaller(r), r.PathValue("code"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

// apiSetPlanContact sets where a unit receives reminders by e-mail.
func (s *Server) apiSetPlanContact(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email string `json:"email"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	c, err := s.app.Plans.SetContact(r.Context(), planCaller(r), r.PathValue("code"), in.Email)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

// apiReviewPlanReport accepts or returns a progress report of a task.
func (s *Server) apiReviewPlanReport(w http.ResponseWriter, r *http.Request) error {
	id, err := planPathID(r, "task")
	if err != nil {
		return err
	}
	report, err := strconv.ParseInt(r.PathValue("report"), 10, 64)
	if err != nil || report <= 0 {
		return fault.NotFound("report", r.PathValue("report"))
	}
	var in plan.Review
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	t, err := s.app.Plans.ReviewReport(r.Context(), planCaller(r), id, report, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}
