package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

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
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return &bodyError{key: "error.json.trailing"}
	}
	if _, err := dec.Token(); err != io.EOF {
		return &bodyError{key: "error.json.trailing"}
	}
	return nil
}

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
