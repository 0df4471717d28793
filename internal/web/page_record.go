package web

import (
	"fmt"
	"net/http"
	"strconv"

	"kexie/internal/audit"
	"kexie/internal/auth"
	"kexie/internal/fault"
	"kexie/internal/register"
)

// historyLimit is how many audit entries the record page shows.
const historyLimit = 100

type recordPage struct {
	Base
	Code, RegName string
	Rec           *register.Record
	Heading       string
	Unit          cell
	Facts         []recordFact
	StatusLabel   string
	Workflow      []string // the transitions the caller may make now, other than return
	CanReturn     bool
	CanDelete     bool
	CanReveal     bool
	Edit          *recordForm // nil when the caller may not enter this record
	Return        formState
	Problems      []string // a refused workflow step or deletion
	History       []historyRow
}

// URL is the record's page.
func (d *recordPage) URL() string { return recordURL(d.Code, d.Rec.ID) }

// recordFact is a field of the record with its value.
type recordFact struct {
	Code, Label string
	Cell        cell
	Computed    bool
	Revealed    string // the clear value, after a reveal without scripts
}

// recordOf reads a record the caller may see; anything else is not found.
func (s *Server) recordOf(r *http.Request) (*register.Register, *register.Record, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, nil, fmt.Errorf("record %q: %w", r.PathValue("id"), errNoRoute)
	}
	return s.app.Registers.GetRecord(r.Context(), principal(r).Scope(auth.PermRead), r.PathValue("code"), id)
}

// recordPageData builds the record page: its facts, the workflow the
// caller may use, the edit form and the history.
func (s *Server) recordPageData(r *http.Request) (*recordPage, error) {
	reg, rec, err := s.recordOf(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	p := principal(r)
	acc := recordAccess(p)
	d := &recordPage{Base: s.base(r, "record.title", "registers"), Code: reg.Code, Rec: rec, Return: newForm()}
	sc := reg.Schema
	d.RegName = localName(d.Lang, sc.NameZH, sc.NameEN)
	d.StatusLabel = d.T("record.status." + rec.Status)
	names := &unitNamer{s: s, p: p, lang: d.Lang}
	name, err := names.name(ctx, rec.Unit)
	if err != nil {
		return nil, err
	}
	d.Unit = cell{Text: name, Title: rec.Unit, Href: unitURL(rec.Unit)}
	for _, f := range sc.Fields {
		c, err := s.cellOf(ctx, d.Base, names, f, rec.Values[f.Code], true)
		if err != nil {
			return nil, err
		}
		d.Facts = append(d.Facts, recordFact{Code: f.Code, Label: f.Name(d.Lang), Cell: c, Computed: !editable(f)})
		if d.Heading == "" && f.Type == register.TypeText && !f.Sensitive && c.Text != "" {
			d.Heading = c.Text
		}
	}
	if d.Heading == "" {
		d.Heading = "#" + idString(rec.ID)
	}
	d.Title = d.Heading + " · " + d.RegName
	canEnter, canApprove := acc.Enter.Contains(rec.UnitPath), acc.Approve.Contains(rec.UnitPath)
	open := rec.Status == register.StatusDraft || rec.Status == register.StatusReturned
	switch {
	case canEnter && open:
		d.Workflow = append(d.Workflow, string(register.Submit))
	case canApprove && rec.Status == register.StatusSubmitted:
		d.Workflow = append(d.Workflow, string(register.Approve))
		d.CanReturn = true
	case canApprove && rec.Status == register.StatusApproved:
		d.Workflow = append(d.Workflow, string(register.Withdraw))
	}
	d.CanDelete = canEnter && open
	d.CanReveal = canEnter || canApprove
	if canEnter {
		form, err := s.recordFormFor(r, d.Base, reg, storedInput(reg, rec.Values), nil, true)
		if err != nil {
			return nil, err
		}
		form.ID, form.Action, form.Version = "edit-form", recordURL(reg.Code, rec.ID)+"/edit", rec.Version
		form.Submit = d.T("common.save")
		if !open {
			form.Locked = d.T("record.locked." + rec.Status)
		}
		d.Edit = &form
	}
	entries, err := s.app.Audit.List(ctx, recordHistoryScope(p), audit.Filter{Entity: "record:" + reg.Code,
		EntityID: idString(rec.ID), Limit: historyLimit})
	if err != nil {
		return nil, err
	}
	d.History = historyOf(d.Base, reg, entries)
	return d, nil
}

// pageRecord shows one record.
func (s *Server) pageRecord(w http.ResponseWriter, r *http.Request) error {
	d, err := s.recordPageData(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "record", d)
}

// pageRecordEdit saves the edit form; a refusal shows the page again
// with every message beside its field and what was typed.
func (s *Server) pageRecordEdit(w http.ResponseWriter, r *http.Request) error {
	if err := readRecordForm(r); err != nil {
		return err
	}
	reg, rec, err := s.recordOf(r)
	if err != nil {
		return err
	}
	b := s.base(r, "record.title", "registers")
	uploaded, err := s.saveUploads(r, reg)
	if err == nil {
		patch := register.Patch{Values: submittedValues(reg, r.PostForm, uploaded, true)}
		if v, verr := strconv.Atoi(r.PostForm.Get("version")); verr == nil {
			patch.Version = &v
		}
		err = dropEmptyRefs(reg, patch.Values, rec.Values)
		if err == nil {
			_, err = s.app.Registers.Update(r.Context(), recordAccess(principal(r)), reg.Code, rec.ID, patch)
		}
	}
	if err == nil {
		return seeOther(w, r, recordURL(reg.Code, rec.ID), "record_saved")
	}
	rf, ok := s.refusalOf(b, reg, err)
	if !ok {
		return err
	}
	d, derr := s.recordPageData(r)
	if derr != nil {
		return derr
	}
	if d.Edit == nil {
		return err
	}
	form, ferr := s.recordFormFor(r, d.Base, reg, postedInput(reg, r.PostForm, uploaded), rf.errs, true)
	if ferr != nil {
		return ferr
	}
	form.ID, form.Action, form.Version, form.Submit, form.Locked = d.Edit.ID, d.Edit.Action, d.Edit.Version, d.Edit.Submit, d.Edit.Locked
	if v, verr := strconv.Atoi(r.PostForm.Get("version")); verr == nil {
		form.Version = v
	}
	form.Problems = rf.problems
	d.Edit = &form
	return s.render(w, r, rf.status, "record", d)
}

// pageRecordStatus moves a record through the workflow.
func (s *Server) pageRecordStatus(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	reg, rec, err := s.recordOf(r)
	if err != nil {
		return err
	}
	action := r.PostForm.Get("action")
	_, err = s.app.Registers.SetStatus(r.Context(), recordAccess(principal(r)), reg.Code, rec.ID, register.Transition(action), r.PostForm.Get("reason"))
	if err == nil {
		return seeOther(w, r, recordURL(reg.Code, rec.ID), "record_"+action)
	}
	return s.recordRefused(w, r, reg, err)
}

// recordRefused shows the record page again with why a workflow step or
// a deletion was refused.
func (s *Server) recordRefused(w http.ResponseWriter, r *http.Request, reg *register.Register, cause error) error {
	d, err := s.recordPageData(r)
	if err != nil {
		return err
	}
	rf, ok := s.refusalOf(d.Base, reg, cause)
	if !ok {
		return cause
	}
	if msg, has := rf.errs["reason"]; has && d.CanReturn {
		d.Return.Open = true
		d.Return.errs["reason"] = msg
		d.Return.values.Set("reason", r.PostForm.Get("reason"))
	} else {
		d.Problems = rf.problems
	}
	return s.render(w, r, rf.status, "record", d)
}

// pageRecordDelete deletes a record after its confirmation.
func (s *Server) pageRecordDelete(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	reg, rec, err := s.recordOf(r)
	if err != nil {
		return err
	}
	if err := s.app.Registers.Delete(r.Context(), recordAccess(principal(r)), reg.Code, rec.ID); err != nil {
		return s.recordRefused(w, r, reg, err)
	}
	return seeOther(w, r, registerURL(reg.Code), "record_deleted")
}

// pageRecordReveal shows one sensitive value in clear and audits it:
// htmx swaps the value in; without scripts the page comes back with it.
func (s *Server) pageRecordReveal(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	reg, rec, err := s.recordOf(r)
	if err != nil {
		return err
	}
	code := r.PostForm.Get("field")
	v, err := s.app.Registers.Reveal(r.Context(), recordAccess(principal(r)), reg.Code, rec.ID, code)
	if err != nil {
		return err
	}
	b := s.base(r, "record.title", "registers")
	f, _ := reg.Schema.Field(code)
	shown := fmt.Sprint(v)
	if parsed, perr := f.FromJSON(v); perr == nil && parsed != nil {
		shown = f.Format(parsed, b.Lang)
	}
	if isHTMX(r) {
		return s.renderFragment(w, "record", "record-revealed", revealedValue{Base: b, Code: code, Value: shown})
	}
	d, err := s.recordPageData(r)
	if err != nil {
		return err
	}
	for i := range d.Facts {
		if d.Facts[i].Code == code {
			d.Facts[i].Revealed = shown
		}
	}
	return s.render(w, r, http.StatusOK, "record", d)
}

// revealedValue is a sensitive value in clear, for htmx to swap in.
type revealedValue struct {
	Base
	Code, Value string
}

type recordNewPage struct {
	Base
	Code, RegName string
	Form          recordForm
}

// recordFormFor builds a record's form over reg showing in, with the
// datalists its unit inputs need.
func (s *Server) recordFormFor(r *http.Request, b Base, reg *register.Register, in formInput, errs map[string]string, edit bool) (recordForm, error) {
	form := recordForm{Base: b}
	fields, err := s.buildForm(r.Context(), b, reg, in, errs, edit)
	if err != nil {
		return form, err
	}
	form.Fields = fields
	for _, f := range reg.Schema.Fields {
		switch {
		case f.Type == register.TypeAttachment && editable(f):
			form.Multipart = true
		case f.Type == register.TypeUnit && editable(f) && form.ReadList == nil:
			if form.ReadList, err = s.unitChoices(r.Context(), b.Lang, principal(r).Scope(auth.PermRead), nil, 300); err != nil {
				return form, err
			}
		}
	}
	return form, nil
}

// newRecordData is the new-record page showing in, with errs.
func (s *Server) newRecordData(r *http.Request, reg *register.Register, in formInput, unitCode string, errs map[string]string) (*recordNewPage, error) {
	p := principal(r)
	ok, err := s.canEnterIn(r, p, reg)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fault.ErrForbidden
	}
	d := &recordNewPage{Base: s.base(r, "record.new_title", "registers"), Code: reg.Code}
	d.RegName = localName(d.Lang, reg.Schema.NameZH, reg.Schema.NameEN)
	d.Title = d.T("record.new_title") + " · " + d.RegName
	form, err := s.recordFormFor(r, d.Base, reg, in, errs, false)
	if err != nil {
		return nil, err
	}
	form.ID, form.Action, form.Submit = "new-form", registerURL(reg.Code)+"/new", d.T("record.create")
	if form.EntryList, err = s.unitChoices(r.Context(), d.Lang, p.Scope(auth.PermDataEntry), reg.Schema.UnitTypes, 300); err != nil {
		return nil, err
	}
	if unitCode == "" && errs == nil {
		unitCode = entryDefault(p, form.EntryList)
	}
	form.Unit = &fieldInput{ID: "fld-unit", Name: "unit", Label: d.T("field.unit"), Kind: "text", Value: unitCode, Required: true,
		List: "units-entry", MaxLength: 32, Autocomplete: "off", Placeholder: d.T("record.unit_hint"), Error: errs["unit"],
		Help: d.T("record.unit_help"), b: d.Base}
	d.Form = form
	return d, nil
}

