package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

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
	Rules       []migrationInput
	History     []schemaVersion
	errs        map[string]string
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
}

// N is the name of the field's input for attr ("fields[2].name_zh").
func (f schemaField) N(attr string) string { return fmt.Sprintf("fields[%d].%s", f.I, attr) }

// E is the message of the field's input for attr.
func (f schemaField) E(attr string) string { return f.page.errs[f.N(attr)] }

// T translates in the page's language.
func (f schemaField) T(key string, args ...any) string { return f.page.T(key, args...) }

// Page is the editor the field is drawn in.
func (f schemaField) Page() *schemaPage { return f.page }

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

// schemaVersion is a line of the schema's history.
type schemaVersion struct {
	Version int
	When    string
	Who     string
	Changes string
}

// fieldAttrs are the settings every field shows, for the messages the
// form can place at their input.
var fieldAttrs = []string{"code", "type", "name_zh", "name_en", "help_zh", "help_en", "required", "unique", "sensitive", "sortable",
	"min", "max", "min_length", "max_length", "pattern", "default", "compute"}

// moreAttrs are those folded under "more settings".
var moreAttrs = []string{"help_zh", "help_en", "unique", "sensitive", "sortable", "min", "max", "min_length", "max_length", "pattern",
	"default", "compute", "scale"}

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

// pageSchemaPost takes the editor's form: a change to draw (a field or
// an option added, moved or removed) or the schema to save.
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

// draftOf reads the schema and the migration the form holds. What the
// form does not edit (cross-field rules, attachment limits) is kept from
// the stored schema.
func draftOf(form url.Values, reg *register.Register) (register.Schema, register.Migration) {
	get := func(k string) string { return strings.TrimSpace(form.Get(k)) }
	var stored register.Schema
	sc := register.Schema{Code: get("code")}
	if reg != nil {
		stored = reg.Schema
		sc.Code, sc.Rules = reg.Code, stored.Rules
	}
	sc.NameZH, sc.NameEN = get("name_zh"), get("name_en")
	sc.DescriptionZH, sc.DescriptionEN = get("description_zh"), get("description_en")
	sc.UnitTypes = nonEmpty(form["unit_types"])
	if len(sc.UnitTypes) == 0 && len(stored.UnitTypes) == 0 {
		sc.UnitTypes = stored.UnitTypes // null or [] as stored: an unchanged form is no new version
	}
	sc.DateField = get("date_field")
	for i := 0; ; i++ {
		p := fmt.Sprintf("fields[%d].", i)
		if _, ok := form[p+"type"]; !ok {
			break
		}
		f := register.Field{Code: get(p + "code")}
		if orig := get(p + "orig"); orig != "" {
			if old, ok := stored.Field(orig); ok {
				f = old // keeps what the form does not show
			}
		}
		f.Type = register.FieldType(get(p + "type"))
		f.NameZH, f.NameEN, f.HelpZH, f.HelpEN = get(p+"name_zh"), get(p+"name_en"), get(p+"help_zh"), get(p+"help_en")
		f.Required, f.Unique, f.Sensitive, f.Sortable = get(p+"required") != "", get(p+"unique") != "", get(p+"sensitive") != "", get(p+"sortable") != ""
		f.Min, f.Max, f.Pattern, f.Default, f.Compute = get(p+"min"), get(p+"max"), form.Get(p+"pattern"), get(p+"default"), get(p+"compute")
		f.MinLength, f.MaxLength = atoiOr(get(p+"min_length"), -1), atoiOr(get(p+"max_length"), -1)
		f.Scale, f.Register, f.Options = 0, "", nil
		if f.Type == register.TypeDecimal {
			f.Scale = atoiOr(get(p+"scale"), -1)
		}
		if f.Type == register.TypeRecord {
			f.Register = get(p + "register")
		}
		for j := 0; ; j++ {
			q := fmt.Sprintf("%soptions[%d].", p, j)
			if _, ok := form[q+"code"]; !ok {
				break
			}
			o := register.Option{Code: get(q + "code"), NameZH: get(q + "name_zh"), NameEN: get(q + "name_en")}
			if o == (register.Option{}) {
				continue // a row added and left empty
			}
			f.Options = append(f.Options, o)
		}
		if f.Type != register.TypeOption && f.Type != register.TypeOptions {
			f.Options = nil
		}
		sc.Fields = append(sc.Fields, f)
	}
	// the identifying fields keep their stored order (a change of order
	// is a change of key); those newly ticked follow in the fields' order
	ticked := nonEmpty(form["natural_key"])
	for _, k := range stored.NaturalKey {
		if slices.Contains(ticked, k) {
			sc.NaturalKey = append(sc.NaturalKey, k)
		}
	}
	for _, f := range sc.Fields {
		if slices.Contains(ticked, f.Code) && !slices.Contains(sc.NaturalKey, f.Code) {
			sc.NaturalKey = append(sc.NaturalKey, f.Code)
		}
	}
	var m register.Migration
	for k, vals := range form {
		v := ""
		if len(vals) > 0 {
			v = strings.TrimSpace(vals[0])
		}
		if v == "" {
			continue
		}
		if code, ok := strings.CutPrefix(k, "migration.fill."); ok {
			if m.Fill == nil {
				m.Fill = map[string]string{}
			}
			m.Fill[code] = v
		}
		if rest, ok := strings.CutPrefix(k, "migration.map_options."); ok {
			field, from, ok := strings.Cut(rest, ".")
			if !ok {
				continue
			}
			if m.MapOptions == nil {
				m.MapOptions = map[string]map[string]string{}
			}
			if m.MapOptions[field] == nil {
				m.MapOptions[field] = map[string]string{}
			}
			m.MapOptions[field][from] = v
		}
	}
	return sc, m
}

