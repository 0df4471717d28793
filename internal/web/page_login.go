package web

import (
	"net/http"
	"strings"

	"kexie/internal/i18n"
)

type loginPage struct {
	Base
	Name  string
	Next  string
	Error string
}

func (s *Server) pageLogin(w http.ResponseWriter, r *http.Request) error {
	if reqOf(r).principal != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, http.StatusOK, "login", loginPage{Base: s.base(r, "login.title", ""), Next: r.URL.Query().Get("next")})
}

func (s *Server) pageLoginSubmit(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return &bodyError{key: "error.query"}
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	next := safeNext(r.PostFormValue("next"))
	if _, err := s.login(w, r, name, r.PostFormValue("password")); err != nil {
		p := s.problemOf(r, err)
		msg := p.Title
		if p.Detail != "" && p.Status != http.StatusUnauthorized {
			msg += "：" + p.Detail
		}
		if len(p.Errors) > 0 {
			msg = s.msgs.T(reqOf(r).lang, "login.fill_both", nil)
		}
		if p.Status >= 500 {
			return err
		}
		return s.render(w, r, p.Status, "login", loginPage{Base: s.base(r, "login.title", ""), Name: name, Next: next, Error: msg})
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) pageLogout(w http.ResponseWriter, r *http.Request) error {
	if err := s.app.Auth.Logout(r.Context(), principal(r)); err != nil {
		return err
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// pageSetLang remembers the chosen language in a cookie and goes back.
func (s *Server) pageSetLang(w http.ResponseWriter, r *http.Request) error {
	lang := i18n.Pick([]string{r.PathValue("lang")}, "")
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		SameSite: http.SameSiteLaxMode, Secure: s.opts.SecureCookies})
	http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
	return nil
}
