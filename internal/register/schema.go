// Package register holds registers (台账): typed collections of records
// declared by a schema, each record belonging to one unit and dated. A new
// register is configuration, not code: its schema is stored, versioned,
// and turned into a table of its own with a column per field.
package register

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"kexie/internal/fault"
)

// FieldType is the kind of value a field holds.
type FieldType string

// The field types.
const (
	TypeText       FieldType = "text"
	TypeLongText   FieldType = "longtext"
	TypeInteger    FieldType = "integer"
	TypeDecimal    FieldType = "decimal"
	TypeMoney      FieldType = "money"
	TypePercent    FieldType = "percent"
	TypeDate       FieldType = "date"
	TypeDateTime   FieldType = "datetime"
	TypeBoolean    FieldType = "boolean"
	TypeOption     FieldType = "option"
	TypeOptions    FieldType = "options"
	TypeUnit       FieldType = "unit"
	TypeRecord     FieldType = "record"
	TypePerson     FieldType = "person"
	TypeAttachment FieldType = "attachment"
	TypeURL        FieldType = "url"
	TypeEmail      FieldType = "email"
	TypeMobile     FieldType = "mobile"
	TypeIDCard     FieldType = "idcard"
	TypeUSCC       FieldType = "uscc"
)

// FieldTypes lists every field type.
var FieldTypes = []FieldType{TypeText, TypeLongText, TypeInteger, TypeDecimal, TypeMoney, TypePercent, TypeDate,
	TypeDateTime, TypeBoolean, TypeOption, TypeOptions, TypeUnit, TypeRecord, TypePerson, TypeAttachment,
	TypeURL, TypeEmail, TypeMobile, TypeIDCard, TypeUSCC}

// PeopleRegister is the built-in register that person fields refer to.
const PeopleRegister = "people"

