package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"kexie/internal/unit"
)

// benchStart measures the cold start of `kexie serve` on the configured
// database as it is: the time from starting the process to /healthz
// answering 200, over several runs, and the time a SIGTERM takes to stop
// it. Fill a database first with `kexie bench tree` to measure a large one.
func benchStart(ctx context.Context, e *env, args []string) error {
	fs := subFlags(e, "bench start")
	runs := fs.Int("runs", 10, "启动次数 / starts to time")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	if *runs < 1 {
		return errors.New("--runs ≥ 1")
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	// What the database holds, and a first start that migrates it if
	// needed, so that every timed start finds it existing.
	a, err := openApp(ctx, e)
	if err != nil {
		return err
	}
	counts, err := a.Units.CountByType(ctx, unit.Everything())
	name, version := a.DB.Dialect.Name, a.Version
	a.Close()
	if err != nil {
		return err
	}
	units := 0
	for _, c := range counts {
		units += c.Count
	}
	fmt.Fprintf(e.stdout, "kexie bench start: %s, schema %d, %d open units, %s, load average %s\n", name, version, units, exe, loadAverage())
	var starts, stops timings
	for i := range *runs + 1 {
		up, down, err := startOnce(ctx, e, exe)
		if err != nil {
			return err
		}
		if i > 0 { // the first run loads the binary into the page cache
			starts = append(starts, up)
			stops = append(stops, down)
		}
	}
	starts, stops = starts.sorted(), stops.sorted()
	fmt.Fprintf(e.stdout, "冷启动 / cold start to /healthz 200: min %s, median %s, max %s over %d runs\n",
		ms(starts[0]), ms(starts.quantile(.5)), ms(starts[len(starts)-1]), len(starts))
	fmt.Fprintf(e.stdout, "停止 / SIGTERM to exit: median %s\n", ms(stops.quantile(.5)))
	fmt.Fprintf(e.stdout, "summary: db=%s units=%d start_median=%s start_max=%s | start<%s %s\n",
		name, units, ms(starts.quantile(.5)), ms(starts[len(starts)-1]), ms(targetStart), verdict(starts[len(starts)-1] < targetStart))
	return nil
}

// startOnce starts `kexie serve` on a free port, polls /healthz until it
// answers, then stops the server with SIGTERM.
func startOnce(ctx context.Context, e *env, exe string) (up, down time.Duration, err error) {
	port, err := freePort()
	if err != nil {
		return 0, 0, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.CommandContext(ctx, exe, "serve", "--quiet", "--addr", addr)
	// The database goes by environment, so that a password in the DSN
	// does not show in the process list.
	cmd.Env = append(os.Environ(), "KEXIE_DB="+e.cfg.DSN, "KEXIE_DATA="+e.cfg.DataDir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for {
		resp, err := client.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				up = time.Since(t0)
				break
			}
		}
		select {
		case err := <-exited:
			return 0, 0, fmt.Errorf("kexie serve exited (%v): %s", err, stderr.String())
		case <-time.After(time.Millisecond):
		}
		if time.Since(t0) > 30*time.Second {
			_ = cmd.Process.Kill()
			<-exited
			return 0, 0, fmt.Errorf("kexie serve did not answer /healthz within 30 s: %s", stderr.String())
		}
	}
	t1 := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return 0, 0, err
	}
	if err := <-exited; err != nil {
		return 0, 0, fmt.Errorf("kexie serve after SIGTERM: %v: %s", err, stderr.String())
	}
	return up, time.Since(t1), nil
}

// freePort asks the kernel for a port nobody listens on.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
