package web

import (
	"net/http"
	"strconv"

	"kexie/internal/auth"
	"kexie/internal/fault"
)

func (s *Server) apiListUsers(w http.ResponseWriter, r *http.Request) error {
	c := &fault.Check{}
	page, err := queryInt(r, "page", 1)
	if err != nil {
		c.Add("page", "error.integer")
	}
	per, err := queryInt(r, "per_page", 50)
	if err != nil {
		c.Add("per_page", "error.integer")
	}
	if err := c.Err(); err != nil {
		return err
	}
	out, err := s.app.Auth.ListUsers(r.Context(), principal(r), auth.UserFilter{Q: r.URL.Query().Get("q"), Page: page, PerPage: per})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiCreateUser(w http.ResponseWriter, r *http.Request) error {
	var in auth.NewUser
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	p := principal(r)
	if !p.Can(auth.PermUserAdmin) {
		return fault.ErrForbidden
	}
	u, err := s.app.Auth.CreateUser(r.Context(), p, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+u.Name)
	return writeJSON(w, http.StatusCreated, u)
}

func (s *Server) apiGetUser(w http.ResponseWriter, r *http.Request) error {
	u, err := s.app.Auth.UserByName(r.Context(), principal(r), r.PathValue("name"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

func (s *Server) apiUpdateUser(w http.ResponseWriter, r *http.Request) error {
	var in auth.UserUpdate
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	u, err := s.app.Auth.UpdateUser(r.Context(), principal(r), r.PathValue("name"), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

type passwordReset struct {
	Password string `json:"password"`
}

type passwordResetResult struct {
	Password string `json:"password"`
}

func (s *Server) apiResetPassword(w http.ResponseWriter, r *http.Request) error {
	var in passwordReset
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	pw, err := s.app.Auth.ResetPassword(r.Context(), principal(r), r.PathValue("name"), in.Password)
	if err != nil {
		return err
	}
	if in.Password != "" {
		pw = "" // the caller chose it: do not echo it back
	}
	return writeJSON(w, http.StatusOK, passwordResetResult{Password: pw})
}

func (s *Server) apiGrant(w http.ResponseWriter, r *http.Request) error {
	var in auth.NewGrant
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	u, err := s.app.Auth.Grant(r.Context(), principal(r), r.PathValue("name"), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fault.NotFound("id", r.PathValue("id"))
	}
	return id, nil
}

func (s *Server) apiRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := s.app.Auth.Revoke(r.Context(), principal(r), r.PathValue("name"), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

func (s *Server) apiListTokens(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	ts, err := s.app.Auth.Tokens(r.Context(), selfOr(principal(r), name), name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": ts})
}

type tokenRequest struct {
	Name string `json:"name"`
}

type tokenCreated struct {
	auth.Token
	Secret string `json:"secret"`
}

// selfOr lets a user manage its own tokens; others' need user-admin scope.
func selfOr(p *auth.Principal, name string) *auth.Principal {
	if name == p.Name {
		return nil
	}
	return p
}

func (s *Server) apiCreateToken(w http.ResponseWriter, r *http.Request) error {
	var in tokenRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	name := r.PathValue("name")
	t, secret, err := s.app.Auth.CreateToken(r.Context(), selfOr(principal(r), name), name, in.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, tokenCreated{Token: t, Secret: secret})
}

func (s *Server) apiRevokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	name := r.PathValue("name")
	if err := s.app.Auth.RevokeToken(r.Context(), selfOr(principal(r), name), name, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
