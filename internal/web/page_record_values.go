package web

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kexie/internal/audit"
	"kexie/internal/figure"
	"kexie/internal/i18n"
	"kexie/internal/register"
)

// cell is a record's value as a page shows it.
type cell struct {
	Text   string // what is shown; "" shows a dash
	Title  string // the exact value, when Text rounds it the Chinese way
	Href   string // a link the value stands for (a URL, a referenced record)
	Files  []fileLink
	Masked bool // a sensitive value, shown masked
	Long   bool // long text, kept with its line breaks
}

// cellOf shows value v of field f; full is the record page (exact
// figures, every attachment), otherwise the list's cell (the Chinese
// figure, long text cut).
func (s *Server) cellOf(ctx context.Context, b Base, names *unitNamer, f register.Field, v any, full bool) (cell, error) {
	if v == nil {
		return cell{}, nil
	}
	if f.Sensitive {
		return cell{Text: register.Mask(f.Format(v, b.Lang)), Masked: true}, nil
	}
	c := cell{Text: f.Format(v, b.Lang)}
	switch f.Type {
	case register.TypeInteger, register.TypeMoney:
		n, _ := v.(int64)
		money := f.Type == register.TypeMoney
		short, exact := shortFigure(n, money, b.Lang), exactFigure(n, f.ScaleOf(), money, b.Lang)
		switch {
		case !full:
			c.Text = short
			if short != exact {
				c.Title = exact
			}
		case large(n, f.ScaleOf()) && short != exact:
			// the exact figure as entered, and how reports print it
			c.Text = exact + "（" + short + "）"
			if b.Lang == i18n.EN {
				c.Text = exact + " (" + short + ")"
			}
		default:
			c.Text = exact
		}
	case register.TypeLongText:
		c.Long = full
		if !full && utf8.RuneCountInString(c.Text) > 40 {
			c.Title = c.Text
			c.Text = string([]rune(c.Text)[:40]) + "…"
		}
	case register.TypeURL:
		c.Href = c.Text
	case register.TypeEmail:
		c.Href = "mailto:" + c.Text
	case register.TypeUnit:
		name, err := names.name(ctx, c.Text)
		if err != nil {
			return cell{}, err
		}
		if name != "" {
			c.Text, c.Title = name, c.Text
			c.Href = unitURL(c.Title)
		}
	case register.TypeRecord, register.TypePerson:
		target := f.Register
		if f.Type == register.TypePerson {
			target = register.PeopleRegister
		}
		c.Href = recordURL(target, v.(int64))
		c.Text = "#" + c.Text
	case register.TypeAttachment:
		ids, _ := v.([]string)
		if !full {
			c.Text = b.T("record.files_count", "count", len(ids))
			return c, nil
		}
		files, err := s.fileLinks(ctx, ids)
		if err != nil {
			return cell{}, err
		}
		c.Text, c.Files = "", files
	}
	return c, nil
}

// shortFigure shows a whole number or an amount of money (in fen) the
// way reports print figures (8.35万, 2028.12万元; 83,500 in English),
// through the one printer pages, the API and reports share.
func shortFigure(n int64, money bool, lang string) string {
	if money {
		// a float only to print, rounded to two decimals
		return figure.Format(float64(n)/100, "元", 2, false, lang)
	}
	return figure.Format(float64(n), "", 0, false, lang)
}

// large says whether a figure is printed scaled (万, 亿, million).
func large(n int64, scale int) bool {
	if n < 0 {
		n = -n
	}
	return n >= 10000*pow10(scale)
}

func pow10(d int) int64 {
	p := int64(1)
	for range d {
		p *= 10
	}
	return p
}

// exactFigure is the number exactly: money with two decimals and 元
// (¥ in English), English with thousands separators.
func exactFigure(n int64, scale int, money bool, lang string) string {
	s := register.FormatScaled(n, scale)
	if lang != i18n.EN {
		if money {
			return s + "元"
		}
		return s
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(s, ".")
	var out bytes.Buffer
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			out.WriteByte(',')
		}
		out.WriteRune(c)
	}
	if hasFrac {
		out.WriteString("." + frac)
	}
	res := out.String()
	if money {
		res = "¥" + res
	}
	if neg {
		res = "-" + res
	}
	return res
}

// historyRow is an audit entry of a record, made readable.
type historyRow struct {
	ID      int64
	At      time.Time
	Actor   string
	Action  string
	Note    string
	Created bool // the values it was created with; nothing came before
	Changes []historyChange
}

// historyChange is one thing an entry changed: before → after.
type historyChange struct{ Label, Before, After string }

// auditedRecord is a record as the register service audits it.
type auditedRecord struct {
	Unit   string         `json:"unit"`
	Date   string         `json:"date"`
	Status string         `json:"status"`
	Reason string         `json:"reason"`
	Values map[string]any `json:"values"`
}

func decodeAudited(raw json.RawMessage) *auditedRecord {
	if len(raw) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var a auditedRecord
	if dec.Decode(&a) != nil {
		return nil
	}
	return &a
}

// historyOf makes a record's audit entries readable: the status it
// moved to, and each field changed with its label, before → after.
func historyOf(b Base, reg *register.Register, entries []audit.Entry) []historyRow {
	out := make([]historyRow, 0, len(entries))
	for _, e := range entries {
		row := historyRow{ID: e.ID, At: e.At, Actor: e.ActorName, Action: b.TOr("record.action."+e.Action, e.Action)}
		if e.Action == "reveal" {
			var seen struct {
				Field string `json:"field"`
			}
			_ = json.Unmarshal(e.After, &seen)
			label := seen.Field
			if f, ok := reg.Schema.Field(seen.Field); ok {
				label = f.Name(b.Lang)
			}
			row.Note = b.T("record.history.revealed", "field", label)
			out = append(out, row)
			continue
		}
		before, after := decodeAudited(e.Before), decodeAudited(e.After)
		if before == nil {
			before, row.Created = &auditedRecord{}, true
		}
		if after == nil {
			after = &auditedRecord{}
		}
		if before.Status != after.Status && before.Status != "" {
			row.Changes = append(row.Changes, historyChange{Label: b.T("field.status"),
				Before: b.T("record.status." + before.Status), After: b.T("record.status." + after.Status)})
		}
		if after.Reason != "" && after.Reason != before.Reason {
			row.Note = b.T("record.history.reason", "reason", after.Reason)
		}
		for _, f := range reg.Schema.Fields {
			bv, av := auditText(b.Lang, f, before.Values[f.Code]), auditText(b.Lang, f, after.Values[f.Code])
			if bv != av {
				row.Changes = append(row.Changes, historyChange{Label: f.Name(b.Lang), Before: bv, After: av})
			}
		}
		out = append(out, row)
	}
	return out
}

// auditText shows a value as the audit log keeps it (the API's JSON
// form; sensitive values already masked).
func auditText(lang string, f register.Field, v any) string {
	if v == nil {
		return ""
	}
	if f.Sensitive {
		if s, ok := v.(string); ok {
			return s
		}
	}
	parsed, err := f.FromJSON(v)
	if err != nil || parsed == nil {
		b, _ := json.Marshal(v)
		return shownValue(string(b))
	}
	if n, ok := parsed.(int64); ok && (f.Type == register.TypeInteger || f.Type == register.TypeMoney) {
		return exactFigure(n, f.ScaleOf(), f.Type == register.TypeMoney, lang)
	}
	if f.Type == register.TypeAttachment {
		return strconv.Itoa(len(parsed.([]string)))
	}
	return f.Format(parsed, lang)
}
