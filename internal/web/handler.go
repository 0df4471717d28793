package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	"kexie/internal/audit"
	"kexie/internal/auth"
	"kexie/internal/fault"
	"kexie/internal/i18n"
)

// handlerFunc is a handler that returns its error for one place to map.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

type routeKind int

const (
	kindAPI routeKind = iota
	kindPage
	kindPlain // health, metrics, static files
)

// route is one entry of the route table.
type route struct {
	Method  string
	Pattern string
	Kind    routeKind
	Public  bool // no login needed
	H       handlerFunc
}

// request is what the middleware learns about a request.
type request struct {
	id        string
	lang      string
	principal *auth.Principal
	status    int
}

type reqKey struct{}

func reqOf(r *http.Request) *request {
	if rq, ok := r.Context().Value(reqKey{}).(*request); ok {
		return rq
	}
	return &request{lang: i18n.ZH}
}

// principal returns the caller of an authenticated route.
func principal(r *http.Request) *auth.Principal { return reqOf(r).principal }

var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// withRequest gives every request an id, a language, a status recorder, an
// access log line and the request metrics.
func (s *Server) withRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rq := &request{id: r.Header.Get("X-Request-ID")}
		if !requestIDRE.MatchString(rq.id) {
			rq.id = newID()
		}
		var explicit []string
		if c, err := r.Cookie("lang"); err == nil {
			explicit = append(explicit, c.Value)
		}
		if q := r.URL.Query().Get("lang"); q != "" {
			explicit = append([]string{q}, explicit...)
		}
		rq.lang = i18n.Pick(explicit, r.Header.Get("Accept-Language"))
		w.Header().Set("X-Request-ID", rq.id)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		ctx := context.WithValue(r.Context(), reqKey{}, rq)
		ctx = audit.WithActor(ctx, audit.Actor{RequestID: rq.id, IP: clientIP(r)})
		r = r.WithContext(ctx)
		next.ServeHTTP(rec, r)
		d := time.Since(start)
		pattern := r.Pattern
		if pattern == "" {
			pattern = "unmatched"
		}
		s.metrics.observe(pattern, r.Method, rec.status, d)
		attrs := []any{slog.String("request_id", rq.id), slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", rec.status), slog.Duration("duration", d)}
		if p := rq.principal; p != nil {
			attrs = append(attrs, slog.String("user", p.Name))
		}
		s.log.LogAttrs(ctx, slog.LevelInfo, "request", toAttrs(attrs)...)
	})
}

func toAttrs(in []any) []slog.Attr {
	out := make([]slog.Attr, 0, len(in))
	for _, a := range in {
		out = append(out, a.(slog.Attr))
	}
	return out
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusRecorder) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// clientIP is the peer address; behind a load balancer the operator sets
// the trusted header (see docs/deploy.md) — we take X-Forwarded-For's
// last hop only when the peer is on loopback or a private network.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ip := net.ParseIP(host); ip != nil && (ip.IsLoopback() || ip.IsPrivate()) {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if cand := strings.TrimSpace(parts[len(parts)-1]); net.ParseIP(cand) != nil {
				return cand
			}
		}
	}
	return host
}

const sessionCookie = "kexie_session"

// authenticate finds the caller from a bearer token or the session cookie.
func (s *Server) authenticate(r *http.Request) (*auth.Principal, bool, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, cred, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			return nil, true, fault.ErrUnauthenticated
		}
		p, err := s.app.Auth.FromToken(r.Context(), strings.TrimSpace(cred))
		return p, true, err
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, false, fault.ErrUnauthenticated
	}
	p, err := s.app.Auth.FromSession(r.Context(), c.Value)
	return p, false, err
}

var (
	errCrossOrigin = errors.New("cross-origin request refused")
	errCSRF        = errors.New("missing or wrong CSRF token")
	errNoRoute     = fmt.Errorf("no such route: %w", fault.ErrNotFound)
	errMethod      = errors.New("method not allowed")
)

func isSafe(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// wrap turns a route into an http.Handler: authentication, CSRF, the
// principal's language, panics, and the mapping of errors.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rq := reqOf(r)
		defer func() {
			if v := recover(); v != nil {
				s.log.Error("panic", slog.String("request_id", rq.id), slog.Any("panic", v))
				s.writeError(w, r, rt.Kind, fmt.Errorf("panic: %v", v))
			}
		}()
		p, bearer, err := s.authenticate(r)
		if err == nil {
			rq.principal = p
			if _, err := r.Cookie("lang"); err != nil && r.URL.Query().Get("lang") == "" && p.Locale != "" {
				rq.lang = p.Locale
			}
			a := audit.ActorFrom(r.Context())
			a.UserID, a.Name = p.UserID, p.Name
			r = r.WithContext(audit.WithActor(r.Context(), a))
		} else if !errors.Is(err, fault.ErrUnauthenticated) {
			s.writeError(w, r, rt.Kind, err)
			return
		}
		if !rt.Public && rq.principal == nil {
			s.writeError(w, r, rt.Kind, fault.ErrUnauthenticated)
			return
		}
		if !isSafe(r.Method) && rt.Kind == kindPage {
			// page forms are bounded like API bodies before the CSRF check reads them
			limit := s.opts.MaxBody
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				limit = s.opts.MaxUpload + 1<<20
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		if rq.principal != nil && !bearer && !isSafe(r.Method) && !s.csrfOK(r, rq.principal) {
			s.writeError(w, r, rt.Kind, errCSRF)
			return
		}
		if err := checkText(r); err != nil {
			s.writeError(w, r, rt.Kind, err)
			return
		}
		if err := rt.H(w, r); err != nil {
			s.writeError(w, r, rt.Kind, err)
		}
	})
}

// csrfOK checks the per-session token, sent as a header by scripts and
// htmx or as a form field by plain forms.
func (s *Server) csrfOK(r *http.Request, p *auth.Principal) bool {
	tok := r.Header.Get("X-CSRF-Token")
	if tok == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		tok = r.PostFormValue("csrf_token")
	}
	if tok == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		tok = r.FormValue("csrf_token")
	}
	return tok != "" && tok == p.CSRF
}

func kindOf(r *http.Request) routeKind {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		return kindAPI
	}
	return kindPage
}
