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
	"strings"

	"kexie/internal/app"
	"kexie/internal/metric"
	"kexie/internal/register"
	"kexie/internal/unit"
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

// benchUnitIDs lists the ids of every unit below the bench root.
func benchUnitIDs(ctx context.Context, a *app.App) ([]int64, error) {
	var ids []int64
	for p := 1; ; p++ {
		page, err := a.Units.List(ctx, unit.Everything(), unit.Filter{Under: benchRoot, Page: p, PerPage: unit.MaxPerPage})
		if err != nil {
			return nil, err
		}
		for _, u := range page.Items {
			ids = append(ids, u.ID)
		}
		if len(page.Items) < unit.MaxPerPage {
			return ids, nil
		}
	}
}

// bulkInsert writes n rows into a register's table in multi-row inserts
// of batch rows, perTx statements to a transaction; row gives the values
// of row i in the order of cols. It bypasses the service (no validation,
// audit or facts): for filling a bench's database only.
func bulkInsert(ctx context.Context, a *app.App, table string, cols []string, n, batch, perTx int, row func(i int) []any) error {
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	for start := 0; start < n; {
		err := a.DB.WithTx(ctx, func(ctx context.Context) error {
			for tx := 0; tx < perTx && start < n; tx++ {
				end := min(start+batch, n)
				var b strings.Builder
				b.WriteString(head)
				args := make([]any, 0, (end-start)*len(cols))
				for i := start; i < end; i++ {
					if i > start {
						b.WriteByte(',')
					}
					b.WriteByte('(')
					for j := range cols {
						if j > 0 {
							b.WriteByte(',')
						}
						b.WriteString(a.DB.Dialect.Param(len(args) + j + 1))
					}
					b.WriteByte(')')
					args = append(args, row(i)...)
				}
				if _, err := a.DB.Q(ctx).ExecContext(ctx, b.String(), args...); err != nil {
					return err
				}
				start = end
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("bulk records: %w", err)
		}
	}
	return nil
}
