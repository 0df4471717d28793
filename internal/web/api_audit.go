package web

import (
	"net/http"
	"strconv"

	"kexie/internal/audit"
	"kexie/internal/auth"
	"kexie/internal/fault"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// auditScope limits entries to the caller's audit scope; entries tied to
// no unit (logins, tree-wide settings) are shown to those who hold the
// audit permission at the root, or when withUnitless is set.
func auditScope(p *auth.Principal, withUnitless bool) audit.ScopeCond {
	scope := p.Scope(auth.PermAuditRead)
	for _, r := range scope.Roots() {
		if len(unit.Ancestors(r)) == 1 {
			withUnitless = true
		}
	}
	return func(col string, args *store.Args) string {
		cond := scope.Cond(col, args)
		if withUnitless {
			return "(" + col + " IS NULL OR " + cond + ")"
		}
		return cond
	}
}

type auditPage struct {
	Items      []audit.Entry `json:"items"`
	NextBefore int64         `json:"next_before,omitempty"`
}

func auditFilter(r *http.Request) (audit.Filter, error) {
	q := r.URL.Query()
	f := audit.Filter{Entity: q.Get("entity"), EntityID: q.Get("entity_id"), Action: q.Get("action")}
	c := &fault.Check{}
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			c.Add("before", "error.integer")
		}
		f.BeforeID = n
	}
	n, err := queryInt(r, "limit", 50)
	if err != nil {
		c.Add("limit", "error.integer")
	}
	f.Limit = n
	return f, c.Err()
}

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request, cond audit.ScopeCond, f audit.Filter) error {
	items, err := s.app.Audit.List(r.Context(), cond, f)
	if err != nil {
		return err
	}
	out := auditPage{Items: items}
	if out.Items == nil {
		out.Items = []audit.Entry{}
	}
	if f.Limit > 0 && len(items) == f.Limit {
		out.NextBefore = items[len(items)-1].ID
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) error {
	f, err := auditFilter(r)
	if err != nil {
		return err
	}
	p := principal(r)
	if code := r.URL.Query().Get("unit"); code != "" {
		if err := s.auditUnit(r.Context(), p, &f, code); err != nil {
			return err
		}
	}
	if name := r.URL.Query().Get("actor"); name != "" {
		if err := s.auditActor(r.Context(), p, &f, name); err != nil {
			return err
		}
	}
	return s.listAudit(w, r, auditScope(p, false), f)
}

func (s *Server) apiUnitAudit(w http.ResponseWriter, r *http.Request) error {
	f, err := auditFilter(r)
	if err != nil {
		return err
	}
	p := principal(r)
	u, err := s.app.Units.Get(r.Context(), p.Scope(auth.PermAuditRead), r.PathValue("code"))
	if err != nil {
		return err
	}
	f.SubtreeFrom, f.SubtreeTo = unit.PathRange(u.Path)
	return s.listAudit(w, r, auditScope(p, false), f)
}

func (s *Server) apiUserAudit(w http.ResponseWriter, r *http.Request) error {
	f, err := auditFilter(r)
	if err != nil {
		return err
	}
	p := principal(r)
	u, err := s.app.Auth.UserByName(r.Context(), p, r.PathValue("name"))
	if err != nil {
		return err
	}
	f.ActorID, f.Subject = u.ID, u.Name
	// logins and other entries tied to no unit are shown only to those who
	// may read the audit log
	return s.listAudit(w, r, auditScope(p, p.Can(auth.PermAuditRead)), f)
}
