package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"kexie/internal/auth"
	"kexie/internal/i18n"
)

//go:embed templates/*.html templates/partials/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// pages holds the parsed templates: each page is the layout and the
// shared partials (templates/partials) plus its own file.
type pages struct {
	byName map[string]*template.Template
	msgs   i18n.Catalog
}

func loadPages(msgs i18n.Catalog) (*pages, error) {
	funcs := template.FuncMap{
		"add": func(a, b int) int { return a + b },
		"sub": func(a, b int) int { return a - b },
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("layout: %w", err)
	}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}, msgs: msgs}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFiles, n)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// Base is what every page's data carries: language, the caller, the CSRF
// token for forms, and the navigation.
type Base struct {
	Lang      string
	Title     string
	User      *auth.Principal
	CSRF      string
	Path      string
	RequestID string
	Nav       string // which menu entry is current
	msgs      i18n.Catalog
}

// T translates key in the page's language; args are name, value pairs.
func (b Base) T(key string, args ...any) string {
	var m map[string]any
	if len(args) > 1 {
		m = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			k, _ := args[i].(string)
			m[k] = args[i+1]
		}
	}
	return b.msgs.T(b.Lang, key, m)
}

// OtherLang is the language the switch offers.
func (b Base) OtherLang() string {
	if b.Lang == i18n.EN {
		return i18n.ZH
	}
	return i18n.EN
}

// Can says whether the caller holds perm anywhere, for showing menu entries.
func (b Base) Can(perm string) bool {
	if b.User == nil {
		return false
	}
	switch perm {
	case "users":
		return b.User.Can(auth.PermUserAdmin)
	case "audit":
		return b.User.Can(auth.PermAuditRead)
	case "units.write":
		return b.User.Can(auth.PermUnitWrite)
	}
	return false
}

func (s *Server) base(r *http.Request, titleKey, nav string) Base {
	rq := reqOf(r)
	b := Base{Lang: rq.lang, User: rq.principal, Path: r.URL.RequestURI(), RequestID: rq.id, Nav: nav, msgs: s.msgs}
	if rq.principal != nil {
		b.CSRF = rq.principal.CSRF
	}
	b.Title = b.T(titleKey)
	return b
}

// render writes page name with data; a template error becomes a 500
// before anything is sent, never half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) error {
	t, ok := s.pages.byName[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

type errorPage struct {
	Base
	Problem Problem
}

// pageError shows a problem as a page; an anonymous visitor is sent to
// the login page instead of a 401.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, p Problem) {
	if p.Status == http.StatusUnauthorized && r.Header.Get("HX-Request") == "true" {
		// an htmx fragment request whose session has ended: send the
		// whole page to the login form rather than swapping it into a part
		w.Header().Set("HX-Redirect", "/login?next="+url.QueryEscape(r.Header.Get("HX-Current-URL")))
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if p.Status == http.StatusUnauthorized && r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	data := errorPage{Base: s.base(r, "page.error", ""), Problem: p}
	data.Title = p.Title
	if err := s.render(w, r, p.Status, "error", data); err != nil {
		s.log.Error("render error page", slog.String("request_id", p.RequestID), slog.Any("error", err))
		http.Error(w, p.Title, p.Status)
	}
}

// static serves the embedded assets; vendored files carry their version
// in the name, so they may be cached for long.
func (s *Server) static(w http.ResponseWriter, r *http.Request) error {
	if strings.Contains(r.URL.Path, "/vendor/") {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=3600")
	}
	http.FileServerFS(staticFiles).ServeHTTP(w, r)
	return nil
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
