package web

import (
	"net/http"

	"kexie/internal/auth"
	"kexie/internal/fault"
)

type accountPage struct {
	Base
	Me        auth.User
	Grants    []grantView
	Tokens    []auth.Token
	NewSecret string // a token's secret, shown once right after it is made
	// the forms of the page
	Password, Token, Prefs formState
}

// TokenAction is where the token list's revoke buttons post.
func (d accountPage) TokenAction() string { return "/account/tokens" }

// pageAccount is the caller's own page: password, API tokens, language.
func (s *Server) pageAccount(w http.ResponseWriter, r *http.Request) error {
	d, err := s.accountPageData(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "account", d)
}

func (s *Server) accountPageData(r *http.Request) (*accountPage, error) {
	ctx := r.Context()
	p := principal(r)
	// nil: the caller reads its own account, whatever its roles.
	me, err := s.app.Auth.UserByName(ctx, nil, p.Name)
	if err != nil {
		return nil, err
	}
	d := &accountPage{Base: s.base(r, "account.title", "account"), Me: me}
	if d.Grants, err = s.grantViews(ctx, &unitNamer{s: s, p: p, lang: d.Lang}, me.Grants); err != nil {
		return nil, err
	}
	if d.Tokens, err = s.app.Auth.Tokens(ctx, nil, p.Name); err != nil {
		return nil, err
	}
	d.Password, d.Token = newForm(), newForm()
	d.Prefs = newForm("display_name", me.DisplayName, "locale", me.Locale)
	return d, nil
}

func (s *Server) accountRefused(w http.ResponseWriter, r *http.Request, cause error,
	form func(*accountPage) *formState, shown ...string) error {
	d, err := s.accountPageData(r)
	if err != nil {
		return err
	}
	status, ok := s.refuse(r, cause, form(d), shown...)
	if !ok {
		return cause
	}
	return s.render(w, r, status, "account", d)
}

func (s *Server) pageAccountPassword(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := r.PostForm
	old, pw, again := f.Get("old_password"), f.Get("new_password"), f.Get("new_password2")
	form := func(d *accountPage) *formState { return &d.Password }
	shown := []string{"old_password", "new_password", "new_password2"}
	if pw != again {
		return s.accountRefused(w, r, fault.InvalidField("new_password2", "account.password_mismatch"), form, shown...)
	}
	if err := s.app.Auth.ChangePassword(r.Context(), principal(r), old, pw); err != nil {
		return s.accountRefused(w, r, err, form, shown...)
	}
	return seeOther(w, r, "/account", "password_changed")
}

// pageAccountCreateToken makes an API token and shows its secret once.
func (s *Server) pageAccountCreateToken(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	p := principal(r)
	_, secret, err := s.app.Auth.CreateToken(r.Context(), nil, p.Name, r.PostForm.Get("name"))
	if err != nil {
		return s.accountRefused(w, r, err, func(d *accountPage) *formState { return &d.Token }, "name")
	}
	d, err := s.accountPageData(r)
	if err != nil {
		return err
	}
	d.NewSecret = secret
	return s.render(w, r, http.StatusCreated, "account", d)
}

func (s *Server) pageAccountRevokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.app.Auth.RevokeToken(r.Context(), nil, principal(r).Name, id); err != nil {
		return err
	}
	return seeOther(w, r, "/account", "token_revoked")
}

// pageAccountPrefs saves the display name and the language. The language
// also goes into the cookie the language switch sets, which would
// otherwise override the saved choice on this browser.
func (s *Server) pageAccountPrefs(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	p := principal(r)
	dn, locale := r.PostForm.Get("display_name"), r.PostForm.Get("locale")
	if _, err := s.app.Auth.UpdateUser(r.Context(), nil, p.Name, auth.UserUpdate{DisplayName: &dn, Locale: &locale}); err != nil {
		return s.accountRefused(w, r, err, func(d *accountPage) *formState { return &d.Prefs }, "display_name", "locale")
	}
	c := &http.Cookie{Name: "lang", Value: locale, Path: "/", MaxAge: 365 * 24 * 3600,
		SameSite: http.SameSiteLaxMode, Secure: s.opts.SecureCookies}
	if locale == "" {
		c.Value, c.MaxAge = "", -1
	}
	http.SetCookie(w, c)
	return seeOther(w, r, "/account", "prefs_saved")
}
