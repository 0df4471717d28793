package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"kexie/internal/fault"
	"kexie/internal/register"
)

// The schema editor: a register's schema as a form, without JSON. The
// whole schema travels in the form; the buttons that add, move or remove
// a field or an option post it back and the page comes back with the
// change drawn, unsaved. Saving calls the same Define as the API; a
// change the records cannot take comes back with the records in the way
// and the migration rules the service offers (a fill value, an option
// mapping), to be given and saved again.

// canDefineRegisters says whether the caller may change schemas: they
// are tree-wide configuration, as for the API.
func canDefineRegisters(r *http.Request) bool { return isRootAdmin(principal(r)) }

// schemaURL is the editor of a register's schema.
func schemaURL(code string) string { return registerURL(code) + "/schema" }

// newRegisterURL is the editor of a register yet to be.
const newRegisterURL = "/register-schema/new"

type schemaPage struct {
	Base
	New     bool
	Code    string // of the register ("" for a new one not named yet)
	Name    string
	Action  string
	Version int // the register's current version
	// FormVersion is the version the draft started from
	FormVersion int
	Draft       register.Schema
	Fields      []schemaField
	UnitTypes   []choice
	Dates       []choice
	Keys        []choice
	Types       []choice
	Registers   []choice
	Unsaved     bool
	Problems    []string // faults that no input of the form shows
	Conflicts   []schemaConflict
	Migrations  []migrationInput
	Rules       []schemaRule
	History     []schemaVersion
	errs        map[string]string

	// UploadLimit is the largest file any upload takes, AttachmentMax
	// the largest limit a field may set, FileTypes those kexie takes
	UploadLimit, AttachmentMax, FileTypes string
	maxUpload                             int64
}

// E is the message of the input named name, "" when it passed.
func (p *schemaPage) E(name string) string { return p.errs[name] }

// schemaField is one field of the draft as the form draws it.
type schemaField struct {
	register.Field
	I       int
	Fixed   bool // stored already: its code cannot change
	Options []schemaOption
	More    bool // unfold the further settings: one is set or refused
	page    *schemaPage
	typed   string // the size limit as typed, when it could not be read
}

// N is the name of the field's input for attr ("fields[2].name_zh").
func (f schemaField) N(attr string) string { return fmt.Sprintf("fields[%d].%s", f.I, attr) }

// E is the message of the field's input for attr.
func (f schemaField) E(attr string) string { return f.page.errs[f.N(attr)] }

// T translates in the page's language.
func (f schemaField) T(key string, args ...any) string { return f.page.T(key, args...) }

// Page is the editor the field is drawn in.
func (f schemaField) Page() *schemaPage { return f.page }

// SizeInput is what the input of an attachment's size limit shows.
func (f schemaField) SizeInput() string {
	if f.MaxSize < 0 {
		return f.typed
	}
	return sizeInput(f.MaxSize)
}

// AcceptInput is what the input of an attachment's file types shows.
func (f schemaField) AcceptInput() string { return acceptInput(f.Accept) }

// LimitNow is the largest file the field takes as drawn: its own limit,
// within the limit of every upload.
func (f schemaField) LimitNow() string {
	n := f.page.maxUpload
	if f.MaxSize > 0 && f.MaxSize < n {
		n = f.MaxSize
	}
	return register.SizeText(n)
}

// HasOptions says whether the field's values are chosen from options.
func (f schemaField) HasOptions() bool {
	return f.Type == register.TypeOption || f.Type == register.TypeOptions
}

// schemaOption is one option of an option field.
type schemaOption struct {
	register.Option
	J     int
	Fixed bool // stored already: records may hold its code
	field *schemaField
}

// N is the name of the option's input for attr.
func (o schemaOption) N(attr string) string {
	return fmt.Sprintf("fields[%d].options[%d].%s", o.field.I, o.J, attr)
}

// E is the message of the option's input for attr.
func (o schemaOption) E(attr string) string { return o.field.page.errs[o.N(attr)] }

// Field is the field the option belongs to.
func (o schemaOption) Field() *schemaField { return o.field }

// T translates in the page's language.
func (o schemaOption) T(key string, args ...any) string { return o.field.page.T(key, args...) }

// schemaConflict is a change the records refused, with the records.
type schemaConflict struct {
	Message string
	Records []recordLink
	More    bool   // the records listed are the first register.MaxConflicts
	All     string // the list of all the register's records, when every one is in the way
}

