// Package fault holds the few error kinds every domain package returns and
// the web layer maps to HTTP statuses. Domain errors wrap one of the
// sentinels; validation errors also carry the fields at fault as
// translation keys, so the same error serves the pages and the API.
package fault

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinels that domain errors unwrap to.
var (
	// ErrNotFound means the thing does not exist or is outside the caller's scope.
	ErrNotFound = errors.New("not found")
	// ErrInvalid means the input breaks a rule.
	ErrInvalid = errors.New("invalid input")
	// ErrConflict means the input clashes with what is stored (duplicate, stale version).
	ErrConflict = errors.New("conflict")
	// ErrForbidden means the caller may see the thing but not do this to it.
	ErrForbidden = errors.New("forbidden")
	// ErrUnauthenticated means no valid session or token came with the request.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrTooMany means the caller must wait before trying again.
	ErrTooMany = errors.New("too many requests")
)

// Field is one field at fault: its name in the request, a translation key
// for the reason, and the values the message may quote.
type Field struct {
	Field string         `json:"field"`
	Key   string         `json:"key"`
	Args  map[string]any `json:"args,omitempty"`
}

// Invalid is a validation error listing every field at fault.
type Invalid struct {
	Fields []Field
	kind   error
}

// Error lists the fields and keys, for logs.
func (e *Invalid) Error() string {
	parts := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		parts = append(parts, f.Field+": "+f.Key)
	}
	return "invalid: " + strings.Join(parts, "; ")
}

// Unwrap makes errors.Is(err, ErrInvalid) (or ErrConflict) true.
func (e *Invalid) Unwrap() error {
	if e.kind != nil {
		return e.kind
	}
	return ErrInvalid
}

// Check collects field errors while a request is validated.
type Check struct{ fields []Field }

// Add records that field fails with the reason key.
func (c *Check) Add(field, key string, args ...any) {
	c.fields = append(c.fields, Field{Field: field, Key: key, Args: pairs(args)})
}

// OK says whether no field failed so far.
func (c *Check) OK() bool { return len(c.fields) == 0 }

// Err returns nil when every field passed, else an *Invalid.
func (c *Check) Err() error {
	if len(c.fields) == 0 {
		return nil
	}
	return &Invalid{Fields: c.fields}
}

// InvalidField is a one-field validation error.
func InvalidField(field, key string, args ...any) error {
	return &Invalid{Fields: []Field{{Field: field, Key: key, Args: pairs(args)}}}
}

// ConflictField is a one-field conflict (a duplicate code, say).
func ConflictField(field, key string, args ...any) error {
	return &Invalid{Fields: []Field{{Field: field, Key: key, Args: pairs(args)}}, kind: ErrConflict}
}

// NotFound wraps ErrNotFound with what was looked for, for logs.
func NotFound(what string, id any) error {
	return fmt.Errorf("%s %v: %w", what, id, ErrNotFound)
}

func pairs(args []any) map[string]any {
	if len(args) == 0 {
		return nil
	}
	m := make(map[string]any, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		k, _ := args[i].(string)
		m[k] = args[i+1]
	}
	return m
}

// FieldsOf returns the fields at fault in err, if it is a validation error.
func FieldsOf(err error) []Field {
	var inv *Invalid
	if errors.As(err, &inv) {
		return inv.Fields
	}
	return nil
}
