package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"kexie/internal/register"
)

// The schema editor's history: every version of a register's schema,
// who saved it and what it changed.

// schemaVersion is a line of the schema's history.
type schemaVersion struct {
	Version int
	When    string
	Who     string
	Changes string
}

// schemaHistory lists a register's versions, newest first, with who
// made each and what it changed.
func (s *Server) schemaHistory(r *http.Request, b Base, code string) ([]schemaVersion, error) {
	vs, err := s.app.Registers.Versions(r.Context(), code)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, v := range vs {
		if v.CreatedBy != 0 && !slices.Contains(ids, v.CreatedBy) {
			ids = append(ids, v.CreatedBy)
		}
	}
	names, err := s.app.Auth.Names(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	out := make([]schemaVersion, 0, len(vs))
	for i, v := range vs {
		row := schemaVersion{Version: v.Version, When: b.When(v.CreatedAt), Who: names[v.CreatedBy]}
		if v.CreatedBy == 0 {
			row.Who = b.T("schema.history.system")
		}
		if i+1 < len(vs) {
			row.Changes = schemaChanges(b, &vs[i+1].Schema, &v.Schema)
		} else {
			row.Changes = b.T("schema.history.created")
		}
		out = append(out, row)
	}
	return out, nil
}

// schemaChanges says in a line what a version changed from the one before.
func schemaChanges(b Base, before, after *register.Schema) string {
	name := func(f register.Field) string { return localName(b.Lang, f.NameZH, f.NameEN) }
	var added, removed, changed []string
	for _, f := range after.Fields {
		old, ok := before.Field(f.Code)
		switch {
		case !ok:
			added = append(added, name(f))
		case string(mustJSONWeb(old)) != string(mustJSONWeb(f)):
			changed = append(changed, name(f))
		}
	}
	for _, f := range before.Fields {
		if _, ok := after.Field(f.Code); !ok {
			removed = append(removed, name(f))
		}
	}
	list := "、"
	if b.Lang == "en" {
		list = ", "
	}
	var parts []string
	if len(added) > 0 {
		parts = append(parts, b.T("schema.history.added", "fields", strings.Join(added, list)))
	}
	if len(removed) > 0 {
		parts = append(parts, b.T("schema.history.removed", "fields", strings.Join(removed, list)))
	}
	if len(changed) > 0 {
		parts = append(parts, b.T("schema.history.changed", "fields", strings.Join(changed, list)))
	}
	if !slices.Equal(before.Rules, after.Rules) {
		parts = append(parts, b.T("schema.history.rules"))
	}
	if len(parts) == 0 {
		fieldOrder := func(sc *register.Schema) []string {
			var out []string
			for _, f := range sc.Fields {
				out = append(out, f.Code)
			}
			return out
		}
		if !slices.Equal(fieldOrder(before), fieldOrder(after)) {
			return b.T("schema.history.reordered")
		}
		return b.T("schema.history.settings")
	}
	if b.Lang == "en" {
		return strings.Join(parts, "; ")
	}
	return strings.Join(parts, "；")
}

func mustJSONWeb(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
