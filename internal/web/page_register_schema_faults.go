package web

import (
	"fmt"
	"strconv"
	"strings"

	"kexie/internal/fault"
	"kexie/internal/register"
)

// A refused save of the schema editor: each fault at its input, the
// records in the way, and the migration rules that answer them.

// placeFaults puts the faults of a refused save at their inputs, the
// records' refusals in the list of conflicts, and offers the migration
// rules that answer them (keeping those already typed).
func (s *Server) placeFaults(p *schemaPage, reg *register.Register, stored *register.Schema, mig register.Migration, err error) {
	shown := map[string]bool{"code": true, "name_zh": true, "name_en": true, "description_zh": true, "description_en": true,
		"unit_types": true, "date_field": true, "natural_key": true, "fields": true, "rules": true}
	for _, r := range p.Rules {
		for _, a := range ruleAttrs {
			shown[r.N(a)] = true
		}
	}
	for _, f := range p.Fields {
		for _, a := range fieldAttrs {
			shown[f.N(a)] = true
		}
		switch {
		case f.Type == register.TypeDecimal:
			shown[f.N("scale")] = true
		case f.Type == register.TypeRecord:
			shown[f.N("register")] = true
		case f.Type == register.TypeAttachment:
			shown[f.N("max_size")], shown[f.N("accept")] = true, true
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
			p.Migrations = append(p.Migrations, in)
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
			p.Migrations = append(p.Migrations, in)
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