// recordLink is a record the page links to.
type recordLink struct {
	ID   string
	Href string
}

// migrationInput is one rule of the migration the editor offers.
type migrationInput struct {
	Name, Label, Value, Error string
	Choices                   []choice // a select; none: a text input
}

// fieldAttrs are the settings every field shows, for the messages the
// form can place at their input.
var fieldAttrs = []string{"code", "type", "name_zh", "name_en", "help_zh", "help_en", "required", "unique", "sensitive", "sortable",
	"min", "max", "min_length", "max_length", "pattern", "default", "compute"}

// moreAttrs are those folded under "more settings".
var moreAttrs = []string{"help_zh", "help_en", "unique", "sensitive", "sortable", "min", "max", "min_length", "max_length", "pattern",
	"default", "compute", "scale", "max_size", "accept"}

// fieldChoiceLabel names a field in a list to choose from: its name and
// code, or its code alone while it has no name.
func fieldChoiceLabel(lang string, f register.Field) string {
	if f.NameZH == "" {
		return f.Code
	}
	return localName(lang, f.NameZH, f.NameEN) + " (" + f.Code + ")"
}

// pageSchemaEdit shows the editor of a register's schema.
func (s *Server) pageSchemaEdit(w http.ResponseWriter, r *http.Request) error {
	if !canDefineRegisters(r) {
		return fault.ErrForbidden
	}
	reg, err := s.app.Registers.Get(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	return s.showSchema(w, r, http.StatusOK, reg, reg.Schema, register.Migration{}, false, nil)
}

// starterSchema is where a new register starts: a title and a date, the
// two fields nearly every register has, which identify a record.
func starterSchema() register.Schema {
	return register.Schema{DateField: "held_on", NaturalKey: []string{"title", "held_on"}, Fields: []register.Field{
		{Code: "title", Type: register.TypeText, NameZH: "名称", NameEN: "Title", Required: true},
		{Code: "held_on", Type: register.TypeDate, NameZH: "日期", NameEN: "Date", Required: true},
	}}
}

// pageSchemaNew shows the editor of a new register.
func (s *Server) pageSchemaNew(w http.ResponseWriter, r *http.Request) error {
	if !canDefineRegisters(r) {
		return fault.ErrForbidden
	}
	return s.showSchema(w, r, http.StatusOK, nil, starterSchema(), register.Migration{}, false, nil)
}

// pageSchemaPost takes the editor's form: a change to draw (a field, an
// option or a rule added, moved or removed) or the schema to save.
func (s *Server) pageSchemaPost(w http.ResponseWriter, r *http.Request) error {
	if !canDefineRegisters(r) {
		return fault.ErrForbidden
	}
	if err := parseForm(r); err != nil {
		return err
	}
	var reg *register.Register
	if code := r.PathValue("code"); code != "" {
		var err error
		if reg, err = s.app.Registers.Get(r.Context(), code); err != nil {
			return err
		}
	}
	draft, mig := draftOf(r.PostForm, reg)
	op := r.PostFormValue("op")
	if op != "save" {
		applyOp(&draft, op, r.PostFormValue("new_type"))
		return s.showSchema(w, r, http.StatusOK, reg, draft, mig, true, nil)
	}
	draft = withoutBlanks(draft)
	var err error
	if reg != nil && r.PostFormValue("version") != strconv.Itoa(reg.Version) {
		// someone saved a version since this form was drawn: saving over
		// it would undo their change unseen
		err = fault.ConflictField("version", "error.stale", "version", reg.Version)
	} else if _, gerr := s.app.Registers.Get(r.Context(), draft.Code); reg == nil && gerr == nil {
		// a new register is never a new version of one that exists
		err = fault.ConflictField("code", "schema.code_taken", "code", draft.Code)
	} else {
		var saved *register.Register
		saved, err = s.app.Registers.Define(r.Context(), draft, mig, false)
		if err == nil {
			notice := "schema_saved"
			if reg == nil {
				notice = "register_created"
			}
			return seeOther(w, r, schemaURL(saved.Code), notice)
		}
	}
	if len(fault.FieldsOf(err)) == 0 {
		return err
	}
	return s.showSchema(w, r, s.problemOf(r, err).Status, reg, draft, mig, true, err)
}

// showSchema draws the editor with draft, the migration typed, and the
// refusal of a save (err) at the inputs it concerns.
func (s *Server) showSchema(w http.ResponseWriter, r *http.Request, status int, reg *register.Register, draft register.Schema,
	mig register.Migration, unsaved bool, err error) error {
	ctx := r.Context()
	p := &schemaPage{Base: s.base(r, "schema.title", "registers"), Draft: draft, Unsaved: unsaved, errs: map[string]string{},
		maxUpload: s.opts.MaxUpload, UploadLimit: register.SizeText(s.opts.MaxUpload), AttachmentMax: register.SizeText(register.MaxAttachment),
		FileTypes: acceptInput(register.FileTypes())}
	var stored register.Schema
	if reg == nil {
		p.New, p.Action, p.Title = true, newRegisterURL, p.T("schema.new_title")
		p.Code = draft.Code
	} else {
		stored = reg.Schema
		p.Code, p.Version, p.FormVersion, p.Action = reg.Code, reg.Version, reg.Version, schemaURL(reg.Code)
		// a draft stays tied to the version it was drawn from: after
		// another save it is refused until reloaded
		if v, err := strconv.Atoi(r.PostFormValue("version")); err == nil {
			p.FormVersion = v
		}
		p.Name = localName(p.Lang, stored.NameZH, stored.NameEN)
		p.Title = p.T("schema.title_of", "name", p.Name)
	}
	for _, t := range register.FieldTypes {
		p.Types = append(p.Types, choice{Value: string(t), Label: p.T("schema.type." + string(t))})
	}
	types, err2 := s.app.Units.Types(ctx)
	if err2 != nil {
		return err2
	}
	for _, t := range types {
		p.UnitTypes = append(p.UnitTypes, choice{Value: t.Code, Label: localName(p.Lang, t.NameZH, t.NameEN), Selected: slices.Contains(draft.UnitTypes, t.Code)})
	}
	regs, err2 := s.app.Registers.List(ctx)
	if err2 != nil {
		return err2
	}
	for _, x := range regs {
		p.Registers = append(p.Registers, choice{Value: x.Code, Label: localName(p.Lang, x.Schema.NameZH, x.Schema.NameEN)})
	}
	for i, f := range draft.Fields {
		label := fieldChoiceLabel(p.Lang, f)
		if f.Type == register.TypeDate || f.Type == register.TypeDateTime || f.Code == draft.DateField {
			p.Dates = append(p.Dates, choice{Value: f.Code, Label: label, Selected: f.Code == draft.DateField})
		}
		keyable := f.Type != register.TypeOptions && f.Type != register.TypeAttachment && f.Type != register.TypeLongText && f.Compute == ""
		if keyable || slices.Contains(draft.NaturalKey, f.Code) {
			p.Keys = append(p.Keys, choice{Value: f.Code, Label: label, Selected: slices.Contains(draft.NaturalKey, f.Code)})
		}
		_, fixed := stored.Field(f.Code)
		sf := schemaField{Field: f, I: i, Fixed: fixed && f.Code != "", page: p}
		if err != nil {
			sf.typed = r.PostFormValue(sf.N("max_size")) // a refused save: the form's rows are the draft's
		}
		old, _ := stored.Field(f.Code)
		for j, o := range f.Options {
			stays := fixed && o.Code != "" && slices.ContainsFunc(old.Options, func(x register.Option) bool { return x.Code == o.Code })
			sf.Options = append(sf.Options, schemaOption{Option: o, J: j, Fixed: stays})
		}
		p.Fields = append(p.Fields, sf)
	}
	for i := range p.Fields {
		for j := range p.Fields[i].Options {
			p.Fields[i].Options[j].field = &p.Fields[i]
		}
	}
	drawRules(p, &draft)
	s.placeFaults(p, reg, &stored, mig, err)
	for i := range p.Fields {
		f := &p.Fields[i]
		for _, a := range moreAttrs {
			if f.E(a) != "" {
				f.More = true
			}
		}
		if f.HelpZH != "" || f.HelpEN != "" || f.Unique || f.Sensitive || f.Sortable || f.Min != "" || f.Max != "" || f.MinLength != 0 ||
			f.MaxLength != 0 || f.Pattern != "" || f.Default != "" || f.Compute != "" || f.Scale != 0 || f.MaxSize != 0 || len(f.Accept) > 0 {
			f.More = true
		}
	}
	if reg != nil {
		h, err := s.schemaHistory(r, p.Base, reg.Code)
		if err != nil {
			return err
		}
		p.History = h
	}
	return s.render(w, r, status, "register_schema", p)
}
