package web

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"kexie/internal/dataset"
	"kexie/internal/fault"
	"kexie/internal/period"
)

// entryCell is one input of the entry form.
type entryCell struct {
	ID, Name, Label    string // Label: the category, "" for a metric without
	AriaLabel          string // the metric's label, for an input without its own
	Value, Error       string
	InputMode, Hint    string
	Required, Disabled bool
}

// entryItem is a metric of the form with its inputs.
type entryItem struct {
	Code, Label, Measure, Help string
	Required                   bool
	Cells                      []entryCell
}

// resultRow is a validation rule's outcome.
type resultRow struct {
	Rule, Message, Status, Severity, Class, Detail string
}

// historyItem is a step of the form's history.
type historyItem struct {
	Action, By, At, Level, Reason string
}

type entryPage struct {
	Base
	Code, Name         string
	Unit, UnitName     string
	Period, PeriodName string
	State, StateLabel  string
	Reason             string
	Window             string // when entry is open, or why not
	WindowOpen         bool
	Editable           bool
	CanSubmit          bool
	CanWithdraw        bool
	Items              []entryItem
	Results            []resultRow
	Problems           []string
	History            []historyItem
	Picker             dsPicker
	StatusHref         string
}

// entryTarget reads the data set, unit and period of an entry page; a
// missing unit or period is the caller's unit and the current period.
func (s *Server) entryTarget(r *http.Request, page string) (*dataset.DataSet, string, period.Period, string, error) {
	d, err := s.app.Datasets.Get(r.Context(), r.PathValue("code"))
	if err != nil {
		return nil, "", period.Period{}, "", err
	}
	unitCode, periodID := formQuery(r)
	if unitCode == "" || periodID == "" {
		if unitCode == "" {
			unitCode = homeUnit(principal(r))
		}
		if periodID == "" {
			if ps := recentPeriods(d, 1); len(ps) > 0 {
				periodID = ps[0].ID
			}
		}
		return d, unitCode, period.Period{}, formURL(page, d.Code, unitCode, periodID), nil
	}
	p, err := d.Period(periodID)
	return d, unitCode, p, "", err
}

// pageDatasetEntry shows a unit's form for a period.
func (s *Server) pageDatasetEntry(w http.ResponseWriter, r *http.Request) error {
	d, unitCode, p, redirect, err := s.entryTarget(r, "entry")
	if err != nil {
		return err
	}
	if redirect != "" {
		http.Redirect(w, r, redirect, http.StatusSeeOther)
		return nil
	}
	f, err := s.app.Datasets.Form(r.Context(), datasetAccess(principal(r)), d.Code, unitCode, p.ID)
	if err != nil {
		return err
	}
	data := s.entryData(r, d, p, f, nil, nil)
	return s.render(w, r, http.StatusOK, "dataset_entry", data)
}

// entryData builds the entry page; posted holds what a refused form
// typed, errs the messages of its cells.
func (s *Server) entryData(r *http.Request, d *dataset.DataSet, p period.Period, f *dataset.Form, posted map[string]string, errs map[string]string) *entryPage {
	b := s.base(r, "dataset.entry.title", "datasets")
	data := &entryPage{Base: b, Code: d.Code, Name: d.Name(b.Lang), Unit: f.Unit, UnitName: localName(b.Lang, f.UnitNameZH, f.UnitNameEN),
		Period: p.ID, PeriodName: b.periodName(p), State: f.State, StateLabel: b.T("dataset.state." + f.State),
		Reason: f.Reason, Editable: f.Editable, WindowOpen: f.Window.Open,
		StatusHref: formURL("status", d.Code, f.Unit, p.ID)}
	data.Title = data.Name + " · " + data.UnitName + " · " + data.PeriodName
	switch {
	case f.Window.Until != "" && f.Window.Open:
		data.Window = b.T("dataset.window.exception", "until", f.Window.Until)
	case f.Window.Open && f.Window.Closes != "":
		data.Window = b.T("dataset.window.open_until", "closes", f.Window.Closes)
	case f.Window.Open:
		data.Window = b.T("dataset.window.open")
	default:
		data.Window = b.T(f.Window.Reason, "opens", f.Window.Opens, "closes", f.Window.Closes)
	}
	for _, a := range f.Actions {
		switch a {
		case string(dataset.ActSubmit):
			data.CanSubmit = true
		case string(dataset.ActWithdraw):
			data.CanWithdraw = true
		}
	}
	for _, it := range d.Metrics {
		item := entryItem{Code: it.Code, Label: it.Name(b.Lang), Measure: it.Unit, Required: it.Required,
			Help: localName(b.Lang, it.DescriptionZH, it.DescriptionEN)}
		mode, hint := "decimal", ""
		switch it.ValueType {
		case "integer":
			mode = "numeric"
		case "percent":
			hint = "%"
		case "money":
			hint = b.T("dataset.entry.yuan")
		}
		for _, cat := range it.Cells() {
			name := cellField(it.Code, cat)
			c := entryCell{ID: "v-" + strings.ReplaceAll(name, ".", "-"), Name: "v." + name, Value: f.Text(it.Code, cat),
				InputMode: mode, Hint: hint, Required: it.Required, Disabled: !f.Editable, Error: errs[name], AriaLabel: item.Label}
			if posted != nil {
				c.Value = posted[c.Name]
			}
			for _, o := range it.Categories {
				if o.Code == cat {
					c.Label = localName(b.Lang, o.NameZH, o.NameEN)
				}
			}
			item.Cells = append(item.Cells, c)
		}
		data.Items = append(data.Items, item)
	}
	data.Results = resultRows(b, f.Results)
	for _, e := range f.History {
		data.History = append(data.History, historyItem{Action: b.TOr("dataset.action."+e.Action, e.Action), By: e.By,
			At: b.When(e.At), Level: e.Level, Reason: e.Reason})
	}
	data.Picker = s.picker(r, b, d, "entry", f.Unit, p)
	return data
}

