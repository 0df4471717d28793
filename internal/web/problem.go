package web

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"kexie/internal/auth"
	"kexie/internal/fault"
)

// Problem is an RFC 9457 problem details body, localised.
type Problem struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Detail    string         `json:"detail,omitempty"`
	Instance  string         `json:"instance,omitempty"`
	RequestID string         `json:"request_id"`
	Errors    []ProblemField `json:"errors,omitempty"`
}

// ProblemField is one field at fault.
type ProblemField struct {
	Field   string `json:"field"`
	Key     string `json:"key"`
	Message string `json:"message"`
}

// problemOf maps an error to its status and localised problem. Internal
// error text never reaches the client: it is logged with the request id.
func (s *Server) problemOf(r *http.Request, err error) Problem {
	rq := reqOf(r)
	lang := rq.lang
	p := Problem{Instance: r.URL.Path, RequestID: rq.id}
	set := func(status int, typ, key string) {
		p.Status, p.Type = status, "/problems/"+typ
		p.Title = s.msgs.T(lang, key, nil)
		if s.msgs.Has(lang, key+".detail") {
			p.Detail = s.msgs.T(lang, key+".detail", map[string]any{"request_id": rq.id})
		}
	}
	var maxErr *http.MaxBytesError
	var bodyErr *bodyError
	switch {
	case errors.As(err, &bodyErr):
		set(http.StatusBadRequest, "bad-request", "problem.bad_request")
		p.Detail = s.msgs.T(lang, bodyErr.key, bodyErr.args)
		if bodyErr.field != "" {
			p.Status, p.Type, p.Title = http.StatusUnprocessableEntity, "/problems/validation", s.msgs.T(lang, "problem.invalid", nil)
			p.Errors = []ProblemField{{Field: bodyErr.field, Key: bodyErr.key, Message: s.fieldLabel(lang, bodyErr.field) + sep(lang) + s.msgs.T(lang, bodyErr.key, bodyErr.args)}}
		}
	case errors.As(err, &maxErr):
		set(http.StatusRequestEntityTooLarge, "too-large", "problem.too_large")
		p.Detail = s.msgs.T(lang, "error.body_too_large", map[string]any{"max": maxErr.Limit})
	case errors.Is(err, auth.ErrLocked):
		set(http.StatusTooManyRequests, "locked", "problem.locked")
	case errors.Is(err, auth.ErrBadCredentials):
		set(http.StatusUnauthorized, "bad-credentials", "problem.bad_credentials")
	case errors.Is(err, fault.ErrUnauthenticated):
		set(http.StatusUnauthorized, "unauthenticated", "problem.unauthenticated")
	case errors.Is(err, errCSRF), errors.Is(err, errCrossOrigin):
		set(http.StatusForbidden, "csrf", "problem.csrf")
	case errors.Is(err, errMethod):
		set(http.StatusMethodNotAllowed, "method-not-allowed", "problem.method")
	case errors.Is(err, fault.ErrNotFound):
		set(http.StatusNotFound, "not-found", "problem.not_found")
	case errors.Is(err, fault.ErrForbidden):
		set(http.StatusForbidden, "forbidden", "problem.forbidden")
	case errors.Is(err, fault.ErrTooMany):
		set(http.StatusTooManyRequests, "too-many", "problem.too_many")
	case errors.Is(err, fault.ErrConflict):
		set(http.StatusConflict, "conflict", "problem.conflict")
	case errors.Is(err, fault.ErrInvalid):
		set(http.StatusUnprocessableEntity, "validation", "problem.invalid")
	default:
		set(http.StatusInternalServerError, "internal", "problem.internal")
		s.log.Error("request failed", slog.String("request_id", rq.id), slog.String("path", r.URL.Path), slog.Any("error", err))
	}
	var namer fieldNamer
	named := errors.As(err, &namer)
	for _, f := range fault.FieldsOf(err) {
		label, ok := "", false
		if named {
			label, ok = namer.FieldName(f.Field, lang)
		}
		if !ok {
			label = s.fieldLabel(lang, f.Field)
		}
		p.Errors = append(p.Errors, ProblemField{Field: f.Field, Key: f.Key, Message: label + sep(lang) + s.msgs.T(lang, f.Key, f.Args)})
	}
	return p
}

// fieldNamer is an error that knows the names of its fields better than
// the locale files do: a register's fields are named in its schema.
type fieldNamer interface {
	FieldName(field, lang string) (string, bool)
}

// writeError answers err as a problem (API) or an error page (pages).
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, kind routeKind, err error) {
	p := s.problemOf(r, err)
	if kind == kindPage {
		s.pageError(w, r, p)
		return
	}
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="kexie"`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// sep joins a field's label to its reason.
func sep(lang string) string {
	if lang == "en" {
		return " "
	}
	return "："
}

// fieldLabel is a field's name for people: its "field.NAME" message, or
// the field name itself when there is none.
func (s *Server) fieldLabel(lang, field string) string {
	if s.msgs.Has(lang, "field."+field) {
		return s.msgs.T(lang, "field."+field, nil)
	}
	return field
}
