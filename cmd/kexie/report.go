package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"kexie/internal/report"
	"kexie/internal/unit"
)

// runReport is `kexie report TEMPLATE --unit CODE --period P --format
// md|html|docx|pdf|xlsx [--out FILE]`: it writes the report of a unit for
// a period, to stdout when --out is absent or "-". TEMPLATE is a stored
// template's code (the built-in half-year-review and plan-progress are
// stored at start) or a template file. The report is
// made in memory first, so an error leaves no half-written file.
func runReport(ctx context.Context, e *env, args []string) error {
	fs := subFlags(e, "report")
	unitCode := fs.String("unit", "", "单位代码 / unit code")
	periodID := fs.String("period", "", "期间，如 2021S1 / period, e.g. 2021S1")
	format := fs.String("format", "md", "格式 / format: "+strings.Join(report.Formats, "|"))
	out := fs.String("out", "", "输出文件，缺省或 - 为标准输出 / output file, - or absent for stdout")
	lang := fs.String("lang", "zh-CN", "语言 / language: zh-CN|en")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *unitCode == "" || *periodID == "" {
		return errors.New("用法 / usage: kexie report TEMPLATE --unit CODE --period P --format " + strings.Join(report.Formats, "|") + " [--out FILE]")
	}
	a, err := openApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	svc := a.Reports
	src, err := templateSource(ctx, svc, pos[0])
	if err != nil {
		return err
	}
	d, err := svc.Generate(ctx, unit.Everything(), src, *unitCode, *periodID, *lang)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.Write(&buf, d, *format); err != nil {
		return err
	}
	if d.Empty {
		fmt.Fprintln(e.stderr, "所选单位和期间没有数据 / no data for the unit and period chosen")
	}
	if *out == "" || *out == "-" {
		_, err := e.stdout.Write(buf.Bytes())
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".report-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), *out)
}

// templateSource is a stored template (its current version) by code, a
// built-in template by name, or a template file.
func templateSource(ctx context.Context, svc *report.Service, name string) (string, error) {
	if t, err := svc.Template(ctx, name); err == nil {
		return t.Source, nil
	}
	if src, err := report.Builtin(name); err == nil {
		return src, nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("没有模板 %s（内置：%s）/ no template %s (built in: %s)", name,
			strings.Join(report.BuiltinNames(), ", "), name, strings.Join(report.BuiltinNames(), ", "))
	}
	return string(b), nil
}
