package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"kexie/internal/app"
	"kexie/internal/auth"
	"kexie/internal/unit"
	"kexie/internal/web"
)

// benchUnits measures the foundation's speed targets on a synthetic
// province in a temporary database: the subtree list of one city through
// the service and over HTTP, and GET /api/v1/units/{code} under load from
// concurrent keep-alive clients against the real server on loopback.
func benchUnits(ctx context.Context, e *env, args []string) error {
	fs := subFlags(e, "bench units")
	n := fs.Int("units", 20000, "单位数 / units in the synthetic tree")
	requests := fs.Int("requests", 50000, "GET 请求数 / GET requests to send")
	conc := fs.Int("concurrency", 32, "并发客户端 / concurrent clients")
	runs := fs.Int("runs", 200, "子树列表次数 / subtree list runs")
	cpuprofile := fs.String("cpuprofile", "", "负载期间的 CPU 剖析文件 / write a CPU profile of the load phase to FILE")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	if *n < 20 || *requests < 1 || *conc < 1 || *runs < 1 {
		return errors.New("--units ≥ 20, --requests, --concurrency and --runs ≥ 1")
	}
	out := e.stdout
	tmp, err := openTempDB(ctx, e.cfg)
	if err != nil {
		return err
	}
	defer tmp.drop()
	a, err := app.NewWithData(ctx, tmp.db, tmp.files)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "kexie bench units: %s (%s), %d CPUs, GOMAXPROCS %d, %s, load average %s\n",
		a.DB.Dialect.Name, tmp.where, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), loadAverage())
	took, err := buildTree(ctx, a, *n)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "建树 / build tree: %d units in %s\n", *n, round(took))
	if err := settle(ctx, a); err != nil {
		return err
	}
	token, err := benchUser(ctx, a)
	if err != nil {
		return err
	}
	p, err := a.Auth.FromToken(ctx, token)
	if err != nil {
		return err
	}
	scope := p.Scope(auth.PermRead)

	// (a) the subtree list of one city, through the service
	var svcTimes timings
	var page unit.Page
	for i := range *runs + 20 {
		t0 := time.Now()
		page, err = a.Units.List(ctx, scope, unit.Filter{Under: benchCity})
		d := time.Since(t0)
		if err != nil {
			return err
		}
		if i >= 20 { // the first runs warm the caches
			svcTimes = append(svcTimes, d)
		}
	}
	svcTimes = svcTimes.sorted()
	fmt.Fprintf(out, "子树列表（服务）/ subtree list under %s (service, first page of %d, %d in subtree): min %s, median %s, p99 %s over %d runs\n",
		benchCity, len(page.Items), page.Total, ms(svcTimes[0]), ms(svcTimes.quantile(.5)), ms(svcTimes.quantile(.99)), len(svcTimes))

	// the real server on loopback, logging only warnings
	srv, err := web.New(a, web.Options{Logger: slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		return err
	}
	clock := &serverClock{next: srv}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: clock, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: *conc * 2, MaxIdleConnsPerHost: *conc * 2, MaxConnsPerHost: *conc * 2,
		IdleConnTimeout: time.Minute, DisableCompression: true,
	}}
	get := func(path string) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s", path, resp.Status)
		}
		return err
	}

	// (a) the same list over HTTP: client time, and the server's own
	var httpTimes timings
	for i := range *runs + 20 {
		if i == 20 {
			clock.start()
		}
		t0 := time.Now()
		if err := get("/api/v1/units?under=" + benchCity); err != nil {
			return err
		}
		if i >= 20 {
			httpTimes = append(httpTimes, time.Since(t0))
		}
	}
	serverTimes := clock.stop().sorted()
	httpTimes = httpTimes.sorted()
	fmt.Fprintf(out, "子树列表（HTTP 服务端）/ subtree list under %s (HTTP, server time): min %s, median %s, p99 %s over %d runs\n",
		benchCity, ms(serverTimes[0]), ms(serverTimes.quantile(.5)), ms(serverTimes.quantile(.99)), len(serverTimes))
	fmt.Fprintf(out, "子树列表（HTTP 客户端）/ subtree list under %s (HTTP, client time on loopback): min %s, median %s, p99 %s over %d runs\n",
		benchCity, ms(httpTimes[0]), ms(httpTimes.quantile(.5)), ms(httpTimes.quantile(.99)), len(httpTimes))

	// (b) GET /api/v1/units/{code} under load
	codes, err := allCodes(ctx, a)
	if err != nil {
		return err
	}
	warm := min(*requests/10+1, 2000)
	if _, _, err := load(ctx, get, codes, warm, *conc); err != nil {
		return err
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	cpu0 := processCPU()
	pg0, pgOK := backendCPU(ctx, a)
	lat, wall, err := load(ctx, get, codes, *requests, *conc)
	cpu := processCPU() - cpu0
	pg1, pgOK1 := backendCPU(ctx, a)
	if *cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return err
	}
	lat = lat.sorted()
	rps := float64(len(lat)) / wall.Seconds()
	fmt.Fprintf(out, "单位详情（HTTP 负载）/ GET /api/v1/units/{code} (%d clients, keep-alive, random codes): %d requests in %s, %.0f req/s, p50 %s, p99 %s, max %s\n",
		*conc, len(lat), round(wall), rps, ms(lat.quantile(.5)), ms(lat.quantile(.99)), ms(lat[len(lat)-1]))
	// CPU time says what a request costs whatever else runs on the
	// machine; on SQLite it is all of it (clients, server, database).
	what := "clients + server + SQLite"
	if a.DB.Dialect.Name != "sqlite" {
		what = "clients + server; PostgreSQL's own not counted"
	}
	cpuPerReq := float64(cpu.Microseconds()) / float64(len(lat))
	fmt.Fprintf(out, "CPU 时间 / CPU time of this process (%s): %s, %.0f µs per request\n", what, round(cpu), cpuPerReq)
	if pgOK && pgOK1 {
		pgCPU := pg1 - pg0
		cpuPerReq += float64(pgCPU.Microseconds()) / float64(len(lat))
		fmt.Fprintf(out, "CPU 时间 / CPU time of its PostgreSQL backends: %s, %.0f µs per request; both: %.0f µs, at most %.0f req/s on %d CPUs doing nothing else\n",
			round(pgCPU), float64(pgCPU.Microseconds())/float64(len(lat)), cpuPerReq, float64(runtime.NumCPU())*1e6/cpuPerReq, runtime.NumCPU())
	} else if a.DB.Dialect.Name == "sqlite" {
		fmt.Fprintf(out, "CPU 上限 / at most %.0f req/s on %d CPUs doing nothing else\n", float64(runtime.NumCPU())*1e6/cpuPerReq, runtime.NumCPU())
	}

	listMedian := max(svcTimes.quantile(.5), serverTimes.quantile(.5))
	fmt.Fprintf(out, "summary: db=%s units=%d list_service_median=%s list_http_server_median=%s list_http_client_median=%s get_rps=%.0f get_p50=%s get_p99=%s get_cpu=%.0fµs | list<%s %s, get>%d/s %s\n",
		a.DB.Dialect.Name, *n, ms(svcTimes.quantile(.5)), ms(serverTimes.quantile(.5)), ms(httpTimes.quantile(.5)),
		rps, ms(lat.quantile(.5)), ms(lat.quantile(.99)), cpuPerReq,
		ms(targetList), verdict(listMedian < targetList), targetGetRPS, verdict(rps >= targetGetRPS))
	return nil
}

