package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"kexie/internal/app"
	"kexie/internal/auth"
	"kexie/internal/dataset"
	"kexie/internal/demo"
)

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := subFlags(e, "demo")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	a, err := openApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := loadDemo(ctx, a)
	if err != nil {
		return err
	}
	if res == (demo.Result{}) {
		fmt.Fprintln(e.stdout, "演示省份已存在，没有改动 / the demo province is already loaded: nothing changed")
		return nil
	}
	fmt.Fprintf(e.stdout, "已载入演示省份 / demo province loaded: %d units, %d groups, %d users (password %s), %d records\n",
		res.UnitsCreated, res.GroupsSaved, res.UsersCreated, demo.Password, res.Records)
	return nil
}

// loadDemo loads the demo province: units, accounts and records, the
// data set, the second-half plan, the evaluation schemes with their
// 2021S1 runs and the supervision campaigns.
func loadDemo(ctx context.Context, a *app.App) (demo.Result, error) {
	res, err := demo.Load(ctx, a.Units, a.Auth, a.Registers)
	if err != nil {
		return res, err
	}
	if err := dataset.LoadDemo(ctx, a.Datasets); err != nil {
		return res, fmt.Errorf("demo data set: %w", err)
	}
	if err := demo.LoadPlan(ctx, a.Plans); err != nil {
		return res, fmt.Errorf("demo plan: %w", err)
	}
	if err := demo.LoadSchemes(ctx, a.Schemes); err != nil {
		return res, fmt.Errorf("demo schemes: %w", err)
	}
	if err := demo.LoadCampaigns(ctx, a.Campaigns, a.Files); err != nil {
		return res, fmt.Errorf("demo campaigns: %w", err)
	}
	return res, nil
}

func runMigrate(ctx context.Context, e *env, args []string) error {
	fs := subFlags(e, "migrate")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	a, err := openApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintf(e.stdout, "数据库版本 / schema version %d (%s)\n", a.Version, a.DB.Dialect.Name)
	return nil
}

func runUser(ctx context.Context, e *env, args []string) error {
	fs := subFlags(e, "user")
	role := fs.String("role", "", "角色 / role: "+roleNames())
	unitCode := fs.String("unit", "", "单位代码 / unit code")
	fromStdin := fs.Bool("password-stdin", false, "从标准输入读密码 / read the password from standard input")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] != "add" {
		return errors.New("用法 / usage: kexie user add NAME --role ROLE --unit CODE [--password-stdin]")
	}
	name := pos[1]
	if *role == "" || *unitCode == "" {
		return errors.New("需要 --role 和 --unit / --role and --unit are required")
	}
	pw := ""
	if *fromStdin {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("read password: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
		if pw == "" {
			return errors.New("标准输入没有密码 / no password on standard input")
		}
	}
	a, err := openApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	created, generated, err := a.Auth.AddRole(ctx, name, auth.Role(*role), *unitCode, pw)
	if err != nil {
		return err
	}
	switch {
	case created && !*fromStdin:
		fmt.Fprintf(e.stdout, "已创建用户 / user created: %s (%s @ %s)\n", name, *role, *unitCode)
		fmt.Fprintln(e.stdout, "初始密码（只显示这一次） / initial password (shown once):")
		fmt.Fprintln(e.stdout, generated)
	case created:
		fmt.Fprintf(e.stdout, "已创建用户 / user created: %s (%s @ %s)\n", name, *role, *unitCode)
	default:
		fmt.Fprintf(e.stdout, "已为用户增加角色 / role added: %s (%s @ %s)\n", name, *role, *unitCode)
	}
	return nil
}

func roleNames() string {
	names := make([]string, len(auth.Roles))
	for i, r := range auth.Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

func runToken(ctx context.Context, e *env, args []string) error {
	fs := subFlags(e, "token")
	label := fs.String("name", "cli", "令牌名称 / a label for the token")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] != "create" {
		return errors.New("用法 / usage: kexie token create NAME")
	}
	a, err := openApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	_, secret, err := a.Auth.CreateToken(ctx, nil, pos[1], *label)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "已为 %s 创建 API 令牌（只显示这一次） / API token for %s (shown once):\n", pos[1], pos[1])
	fmt.Fprintln(e.stdout, secret)
	return nil
}

func runBackup(ctx context.Context, e *env, args []string) error {
	fs := subFlags(e, "backup")
	out := fs.String("out", "", "备份文件 / backup file to write")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("需要 --out FILE / --out FILE is required")
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("%s 已存在，不会覆盖 / %s exists: not overwriting it", *out, *out)
	}
	a, err := openApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	if a.DB.Dialect.Name != "sqlite" {
		return errors.New("PostgreSQL 请用 pg_dump 备份 / on PostgreSQL, back up with pg_dump (see docs/postgresql.md)")
	}
	if err := a.DB.Backup(ctx, *out); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "备份完成 / backup written: %s\n", *out)
	return nil
}

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func runVersion(ctx context.Context, e *env, args []string) error {
	fmt.Fprintln(e.stdout, "kexie", version)
	return nil
}
