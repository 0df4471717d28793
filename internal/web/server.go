// Package web is kexie's HTTP surface: the JSON API under /api/v1, the
// server-rendered pages, health, metrics and the OpenAPI document. Every
// route is declared in routes.go.
package web

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"kexie/internal/app"
	"kexie/internal/i18n"
)

// Options tune the server; the zero value is the production default.
type Options struct {
	// Logger receives access and error logs (default: slog.Default()).
	Logger *slog.Logger
	// SecureCookies marks cookies Secure (set it behind HTTPS).
	SecureCookies bool
	// MaxBody bounds request bodies other than uploads (default 1 MiB).
	MaxBody int64
	// MaxUpload bounds uploaded files (default 32 MiB).
	MaxUpload int64
}

// Server handles every request of kexie.
type Server struct {
	app     *app.App
	log     *slog.Logger
	msgs    i18n.Catalog
	opts    Options
	metrics *metrics
	pages   *pages
	handler http.Handler
	started time.Time
}

// New builds the server over an assembled app.
func New(a *app.App, opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 1 << 20
	}
	if opts.MaxUpload <= 0 {
		opts.MaxUpload = 32 << 20
	}
	msgs, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	s := &Server{app: a, log: opts.Logger, msgs: msgs, opts: opts, started: time.Now()}
	s.metrics = newMetrics(prometheus.NewRegistry(), a.DB)
	if s.pages, err = loadPages(msgs); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.Method+" "+rt.Pattern, s.wrap(rt))
	}
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, kindOf(r), errCrossOrigin)
	}))
	s.handler = s.withRequest(cop.Handler(s.methodNotAllowed(mux)))
	return s, nil
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	return errNoRoute
}

// methodNotAllowed answers a path routed for other methods with a 405
// problem (the mux's own answer is plain text), keeping its Allow header,
// and an unknown path with a 404 problem or page.
func (s *Server) methodNotAllowed(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, pattern := mux.Handler(r); pattern == "" {
			hw := &headerOnly{h: http.Header{}}
			h.ServeHTTP(hw, r)
			if hw.status != http.StatusMethodNotAllowed {
				s.wrap(route{Kind: kindOf(r), Public: true, H: s.notFound}).ServeHTTP(w, r)
				return
			}
			w.Header().Set("Allow", hw.h.Get("Allow"))
			s.writeError(w, r, kindOf(r), errMethod)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// headerOnly keeps the headers a handler sets and drops its body.
type headerOnly struct {
	h      http.Header
	status int
}

func (w *headerOnly) Header() http.Header         { return w.h }
func (w *headerOnly) Write(b []byte) (int, error) { return len(b), nil }
func (w *headerOnly) WriteHeader(code int)        { w.status = code }
