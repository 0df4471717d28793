package web

import (
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"kexie/internal/auth"
	"kexie/internal/fault"
	"kexie/internal/i18n"
	"kexie/internal/register"
	"kexie/internal/unit"
)

// The record form: one generator for the new-record page and the edit
// form of the record page. Each field of the schema becomes the input its
// type calls for, with the browser's checks (required, min, max, step,
// maxlength, pattern) mirroring the service's, which stays the judge.

// recordForm is a record's form as the templates draw it.
type recordForm struct {
	Base
	ID        string // of the <form>, for tests and labels
	Action    string
	Multipart bool
	Unit      *fieldInput // the unit a new record belongs to
	Fields    []fieldInput
	Version   int
	Locked    string   // why the record cannot be changed now
	Problems  []string // every refusal, "label: reason", above the form
	EntryList []unitChoice
	ReadList  []unitChoice
	Submit    string
}

// Failed says whether the form comes back refused.
func (f *recordForm) Failed() bool { return len(f.Problems) > 0 }

// fieldInput is one input of the form.
type fieldInput struct {
	ID, Name, Label, Help, Suffix string
	Kind                          string // input type, or textarea, select, checks, checkbox, file
	Value                         string
	Choices                       []choice
	Files                         []fileLink
	Required                      bool
	Min, Max, Step, Pattern       string
	MinLength, MaxLength          int
	InputMode, List, Accept       string
	Placeholder, Autocomplete     string
	Upload                        string // name of the file input of an attachment
	Error                         string
	b                             Base
}

// T translates in the page's language.
func (fi fieldInput) T(key string, args ...any) string { return fi.b.T(key, args...) }

// choice is an option of a select or a check box of a group.
type choice struct {
	Value, Label string
	Selected     bool
}

// fileLink is an attachment: its name and where to download it.
type fileLink struct {
	ID, Name, Href string
}

// unitChoice is a unit offered in a datalist.
type unitChoice struct{ Code, Name string }

// formInput is what a form shows in a field: the stored value of a
// record, a default, or what was typed into a refused form.
type formInput map[string][]string

// inputText writes a stored value the way its input expects it.
func inputText(f register.Field, v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case int64:
		return []string{register.FormatScaled(x, f.ScaleOf())}
	case bool:
		return []string{strconv.FormatBool(x)}
	case time.Time:
		return []string{x.In(chinaTime).Format("2006-01-02T15:04")}
	case []string:
		return x
	case string:
		return []string{x}
	}
	return nil
}

// storedInput is a record's values as its edit form shows them;
// sensitive values stay empty (typing one replaces it).
func storedInput(reg *register.Register, vals map[string]any) formInput {
	in := formInput{}
	for _, f := range reg.Schema.Fields {
		if !f.Sensitive {
			in[f.Code] = inputText(f, vals[f.Code])
		}
	}
	return in
}

// defaultInput is a new record's form: the schema's defaults.
func defaultInput(reg *register.Register) formInput {
	in := formInput{}
	for _, f := range reg.Schema.Fields {
		if f.Default == "" {
			continue
		}
		if v, err := f.Parse(f.Default, false); err == nil {
			in[f.Code] = inputText(f, v)
		}
	}
	return in
}

// postedInput is what was typed into a refused form, with the
// attachments just uploaded kept so they need not be sent again.
func postedInput(reg *register.Register, form url.Values, uploaded map[string][]string) formInput {
	in := formInput{}
	for _, f := range reg.Schema.Fields {
		in[f.Code] = append(append([]string{}, form["v."+f.Code]...), uploaded[f.Code]...)
	}
	return in
}

// editable says whether people type a field in (computed ones are not).
func editable(f register.Field) bool { return f.Compute == "" }

