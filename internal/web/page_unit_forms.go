package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"kexie/internal/auth"
	"kexie/internal/unit"
)

// The forms of the unit page. Each posts to its own route, calls the unit
// service with the caller's write access and, when the service refuses
// the input, shows the unit page again with the message beside each field.

func unitURL(code string) string { return "/units/" + url.PathEscape(code) }

// unitRefused answers a refused unit form: the page again, the form
// unfolded with what was typed and why it was refused.
func (s *Server) unitRefused(w http.ResponseWriter, r *http.Request, code string, cause error,
	form func(*unitPage) *formState, shown ...string) error {
	d, err := s.unitPageData(r, code)
	if err != nil {
		return err
	}
	status, ok := s.refuse(r, cause, form(d), shown...)
	if !ok {
		return cause
	}
	return s.render(w, r, status, "unit", d)
}

func (s *Server) pageUnitEdit(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	code := r.PathValue("code")
	f := r.PostForm
	typ, zh, en, opened := f.Get("type"), f.Get("name_zh"), f.Get("name_en"), f.Get("opened_on")
	groups := f["groups"]
	if groups == nil {
		groups = []string{}
	}
	in := unit.Update{Type: &typ, NameZH: &zh, NameEN: &en, OpenedOn: &opened, Groups: &groups}
	if v, err := strconv.Atoi(f.Get("version")); err == nil {
		in.Version = &v
	}
	_, err := s.app.Units.Update(r.Context(), principal(r).Access(auth.PermUnitWrite), code, in)
	if err != nil {
		return s.unitRefused(w, r, code, err, func(d *unitPage) *formState { return &d.Edit },
			"type", "name_zh", "name_en", "opened_on", "groups")
	}
	return seeOther(w, r, unitURL(code), "unit_saved")
}

func (s *Server) pageUnitCreateChild(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	code := r.PathValue("code")
	f := r.PostForm
	in := unit.Create{Code: f.Get("code"), Type: f.Get("type"), Parent: code, NameZH: f.Get("name_zh"),
		NameEN: f.Get("name_en"), OpenedOn: f.Get("opened_on"), Groups: []string{}}
	u, err := s.app.Units.Create(r.Context(), principal(r).Access(auth.PermUnitWrite), in)
	if err != nil {
		return s.unitRefused(w, r, code, err, func(d *unitPage) *formState { return &d.Child },
			"code", "type", "name_zh", "name_en", "opened_on")
	}
	return seeOther(w, r, unitURL(u.Code), "unit_created")
}

func (s *Server) pageUnitMove(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	code := r.PathValue("code")
	in := unit.Move{Parent: strings.TrimSpace(r.PostForm.Get("parent"))}
	if _, err := s.app.Units.Move(r.Context(), principal(r).Access(auth.PermUnitWrite), code, in); err != nil {
		return s.unitRefused(w, r, code, err, func(d *unitPage) *formState { return &d.Move }, "parent")
	}
	return seeOther(w, r, unitURL(code), "unit_moved")
}

func (s *Server) pageUnitClose(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	code := r.PathValue("code")
	in := unit.CloseReq{ClosedOn: r.PostForm.Get("closed_on")}
	if _, err := s.app.Units.Close(r.Context(), principal(r).Access(auth.PermUnitWrite), code, in); err != nil {
		return s.unitRefused(w, r, code, err, func(d *unitPage) *formState { return &d.Close }, "closed_on")
	}
	return seeOther(w, r, unitURL(code), "unit_closed")
}

func (s *Server) pageUnitReopen(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	code := r.PathValue("code")
	if _, err := s.app.Units.Reopen(r.Context(), principal(r).Access(auth.PermUnitWrite), code); err != nil {
		return s.unitRefused(w, r, code, err, func(d *unitPage) *formState { return &d.Reopen })
	}
	return seeOther(w, r, unitURL(code), "unit_reopened")
}
