package web

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"kexie/internal/register"
)

// Reading the schema editor's form: the draft it holds, and the change
// one of its buttons asks for.

// draftOf reads the schema and the migration the form holds. What the
// form does not show of a stored field is kept as stored.
func draftOf(form url.Values, reg *register.Register) (register.Schema, register.Migration) {
	get := func(k string) string { return strings.TrimSpace(form.Get(k)) }
	var stored register.Schema
	sc := register.Schema{Code: get("code")}
	if reg != nil {
		stored = reg.Schema
		sc.Code = reg.Code
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
		if f.Type != register.TypeAttachment {
			f.MaxSize, f.Accept = 0, nil
		}
		if _, ok := form[p+"max_size"]; ok && f.Type == register.TypeAttachment {
			f.MaxSize, f.Accept = sizeOf(get(p+"max_size"), f.MaxSize), acceptOf(get(p+"accept"), f.Accept)
		}
		for j := 0; ; j++ {
			q := fmt.Sprintf("%soptions[%d].", p, j)
			if _, ok := form[q+"code"]; !ok {
				break
			}
			f.Options = append(f.Options, register.Option{Code: get(q + "code"), NameZH: get(q + "name_zh"), NameEN: get(q + "name_en")})
		}
		if f.Type != register.TypeOption && f.Type != register.TypeOptions {
			f.Options = nil
		}
		sc.Fields = append(sc.Fields, f)
	}
	sc.Rules = rulesOf(form, stored.Rules)
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

// withoutBlanks is the draft as saved: an option or a rule added and
// left empty is none. Blank rows stay while the form is only redrawn, so
// that the row number a button carries names the row it stands beside.
func withoutBlanks(sc register.Schema) register.Schema {
	sc.Fields = slices.Clone(sc.Fields)
	for i, f := range sc.Fields {
		sc.Fields[i].Options = slices.DeleteFunc(slices.Clone(f.Options), func(o register.Option) bool { return o == register.Option{} })
	}
	sc.Rules = slices.DeleteFunc(slices.Clone(sc.Rules), func(r register.Rule) bool { return r == register.Rule{} })
	return sc
}

// sizeOf reads an attachment's size limit as typed: megabytes, or
// kilobytes with KB ("5", "5 MB", "0.5", "500 KB", "500K"); empty is
// none. The stored limit shown unchanged stays the same to the byte;
// what cannot be read is -1, which the service refuses at the input.
func sizeOf(s string, stored int64) int64 {
	if s == sizeInput(stored) {
		return stored
	}
	s = strings.ToUpper(strings.ReplaceAll(register.Fold(s), " ", ""))
	if s == "" {
		return 0
	}
	unit := float64(1 << 20)
	for _, u := range []struct {
		suffix string
		bytes  float64
	}{{"MB", 1 << 20}, {"M", 1 << 20}, {"兆", 1 << 20}, {"KB", 1 << 10}, {"K", 1 << 10}, {"B", 1}} {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, unit = rest, u.bytes
			break
		}
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || x < 0 || math.IsNaN(x) || x*unit > register.MaxAttachment*1024 { // past any limit, and far from overflowing
		return -1
	}
	return int64(math.Round(x * unit))
}

// sizeInput is a size limit as its input shows it ("" for none).
func sizeInput(n int64) string {
	if n == 0 {
		return ""
	}
	return register.SizeText(n)
}

// acceptOf reads the file types an attachment accepts as typed:
// extensions with or without their dot, apart by commas, 、 or spaces
// ("pdf, JPG、*.docx"), kept as uploads are checked (".pdf"); empty is
// every type kexie takes.
func acceptOf(s string, stored []string) []string {
	if s == acceptInput(stored) {
		return stored
	}
	var out []string
	for _, w := range strings.FieldsFunc(register.Fold(s), func(r rune) bool { return strings.ContainsRune(",、;", r) || unicode.IsSpace(r) }) {
		ext := "." + strings.TrimLeft(strings.ToLower(w), "*.")
		if !slices.Contains(out, ext) {
			out = append(out, ext)
		}
	}
	return out
}

// acceptInput is the file types an attachment accepts as its input
// shows them ("pdf, jpg").
func acceptInput(exts []string) string {
	out := make([]string, len(exts))
	for i, e := range exts {
		out[i] = strings.TrimPrefix(e, ".")
	}
	return strings.Join(out, ", ")
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
// add_field, remove:I, up:I, down:I, add_option:I, remove_option:I:J,
// add_rule, remove_rule:I.
func applyOp(sc *register.Schema, op, newType string) {
	name, arg, _ := strings.Cut(op, ":")
	istr, jstr, _ := strings.Cut(arg, ":")
	i, err := strconv.Atoi(istr)
	rows := len(sc.Fields)
	if name == "remove_rule" {
		rows = len(sc.Rules)
	}
	if name != "add_field" && name != "add_rule" && (err != nil || i < 0 || i >= rows) {
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
	case "add_rule":
		sc.Rules = append(sc.Rules, register.Rule{})
	case "remove_rule":
		sc.Rules = slices.Delete(sc.Rules, i, i+1)
	}
	// a field whose type now takes options gets a first one to fill
	for k, f := range sc.Fields {
		if (f.Type == register.TypeOption || f.Type == register.TypeOptions) && len(f.Options) == 0 {
			sc.Fields[k].Options = []register.Option{{}}
		}
	}
}
