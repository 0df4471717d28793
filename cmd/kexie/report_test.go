package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kexie/internal/report"
)

// kexie report writes the half-year review of the demo province to
// stdout or a file; a bad template or unit writes nothing.
func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	data := "--data=" + dir
	if _, err := kexie(t, "", "demo", data); err != nil {
		t.Fatal(err)
	}
	out, err := kexie(t, "", "report", "half-year-review", "--unit", "320000", "--period", "2021S1", "--format", "md", data)
	if err != nil || !strings.Contains(out, "注册科技志愿者8.35万人") || !strings.Contains(out, "2028万元") {
		t.Fatalf("md: %v\n%s", err, out)
	}
	file := filepath.Join(dir, "review.html")
	if _, err := kexie(t, "", "report", "half-year-review", "--unit=320000", "--period=2021S1", "--format=html", "--out", file, data); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(file)
	if err != nil || !strings.Contains(string(b), `/metrics/registered_volunteers/records?period=2021S1&amp;unit=320000`) {
		t.Fatalf("html: %v %.300s", err, b)
	}
	xlsx := filepath.Join(dir, "tables.xlsx")
	if _, err := kexie(t, "", "report", "half-year-review", "--unit=320000", "--period=2021S1", "--format=xlsx", "--out", xlsx, data); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(xlsx); err != nil || len(b) < 1000 || string(b[:2]) != "PK" {
		t.Errorf("xlsx: %v, %d bytes", err, len(b))
	}
	for _, f := range []struct{ format, magic string }{{"docx", "PK"}, {"pdf", "%PDF"}} {
		if _, err := report.LoadFonts(); f.format == "pdf" && err != nil && os.Getenv("CI") == "" {
			t.Logf("pdf not tried: %v (install fonts-wqy-microhei)", err)
			continue
		}
		file := filepath.Join(dir, "review."+f.format)
		if _, err := kexie(t, "", "report", "half-year-review", "--unit=320000", "--period=2021S1", "--format="+f.format, "--out", file, data); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(file); err != nil || len(b) < 10000 || !strings.HasPrefix(string(b), f.magic) {
			t.Errorf("%s: %v, %d bytes", f.format, err, len(b))
		}
	}
	out, err = kexie(t, "", "report", "plan-progress", "--unit", "320000", "--period", "2021S2", data)
	if err != nil || !strings.Contains(out, "| 任务 | 目标 | 目标值 | 完成 | 进度 | 状态 |") || !strings.Contains(out, "新建企业科协 300 家") {
		t.Errorf("plan-progress: %v\n%s", err, out)
	}
	bad := filepath.Join(dir, "bad.md")
	os.WriteFile(bad, []byte("# x\n{{ fig(\"registerd_volunteers\") }}"), 0o644)
	never := filepath.Join(dir, "never.md")
	_, err = kexie(t, "", "report", bad, "--unit", "320000", "--period", "2021S1", "--out", never, data)
	if err == nil || !strings.Contains(describe(err), "registered_volunteers") || exitCode(err) != 3 {
		t.Errorf("bad template: %v", err)
	}
	if _, err := kexie(t, "", "report", "half-year-review", "--unit", "999999", "--period", "2021S1", "--out", never, data); err == nil || exitCode(err) != 3 {
		t.Errorf("unknown unit: %v", err)
	}
	if _, err := os.Stat(never); !os.IsNotExist(err) {
		t.Error("a failed report wrote a file")
	}
	if _, err := kexie(t, "", "report", "nosuch", "--unit", "320000", "--period", "2021S1", data); err == nil {
		t.Error("an unknown template ran")
	}
}