// buildForm draws the inputs of reg's editable fields showing in, with
// errs beside them; edit forms leave sensitive values blank.
func (s *Server) buildForm(ctx context.Context, b Base, reg *register.Register, in formInput, errs map[string]string, edit bool) ([]fieldInput, error) {
	out := make([]fieldInput, 0, len(reg.Schema.Fields))
	for _, f := range reg.Schema.Fields {
		if !editable(f) {
			continue
		}
		fi := fieldInput{ID: "fld-" + f.Code, Name: "v." + f.Code, Label: f.Name(b.Lang), Help: localName(b.Lang, f.HelpZH, f.HelpEN),
			Required: f.Required, Error: errs[f.Code], MinLength: f.MinLength, MaxLength: f.MaxLength, b: b}
		if vals := in[f.Code]; len(vals) > 0 {
			fi.Value = vals[0]
		}
		s.shapeInput(b, f, &fi, in[f.Code])
		if f.Type == register.TypeAttachment {
			files, err := s.fileLinks(ctx, in[f.Code])
			if err != nil {
				return nil, err
			}
			fi.Files = files
			fi.Required = f.Required && len(files) == 0
		}
		if edit && f.Sensitive {
			fi.Required = false
			fi.Placeholder = b.T("record.sensitive_keep")
		}
		out = append(out, fi)
	}
	return out, nil
}

// shapeInput picks the input for f's type and the browser's checks.
func (s *Server) shapeInput(b Base, f register.Field, fi *fieldInput, vals []string) {
	fi.Kind = "text"
	switch f.Type {
	case register.TypeLongText:
		fi.Kind = "textarea"
		fi.MaxLength = boundLen(f.MaxLength, 20000)
	case register.TypeText:
		fi.MaxLength = boundLen(f.MaxLength, 500)
		// the browser anchors a pattern; the server does not, so only an
		// anchored pattern means the same to both
		if strings.HasPrefix(f.Pattern, "^") && strings.HasSuffix(f.Pattern, "$") {
			fi.Pattern = f.Pattern
		}
	case register.TypeURL:
		fi.Kind, fi.MaxLength, fi.InputMode, fi.Placeholder = "url", boundLen(f.MaxLength, 2000), "url", "https://"
	case register.TypeEmail:
		fi.Kind, fi.MaxLength, fi.InputMode, fi.Autocomplete = "email", boundLen(f.MaxLength, 254), "email", "email"
	case register.TypeMobile:
		fi.Kind, fi.InputMode, fi.MaxLength, fi.Autocomplete = "tel", "tel", 20, "tel"
	case register.TypeIDCard, register.TypeUSCC:
		fi.MaxLength, fi.Autocomplete = 24, "off"
		fi.Placeholder = b.T("record.checksum_hint")
	case register.TypeInteger, register.TypeDecimal, register.TypeMoney, register.TypePercent:
		fi.Kind, fi.Min, fi.Max = "number", f.Min, f.Max
		fi.Step, fi.InputMode = "1", "numeric"
		if sc := f.ScaleOf(); sc > 0 {
			fi.Step, fi.InputMode = "0."+strings.Repeat("0", sc-1)+"1", "decimal"
		}
		switch f.Type {
		case register.TypeMoney:
			fi.Suffix = b.T("record.yuan")
		case register.TypePercent:
			fi.Suffix = "%"
		}
		if fi.Suffix != "" {
			if b.Lang == i18n.EN {
				fi.Label += " (" + fi.Suffix + ")"
			} else {
				fi.Label += "（" + fi.Suffix + "）"
			}
		}
	case register.TypeDate:
		fi.Kind, fi.Min, fi.Max = "date", f.Min, f.Max
	case register.TypeDateTime:
		fi.Kind = "datetime-local"
	case register.TypeBoolean:
		fi.Kind, fi.Required = "checkbox", false
	case register.TypeOption:
		fi.Kind = "select"
		fi.Choices = optionChoices(b.Lang, f, vals)
	case register.TypeOptions:
		fi.Kind = "checks"
		fi.Choices = optionChoices(b.Lang, f, vals)
		fi.Required = false // a group of boxes cannot say "at least one"; the server does
	case register.TypeUnit:
		fi.List, fi.Autocomplete = "units-read", "off"
		fi.MaxLength = 32
		fi.Placeholder = b.T("record.unit_hint")
	case register.TypeRecord, register.TypePerson:
		fi.InputMode, fi.Pattern, fi.Autocomplete = "numeric", "[0-9]+", "off"
		fi.Placeholder = b.T("record.reference_hint")
	case register.TypeAttachment:
		fi.Kind, fi.Upload = "file", "file."+f.Code
		fi.Accept = strings.Join(f.Accept, ",")
	}
	if f.Type == register.TypeOptions || f.Type == register.TypeAttachment {
		fi.Value = ""
	}
}