// allCodes returns the code of every unit.
func allCodes(ctx context.Context, a *app.App) ([]string, error) {
	var codes []string
	for pg := 1; ; pg++ {
		page, err := a.Units.List(ctx, unit.Everything(), unit.Filter{Page: pg, PerPage: unit.MaxPerPage, Closed: true})
		if err != nil {
			return nil, err
		}
		for _, u := range page.Items {
			codes = append(codes, u.Code)
		}
		if len(page.Items) < unit.MaxPerPage {
			return codes, nil
		}
	}
}

// load sends total GETs of random units from conc clients and returns
// each request's latency and the wall time of the whole.
func load(ctx context.Context, get func(string) error, codes []string, total, conc int) (timings, time.Duration, error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	lats := make([]timings, conc)
	errs := make([]error, conc)
	begin := time.Now()
	for c := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(c), uint64(begin.UnixNano())))
			for next.Add(1) <= int64(total) && ctx.Err() == nil {
				path := "/api/v1/units/" + codes[r.IntN(len(codes))]
				t0 := time.Now()
				if err := get(path); err != nil {
					errs[c] = err
					return
				}
				lats[c] = append(lats[c], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	wall := time.Since(begin)
	if err := errors.Join(append(errs, ctx.Err())...); err != nil {
		return nil, 0, err
	}
	var all timings
	for _, l := range lats {
		all = append(all, l...)
	}
	return all, wall, nil
}

// serverClock times requests inside the server, from the moment the
// handler gets them to the moment it returns, while it is started.
type serverClock struct {
	next http.Handler
	on   atomic.Bool
	mu   sync.Mutex
	took timings
}

func (c *serverClock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !c.on.Load() {
		c.next.ServeHTTP(w, r)
		return
	}
	t0 := time.Now()
	c.next.ServeHTTP(w, r)
	d := time.Since(t0)
	c.mu.Lock()
	c.took = append(c.took, d)
	c.mu.Unlock()
}

func (c *serverClock) start() { c.on.Store(true) }

func (c *serverClock) stop() timings {
	c.on.Store(false)
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.took
	c.took = nil
	return t
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// backendCPU sums the CPU time of the PostgreSQL backends that serve this
// process's pool (those sharing its application_name, which the bench's
// temporary schema sets), read from /proc: so only when the server runs
// on this machine and the bench may read its processes.
func backendCPU(ctx context.Context, a *app.App) (time.Duration, bool) {
	if a.DB.Dialect.Name != "postgres" {
		return 0, false
	}
	rows, err := a.DB.Q(ctx).QueryContext(ctx, `SELECT pid FROM pg_stat_activity
		WHERE application_name <> '' AND application_name = current_setting('application_name')`)
	if err != nil {
		return 0, false
	}
	defer rows.Close()
	var total time.Duration
	found := false
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			return 0, false
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return 0, false
		}
		// utime and stime, in clock ticks of 1/100 s, are the 14th and
		// 15th fields; the 2nd, the command, ends with the last ')'.
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) < 13 {
			return 0, false
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		total += time.Duration(ut+st) * 10 * time.Millisecond
		found = true
	}
	return total, found && rows.Err() == nil
}
