package register

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kexie/internal/fault"
)

// A field's value in Go is one of: nil (empty), string (text kinds, date
// as "2006-01-02", option code, unit code), int64 (integer; decimal,
// money and percent scaled to integers), bool, time.Time (date-time, UTC),
// []string (options, attachment ids). Money is in fen, percent in
// hundredths of a percent, decimal in units of 10^-Scale: never a float.

// ScaleOf is the number of decimals a numeric field keeps.
func (f Field) ScaleOf() int {
	switch f.Type {
	case TypeMoney, TypePercent:
		return 2
	case TypeDecimal:
		if f.Scale == 0 {
			return 2
		}
		return f.Scale
	}
	return 0
}

// Numeric says whether the field holds a number.
func (f Field) Numeric() bool {
	switch f.Type {
	case TypeInteger, TypeDecimal, TypeMoney, TypePercent:
		return true
	}
	return false
}

var (
	mobileRE = regexp.MustCompile(`^1[3-9]\d{9}$`)
	// mobileSeparators drops what people put between a number's digits;
	// built once, for a Replacer builds its tables on first use
	mobileSeparators = strings.NewReplacer(" ", "", "-", "")
	maxText          = map[FieldType]int{TypeText: 500, TypeLongText: 20000, TypeURL: 2000, TypeEmail: 254}
)

// Parse reads a value typed as text (a form field, a CSV or Excel cell)
// with the tolerance of the normalisers; serial says the text came from a
// numeric Excel cell, so a date may be a serial day number. The empty
// string is nil. The error names the field and why.
func (f Field) Parse(s string, serial bool) (any, error) {
	s = Fold(s)
	if s == "" {
		return nil, nil
	}
	bad := func(key string, args ...any) (any, error) {
		return nil, fault.InvalidField(f.Code, key, append([]any{"value", s}, args...)...)
	}
	switch f.Type {
	case TypeText, TypeLongText, TypeURL, TypeEmail:
		return f.checkString(s)
	case TypeMobile:
		d := mobileSeparators.Replace(strings.TrimPrefix(strings.TrimPrefix(s, "+86"), "86-"))
		if !mobileRE.MatchString(d) {
			return bad("register.value.mobile")
		}
		return d, nil
	case TypeIDCard:
		d := strings.ToUpper(strings.ReplaceAll(s, " ", ""))
		if !ValidIDCard(d) {
			return bad("register.value.idcard")
		}
		return d, nil
	case TypeUSCC:
		d := strings.ToUpper(strings.ReplaceAll(s, " ", ""))
		if !ValidUSCC(d) {
			return bad("register.value.uscc")
		}
		return d, nil
	case TypeInteger, TypeDecimal, TypeMoney, TypePercent:
		t := s
		if f.Type == TypePercent {
			t = strings.TrimSpace(strings.TrimSuffix(t, "%"))
		}
		if f.Type == TypeMoney {
			t = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(t, "¥"), "￥"), "元"))
		}
		n, ok := ParseNumber(t, f.ScaleOf())
		if !ok {
			if f.Type == TypeInteger {
				return bad("register.value.integer")
			}
			return bad("register.value.number", "scale", f.ScaleOf())
		}
		return f.checkNumber(n)
	case TypeDate:
		d, ok := ParseDate(s, serial)
		if !ok {
			return bad("register.value.date")
		}
		return f.checkDate(d)
	case TypeDateTime:
		t, ok := ParseDateTime(s, serial)
		if !ok {
			return bad("register.value.datetime")
		}
		return f.checkDateTime(t)
	case TypeBoolean:
		b, ok := ParseBool(s)
		if !ok {
			return bad("register.value.boolean")
		}
		return b, nil
	case TypeOption:
		code, ok := f.option(s)
		if !ok {
			return bad("register.value.option")
		}
		return code, nil
	case TypeOptions:
		parts := strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '；' || r == ',' || r == '，' || r == '、' || r == '\n' })
		var codes []string
		for _, p := range parts {
			code, ok := f.option(strings.TrimSpace(p))
			if !ok {
				return nil, fault.InvalidField(f.Code, "register.value.option", "value", strings.TrimSpace(p))
			}
			if !slices.Contains(codes, code) {
				codes = append(codes, code)
			}
		}
		if len(codes) == 0 {
			return nil, nil
		}
		return codes, nil
	case TypeUnit:
		return s, nil // the service resolves and scopes unit codes
	case TypeRecord, TypePerson:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return bad("register.value.reference")
		}
		return n, nil
	case TypeAttachment:
		// ids are kept in their canonical form: downloads find the
		// records that refer to a file by its id's text
		var ids []string
		for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == '；' || r == '，' }) {
			n, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
			if err != nil || n <= 0 {
				return nil, fault.InvalidField(f.Code, "register.value.reference", "value", strings.TrimSpace(p))
			}
			if id := strconv.FormatInt(n, 10); !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			return nil, nil
		}
		return ids, nil
	}
	return bad("register.value.invalid")
}

