package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"kexie/internal/auth"
	"kexie/internal/fault"
)

// grantView is a role at a unit as the user pages show it.
type grantView struct {
	auth.Grant
	UnitName  string // "" when the unit lies outside the caller's scope
	CanRevoke bool
}

// userRow is a user in the list.
type userRow struct {
	auth.User
	Grants []grantView
}

type usersPage struct {
	Base
	Q     string
	Users []userRow
	Total int
	Pager pager
	Roles []auth.Role
	New   formState
}

// grantableRoles are the roles p may grant: all of them for an
// administrator, all but administrator for the others.
func grantableRoles(p *auth.Principal) []auth.Role {
	for _, g := range p.Grants {
		if g.Role == auth.RoleAdmin {
			return auth.Roles
		}
	}
	out := []auth.Role{}
	for _, r := range auth.Roles {
		if r != auth.RoleAdmin {
			out = append(out, r)
		}
	}
	return out
}

// unitNamer names the units of grants, looking each up once and only
// inside the caller's read scope.
type unitNamer struct {
	s     *Server
	p     *auth.Principal
	lang  string
	known map[string]string
}

func (n *unitNamer) name(ctx context.Context, code string) (string, error) {
	if v, ok := n.known[code]; ok {
		return v, nil
	}
	u, err := n.s.app.Units.Get(ctx, n.p.Scope(auth.PermRead), code)
	if err != nil && !errors.Is(err, fault.ErrNotFound) {
		return "", err
	}
	if n.known == nil {
		n.known = map[string]string{}
	}
	n.known[code] = u.Name(n.lang)
	return n.known[code], nil
}

func (s *Server) grantViews(ctx context.Context, n *unitNamer, gs []auth.Grant) ([]grantView, error) {
	admin := len(grantableRoles(n.p)) == len(auth.Roles)
	scope := n.p.Scope(auth.PermUserAdmin)
	out := make([]grantView, 0, len(gs))
	for _, g := range gs {
		name, err := n.name(ctx, g.Unit)
		if err != nil {
			return nil, err
		}
		out = append(out, grantView{Grant: g, UnitName: name,
			CanRevoke: scope.Contains(g.UnitPath) && (g.Role != auth.RoleAdmin || admin)})
	}
	return out, nil
}

// pageUsers lists the users holding a role in the caller's user-admin
// scope, with a search and the form to add one.
func (s *Server) pageUsers(w http.ResponseWriter, r *http.Request) error {
	data, err := s.usersPageData(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "users", data)
}

func (s *Server) usersPageData(r *http.Request) (*usersPage, error) {
	p := principal(r)
	if !p.Can(auth.PermUserAdmin) {
		return nil, fault.ErrForbidden
	}
	page, err := queryInt(r, "page", 1)
	if err != nil {
		return nil, err
	}
	d := &usersPage{Base: s.base(r, "users.title", "users"), Q: r.URL.Query().Get("q"), Roles: grantableRoles(p),
		New: newForm("role", string(auth.RoleDataEntry))}
	res, err := s.app.Auth.ListUsers(r.Context(), p, auth.UserFilter{Q: d.Q, Page: page, PerPage: 50})
	if err != nil {
		return nil, err
	}
	n := &unitNamer{s: s, p: p, lang: d.Lang}
	for _, u := range res.Items {
		gs, err := s.grantViews(r.Context(), n, u.Grants)
		if err != nil {
			return nil, err
		}
		d.Users = append(d.Users, userRow{User: u, Grants: gs})
	}
	d.Total = res.Total
	d.Pager = pagerOf(r, "page", res.Page, res.PerPage, res.Total)
	return d, nil
}

func (s *Server) pageUserCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	p := principal(r)
	if !p.Can(auth.PermUserAdmin) {
		return fault.ErrForbidden
	}
	f := r.PostForm
	u, err := s.app.Auth.CreateUser(r.Context(), p, auth.NewUser{Name: f.Get("name"), DisplayName: f.Get("display_name"),
		Password: f.Get("password"), Role: auth.Role(f.Get("role")), Unit: f.Get("unit")})
	if err != nil {
		d, derr := s.usersPageData(r)
		if derr != nil {
			return derr
		}
		status, ok := s.refuse(r, err, &d.New, "name", "display_name", "password", "role", "unit")
		if !ok {
			return err
		}
		return s.render(w, r, status, "users", d)
	}
	return seeOther(w, r, "/users/"+url.PathEscape(u.Name), "user_created")
}
