package web

import (
	"net/http"
	"slices"
	"strconv"

	"kexie/internal/dataset"
	"kexie/internal/figure"
	"kexie/internal/period"
)

// statusRow is a reporting unit in the status table.
type statusRow struct {
	Unit, Name, State, StateLabel string
	Depth                         int // below the page's unit
	Submitted, Level, Next        string
	Reason, EntryHref             string
	Late                          bool
	CanApprove, CanReturn         bool
	CanWithdraw                   bool
}

// childRow sums the units below one child of the page's unit.
type childRow struct {
	Unit, Name, Href           string
	Total, Submitted, Accepted int
	Percent                    int
}

// figureRow is an entered metric's figure for the page's unit and period.
type figureRow struct {
	Code, Label, Value string
}

type statusPage struct {
	Base
	Code, Name                       string
	Unit, UnitName                   string
	Period, PeriodName               string
	Total, Submitted, Accepted, Late int
	Percent                          int
	Children                         []childRow
	Rows                             []statusRow
	Figures                          []figureRow
	CanRemind                        bool
	Reminded                         int // units just reminded
	Problems                         []string
	Picker                           dsPicker
}

func percent(part, total int) int {
	if total == 0 {
		return 0
	}
	return part * 100 / total
}

// pageDatasetStatus shows, for a unit and a period, the state of every
// reporting unit below it, with the steps the caller may take.
func (s *Server) pageDatasetStatus(w http.ResponseWriter, r *http.Request) error {
	d, unitCode, p, redirect, err := s.entryTarget(r, "status")
	if err != nil {
		return err
	}
	if redirect != "" {
		http.Redirect(w, r, redirect, http.StatusSeeOther)
		return nil
	}
	data, err := s.statusData(r, d, unitCode, p)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "dataset_status", data)
}

func (s *Server) statusData(r *http.Request, d *dataset.DataSet, unitCode string, p period.Period) (*statusPage, error) {
	ctx := r.Context()
	acc := datasetAccess(principal(r))
	c, err := s.app.Datasets.Completeness(ctx, acc, d.Code, unitCode, p.ID)
	if err != nil {
		return nil, err
	}
	b := s.base(r, "dataset.status.title", "datasets")
	u, err := s.app.Units.Get(ctx, acc.Read, c.Unit)
	if err != nil {
		return nil, err
	}
	data := &statusPage{Base: b, Code: d.Code, Name: d.Name(b.Lang), Unit: u.Code, UnitName: u.Name(b.Lang),
		Period: p.ID, PeriodName: b.periodName(p), Total: c.Total, Submitted: c.Submitted, Accepted: c.Accepted, Late: c.Late,
		Percent: percent(c.Submitted, c.Total), CanRemind: acc.CanRemind(u.Path) && c.Late > 0}
	data.Title = data.Name + " · " + data.UnitName + " · " + data.PeriodName
	if n, err := strconv.Atoi(r.URL.Query().Get("reminded")); err == nil && n >= 0 && b.Notice() != "" {
		data.Reminded = n
	}
	// a child with one reporting unit is its own row below: summing it says nothing
	grouped := slices.ContainsFunc(c.Children, func(ch dataset.Summary) bool { return ch.Total > 1 })
	for _, ch := range c.Children {
		if !grouped {
			break
		}
		data.Children = append(data.Children, childRow{Unit: ch.Unit, Name: localName(b.Lang, ch.NameZH, ch.NameEN),
			Href: formURL("status", d.Code, ch.Unit, p.ID), Total: ch.Total, Submitted: ch.Submitted, Accepted: ch.Accepted,
			Percent: percent(ch.Submitted, ch.Total)})
	}
	for _, st := range c.Units {
		row := statusRow{Unit: st.Unit, Name: localName(b.Lang, st.NameZH, st.NameEN), State: st.State,
			StateLabel: b.T("dataset.state." + st.State), Depth: min(st.Depth-u.Depth, 4), Level: st.Level, Next: st.NextApprover,
			Reason: st.Reason, EntryHref: formURL("entry", d.Code, st.Unit, p.ID), Late: st.Late}
		if st.SubmittedAt != nil {
			row.Submitted = b.When(*st.SubmittedAt) + " " + st.SubmittedBy
		}
		acts := st.Actions(acc)
		row.CanApprove = slices.Contains(acts, string(dataset.ActApprove))
		row.CanReturn = slices.Contains(acts, string(dataset.ActReturn))
		row.CanWithdraw = slices.Contains(acts, string(dataset.ActWithdraw))
		data.Rows = append(data.Rows, row)
	}
	for _, it := range d.Metrics {
		v, err := s.app.Metrics.Value(ctx, acc.Read, it.Code, u.Code, p.ID)
		if err != nil {
			return nil, err
		}
		data.Figures = append(data.Figures, figureRow{Code: it.Code, Label: it.Name(b.Lang),
			Value: figure.Ptr(v.Value, it.Unit, decimalsOf(it), it.ValueType == "percent", b.Lang)})
	}
	data.Picker = s.picker(r, b, d, "status", u.Code, p)
	return data, nil
}