func boundLen(n, max int) int {
	if n <= 0 || n > max {
		return max
	}
	return n
}

func optionChoices(lang string, f register.Field, vals []string) []choice {
	out := make([]choice, 0, len(f.Options))
	for _, o := range f.Options {
		sel := false
		for _, v := range vals {
			sel = sel || v == o.Code
		}
		out = append(out, choice{Value: o.Code, Label: localName(lang, o.NameZH, o.NameEN), Selected: sel})
	}
	return out
}

// fileLinks names attachments by id; ids that are not files are dropped.
func (s *Server) fileLinks(ctx context.Context, ids []string) ([]fileLink, error) {
	var out []fileLink
	for _, id := range ids {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			continue
		}
		f, err := s.app.Files.Get(ctx, n)
		if errors.Is(err, fault.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, fileLink{ID: id, Name: f.Name, Href: "/api/v1/files/" + id})
	}
	return out, nil
}

// submittedValues reads a posted record form into the values the
// register service takes. An edit leaves blank sensitive inputs out, so
// the stored value stays; everything else is sent, an empty input
// clearing its field.
func submittedValues(reg *register.Register, form url.Values, uploaded map[string][]string, edit bool) map[string]any {
	out := map[string]any{}
	for _, f := range reg.Schema.Fields {
		if !editable(f) {
			continue
		}
		name := "v." + f.Code
		switch f.Type {
		case register.TypeOptions, register.TypeAttachment:
			var list []any
			for _, v := range append(append([]string{}, form[name]...), uploaded[f.Code]...) {
				if strings.TrimSpace(v) != "" {
					list = append(list, v)
				}
			}
			if list == nil {
				out[f.Code] = nil
			} else {
				out[f.Code] = list
			}
		case register.TypeBoolean:
			out[f.Code] = form.Get(name) == "true"
		default:
			v := form.Get(name)
			if edit && f.Sensitive && strings.TrimSpace(v) == "" {
				continue
			}
			out[f.Code] = v
		}
	}
	return out
}

// refKinds are the field types whose values the register service
// resolves (units, records, people, files).
var refKinds = []register.FieldType{register.TypeUnit, register.TypeRecord, register.TypePerson, register.TypeAttachment}

// dropEmptyRefs leaves empty references out of vals: the register
// service's reference check does not yet take an empty value (it fails
// on it), so an empty one is not sent. Clearing a reference that stored
// holds is refused on its field until the service accepts it; stored is
// nil for a new record.
func dropEmptyRefs(reg *register.Register, vals, stored map[string]any) error {
	c := &fault.Check{}
	for _, f := range reg.Schema.Fields {
		v, given := vals[f.Code]
		if !given || v != nil || !slices.Contains(refKinds, f.Type) {
			continue
		}
		delete(vals, f.Code)
		if stored[f.Code] != nil {
			c.Add(f.Code, "record.clear_unsupported")
		}
	}
	return c.Err()
}

// saveUploads stores the files posted for reg's attachment fields and
// returns their ids by field; a refused file is an error on its field.
func (s *Server) saveUploads(r *http.Request, reg *register.Register) (map[string][]string, error) {
	out := map[string][]string{}
	if r.MultipartForm == nil {
		return out, nil
	}
	c := &fault.Check{}
	for _, f := range reg.Schema.Fields {
		if f.Type != register.TypeAttachment || !editable(f) {
			continue
		}
		max := s.opts.MaxUpload
		if f.MaxSize > 0 && f.MaxSize < max {
			max = f.MaxSize
		}
		for _, fh := range r.MultipartForm.File["file."+f.Code] {
			if fh.Filename == "" && fh.Size == 0 {
				continue // the empty part of an untouched file input
			}
			id, err := s.saveUpload(r.Context(), fh, max)
			if err != nil {
				fields := fault.FieldsOf(err)
				if fields == nil {
					return nil, err
				}
				for _, fe := range fields {
					c.Add(f.Code, fe.Key, flattenArgs(fe.Args)...)
				}
				continue
			}
			out[f.Code] = append(out[f.Code], id)
		}
	}
	return out, c.Err()
}

