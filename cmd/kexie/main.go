// Command kexie runs the association's system of record: `kexie serve`
// starts it; the other subcommands manage its database from the shell.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"kexie/internal/app"
	"kexie/internal/fault"
	"kexie/internal/mail"
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what every subcommand gets: the global configuration and the
// standard streams, so tests can run subcommands in process.
type env struct {
	cfg    app.Config
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

func commands() []command {
	return []command{
		{"serve", "启动服务 / start the server: serve [--addr HOST:PORT] [--demo]", runServe},
		{"demo", "载入演示省份 / load the demo province (safe to repeat)", runDemo},
		{"migrate", "执行数据库迁移 / run the database migrations and print the version", runMigrate},
		{"user", "用户管理 / users: user add NAME --role ROLE --unit CODE [--password-stdin]", runUser},
		{"token", "API 令牌 / API tokens: token create NAME [--name LABEL]", runToken},
		{"metric", "指标核对 / metrics: metric verify [--metric CODE]", runMetric},
		{"backup", "在线备份 / online backup of the embedded database: backup --out FILE", runBackup},
		{"import", "导入组织或台账记录 / import units or records: import --units FILE | --register CODE FILE [--dry-run]", runImport},
		{"export", "导出组织或台账记录 / export units or records: export --units | --register CODE [--unit CODE] [--period P] --out FILE", runExport},
		{"bench", "性能测量 / measure speed: bench units|tree|start|rollup|import|list|plan|scheme (see docs/performance.md)", runBench},
		{"remind", "按计划的催办规则催办一次 / send the reminders the plans' rules call for now (serve does it hourly)", runRemind},
		// reports
		{"report", "生成报告 / write a report: report TEMPLATE --unit CODE --period P --format md|html|xlsx [--out FILE]", runReport},
		{"version", "显示版本 / print the version", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}
	if err := run(ctx, e, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "kexie:", describe(err))
		}
		os.Exit(exitCode(err))
	}
}

// run parses the global flags (before or after the subcommand) and runs it.
func run(ctx context.Context, e *env, args []string) error {
	e.cfg = app.Config{
		DataDir: envOr("KEXIE_DATA", "./data"),
		DSN:     os.Getenv("KEXIE_DB"),
		Addr:    envOr("KEXIE_ADDR", "127.0.0.1:8080"),
	}
	if v := os.Getenv("KEXIE_DB_FILE"); v != "" && e.cfg.DSN == "" {
		b, err := os.ReadFile(v)
		if err != nil {
			return fmt.Errorf("KEXIE_DB_FILE: %w", err)
		}
		e.cfg.DSN = strings.TrimSpace(string(b))
	}
	e.cfg.BaseURL = os.Getenv("KEXIE_BASE_URL")
	e.cfg.Mail = mail.Config{Addr: os.Getenv("KEXIE_SMTP_ADDR"), From: os.Getenv("KEXIE_SMTP_FROM"),
		User: os.Getenv("KEXIE_SMTP_USER"), Password: os.Getenv("KEXIE_SMTP_PASSWORD")}
	if v := os.Getenv("KEXIE_SMTP_PASSWORD_FILE"); v != "" && e.cfg.Mail.Password == "" {
		b, err := os.ReadFile(v)
		if err != nil {
			return fmt.Errorf("KEXIE_SMTP_PASSWORD_FILE: %w", err)
		}
		e.cfg.Mail.Password = strings.TrimSpace(string(b))
	}
	if err := e.cfg.Mail.Validate(); err != nil {
		return err
	}
	fs := flag.NewFlagSet("kexie", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	globalFlags(fs, &e.cfg)
	fs.Usage = func() { usage(e.stderr) }
	if err := fs.Parse(args); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		usage(e.stderr)
		return flag.ErrHelp
	}
	for _, c := range commands() {
		if c.name == rest[0] {
			return c.run(ctx, e, rest[1:])
		}
	}
	usage(e.stderr)
	return fmt.Errorf("unknown command %q", rest[0])
}

func globalFlags(fs *flag.FlagSet, cfg *app.Config) {
	fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "数据目录 / data directory (SQLite file and uploads) [KEXIE_DATA]")
	fs.StringVar(&cfg.DSN, "db", cfg.DSN, "数据库 / database: empty for SQLite in --data, or postgres://… [KEXIE_DB]")
}

// parseInterspersed parses flags that may come before or after the
// positional arguments, and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// subFlags makes a subcommand's flag set, which also takes the global flags.
func subFlags(e *env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("kexie "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	globalFlags(fs, &e.cfg)
	return fs
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "用法 / usage: kexie [--data DIR] [--db DSN] COMMAND [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// describe turns an error into a line for the operator, with the fields
// of a validation error spelled out.
func describe(err error) string {
	fields := fault.FieldsOf(err)
	if len(fields) == 0 {
		return err.Error()
	}
	parts := make([]string, 0, len(fields))
	for _, f := range fields {
		p := f.Field + ": " + f.Key
		for k, v := range f.Args {
			p += fmt.Sprintf(" %s=%v", k, v)
		}
		parts = append(parts, p)
	}
	return "输入有误 / invalid input: " + strings.Join(parts, "; ")
}

func exitCode(err error) int {
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 2
	case errors.Is(err, fault.ErrInvalid), errors.Is(err, fault.ErrNotFound), errors.Is(err, fault.ErrConflict):
		return 3
	}
	return 1
}

func openApp(ctx context.Context, e *env) (*app.App, error) {
	return app.Open(ctx, e.cfg)
}