func decimalsOf(it dataset.Item) int {
	switch it.ValueType {
	case "integer":
		return 0
	case "decimal":
		if it.Scale > 0 {
			return it.Scale
		}
	}
	return 2
}

// pageDatasetAct takes a step of a form's approval from the status page
// or the entry page, and goes back there.
func (s *Server) pageDatasetAct(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	d, err := s.app.Datasets.Get(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	f := r.PostForm
	unitCode, periodID, action := f.Get("unit"), f.Get("period"), dataset.Action(f.Get("action"))
	back, at := f.Get("back"), f.Get("at")
	if at == "" {
		at = unitCode
	}
	_, err = s.app.Datasets.Act(r.Context(), datasetAccess(principal(r)), d.Code, unitCode, periodID, action, f.Get("reason"))
	if err == nil {
		if back == "entry" {
			return seeOther(w, r, formURL("entry", d.Code, unitCode, periodID), "dataset_"+string(action))
		}
		return seeOther(w, r, formURL("status", d.Code, at, periodID), "dataset_"+string(action))
	}
	p, perr := d.Period(periodID)
	if perr != nil {
		return perr
	}
	if back == "entry" {
		return s.entryRefused(w, r, d, unitCode, p, err, nil)
	}
	return s.statusRefused(w, r, d, at, p, err)
}

// statusRefused shows the status page again with why a step was refused.
func (s *Server) statusRefused(w http.ResponseWriter, r *http.Request, d *dataset.DataSet, unitCode string, p period.Period, cause error) error {
	pb := s.problemOf(r, datasetFault{cause, d, s.msgs})
	if len(pb.Errors) == 0 || pb.Status >= 500 || pb.Status == http.StatusNotFound {
		return cause
	}
	data, err := s.statusData(r, d, unitCode, p)
	if err != nil {
		return err
	}
	errs, problems := s.formProblems(r, d, cause, pb)
	for _, m := range errs {
		problems = append(problems, m)
	}
	data.Problems = problems
	return s.render(w, r, pb.Status, "dataset_status", data)
}

// pageDatasetRemind sends reminders to the late units below a unit.
func (s *Server) pageDatasetRemind(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	d, err := s.app.Datasets.Get(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	f := r.PostForm
	units, err := s.app.Datasets.Remind(r.Context(), datasetAccess(principal(r)), d.Code, f.Get("unit"), f.Get("period"), f.Get("note"))
	if err == nil {
		return seeOther(w, r, formURL("status", d.Code, f.Get("unit"), f.Get("period"))+"&reminded="+strconv.Itoa(len(units)), "dataset_reminded")
	}
	p, perr := d.Period(f.Get("period"))
	if perr != nil {
		return perr
	}
	return s.statusRefused(w, r, d, f.Get("unit"), p, err)
}