// cellField names a cell in forms and errors: metric or metric.category.
func cellField(metricCode, cat string) string {
	if cat == "" {
		return metricCode
	}
	return metricCode + "." + cat
}

// resultRows shows the rules' outcomes, failures first.
func resultRows(b Base, rs []dataset.Result) []resultRow {
	var fails, rest []resultRow
	for _, x := range rs {
		row := resultRow{Rule: x.Rule, Message: x.Message(b.Lang), Status: b.T("dataset.result." + x.Status),
			Severity: b.T("dataset.severity." + x.Severity), Class: "result-" + x.Status}
		if x.Status == dataset.ResultFail {
			row.Class += " " + x.Severity
		}
		if x.Left != nil && x.Right != nil {
			row.Detail = numText(*x.Left) + " " + x.Op + " " + numText(*x.Right)
		}
		if x.Status == dataset.ResultFail {
			fails = append(fails, row)
		} else {
			rest = append(rest, row)
		}
	}
	return append(fails, rest...)
}

func numText(f float64) string {
	return strconv.FormatFloat(math.Round(f*1e6)/1e6, 'f', -1, 64)
}

// pageDatasetEntrySave saves the form; "submit" also submits it. A
// refusal shows the form again with what was typed and every message.
func (s *Server) pageDatasetEntrySave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	d, unitCode, p, redirect, err := s.entryTarget(r, "entry")
	if err != nil {
		return err
	}
	if redirect != "" {
		return fault.InvalidField("period", "error.required")
	}
	acc := datasetAccess(principal(r))
	var in []dataset.ValueInput
	posted := map[string]string{}
	for _, it := range d.Metrics {
		for _, cat := range it.Cells() {
			name := "v." + cellField(it.Code, cat)
			vals, ok := r.PostForm[name]
			if !ok {
				continue
			}
			v := strings.TrimSpace(vals[0])
			posted[name] = v
			var value any
			if v != "" {
				value = v
			}
			in = append(in, dataset.ValueInput{Metric: it.Code, Category: cat, Value: value})
		}
	}
	ctx := r.Context()
	_, err = s.app.Datasets.Save(ctx, acc, d.Code, unitCode, p.ID, in)
	notice := "dataset_saved"
	if err == nil && r.PostForm.Get("op") == "submit" {
		posted = nil // saved: show what is stored
		_, err = s.app.Datasets.Act(ctx, acc, d.Code, unitCode, p.ID, dataset.ActSubmit, "")
		notice = "dataset_submitted"
	}
	if err == nil {
		return seeOther(w, r, formURL("entry", d.Code, unitCode, p.ID), notice)
	}
	return s.entryRefused(w, r, d, unitCode, p, err, posted)
}

// entryRefused shows the entry page again with why a save or a step was refused.
func (s *Server) entryRefused(w http.ResponseWriter, r *http.Request, d *dataset.DataSet, unitCode string, p period.Period, cause error, posted map[string]string) error {
	pb := s.problemOf(r, datasetFault{cause, d, s.msgs})
	if len(pb.Errors) == 0 || pb.Status >= 500 || pb.Status == http.StatusNotFound {
		return cause
	}
	f, err := s.app.Datasets.Form(r.Context(), datasetAccess(principal(r)), d.Code, unitCode, p.ID)
	if err != nil {
		return err
	}
	if !f.Editable {
		posted = nil // locked: show what is stored
	}
	errs, problems := s.formProblems(r, d, cause, pb)
	data := s.entryData(r, d, p, f, posted, errs)
	data.Problems = problems
	return s.render(w, r, pb.Status, "dataset_entry", data)
}

// formProblems splits a refusal's messages: those of the form's cells
// (shown beside their inputs) and the others (shown above the form),
// failed rules named by their own messages.
func (s *Server) formProblems(r *http.Request, d *dataset.DataSet, cause error, pb Problem) (map[string]string, []string) {
	lang := reqOf(r).lang
	named := datasetFault{cause, d, s.msgs}
	errs := map[string]string{}
	var problems []string
	for _, e := range pb.Errors {
		text := s.msgs.T(lang, e.Key, argsOf(cause, e.Field))
		label, ok := named.FieldName(e.Field, lang)
		switch {
		case ok && !strings.HasPrefix(e.Field, "rules."):
			errs[e.Field] = text
		case ok:
			problems = append(problems, label+sep(lang)+text)
		default:
			problems = append(problems, e.Message)
		}
	}
	return errs, problems
}

// argsOf returns the arguments of the error of field in err.
func argsOf(err error, field string) map[string]any {
	for _, f := range fault.FieldsOf(err) {
		if f.Field == field {
			return f.Args
		}
	}
	return nil
}
