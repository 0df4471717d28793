package register_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"testing"
	"time"

	"kexie/internal/fault"
	"kexie/internal/register"
)

// Fuzz targets for the parsers of field values, which read what office
// staff type and what Excel exports. Seeds live in testdata/fuzz/FuzzXxx;
// run one with
//
//	go test -run='^$' -fuzz=FuzzParseField -fuzztime=60s ./internal/register/

// fuzzFields is a field of every type, with the options and bounds the
// parsers check.
var fuzzFields = func() []register.Field {
	opts := []register.Option{{Code: "online", NameZH: "线上", NameEN: "Online"}, {Code: "off-line.2", NameZH: "线下", NameEN: "Offline"}}
	var out []register.Field
	for _, t := range register.FieldTypes {
		f := register.Field{Code: "f_" + string(t), Type: t, NameZH: "字段", Options: opts, Register: "x"}
		switch t {
		case register.TypeInteger:
			f.Min, f.Max = "-1万", "1亿"
		case register.TypeDecimal:
			f.Scale = 3
		case register.TypePercent:
			f.Max = "100%"
		case register.TypeDate:
			f.Min = "1990/1/1"
		case register.TypeDateTime:
			f.Max = "2100-01-01 00:00"
		case register.TypeText:
			f.MaxLength, f.Pattern = 20, `^[^#]*$`
		}
		out = append(out, f)
	}
	return out
}()

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// FuzzParseField parses text as every field type: no panic; a refusal is
// a validation error naming the field; a value has its type's Go form and
// comes back unchanged when the API sends it out and takes it back.
func FuzzParseField(f *testing.F) {
	f.Fuzz(func(t *testing.T, kind uint8, s string, serial bool) {
		fd := fuzzFields[int(kind)%len(fuzzFields)]
		v, err := fd.Parse(s, serial)
		if err != nil {
			var inv *fault.Invalid
			if !errors.As(err, &inv) || len(inv.Fields) != 1 || inv.Fields[0].Field != fd.Code {
				t.Fatalf("%s %q: %v", fd.Type, s, err)
			}
			return
		}
		if v == nil {
			return
		}
		if !goForm(fd, v) {
			t.Fatalf("%s %q: %T %v", fd.Type, s, v, v)
		}
		// what the API answers, it takes back as the same value
		out, err := json.Marshal(fd.JSONValue(v))
		if err != nil {
			t.Fatalf("%s %q: marshal %v: %v", fd.Type, s, v, err)
		}
		dec := json.NewDecoder(bytes.NewReader(out))
		dec.UseNumber()
		var back any
		if err := dec.Decode(&back); err != nil {
			t.Fatal(err)
		}
		again, err := fd.FromJSON(back)
		if err != nil {
			t.Fatalf("%s %q: %v sent as %s is refused back: %v", fd.Type, s, v, out, err)
		}
		if !sameValue(v, again) {
			t.Fatalf("%s %q: %#v sent as %s comes back as %#v", fd.Type, s, v, out, again)
		}
	})
}

// goForm says whether v is the Go form of a value of fd's type.
func goForm(fd register.Field, v any) bool {
	switch fd.Type {
	case register.TypeInteger, register.TypeDecimal, register.TypeMoney, register.TypePercent, register.TypeRecord, register.TypePerson:
		_, ok := v.(int64)
		return ok
	case register.TypeBoolean:
		_, ok := v.(bool)
		return ok
	case register.TypeDateTime:
		_, ok := v.(time.Time)
		return ok
	case register.TypeOptions, register.TypeAttachment:
		l, ok := v.([]string)
		return ok && len(l) > 0
	case register.TypeDate:
		d, ok := v.(string)
		return ok && dateRE.MatchString(d)
	}
	_, ok := v.(string)
	return ok
}

func sameValue(a, b any) bool {
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		return ok && ta.Equal(tb)
	}
	return reflect.DeepEqual(a, b)
}

// FuzzParseNumber: no panic, and every number read is written back by
// FormatScaled as text that reads as the same number.
func FuzzParseNumber(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string, scale uint8) {
		sc := int(scale % 7)
		n, ok := register.ParseNumber(s, sc)
		if !ok {
			return
		}
		text := register.FormatScaled(n, sc)
		m, ok := register.ParseNumber(text, sc)
		if !ok || m != n {
			t.Fatalf("ParseNumber(%q, %d) = %d, written %q, read back %d %v", s, sc, n, text, m, ok)
		}
		if again := register.FormatScaled(m, sc); again != text {
			t.Fatalf("FormatScaled is not canonical: %q then %q", text, again)
		}
	})
}

// FuzzParseDate: no panic; a date read is a real day written 2006-01-02
// that reads back as itself; a date-time read is an instant whose RFC 3339
// text reads back as the same instant.
func FuzzParseDate(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string, serial bool) {
		if d, ok := register.ParseDate(s, serial); ok {
			if _, err := time.Parse(time.DateOnly, d); err != nil || !dateRE.MatchString(d) {
				t.Fatalf("ParseDate(%q) = %q", s, d)
			}
			if again, ok := register.ParseDate(d, false); !ok || again != d {
				t.Fatalf("ParseDate(%q) = %q, which reads back as %q %v", s, d, again, ok)
			}
		}
		if tm, ok := register.ParseDateTime(s, serial); ok {
			text := tm.UTC().Format(time.RFC3339)
			again, ok := register.ParseDateTime(text, false)
			if !ok || !again.Equal(tm) {
				t.Fatalf("ParseDateTime(%q) = %v, written %q, read back %v %v", s, tm, text, again, ok)
			}
		}
	})
}
