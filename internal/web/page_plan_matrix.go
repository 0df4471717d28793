package web

import (
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"kexie/internal/auth"
	"kexie/internal/plan"
)

// matrixRow is a unit and its light on each task (empty: no part in it).
type matrixRow struct {
	Unit, Name string
	Cells      []string
	// HTML is the row's cells, written once here: a plan of 200 tasks
	// over 120 units has 24,000 of them, too many to walk in a template.
	HTML template.HTML
}

// matrixCell is the markup of a cell by light; only these fixed strings
// go into HTML.
var matrixCell = map[string]string{
	"":          "<td></td>",
	plan.Green:  `<td><span class="dot light-green"></span></td>`,
	plan.Yellow: `<td><span class="dot light-yellow"></span></td>`,
	plan.Red:    `<td><span class="dot light-red"></span></td>`,
	plan.Done:   `<td><span class="dot light-done"></span></td>`,
}

type planMatrixPage struct {
	Base
	// Lights are the legend: a cell's colour names its light once here
	// rather than in each of tens of thousands of cells.
	Lights []string
	P      plan.Plan
	Tasks  []plan.Task
	Rows   []matrixRow
}

// pagePlanMatrix shows the units × tasks of a plan, each cell coloured by
// the unit's light on the task: the task's own where it leads, the worst
// of its allotments otherwise.
func (s *Server) pagePlanMatrix(w http.ResponseWriter, r *http.Request) error {
	id, err := planPathID(r, "plan")
	if err != nil {
		return err
	}
	p, err := s.app.Plans.Get(r.Context(), planCaller(r), id)
	if err != nil {
		return err
	}
	data := planMatrixPage{Base: s.base(r, "plan.matrix", "plans"), P: p, Lights: []string{plan.Green, plan.Yellow, plan.Red, plan.Done}}
	for _, sec := range p.Sections {
		data.Tasks = append(data.Tasks, sec.Tasks...)
	}
	rows := map[string]*matrixRow{}
	rank := map[string]int{"": 0, plan.Done: 1, plan.Green: 2, plan.Yellow: 3, plan.Red: 4}
	set := func(code, name string, i int, light string) {
		rw := rows[code]
		if rw == nil {
			rw = &matrixRow{Unit: code, Name: name, Cells: make([]string, len(data.Tasks))}
			rows[code] = rw
		}
		if rank[light] > rank[rw.Cells[i]] {
			rw.Cells[i] = light
		}
	}
	for i, t := range data.Tasks {
		set(t.Lead, t.LeadName, i, t.Light)
		for _, g := range t.Targets {
			for _, a := range g.Allotments {
				set(a.Unit, a.UnitName, i, a.Light)
			}
		}
	}
	codes := make([]string, 0, len(rows))
	for c := range rows {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		rw := rows[c]
		var b strings.Builder
		for _, l := range rw.Cells {
			b.WriteString(matrixCell[l])
		}
		rw.HTML = template.HTML(b.String()) // fixed markup only
		data.Rows = append(data.Rows, *rw)
	}
	return s.render(w, r, http.StatusOK, "plan_matrix", data)
}

type planTodoPage struct {
	Base
	Mine, Overdue []taskView
	// Contacts are the units where the caller enters data, with the
	// address where each receives reminders by e-mail.
	Contacts []plan.Contact
	Mail     bool // SMTP is configured
}

// pagePlanTodo is the caller's to-do list: the open tasks its unit leads,
// worst light first, and the overdue tasks of the units below it.
func (s *Server) pagePlanTodo(w http.ResponseWriter, r *http.Request) error {
	td, err := s.app.Plans.Todo(r.Context(), planCaller(r))
	if err != nil {
		return err
	}
	data := planTodoPage{Base: s.base(r, "plan.todo", "plans")}
	for _, t := range td.Mine {
		data.Mine = append(data.Mine, viewTask(t, data.Base, true))
	}
	for _, t := range td.Overdue {
		data.Overdue = append(data.Overdue, viewTask(t, data.Base, true))
	}
	data.Mail = s.app.Plans.Mail != nil
	seen := map[string]bool{}
	for _, g := range principal(r).Grants {
		if g.Role.Allows(auth.PermDataEntry) && g.Unit != "" && !seen[g.Unit] {
			seen[g.Unit] = true
			c, err := s.app.Plans.ContactOf(r.Context(), planCaller(r), g.Unit)
			if err != nil {
				return err
			}
			data.Contacts = append(data.Contacts, c)
		}
	}
	return s.render(w, r, http.StatusOK, "plan_todo", data)
}

// pagePlanRemind sends reminders (催办) for the plan's yellow and red tasks.
func (s *Server) pagePlanRemind(w http.ResponseWriter, r *http.Request) error {
	id, err := planPathID(r, "plan")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	if _, err := s.app.Plans.Remind(r.Context(), planCaller(r), id, plan.Remind{Note: r.PostFormValue("note")}); err != nil {
		return err
	}
	return seeOther(w, r, "/plans/"+strconv.FormatInt(id, 10), "plan_reminded")
}

// pagePlanRemindRule sets the plan's standing reminder rule.
func (s *Server) pagePlanRemindRule(w http.ResponseWriter, r *http.Request) error {
	id, err := planPathID(r, "plan")
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	rule := plan.RemindRule{Lights: r.PostForm["lights"]}
	if v := r.PostFormValue("every_days"); v != "" {
		if rule.EveryDays, err = strconv.Atoi(v); err != nil {
			rule.EveryDays = -1
		}
	}
	if _, err := s.app.Plans.SetRemindRule(r.Context(), planCaller(r), id, rule); err != nil {
		return err
	}
	return seeOther(w, r, "/plans/"+strconv.FormatInt(id, 10), "plan_rule")
}

// pagePlanContact sets where a unit receives reminders by e-mail.
func (s *Server) pagePlanContact(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	if _, err := s.app.Plans.SetContact(r.Context(), planCaller(r), r.PostFormValue("unit"), r.PostFormValue("email")); err != nil {
		return err
	}
	return seeOther(w, r, "/plans/todo", "plan_contact")
}
