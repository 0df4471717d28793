package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"kexie/internal/fault"
	"kexie/internal/figure"
	"kexie/internal/plan"
)

type plansPage struct {
	Base
	Items []plan.Plan
}

// pagePlans lists the plans the caller sees.
func (s *Server) pagePlans(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.app.Plans.List(r.Context(), planCaller(r))
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "plans", plansPage{Base: s.base(r, "plan.title", "plans"), Items: ps})
}

// targetView is a target as the page prints it.
type targetView struct {
	plan.Target
	GoalText, CurrentText, AllottedText string
	Percent                             int
	Allotments                          []allotmentView
	// Folded counts the allotments left to the task page (a list of
	// tasks shows a target's allotments only when they are few).
	Folded int
}

// foldOver is the most allotments a list of tasks shows under a target:
// those the plan's outline reads live.
const foldOver = plan.FewAllotments

type allotmentView struct {
	plan.Allotment
	GoalText, CurrentText, BelowText string
	Percent                          int
}

type taskView struct {
	B Base // the page's, for the messages of the shared partial
	plan.Task
	Percent int
	Targets []targetView
}

type sectionView struct {
	Title string
	Tasks []taskView
}

type planPage struct {
	Base
	CanRemind  bool
	P          plan.Plan
	Sections   []sectionView
	RuleLights []ruleLight
}

type ruleLight struct {
	Light string
	On    bool
}

func pct(p float64) int { return int(p*100 + 0.5) }

// num prints a target's number the Chinese way, in its unit of measure.
func num(v float64, unit, lang string) string {
	return figure.Format(v, unit, 2, false, lang)
}

// viewTask prepares a task for printing; fold leaves a target's many
// allotments to the task page.
func viewTask(t plan.Task, b Base, fold bool) taskView {
	lang := b.Lang
	tv := taskView{B: b, Task: t, Percent: pct(t.Progress)}
	for _, g := range t.Targets {
		u := g.MetricUnit
		if g.Metric == "" {
			u = "%"
		}
		gv := targetView{Target: g, GoalText: num(g.Goal, u, lang), AllottedText: num(g.Allotted, u, lang), Percent: pct(g.Progress)}
		if g.Current != nil {
			gv.CurrentText = num(*g.Current, u, lang)
		}
		if fold && len(g.Allotments) > foldOver {
			gv.Folded = len(g.Allotments)
			tv.Targets = append(tv.Targets, gv)
			continue
		}
		for _, a := range g.Allotments {
			av := allotmentView{Allotment: a, GoalText: num(a.Goal, u, lang), BelowText: num(a.Below, u, lang), Percent: pct(a.Progress)}
			if a.Current != nil {
				av.CurrentText = num(*a.Current, u, lang)
			}
			gv.Allotments = append(gv.Allotments, av)
		}
		tv.Targets = append(tv.Targets, gv)
	}
	return tv
}

// pagePlan shows a plan as the report reads: sections, tasks, targets,
// each with its light and live progress, allotments folded under the
// target with their mismatch.
func (s *Server) pagePlan(w http.ResponseWriter, r *http.Request) error {
	id, err := planPathID(r, "plan")
	if err != nil {
		return err
	}
	p, err := s.app.Plans.Outline(r.Context(), planCaller(r), id)
	if err != nil {
		return err
	}
	data := planPage{Base: s.base(r, "plan.title", "plans"), P: p, CanRemind: s.app.Plans.Supervises(planCaller(r), p)}
	data.Title = p.Title
	for _, l := range []string{plan.Yellow, plan.Red} {
		on := slices.Contains(p.RemindRule.Lights, l) || len(p.RemindRule.Lights) == 0
		data.RuleLights = append(data.RuleLights, ruleLight{l, on})
	}
	for _, sec := range p.Sections {
		sv := sectionView{Title: sec.Title}
		for _, t := range sec.Tasks {
			sv.Tasks = append(sv.Tasks, viewTask(t, data.Base, true))
		}
		data.Sections = append(data.Sections, sv)
	}
	return s.render(w, r, http.StatusOK, "plan", data)
}

type planTaskPage struct {
	Base
	Task    taskView
	Actions []string
	Form    formState
	// OpenMilestones are offered when the caller may report one reached.
	OpenMilestones []plan.Milestone
	// Evidence says the caller may attach files (a report or completion).
	Evidence  bool
	MaxUpload string
	// Review says the caller accepts or returns the task's pending
	// progress reports (the plan owner, a task with a qualitative target).
	Review bool
}

// Size prints a file's size for people.
func (p planTaskPage) Size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// pagePlanTask shows a task: targets, allotments, history, and the steps
// the caller may take.
func (s *Server) pagePlanTask(w http.ResponseWriter, r *http.Request) error {
	return s.showPlanTask(w, r, http.StatusOK, newForm())
}

func (s *Server) showPlanTask(w http.ResponseWriter, r *http.Request, status int, f formState) error {
	id, err := planPathID(r, "task")
	if err != nil {
		return err
	}
	c := planCaller(r)
	t, err := s.app.Plans.Task(r.Context(), c, id)
	if err != nil {
		return err
	}
	data := planTaskPage{Base: s.base(r, "plan.title", "plans"), Form: f}
	data.Title = t.Title
	data.Task = viewTask(t, data.Base, false)
	data.Actions = s.app.Plans.Allowed(r.Context(), c, t)
	for _, a := range data.Actions {
		switch a {
		case plan.Reach:
			for _, m := range t.Milestones {
				if m.Done == "" {
					data.OpenMilestones = append(data.OpenMilestones, m)
				}
			}
			data.Evidence = true
		case plan.Report, plan.Complete:
			data.Evidence = true
		}
	}
	data.MaxUpload = data.Size(s.opts.MaxUpload)
	data.Review = t.Reviewable() && s.app.Plans.SupervisesTask(r.Context(), c, t)
	return s.render(w, r, status, "plan_task", data)
}

// pagePlanReview accepts or returns a progress report from the task page.
func (s *Server) pagePlanReview(w http.ResponseWriter, r *http.Request) error {
	id, err := planPathID(r, "task")
	if err != nil {
		return err
	}
	report, err := strconv.ParseInt(r.PathValue("report"), 10, 64)
	if err != nil || report <= 0 {
		return fault.NotFound("report", r.PathValue("report"))
	}
	if err := parseForm(r); err != nil {
		return err
	}
	in := plan.Review{Decision: r.PostFormValue("decision"), Note: r.PostFormValue("note")}
	if _, err := s.app.Plans.ReviewReport(r.Context(), planCaller(r), id, report, in); err != nil {
		f := formState{}
		if status, ok := s.refuse(r, err, &f); ok {
			return s.showPlanTask(w, r, status, f)
		}
		return err
	}
	return seeOther(w, r, "/plan-tasks/"+strconv.FormatInt(id, 10), "plan_review")
}

func (s *Server) pagePlanTaskStep(w http.ResponseWriter, r *http.Request) error {
	id, err := planPathID(r, "task")
	if err != nil {
		return err
	}
	st, files, err := readStepForm(r)
	if err != nil {
		return err
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	if _, err := s.takeStep(r.Context(), planCaller(r), id, st, files); err != nil {
		f := formState{}
		if status, ok := s.refuse(r, err, &f, "note", "percent", "evidence", "milestone"); ok {
			return s.showPlanTask(w, r, status, f)
		}
		return err
	}
	return seeOther(w, r, "/plan-tasks/"+strconv.FormatInt(id, 10), "plan_step")
}
