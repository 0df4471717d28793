package web

import (
	"net/http"
	"strings"
	"time"

	"kexie/internal/auth"
	"kexie/internal/fault"
)

type loginRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

type meResponse struct {
	Name        string       `json:"name"`
	DisplayName string       `json:"display_name"`
	Locale      string       `json:"locale"`
	Grants      []auth.Grant `json:"grants"`
	CSRFToken   string       `json:"csrf_token,omitempty"`
}

func meOf(p *auth.Principal) meResponse {
	g := p.Grants
	if g == nil {
		g = []auth.Grant{}
	}
	return meResponse{Name: p.Name, DisplayName: p.DisplayName, Locale: p.Locale, Grants: g, CSRFToken: p.CSRF}
}

func (s *Server) setSessionCookie(w http.ResponseWriter, token string, ttl time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: s.opts.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: int(ttl.Seconds())})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: s.opts.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// login checks the credentials and sets the session cookie.
func (s *Server) login(w http.ResponseWriter, r *http.Request, name, pw string) (*auth.Principal, error) {
	c := &fault.Check{}
	if name == "" {
		c.Add("name", "error.required")
	} else if !cleanText(name) { // the login form's text is not checked on the way in
		c.Add("name", "error.bad_text")
	}
	if pw == "" {
		c.Add("password", "error.required")
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	// a header may carry bytes that are not UTF-8, which PostgreSQL refuses to store
	ua := strings.ToValidUTF8(strings.ReplaceAll(r.UserAgent(), "\x00", ""), "\uFFFD")
	token, p, err := s.app.Auth.Login(r.Context(), name, pw, clientIP(r), ua)
	if err != nil {
		return nil, err
	}
	s.setSessionCookie(w, token, s.app.Auth.SessionTTL)
	return p, nil
}

func (s *Server) apiLogin(w http.ResponseWriter, r *http.Request) error {
	var in loginRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	p, err := s.login(w, r, in.Name, in.Password)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, meOf(p))
}

func (s *Server) apiLogout(w http.ResponseWriter, r *http.Request) error {
	if err := s.app.Auth.Logout(r.Context(), principal(r)); err != nil {
		return err
	}
	s.clearSessionCookie(w)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, meOf(principal(r)))
}

type passwordChange struct {
	OldPassword string `json:"old_password"`
	NewPassword string `json:"new_password"`
}

func (s *Server) apiChangePassword(w http.ResponseWriter, r *http.Request) error {
	var in passwordChange
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if err := s.app.Auth.ChangePassword(r.Context(), principal(r), in.OldPassword, in.NewPassword); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
