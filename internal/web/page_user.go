package web

import (
	"net/http"
	"net/url"

	"kexie/internal/audit"
	"kexie/internal/auth"
)

type userPage struct {
	Base
	Target      auth.User
	Grants      []grantView
	Roles       []auth.Role
	Tokens      []auth.Token
	Audit       *auditView
	IsSelf      bool
	NewPassword string // shown once, right after a reset
	// the forms of the page
	Grant, Profile, Status, Reset, Token formState
}

func userURL(name string) string { return "/users/" + url.PathEscape(name) }

// pageUser shows a user the caller administers: roles, status, tokens and
// what the user did recently.
func (s *Server) pageUser(w http.ResponseWriter, r *http.Request) error {
	d, err := s.userPageData(r, r.PathValue("name"))
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "user", d)
}

func (s *Server) userPageData(r *http.Request, name string) (*userPage, error) {
	ctx := r.Context()
	p := principal(r)
	u, err := s.app.Auth.UserByName(ctx, p, name)
	if err != nil {
		return nil, err
	}
	d := &userPage{Base: s.base(r, "user.title", "users"), Target: u, Roles: grantableRoles(p), IsSelf: u.ID == p.UserID}
	d.Title = u.Name
	if u.DisplayName != "" {
		d.Title = u.DisplayName + " (" + u.Name + ")"
	}
	if d.Grants, err = s.grantViews(ctx, &unitNamer{s: s, p: p, lang: d.Lang}, u.Grants); err != nil {
		return nil, err
	}
	if d.Tokens, err = s.app.Auth.Tokens(ctx, selfOr(p, u.Name), u.Name); err != nil {
		return nil, err
	}
	if p.Can(auth.PermAuditRead) {
		f := audit.Filter{Limit: 20}
		if err := s.auditActor(ctx, p, &f, u.Name); err != nil {
			return nil, err
		}
		entries, err := s.app.Audit.List(ctx, auditScope(p, true), f)
		if err != nil {
			return nil, err
		}
		d.Audit = &auditView{Base: d.Base, Rows: auditRows(entries), All: "/audit?actor=" + url.QueryEscape(u.Name)}
	}
	d.Grant, d.Status, d.Reset, d.Token = newForm("role", string(auth.RoleDataEntry)), newForm(), newForm(), newForm()
	d.Profile = newForm("display_name", u.DisplayName)
	return d, nil
}

// userRefused shows the user page again with a refused form's messages.
func (s *Server) userRefused(w http.ResponseWriter, r *http.Request, name string, cause error,
	form func(*userPage) *formState, shown ...string) error {
	d, err := s.userPageData(r, name)
	if err != nil {
		return err
	}
	status, ok := s.refuse(r, cause, form(d), shown...)
	if !ok {
		return cause
	}
	return s.render(w, r, status, "user", d)
}

func (s *Server) pageUserGrant(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	name := r.PathValue("name")
	in := auth.NewGrant{Role: auth.Role(r.PostForm.Get("role")), Unit: r.PostForm.Get("unit")}
	if _, err := s.app.Auth.Grant(r.Context(), principal(r), name, in); err != nil {
		return s.userRefused(w, r, name, err, func(d *userPage) *formState { return &d.Grant }, "role", "unit")
	}
	return seeOther(w, r, userURL(name), "grant_added")
}

func (s *Server) pageUserRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	name := r.PathValue("name")
	if _, err := s.app.Auth.Revoke(r.Context(), principal(r), name, id); err != nil {
		return err
	}
	return seeOther(w, r, userURL(name), "grant_revoked")
}

func (s *Server) pageUserProfile(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	name := r.PathValue("name")
	dn := r.PostForm.Get("display_name")
	if _, err := s.app.Auth.UpdateUser(r.Context(), principal(r), name, auth.UserUpdate{DisplayName: &dn}); err != nil {
		return s.userRefused(w, r, name, err, func(d *userPage) *formState { return &d.Profile }, "display_name")
	}
	return seeOther(w, r, userURL(name), "user_saved")
}

// pageUserStatus disables or enables an account (the route's last
// segment says which); disabling also ends the user's sessions.
func (s *Server) pageUserStatus(disabled bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name := r.PathValue("name")
		if _, err := s.app.Auth.UpdateUser(r.Context(), principal(r), name, auth.UserUpdate{Disabled: &disabled}); err != nil {
			return s.userRefused(w, r, name, err, func(d *userPage) *formState { return &d.Status })
		}
		notice := "user_enabled"
		if disabled {
			notice = "user_disabled"
		}
		return seeOther(w, r, userURL(name), notice)
	}
}

// pageUserResetPassword sets a generated password and shows it once: it
// is not stored anywhere it could be shown again.
func (s *Server) pageUserResetPassword(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	pw, err := s.app.Auth.ResetPassword(r.Context(), principal(r), name, "")
	if err != nil {
		return s.userRefused(w, r, name, err, func(d *userPage) *formState { return &d.Reset })
	}
	d, err := s.userPageData(r, name)
	if err != nil {
		return err
	}
	d.NewPassword = pw
	return s.render(w, r, http.StatusOK, "user", d)
}

func (s *Server) pageUserRevokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	name := r.PathValue("name")
	if err := s.app.Auth.RevokeToken(r.Context(), selfOr(principal(r), name), name, id); err != nil {
		return err
	}
	return seeOther(w, r, userURL(name), "token_revoked")
}

// TokenAction is where the token list's revoke buttons post.
func (d userPage) TokenAction() string { return userURL(d.Target.Name) + "/tokens" }