// Option is one choice of an option field: a stable code and its labels.
type Option struct {
	Code   string `json:"code"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
}

// Field is one field of a register.
type Field struct {
	Code      string    `json:"code"`
	Type      FieldType `json:"type"`
	NameZH    string    `json:"name_zh"`
	NameEN    string    `json:"name_en"`
	HelpZH    string    `json:"help_zh,omitempty"`
	HelpEN    string    `json:"help_en,omitempty"`
	Required  bool      `json:"required,omitempty"`
	Unique    bool      `json:"unique,omitempty"`
	Sensitive bool      `json:"sensitive,omitempty"`
	// Sortable gives the field an index in the list's order, so that a
	// list sorted by it reads the index instead of sorting every record.
	// Any field can be sorted by; only these sort fast on a large register.
	Sortable bool `json:"sortable,omitempty"`
	// Min and Max bound numbers and dates, written as values of the field
	// ("0", "12.5", "2021-01-01").
	Min       string `json:"min,omitempty"`
	Max       string `json:"max,omitempty"`
	MinLength int    `json:"min_length,omitempty"`
	MaxLength int    `json:"max_length,omitempty"`
	Pattern   string `json:"pattern,omitempty"`
	Default   string `json:"default,omitempty"`
	// Scale is the number of decimals of a decimal field (default 2).
	Scale   int      `json:"scale,omitempty"`
	Options []Option `json:"options,omitempty"`
	// Register names the register a record field refers to.
	Register string `json:"register,omitempty"`
	// Compute is an expression that computes the field from the others;
	// a computed field is never entered.
	Compute string `json:"compute,omitempty"`
	// MaxSize bounds an attachment's bytes; Accept lists its allowed
	// extensions (".pdf", ".jpg").
	MaxSize int64    `json:"max_size,omitempty"`
	Accept  []string `json:"accept,omitempty"`
}

// Name returns the field's label in lang.
func (f Field) Name(lang string) string {
	if lang == "en" && f.NameEN != "" {
		return f.NameEN
	}
	return f.NameZH
}

// Rule is a cross-field rule: an expression over the record that must be
// true, and the message shown when it is not.
type Rule struct {
	Expr      string `json:"expr"`
	Field     string `json:"field"`
	MessageZH string `json:"message_zh"`
	MessageEN string `json:"message_en"`
}

// Schema declares a register.
type Schema struct {
	Code          string   `json:"code"`
	NameZH        string   `json:"name_zh"`
	NameEN        string   `json:"name_en"`
	DescriptionZH string   `json:"description_zh,omitempty"`
	DescriptionEN string   `json:"description_en,omitempty"`
	UnitTypes     []string `json:"unit_types"`
	DateField     string   `json:"date_field"`
	NaturalKey    []string `json:"natural_key"`
	Fields        []Field  `json:"fields"`
	Rules         []Rule   `json:"rules,omitempty"`
}

// Field returns the field with code.
func (s *Schema) Field(code string) (Field, bool) {
	for _, f := range s.Fields {
		if f.Code == code {
			return f, true
		}
	}
	return Field{}, false
}

var codeRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// ValidCode says whether s may be a register or field code: lower-case
// letters, digits and '_', starting with a letter, at most 40 long.
func ValidCode(s string) bool { return codeRE.MatchString(s) }

// Limits on a schema.
const (
	MaxFields  = 200
	MaxOptions = 500
	MaxRules   = 50
)

// Check validates a schema on its own; references to other registers are
// checked by the caller, which knows them (known says whether a register
// code exists, the schema's own code included).
func (s *Schema) Check(known func(code string) bool) error {
	c := &fault.Check{}
	if !ValidCode(s.Code) {
		c.Add("code", "register.code.invalid")
	}
	checkText(c, "name_zh", s.NameZH, 100, true)
	checkText(c, "name_en", s.NameEN, 200, false)
	if len(s.Fields) == 0 {
		c.Add("fields", "error.required")
	}
	if len(s.Fields) > MaxFields {
		c.Add("fields", "error.too_many", "max", MaxFields)
	}
	seen := map[string]bool{}
	typesKnown := true
	for i, f := range s.Fields {
		at := fmt.Sprintf("fields[%d]", i)
		if !ValidCode(f.Code) || reserved[f.Code] {
			c.Add(at+".code", "register.field.code_invalid", "code", f.Code)
		}
		if seen[f.Code] {
			c.Add(at+".code", "register.field.duplicate", "code", f.Code)
		}
		seen[f.Code] = true
		if !slices.Contains(FieldTypes, f.Type) {
			c.Add(at+".type", "register.field.type_unknown", "value", string(f.Type))
			typesKnown = false
			continue
		}
		checkText(c, at+".name_zh", f.NameZH, 100, true)
		f.checkSelf(c, at, known)
	}
	if s.DateField == "" {
		c.Add("date_field", "error.required")
	} else if f, ok := s.Field(s.DateField); !ok || (f.Type != TypeDate && f.Type != TypeDateTime) {
		c.Add("date_field", "register.date_field.invalid", "code", s.DateField)
	}
	for _, k := range s.NaturalKey {
		f, ok := s.Field(k)
		if !ok {
			c.Add("natural_key", "register.natural_key.unknown", "code", k)
		} else if f.Type == TypeOptions || f.Type == TypeAttachment || f.Type == TypeLongText || f.Compute != "" {
			c.Add("natural_key", "register.natural_key.type", "code", k)
		}
	}
	if len(s.NaturalKey) == 0 {
		c.Add("natural_key", "error.required")
	}
	if len(s.Rules) > MaxRules {
		c.Add("rules", "error.too_many", "max", MaxRules)
	}
	for i, r := range s.Rules {
		at := fmt.Sprintf("rules[%d]", i)
		// checked here and not with the expressions, whose compiled
		// programs are kept by their source and field types alone
		if _, ok := s.Field(r.Field); !ok && r.Field != "" {
			c.Add(at+".field", "register.natural_key.unknown", "code", r.Field)
		}
		// the message is all a person entering a record is told
		checkText(c, at+".message_zh", r.MessageZH, 200, true)
		checkText(c, at+".message_en", r.MessageEN, 400, false)
	}
	// expressions are compiled beside the other faults, so one answer
	// lists them all, unless a field's type is unknown: the expressions
	// could not be typed
	if typesKnown {
		for _, f := range fault.FieldsOf(s.compileExprs()) {
			c.Add(f.Field, f.Key, flatten(f.Args)...)
		}
	}
	return c.Err()
}

// reserved are the column names every register table has.
var reserved = map[string]bool{"id": true, "unit_id": true, "unit_path": true, "date": true, "nkey": true,
	"status": true, "status_reason": true, "version": true, "created_at": true, "created_by": true,
	"updated_at": true, "updated_by": true, "search": true}

func (f Field) checkSelf(c *fault.Check, at string, known func(string) bool) {
	switch f.Type {
	case TypeOption, TypeOptions:
		if len(f.Options) == 0 {
			c.Add(at+".options", "error.required")
		}
		if len(f.Options) > MaxOptions {
			c.Add(at+".options", "error.too_many", "max", MaxOptions)
		}
		codes := map[string]bool{}
		for j, o := range f.Options {
			if !ValidCode(o.Code) && !optionCodeRE.MatchString(o.Code) {
				c.Add(fmt.Sprintf("%s.options[%d].code", at, j), "register.option.code_invalid", "code", o.Code)
			}
			if codes[o.Code] {
				c.Add(fmt.Sprintf("%s.options[%d].code", at, j), "register.option.duplicate", "code", o.Code)
			}
			codes[o.Code] = true
			checkText(c, fmt.Sprintf("%s.options[%d].name_zh", at, j), o.NameZH, 100, true)
		}
	case TypeRecord:
		if f.Register == "" || (known != nil && !known(f.Register)) {
			c.Add(at+".register", "register.field.register_unknown", "code", f.Register)
		}
	case TypeDecimal:
		if f.Scale < 0 || f.Scale > 6 {
			c.Add(at+".scale", "register.field.scale", "max", 6)
		}
	case TypeAttachment:
		if f.MaxSize < 0 || f.MaxSize > MaxAttachment {
			c.Add(at+".max_size", "register.field.max_size", "max", MaxAttachment, "size", SizeText(MaxAttachment))
		}
		// an upload is checked against the extensions, lower case: any
		// other spelling would refuse every file
		var bad []string
		for _, ext := range f.Accept {
			if _, ok := allowedTypes[ext]; !ok {
				bad = append(bad, ext)
			}
		}
		if len(bad) > 0 {
			c.Add(at+".accept", "register.field.accept", "value", strings.Join(bad, ", "), "list", strings.Join(FileTypes(), ", "))
		}
	}
	if f.Sortable && (f.Sensitive || f.Type == TypeAttachment || f.Type == TypeOptions) {
		c.Add(at+".sortable", "register.field.sortable")
	}
	if f.Pattern != "" {
		if _, err := regexp.Compile(f.Pattern); err != nil {
			c.Add(at+".pattern", "register.field.pattern_invalid")
		}
	}
	if f.MaxLength < 0 || f.MinLength < 0 || (f.MaxLength > 0 && f.MinLength > f.MaxLength) {
		c.Add(at+".max_length", "register.field.length_range")
	}
	for _, b := range []struct{ name, v string }{{"min", f.Min}, {"max", f.Max}, {"default", f.Default}} {
		if b.v == "" {
			continue
		}
		if _, err := f.Parse(b.v, false); err != nil {
			c.Add(at+"."+b.name, "register.field.bound_invalid", "value", b.v)
		}
	}
}

var optionCodeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$`)

// MaxAttachment is the largest attachment any field may allow (100 MiB).
const MaxAttachment = 100 << 20

func checkText(c *fault.Check, field, v string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(v) == "":
		c.Add(field, "error.required")
	case utf8.RuneCountInString(v) > max:
		c.Add(field, "error.too_long", "max", max)
	}
}
