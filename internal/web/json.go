package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"kexie/internal/fault"
)

// bodyError is a request body that could not be decoded; field is set
// when one field is at fault (a wrong type, an unknown field).
type bodyError struct {
	field string
	key   string
	args  map[string]any
}

func (e *bodyError) Error() string { return "bad body: " + e.key + " " + e.field }

// decode reads a JSON body into v: at most MaxBody bytes, unknown fields
// refused, nothing after the value.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) error {
	body := http.MaxBytesReader(w, r.Body, s.opts.MaxBody)
	return decodeJSON(body, v)
}

// decodeJSON is the strict decoder behind decode, kept apart for fuzzing.
func decodeJSON(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	dec.UseNumber() // numbers in free-form values (record fields) stay exact
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return &bodyError{key: "error.json.trailing"}
	}
	if _, err := dec.Token(); err != io.EOF {
		return &bodyError{key: "error.json.trailing"}
	}
	if field, ok := nulField(reflect.ValueOf(v), "body"); ok {
		return &bodyError{field: field, key: "error.bad_text"}
	}
	return nil
}

// nulField finds a string holding a NUL character in a decoded body and
// names its field. JSON allows "\u0000", but no text of kexie holds it and
// PostgreSQL refuses it, which would fail the request with a 500.
func nulField(v reflect.Value, field string) (string, bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return nulField(v.Elem(), field)
		}
	case reflect.String:
		return field, strings.ContainsRune(v.String(), 0)
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if f, ok := nulField(v.Index(i), field); ok {
				return f, true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if f, ok := nulField(it.Key(), field); ok {
				return f, true
			}
			if f, ok := nulField(it.Value(), field); ok {
				return f, true
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			sf := t.Field(i)
			if !sf.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			switch {
			case name == "-":
				continue
			case sf.Anonymous && name == "":
				name = field // an embedded struct's fields are the body's own
			case name == "":
				name = sf.Name
			}
			if f, ok := nulField(v.Field(i), name); ok {
				return f, true
			}
		}
	}
	return "", false
}

// checkText refuses request text no record can hold and PostgreSQL
// cannot compare (NUL characters, invalid UTF-8) before a handler puts
// it in a query: a path naming such a thing names nothing (404); a query
// or form parameter is invalid (422, naming it).
func checkText(r *http.Request) error {
	if !cleanText(r.URL.Path) {
		return fault.NotFound("path", strconv.Quote(r.URL.Path))
	}
	c := &fault.Check{}
	forms := []map[string][]string{r.URL.Query(), r.PostForm}
	if r.MultipartForm != nil {
		forms = append(forms, r.MultipartForm.Value)
	}
	for _, form := range forms {
		for name, vals := range form {
			bad := !cleanText(name)
			for _, v := range vals {
				bad = bad || !cleanText(v)
			}
			if bad {
				c.Add(strings.ToValidUTF8(strings.ReplaceAll(name, "\x00", ""), "?"), "error.bad_text")
			}
		}
	}
	return c.Err()
}

// cleanText says whether s is valid UTF-8 without NUL characters.
func cleanText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

func jsonError(err error) error {
	var maxErr *http.MaxBytesError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &maxErr):
		return err
	case errors.Is(err, io.EOF):
		return &bodyError{key: "error.json.empty"}
	case errors.As(err, &syn):
		return &bodyError{key: "error.json", args: map[string]any{"detail": fmt.Sprintf("offset %d", syn.Offset)}}
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return &bodyError{field: field, key: "error.json.type", args: map[string]any{"want": jsonKind(typ.Type.Kind().String())}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &bodyError{field: name, key: "error.json.unknown_field"}
	}
	return &bodyError{key: "error.json", args: map[string]any{"detail": "unexpected end"}}
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "struct", "map":
		return "object"
	}
	return "number"
}

// writeJSON answers v with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// queryInt reads an optional whole-number query parameter.
func queryInt(r *http.Request, name string, def int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 1_000_000 {
		return 0, fault.InvalidField(name, "error.integer")
	}
	return n, nil
}