// FromJSON reads a value as sent in a JSON request: strings are parsed
// like text; numbers are taken exactly from their decimal text; booleans
// and arrays where the type expects them.
func (f Field) FromJSON(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return f.Parse(x, false)
	case json.Number:
		if !f.Numeric() && f.Type != TypeRecord && f.Type != TypePerson && f.Type != TypeText {
			return nil, fault.InvalidField(f.Code, "register.value.type")
		}
		return f.Parse(x.String(), false)
	case bool:
		if f.Type != TypeBoolean {
			return nil, fault.InvalidField(f.Code, "register.value.type")
		}
		return x, nil
	case []any:
		if f.Type != TypeOptions && f.Type != TypeAttachment {
			return nil, fault.InvalidField(f.Code, "register.value.type")
		}
		parts := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fault.InvalidField(f.Code, "register.value.type")
			}
			parts = append(parts, s)
		}
		return f.Parse(strings.Join(parts, ";"), false)
	}
	return nil, fault.InvalidField(f.Code, "register.value.type")
}

func (f Field) checkString(s string) (any, error) {
	n := utf8.RuneCountInString(s)
	max := f.MaxLength
	if max == 0 || max > maxText[f.Type] {
		max = maxText[f.Type]
	}
	switch {
	case n > max:
		return nil, fault.InvalidField(f.Code, "error.too_long", "max", max)
	case f.MinLength > 0 && n < f.MinLength:
		return nil, fault.InvalidField(f.Code, "register.value.too_short", "min", f.MinLength)
	case f.Type != TypeLongText && strings.ContainsAny(s, "\x00\r\n"):
		return nil, fault.InvalidField(f.Code, "error.bad_text")
	}
	switch f.Type {
	case TypeURL:
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fault.InvalidField(f.Code, "register.value.url", "value", s)
		}
	case TypeEmail:
		a, err := mail.ParseAddress(s)
		if err != nil || a.Address != s {
			return nil, fault.InvalidField(f.Code, "register.value.email", "value", s)
		}
	}
	if f.Pattern != "" {
		if re, err := regexp.Compile(f.Pattern); err == nil && !re.MatchString(s) {
			return nil, fault.InvalidField(f.Code, "register.value.pattern", "value", s)
		}
	}
	return s, nil
}

// bound reads a field's min or max as a value of the field, with the
// tolerance its values get ("100%", "¥1,000", "2021/1/1"): the schema
// check accepts bounds written so.
func (f Field) bound(s string) (any, bool) {
	if s == "" {
		return nil, false
	}
	plain := Field{Code: f.Code, Type: f.Type, Scale: f.Scale}
	v, err := plain.Parse(s, false)
	return v, err == nil && v != nil
}

func (f Field) checkNumber(n int64) (any, error) {
	if min, ok := f.bound(f.Min); ok && n < min.(int64) {
		return nil, fault.InvalidField(f.Code, "register.value.min", "min", f.Min)
	}
	if max, ok := f.bound(f.Max); ok && n > max.(int64) {
		return nil, fault.InvalidField(f.Code, "register.value.max", "max", f.Max)
	}
	return n, nil
}

func (f Field) checkDate(d string) (any, error) {
	if min, ok := f.bound(f.Min); ok && d < min.(string) {
		return nil, fault.InvalidField(f.Code, "register.value.min", "min", f.Min)
	}
	if max, ok := f.bound(f.Max); ok && d > max.(string) {
		return nil, fault.InvalidField(f.Code, "register.value.max", "max", f.Max)
	}
	return d, nil
}

func (f Field) checkDateTime(t time.Time) (any, error) {
	if min, ok := f.bound(f.Min); ok && t.Before(min.(time.Time)) {
		return nil, fault.InvalidField(f.Code, "register.value.min", "min", f.Min)
	}
	if max, ok := f.bound(f.Max); ok && t.After(max.(time.Time)) {
		return nil, fault.InvalidField(f.Code, "register.value.max", "max", f.Max)
	}
	return t, nil
}

// option finds an option by code or by either label.
func (f Field) option(s string) (string, bool) {
	for _, o := range f.Options {
		if o.Code == s || o.NameZH == s || strings.EqualFold(o.NameEN, s) {
			return o.Code, true
		}
	}
	return "", false
}

// Format writes a value for people in lang: numbers exactly with their
// decimals, options by label, booleans as 是/否.
func (f Field) Format(v any, lang string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case int64:
		s := FormatScaled(x, f.ScaleOf())
		if f.Type == TypePercent {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".") + "%"
		}
		return s
	case bool:
		if lang == "en" {
			return map[bool]string{true: "Yes", false: "No"}[x]
		}
		return map[bool]string{true: "是", false: "否"}[x]
	case time.Time:
		return x.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04")
	case []string:
		labels := make([]string, len(x))
		for i, c := range x {
			labels[i] = f.optionLabel(c, lang)
		}
		return strings.Join(labels, "；")
	case string:
		if f.Type == TypeOption {
			return f.optionLabel(x, lang)
		}
		return x
	}
	return fmt.Sprint(v)
}

func (f Field) optionLabel(code, lang string) string {
	for _, o := range f.Options {
		if o.Code == code {
			if lang == "en" && o.NameEN != "" {
				return o.NameEN
			}
			return o.NameZH
		}
	}
	return code
}

// JSONValue is a value as the API sends it: scaled numbers as exact
// decimal strings, date-times in RFC 3339.
func (f Field) JSONValue(v any) any {
	switch x := v.(type) {
	case int64:
		if f.ScaleOf() > 0 {
			return FormatScaled(x, f.ScaleOf())
		}
		return x
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	}
	return v
}
