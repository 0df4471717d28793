package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"kexie/internal/i18n"
)

// formState is one form of a page: the values it shows and, after a
// refused submission, the message of each field at fault.
type formState struct {
	Open   bool     // unfold the form: it was just refused
	Other  []string // messages for fields the form has no input for
	values url.Values
	errs   map[string]string
}

// newForm returns a form showing the given name, value pairs.
func newForm(pairs ...string) formState {
	f := formState{values: url.Values{}, errs: map[string]string{}}
	for i := 0; i+1 < len(pairs); i += 2 {
		f.values.Set(pairs[i], pairs[i+1])
	}
	return f
}

// V is the value of field name.
func (f formState) V(name string) string { return f.values.Get(name) }

// Has says whether field name holds v (checkboxes, multiple selects).
func (f formState) Has(name, v string) bool { return slices.Contains(f.values[name], v) }

// E is the message of field name, "" when it passed.
func (f formState) E(name string) string { return f.errs[name] }

// Failed says whether the form was refused.
func (f formState) Failed() bool { return f.Open }

// refuse turns err into messages on f when it is about fields the caller
// can correct, keeping what was typed (passwords excepted); the status to answer with is
// returned. ok is false for any other error, which the handler returns.
// shown lists the inputs the form has; messages for other fields are
// shown above the form.
func (s *Server) refuse(r *http.Request, err error, f *formState, shown ...string) (status int, ok bool) {
	p := s.problemOf(r, err)
	if len(p.Errors) == 0 || p.Status >= 500 || p.Status == http.StatusNotFound {
		return 0, false
	}
	f.Open = true
	f.values = url.Values{}
	_ = r.ParseForm()
	for k, v := range r.Form {
		if k != "csrf_token" && !strings.Contains(k, "password") {
			f.values[k] = v
		}
	}
	if f.errs == nil {
		f.errs = map[string]string{}
	}
	for _, e := range p.Errors {
		if slices.Contains(shown, e.Field) {
			f.errs[e.Field] = e.Message
		} else {
			f.Other = append(f.Other, e.Message)
		}
	}
	return p.Status, true
}

// parseForm reads a submitted form; the CSRF check may have read it already.
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return &bodyError{key: "error.query"}
	}
	return nil
}

// seeOther answers a successful form with a redirect to path, carrying
// the notice to show there (a key under "notice.").
func seeOther(w http.ResponseWriter, r *http.Request, path, notice string) error {
	if notice != "" {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "done=" + url.QueryEscape(notice)
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
	return nil
}

// Notice is the message of a finished action named by ?done=, shown once
// after the redirect; unknown names show nothing.
func (b Base) Notice() string {
	u, err := url.Parse(b.Path)
	if err != nil {
		return ""
	}
	done := u.Query().Get("done")
	if done == "" || !b.msgs.Has(i18n.ZH, "notice."+done) {
		return ""
	}
	return b.T("notice." + done)
}

// TOr translates key, or returns fallback when no such key exists (an
// audit action another part of kexie added, say).
func (b Base) TOr(key, fallback string) string {
	if !b.msgs.Has(i18n.ZH, key) {
		return fallback
	}
	return b.T(key)
}

// Num shows a count the Chinese way (8.35万, 1.2亿) or, in English, with
// thousands separators.
func (b Base) Num(n int) string {
	if b.Lang == i18n.EN {
		s := strconv.Itoa(n)
		neg := strings.HasPrefix(s, "-")
		s = strings.TrimPrefix(s, "-")
		var out bytes.Buffer
		for i, c := range s {
			if i > 0 && (len(s)-i)%3 == 0 {
				out.WriteByte(',')
			}
			out.WriteRune(c)
		}
		if neg {
			return "-" + out.String()
		}
		return out.String()
	}
	abs := n
	if abs < 0 {
		abs = -abs
	}
	switch {
	case abs >= 100_000_000:
		return trimZeros(fmt.Sprintf("%.2f", float64(n)/1e8)) + "亿"
	case abs >= 10_000:
		return trimZeros(fmt.Sprintf("%.2f", float64(n)/1e4)) + "万"
	}
	return strconv.Itoa(n)
}

func trimZeros(s string) string {
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// chinaTime is the zone dates and times are shown in.
var chinaTime = time.FixedZone("UTC+8", 8*3600)

// When shows an instant in China time.
func (b Base) When(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(chinaTime).Format("2006-01-02 15:04")
}

// pager is the paging of a list page.
type pager struct {
	Page, Pages, Total int
	Prev, Next         string // links, "" at the ends
}

// pagerOf pages a list of total items, per page, at page, linking to the
// current URL with its page parameter (named param) changed.
func pagerOf(r *http.Request, param string, page, per, total int) pager {
	p := pager{Page: page, Total: total, Pages: (total + per - 1) / per}
	link := func(n int) string {
		q := r.URL.Query()
		q.Del("done")
		q.Set(param, strconv.Itoa(n))
		return r.URL.Path + "?" + q.Encode()
	}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < p.Pages {
		p.Next = link(page + 1)
	}
	return p
}

// renderFragment writes one named template of a page without the
// layout, for htmx to swap into the page.
func (s *Server) renderFragment(w http.ResponseWriter, page, name string, data any) error {
	t, ok := s.pages.byName[page]
	if !ok {
		return fmt.Errorf("no template %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("render %s/%s: %w", page, name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err := w.Write(buf.Bytes())
	return err
}

// isHTMX says whether htmx sent the request (it wants a fragment).
func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }
