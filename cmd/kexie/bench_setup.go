package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"

	"kexie/internal/app"
	"kexie/internal/metric"
	"kexie/internal/register"
	"kexie/internal/web"
)

// openBenchApp opens a temporary database beside the configured one,
// builds the services over it and prints the first line of the
// measurement name (database, CPUs, Go, load); drop removes it all.
func openBenchApp(ctx context.Context, e *env, name string) (a *app.App, drop func(), err error) {
	tmp, err := openTempDB(ctx, e.cfg)
	if err != nil {
		return nil, nil, err
	}
	a, err = app.NewWithData(ctx, tmp.db, tmp.files)
	if err != nil {
		tmp.drop()
		return nil, nil, err
	}
	fmt.Fprintf(e.stdout, "kexie bench %s: %s (%s), %d CPUs, %s, load average %s\n",
		name, a.DB.Dialect.Name, tmp.where, runtime.NumCPU(), runtime.Version(), loadAverage())
	return a, tmp.drop, nil
}

// loadBenchEvents defines the bench_events register, loads n records
// into it and defines the metrics over it, then lets PostgreSQL settle.
func loadBenchEvents(ctx context.Context, a *app.App, n int, defs []metric.Def) error {
	if _, err := a.Registers.Define(ctx, benchSchema("bench_events"), register.Migration{}, false); err != nil {
		return err
	}
	if err := bulkRecords(ctx, a, n); err != nil {
		return err
	}
	for _, d := range defs {
		if _, err := a.Metrics.Define(ctx, d); err != nil {
			return err
		}
	}
	return settle(ctx, a)
}

// benchServer serves pages and the API of a benchmark through the real
// handler, as the synthetic province's administrator with an API token,
// without a network.
type benchServer struct {
	srv   http.Handler
	token string
}

func newBenchServer(ctx context.Context, a *app.App) (*benchServer, error) {
	token, err := benchUser(ctx, a)
	if err != nil {
		return nil, err
	}
	srv, err := web.New(a, web.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return nil, err
	}
	return &benchServer{srv: srv, token: token}, nil
}

// get serves GET path and returns the length of the body; any status
// but 200 is an error.
func (b *benchServer) get(path string) (int, error) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+b.token)
	rec := httptest.NewRecorder()
	b.srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %d %.300s", path, rec.Code, rec.Body.String())
	}
	return rec.Body.Len(), nil
}

// startProfile writes a CPU profile to file from now until stop ("": no
// profile, stop does nothing).
func startProfile(file string) (stop func(), err error) {
	if file == "" {
		return func() {}, nil
	}
	f, err := os.Create(file)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
