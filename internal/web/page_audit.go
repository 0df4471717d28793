package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"kexie/internal/audit"
	"kexie/internal/auth"
	"kexie/internal/fault"
	"kexie/internal/unit"
)

// auditView is a list of audit entries as pages show them.
type auditView struct {
	Base
	Rows []auditRow
	More string // link to older entries
	All  string // link to the audit viewer for the same subject
}

// auditRow is an entry with its before and after made readable.
type auditRow struct {
	audit.Entry
	UnitCode              string
	Changes               []auditChange
	BeforeJSON, AfterJSON string
}

// auditChange is one key whose value the entry changed.
type auditChange struct{ Key, Before, After string }

// auditEntities and auditActions are offered in the filter; others typed
// in still work.
var (
	auditEntities = []string{"unit", "user", "unit_type", "unit_group"}
	auditActions  = []string{"create", "update", "move", "close", "reopen", "save", "grant", "revoke",
		"login", "login_failed", "logout", "change_password", "reset_password", "token_create", "token_revoke"}
)

type auditPageData struct {
	Base
	Form     formState
	Entities []string
	Actions  []string
	View     auditView
	Filtered bool
}

// pageAudit is the audit viewer: the entries in the caller's audit scope
// (the same scope as GET /api/v1/audit), newest first, filtered.
func (s *Server) pageAudit(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	if !p.Can(auth.PermAuditRead) {
		return fault.ErrForbidden
	}
	if err := r.ParseForm(); err != nil {
		return &bodyError{key: "error.query"}
	}
	q := r.URL.Query()
	data := auditPageData{Base: s.base(r, "audit.title", "audit"), Entities: auditEntities, Actions: auditActions}
	data.View.Base = data.Base
	data.Form = newForm()
	for _, k := range []string{"entity", "entity_id", "action", "unit", "actor"} {
		data.Form.values.Set(k, q.Get(k))
		data.Filtered = data.Filtered || q.Get(k) != ""
	}
	f, err := auditFilter(r)
	fields := fault.FieldsOf(err)
	if err != nil && fields == nil {
		return err
	}
	if code := q.Get("unit"); code != "" {
		err := s.auditUnit(r.Context(), p, &f, code)
		if errors.Is(err, fault.ErrNotFound) {
			fields = append(fields, fault.Field{Field: "unit", Key: "auth.grant.out_of_scope", Args: map[string]any{"code": code}})
		} else if err != nil {
			return err
		}
	}
	if name := q.Get("actor"); name != "" {
		err := s.auditActor(r.Context(), p, &f, name)
		if errors.Is(err, fault.ErrNotFound) {
			fields = append(fields, fault.Field{Field: "actor", Key: "audit.actor_unknown", Args: map[string]any{"name": name}})
		} else if err != nil {
			return err
		}
	}
	if fields != nil {
		status, _ := s.refuse(r, &fault.Invalid{Fields: fields}, &data.Form, "entity", "entity_id", "action", "unit", "actor")
		return s.render(w, r, status, "audit", data)
	}
	entries, err := s.app.Audit.List(r.Context(), auditScope(p, false), f)
	if err != nil {
		return err
	}
	data.View.Rows = auditRows(entries)
	if f.Limit > 0 && len(entries) == f.Limit {
		q.Set("before", strconv.FormatInt(entries[len(entries)-1].ID, 10))
		q.Del("done")
		data.View.More = "/audit?" + q.Encode()
	}
	return s.render(w, r, http.StatusOK, "audit", data)
}

// auditRows makes entries readable: the unit they belong to and, where
// before and after are JSON objects, the keys that changed.
func auditRows(entries []audit.Entry) []auditRow {
	out := make([]auditRow, len(entries))
	for i, e := range entries {
		row := auditRow{Entry: e, BeforeJSON: indentJSON(e.Before), AfterJSON: indentJSON(e.After)}
		if codes := unit.Ancestors(e.UnitPath); len(codes) > 0 {
			row.UnitCode = codes[len(codes)-1]
		}
		row.Changes = diffJSON(e.Before, e.After)
		out[i] = row
	}
	return out
}

// diffJSON lists the keys whose values differ between two JSON objects;
// nil when either is something else (a list of grants, say).
func diffJSON(before, after json.RawMessage) []auditChange {
	var b, a map[string]json.RawMessage
	if len(before) > 0 && json.Unmarshal(before, &b) != nil {
		return nil
	}
	if len(after) > 0 && json.Unmarshal(after, &a) != nil {
		return nil
	}
	keys := []string{}
	for k := range b {
		keys = append(keys, k)
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []auditChange
	for _, k := range keys {
		bv, av := compactJSON(b[k]), compactJSON(a[k])
		if bv != av {
			out = append(out, auditChange{Key: k, Before: shownValue(bv), After: shownValue(av)})
		}
	}
	return out
}

func compactJSON(v json.RawMessage) string {
	if len(v) == 0 {
		return ""
	}
	var buf bytes.Buffer
	if json.Compact(&buf, v) != nil {
		return string(v)
	}
	return buf.String()
}

// shownValue is a JSON value as a person reads it: strings without
// quotes, null and empty lists as nothing, long values cut.
func shownValue(v string) string {
	switch v {
	case "", "null", "[]", "{}", `""`:
		return ""
	}
	if strings.HasPrefix(v, `"`) {
		var s string
		if json.Unmarshal([]byte(v), &s) == nil {
			v = s
		}
	}
	if utf8.RuneCountInString(v) > 200 {
		v = string([]rune(v)[:200]) + "…"
	}
	return v
}

func indentJSON(v json.RawMessage) string {
	if len(v) == 0 {
		return ""
	}
	var buf bytes.Buffer
	if json.Indent(&buf, v, "", "  ") != nil {
		return string(v)
	}
	return buf.String()
}

// auditLink is the page of an audit entry's subject, "" when there is none.
func (r auditRow) Link() string {
	switch r.Entity {
	case "unit":
		return "/units/" + url.PathEscape(r.EntityID)
	case "user":
		return "/users/" + url.PathEscape(r.EntityID)
	}
	return ""
}