// atoiOr reads a whole number; empty is 0, anything else not a number is bad.
func atoiOr(s string, bad int) int {
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return bad
	}
	return n
}

func nonEmpty(xs []string) []string {
	out := []string{}
	for _, x := range xs {
		if x = strings.TrimSpace(x); x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// applyOp makes the change a button of the editor asks for:
// add_field, remove:I, up:I, down:I, add_option:I, remove_option:I:J.
func applyOp(sc *register.Schema, op, newType string) {
	name, arg, _ := strings.Cut(op, ":")
	istr, jstr, _ := strings.Cut(arg, ":")
	i, err := strconv.Atoi(istr)
	if name != "add_field" && (err != nil || i < 0 || i >= len(sc.Fields)) {
		name = "refresh" // only redraw: a field's type may have changed
	}
	switch name {
	case "add_field":
		t := register.FieldType(newType)
		if !slices.Contains(register.FieldTypes, t) {
			t = register.TypeText
		}
		f := register.Field{Type: t}
		if t == register.TypeOption || t == register.TypeOptions {
			f.Options = []register.Option{{}}
		}
		sc.Fields = append(sc.Fields, f)
	case "remove":
		sc.Fields = slices.Delete(sc.Fields, i, i+1)
	case "up":
		if i > 0 {
			sc.Fields[i-1], sc.Fields[i] = sc.Fields[i], sc.Fields[i-1]
		}
	case "down":
		if i+1 < len(sc.Fields) {
			sc.Fields[i+1], sc.Fields[i] = sc.Fields[i], sc.Fields[i+1]
		}
	case "add_option":
		sc.Fields[i].Options = append(sc.Fields[i].Options, register.Option{})
	case "remove_option":
		j, err := strconv.Atoi(jstr)
		if err == nil && j >= 0 && j < len(sc.Fields[i].Options) {
			sc.Fields[i].Options = slices.Delete(sc.Fields[i].Options, j, j+1)
		}
	}
	// a field whose type now takes options gets a first one to fill
	for k, f := range sc.Fields {
		if (f.Type == register.TypeOption || f.Type == register.TypeOptions) && len(f.Options) == 0 {
			sc.Fields[k].Options = []register.Option{{}}
		}
	}
}

// showSchema draws the editor with draft, the migration typed, and the
// refusal of a save (err) at the inputs it concerns.
func (s *Server) showSchema(w http.ResponseWriter, r *http.Request, status int, reg *register.Register, draft register.Schema,
	mig register.Migration, unsaved bool, err error) error {
	ctx := r.Context()
	p := &schemaPage{Base: s.base(r, "schema.title", "registers"), Draft: draft, Unsaved: unsaved, errs: map[string]string{}}
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
		label := f.Code
		if f.NameZH != "" {
			label = localName(p.Lang, f.NameZH, f.NameEN) + " (" + f.Code + ")"
		}
		if f.Type == register.TypeDate || f.Type == register.TypeDateTime || f.Code == draft.DateField {
			p.Dates = append(p.Dates, choice{Value: f.Code, Label: label, Selected: f.Code == draft.DateField})
		}
		keyable := f.Type != register.TypeOptions && f.Type != register.TypeAttachment && f.Type != register.TypeLongText && f.Compute == ""
		if keyable || slices.Contains(draft.NaturalKey, f.Code) {
			p.Keys = append(p.Keys, choice{Value: f.Code, Label: label, Selected: slices.Contains(draft.NaturalKey, f.Code)})
		}
		_, fixed := stored.Field(f.Code)
		sf := schemaField{Field: f, I: i, Fixed: fixed && f.Code != "", page: p}
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
	s.placeFaults(p, reg, &stored, mig, err)
	for i := range p.Fields {
		f := &p.Fields[i]
		for _, a := range moreAttrs {
			if f.E(a) != "" {
				f.More = true
			}
		}
		if f.HelpZH != "" || f.HelpEN != "" || f.Unique || f.Sensitive || f.Sortable || f.Min != "" || f.Max != "" || f.MinLength != 0 ||
			f.MaxLength != 0 || f.Pattern != "" || f.Default != "" || f.Compute != "" || f.Scale != 0 {
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

// placeFaults puts the faults of a refused save at their inputs, the
// records' refusals in the list of conflicts, and offers the migration
// rules that answer them (keeping those already typed).
func (s *Server) placeFaults(p *schemaPage, reg *register.Register, stored *register.Schema, mig register.Migration, err error) {
	shown := map[string]bool{"code": true, "name_zh": true, "name_en": true, "description_zh": true, "description_en": true,
		"unit_types": true, "date_field": true, "natural_key": true, "fields": true}
	for _, f := range p.Fields {
		for _, a := range fieldAttrs {
			shown[f.N(a)] = true
		}
		switch {
		case f.Type == register.TypeDecimal:
			shown[f.N("scale")] = true
		case f.Type == register.TypeRecord:
			shown[f.N("register")] = true
		case f.HasOptions():
			shown[f.N("options")] = true
			for _, o := range f.Options {
				for _, a := range []string{"code", "name_zh", "name_en"} {
					shown[o.N(a)] = true
				}
			}
		}
	}
	// the rules typed stay on the form
	fills := map[string]string{}
	maps := map[[2]string]string{}
	for k, v := range mig.Fill {
		fills[k] = v
	}
	for fc, m := range mig.MapOptions {
		for from, to := range m {
			maps[[2]string{fc, from}] = to
		}
	}
	fieldOf := func(path string) (register.Field, bool) {
		var i int
		if _, err := fmt.Sscanf(path, "fields[%d]", &i); err != nil || i < 0 || i >= len(p.Draft.Fields) {
			return register.Field{}, false
		}
		return p.Draft.Fields[i], true
	}
	for _, f := range fault.FieldsOf(err) {
		msg := s.msgs.T(p.Lang, f.Key, f.Args)
		if strings.HasPrefix(f.Key, "register.schema.") && f.Key != "register.schema.fill_invalid" {
			c := schemaConflict{Message: msg}
			fd, ok := fieldOf(f.Field)
			if ok {
				c.Message = localName(p.Lang, fd.NameZH, fd.NameEN) + sep(p.Lang) + msg
			}
			if ids, _ := f.Args["records"].(string); ids != "" && reg != nil {
				for _, id := range strings.Split(ids, ", ") {
					if n, err := strconv.ParseInt(id, 10, 64); err == nil {
						c.Records = append(c.Records, recordLink{ID: id, Href: recordURL(reg.Code, n)})
					}
				}
				if len(c.Records) >= register.MaxConflicts {
					c.More, c.All = true, registerURL(reg.Code)
				}
			}
			switch f.Key {
			case "register.schema.required_new":
				if reg != nil {
					c.All = registerURL(reg.Code)
				}
				fallthrough
			case "register.schema.required_conflict":
				if ok {
					if _, typed := fills[fd.Code]; !typed {
						fills[fd.Code] = ""
					}
				}
			case "register.schema.option_in_use":
				if code, _ := f.Args["code"].(string); ok && code != "" {
					if _, typed := maps[[2]string{fd.Code, code}]; !typed {
						maps[[2]string{fd.Code, code}] = ""
					}
				}
			}
			p.Conflicts = append(p.Conflicts, c)
		}
		switch {
		case shown[f.Field] || strings.HasPrefix(f.Field, "migration."):
			if p.errs[f.Field] == "" {
				p.errs[f.Field] = msg
			} else {
				p.errs[f.Field] += "；" + msg
			}
		case f.Field == "version":
			p.Problems = append(p.Problems, msg)
		default:
			p.Problems = append(p.Problems, s.fieldLabel(p.Lang, f.Field)+sep(p.Lang)+msg)
		}
	}
	// a migration fault names the field, not the rule: show it at each
	// rule of that field
	for _, f := range p.Draft.Fields {
		if _, ok := fills[f.Code]; ok {
			in := migrationInput{Name: "migration.fill." + f.Code, Value: fills[f.Code], Error: p.errs["migration.fill."+f.Code],
				Label: p.T("schema.migration.fill", "field", localName(p.Lang, f.NameZH, f.NameEN))}
			if f.Type == register.TypeOption || f.Type == register.TypeBoolean {
				in.Choices = fillChoices(p.Base, f, in.Value)
			}
			p.Rules = append(p.Rules, in)
		}
		old, _ := stored.Field(f.Code)
		for _, o := range old.Options {
			to, ok := maps[[2]string{f.Code, o.Code}]
			if !ok {
				continue
			}
			in := migrationInput{Name: "migration.map_options." + f.Code + "." + o.Code, Value: to, Error: p.errs["migration.map_options."+f.Code],
				Label: p.T("schema.migration.map", "field", localName(p.Lang, f.NameZH, f.NameEN), "option", localName(p.Lang, o.NameZH, o.NameEN))}
			in.Choices = []choice{{Value: "", Label: p.T("schema.migration.choose")}}
			for _, x := range f.Options {
				if x.Code != "" {
					in.Choices = append(in.Choices, choice{Value: x.Code, Label: localName(p.Lang, x.NameZH, x.NameEN), Selected: x.Code == to})
				}
			}
			p.Rules = append(p.Rules, in)
		}
	}
}

// fillChoices are the values a fill of an option or yes/no field can take.
func fillChoices(b Base, f register.Field, v string) []choice {
	out := []choice{{Value: "", Label: b.T("schema.migration.choose")}}
	if f.Type == register.TypeBoolean {
		return append(out, choice{Value: "true", Label: b.T("schema.bool.true"), Selected: v == "true"}, choice{Value: "false", Label: b.T("schema.bool.false"), Selected: v == "false"})
	}
	for _, o := range f.Options {
		if o.Code != "" {
			out = append(out, choice{Value: o.Code, Label: localName(b.Lang, o.NameZH, o.NameEN), Selected: o.Code == v})
		}
	}
	return out
}

// schemaHistory lists a register's versions, newest first, with who
// made each and what it changed.
func (s *Server) schemaHistory(r *http.Request, b Base, code string) ([]schemaVersion, error) {
	vs, err := s.app.Registers.Versions(r.Context(), code)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, v := range vs {
		if v.CreatedBy != 0 && !slices.Contains(ids, v.CreatedBy) {
			ids = append(ids, v.CreatedBy)
		}
	}
	names, err := s.app.Auth.Names(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	out := make([]schemaVersion, 0, len(vs))
	for i, v := range vs {
		row := schemaVersion{Version: v.Version, When: b.When(v.CreatedAt), Who: names[v.CreatedBy]}
		if v.CreatedBy == 0 {
			row.Who = b.T("schema.history.system")
		}
		if i+1 < len(vs) {
			row.Changes = schemaChanges(b, &vs[i+1].Schema, &v.Schema)
		} else {
			row.Changes = b.T("schema.history.created")
		}
		out = append(out, row)
	}
	return out, nil
}

// schemaChanges says in a line what a version changed from the one before.
func schemaChanges(b Base, before, after *register.Schema) string {
	name := func(f register.Field) string { return localName(b.Lang, f.NameZH, f.NameEN) }
	var added, removed, changed []string
	for _, f := range after.Fields {
		old, ok := before.Field(f.Code)
		switch {
		case !ok:
			added = append(added, name(f))
		case string(mustJSONWeb(old)) != string(mustJSONWeb(f)):
			changed = append(changed, name(f))
		}
	}
	for _, f := range before.Fields {
		if _, ok := after.Field(f.Code); !ok {
			removed = append(removed, name(f))
		}
	}
	list := "、"
	if b.Lang == "en" {
		list = ", "
	}
	var parts []string
	if len(added) > 0 {
		parts = append(parts, b.T("schema.history.added", "fields", strings.Join(added, list)))
	}
	if len(removed) > 0 {
		parts = append(parts, b.T("schema.history.removed", "fields", strings.Join(removed, list)))
	}
	if len(changed) > 0 {
		parts = append(parts, b.T("schema.history.changed", "fields", strings.Join(changed, list)))
	}
	if len(parts) == 0 {
		fieldOrder := func(sc *register.Schema) []string {
			var out []string
			for _, f := range sc.Fields {
				out = append(out, f.Code)
			}
			return out
		}
		if !slices.Equal(fieldOrder(before), fieldOrder(after)) {
			return b.T("schema.history.reordered")
		}
		return b.T("schema.history.settings")
	}
	if b.Lang == "en" {
		return strings.Join(parts, "; ")
	}
	return strings.Join(parts, "；")
}

func mustJSONWeb(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