// pageRecordNew is the form of a new record.
func (s *Server) pageRecordNew(w http.ResponseWriter, r *http.Request) error {
	reg, err := s.app.Registers.Get(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	d, err := s.newRecordData(r, reg, defaultInput(reg), "", nil)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "record_new", d)
}

// pageRecordCreate creates a record from the form, or shows the form
// again with every message beside its field and what was typed.
func (s *Server) pageRecordCreate(w http.ResponseWriter, r *http.Request) error {
	if err := readRecordForm(r); err != nil {
		return err
	}
	reg, err := s.app.Registers.Get(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	p := principal(r)
	if !p.Can(auth.PermDataEntry) {
		return fault.ErrForbidden
	}
	uploaded, err := s.saveUploads(r, reg)
	var rec *register.Record
	if err == nil {
		in := register.Input{Unit: r.PostForm.Get("unit"), Values: submittedValues(reg, r.PostForm, uploaded, false)}
		_ = dropEmptyRefs(reg, in.Values, nil)
		rec, err = s.app.Registers.Create(r.Context(), recordAccess(p), reg.Code, in)
	}
	if err == nil {
		return seeOther(w, r, recordURL(reg.Code, rec.ID), "record_created")
	}
	rf, ok := s.refusalOf(s.base(r, "record.new_title", "registers"), reg, err)
	if !ok {
		return err
	}
	d, derr := s.newRecordData(r, reg, postedInput(reg, r.PostForm, uploaded), r.PostForm.Get("unit"), rf.errs)
	if derr != nil {
		return derr
	}
	d.Form.Problems = rf.problems
	return s.render(w, r, rf.status, "record_new", d)
}
