package web

import (
	"net/http"
	"strings"

	"kexie/internal/auth"
	"kexie/internal/fault"
	"kexie/internal/unit"
)

// unitFilter reads the list filters and paging of a units request.
func unitFilter(r *http.Request) (unit.Filter, error) {
	q := r.URL.Query()
	f := unit.Filter{Parent: q.Get("parent"), Under: q.Get("under"), Type: q.Get("type"), Group: q.Get("group"), Q: q.Get("q")}
	c := &fault.Check{}
	var err error
	if f.Page, err = queryInt(r, "page", 1); err != nil {
		c.Add("page", "error.integer")
	}
	if f.PerPage, err = queryInt(r, "per_page", 50); err != nil {
		c.Add("per_page", "error.integer")
	}
	switch v := q.Get("closed"); v {
	case "", "false", "0":
	case "true", "1":
		f.Closed = true
	default:
		c.Add("closed", "error.option", "value", v)
	}
	if len([]rune(f.Q)) > 100 {
		c.Add("q", "error.too_long", "max", 100)
	}
	return f, c.Err()
}

func (s *Server) apiListUnits(w http.ResponseWriter, r *http.Request) error {
	f, err := unitFilter(r)
	if err != nil {
		return err
	}
	scope := principal(r).Scope(auth.PermRead)
	if f.Under != "" {
		// a subtree outside the scope does not exist for the caller
		if _, err := s.app.Units.Get(r.Context(), scope, f.Under); err != nil {
			return err
		}
	}
	page, err := s.app.Units.List(r.Context(), scope, f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, page)
}

func (s *Server) apiGetUnit(w http.ResponseWriter, r *http.Request) error {
	u, err := s.app.Units.Get(r.Context(), principal(r).Scope(auth.PermRead), r.PathValue("code"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

func (s *Server) apiUnitChildren(w http.ResponseWriter, r *http.Request) error {
	scope := principal(r).Scope(auth.PermRead)
	code := r.PathValue("code")
	if _, err := s.app.Units.Get(r.Context(), scope, code); err != nil {
		return err
	}
	f, err := unitFilter(r)
	if err != nil {
		return err
	}
	f.Parent, f.Under = code, ""
	page, err := s.app.Units.List(r.Context(), scope, f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, page)
}

func (s *Server) apiCreateUnit(w http.ResponseWriter, r *http.Request) error {
	var in unit.Create
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	p := principal(r)
	if !p.Can(auth.PermUnitWrite) {
		return fault.ErrForbidden
	}
	u, err := s.app.Units.Create(r.Context(), p.Access(auth.PermUnitWrite), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/units/"+u.Code)
	return writeJSON(w, http.StatusCreated, u)
}

func (s *Server) apiUpdateUnit(w http.ResponseWriter, r *http.Request) error {
	var in unit.Update
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	u, err := s.app.Units.Update(r.Context(), principal(r).Access(auth.PermUnitWrite), r.PathValue("code"), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

func (s *Server) apiMoveUnit(w http.ResponseWriter, r *http.Request) error {
	var in unit.Move
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	u, err := s.app.Units.Move(r.Context(), principal(r).Access(auth.PermUnitWrite), r.PathValue("code"), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

func (s *Server) apiCloseUnit(w http.ResponseWriter, r *http.Request) error {
	var in unit.CloseReq
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	u, err := s.app.Units.Close(r.Context(), principal(r).Access(auth.PermUnitWrite), r.PathValue("code"), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

func (s *Server) apiReopenUnit(w http.ResponseWriter, r *http.Request) error {
	u, err := s.app.Units.Reopen(r.Context(), principal(r).Access(auth.PermUnitWrite), r.PathValue("code"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

func (s *Server) apiUnitTypes(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.app.Units.Types(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": ts})
}

// isRootAdmin says whether p holds role r at the root of the tree, which
// tree-wide configuration (types, groups) needs.
func isRootAdmin(p *auth.Principal) bool {
	for _, g := range p.Grants {
		if g.Role == auth.RoleAdmin && strings.Count(g.UnitPath, "/") == 2 {
			return true
		}
	}
	return false
}

func (s *Server) apiSaveUnitType(w http.ResponseWriter, r *http.Request) error {
	var in unit.Type
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if !isRootAdmin(principal(r)) {
		return fault.ErrForbidden
	}
	in.Code = r.PathValue("code")
	t, err := s.app.Units.SaveType(r.Context(), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

func (s *Server) apiUnitGroups(w http.ResponseWriter, r *http.Request) error {
	gs, err := s.app.Units.Groups(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": gs})
}

func (s *Server) apiSaveUnitGroup(w http.ResponseWriter, r *http.Request) error {
	var in unit.Group
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if !isRootAdmin(principal(r)) {
		return fault.ErrForbidden
	}
	in.Code = r.PathValue("code")
	g, err := s.app.Units.SaveGroup(r.Context(), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, g)
}
