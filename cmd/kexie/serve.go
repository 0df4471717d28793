package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"kexie/internal/demo"
	"kexie/internal/web"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := subFlags(e, "serve")
	fs.StringVar(&e.cfg.Addr, "addr", e.cfg.Addr, "监听地址 / listen address [KEXIE_ADDR]")
	withDemo := fs.Bool("demo", false, "缺少时载入演示省份 / load the demo province when it is missing")
	secure := fs.Bool("secure-cookies", os.Getenv("KEXIE_SECURE_COOKIES") == "1", "Cookie 仅限 HTTPS / mark cookies Secure (behind HTTPS) [KEXIE_SECURE_COOKIES=1]")
	quiet := fs.Bool("quiet", false, "不记录每个请求 / do not log every request")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	start := time.Now()
	level := slog.LevelInfo
	if *quiet {
		level = slog.LevelWarn
	}
	log := slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	a, err := openApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	if *withDemo {
		loaded, err := demo.Loaded(ctx, a.Units)
		if err != nil {
			return err
		}
		if !loaded {
			res, err := loadDemo(ctx, a)
			if err != nil {
				return fmt.Errorf("load demo: %w", err)
			}
			log.Info("demo province loaded", slog.Int("units", res.UnitsCreated), slog.Int("users", res.UsersCreated),
				slog.Int("records", res.Records))
		}
	}
	a.Plans.Log = log
	srv, err := web.New(a, web.Options{Logger: log, SecureCookies: *secure})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", e.cfg.Addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 5 * time.Minute,
		WriteTimeout: 10 * time.Minute, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	log.Info("kexie listening", slog.String("url", "http://"+ln.Addr().String()), slog.Int64("schema", a.Version),
		slog.String("database", a.DB.Dialect.Name), slog.Duration("startup", time.Since(start)))
	if *withDemo {
		fmt.Fprintf(e.stderr, "kexie: 演示账号 / demo login: admin / %s  →  http://%s\n", demo.Password, ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	rctx, stopReminders := context.WithCancel(ctx)
	defer stopReminders()
	go remindEvery(rctx, a, log, time.Hour)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