func (s *Server) saveUpload(ctx context.Context, fh *multipart.FileHeader, max int64) (string, error) {
	file, err := fh.Open()
	if err != nil {
		return "", err
	}
	defer file.Close()
	saved, err := s.app.Files.Save(ctx, fh.Filename, file, max)
	if err != nil {
		return "", err
	}
	return idString(saved.ID), nil
}

func flattenArgs(m map[string]any) []any {
	out := make([]any, 0, 2*len(m))
	for k, v := range m {
		out = append(out, k, v)
	}
	return out
}

// readRecordForm parses a posted record form, multipart or not.
func readRecordForm(r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			var maxErr *http.MaxBytesError
			if errors.As(err, &maxErr) {
				return err
			}
			return &bodyError{key: "error.query"}
		}
		return nil
	}
	return parseForm(r)
}

// refusal is a refused record form: the status to answer with, each
// message by field, and the list shown above the form.
type refusal struct {
	status   int
	errs     map[string]string
	problems []string
}

// refusalOf explains err when it is about what the caller typed; ok is
// false for any other error, which the handler returns as it is.
func (s *Server) refusalOf(b Base, reg *register.Register, err error) (refusal, bool) {
	fields := fault.FieldsOf(err)
	if fields == nil {
		return refusal{}, false
	}
	rf := refusal{status: http.StatusUnprocessableEntity, errs: map[string]string{}}
	if errors.Is(err, fault.ErrConflict) {
		rf.status = http.StatusConflict
	}
	for _, fe := range fields {
		msg := s.fieldMessage(b, fe)
		label := b.T("field." + fe.Field)
		if f, ok := reg.Schema.Field(fe.Field); ok {
			label = f.Name(b.Lang)
		} else if !b.msgs.Has(b.Lang, "field."+fe.Field) {
			label = fe.Field
		}
		if _, dup := rf.errs[fe.Field]; !dup {
			rf.errs[fe.Field] = msg
		}
		rf.problems = append(rf.problems, label+sep(b.Lang)+msg)
	}
	return rf, true
}

// fieldMessage translates a field's refusal, naming statuses and
// workflow actions in the reader's language.
func (s *Server) fieldMessage(b Base, fe fault.Field) string {
	args := make(map[string]any, len(fe.Args))
	for k, v := range fe.Args {
		args[k] = v
	}
	for _, k := range []string{"status", "from", "action"} {
		if v, ok := args[k].(string); ok && b.msgs.Has(b.Lang, "record.arg."+k+"."+v) {
			args[k] = b.T("record.arg." + k + "." + v)
		}
	}
	return s.msgs.T(b.Lang, fe.Key, args)
}

// unitChoices lists up to max units of scope for a datalist, of the
// given types when there are any.
func (s *Server) unitChoices(ctx context.Context, lang string, scope unit.Scope, types []string, max int) ([]unitChoice, error) {
	var units []unit.Unit
	if len(types) == 0 {
		page, err := s.app.Units.List(ctx, scope, unit.Filter{PerPage: max})
		if err != nil {
			return nil, err
		}
		units = page.Items
	}
	for _, t := range types {
		page, err := s.app.Units.List(ctx, scope, unit.Filter{Type: t, PerPage: max})
		if err != nil {
			return nil, err
		}
		units = append(units, page.Items...)
	}
	out := make([]unitChoice, 0, len(units))
	for _, u := range units {
		out = append(out, unitChoice{Code: u.Code, Name: u.Name(lang)})
	}
	return out, nil
}

// entryDefault is the unit a new record is for when the caller enters
// data at exactly one unit the register allows.
func entryDefault(p *auth.Principal, choices []unitChoice) string {
	n := 0
	code := ""
	for _, g := range p.Grants {
		if !g.Role.Allows(auth.PermDataEntry) {
			continue
		}
		for _, c := range choices {
			if c.Code == g.Unit {
				n++
				code = c.Code
			}
		}
	}
	if n == 1 {
		return code
	}
	return ""
}
