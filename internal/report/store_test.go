package report_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/register"
	"kexie/internal/report"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// Templates are stored and versioned, the built-ins from their files; a
// bad template is refused with its line and column and nothing stored; a
// snapshot keeps its figures and shows those whose live value moved.
func TestStoredTemplatesAndSnapshots(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Name: "admin"})
		a := demoApp(t, db)
		svc := a.Reports
		list, err := svc.Templates(ctx)
		if err != nil || len(list) != 2 || list[0].Code != "half-year-review" || !list[0].Builtin || list[1].Code != "plan-progress" {
			t.Fatalf("built-ins: %+v %v", list, err)
		}
		src, _ := report.Builtin("half-year-review")
		if got, _ := svc.Template(ctx, "half-year-review"); got.Source != src || got.Version != 1 {
			t.Errorf("built-in stored as v%d", got.Version)
		}
		if err := svc.EnsureBuiltin(ctx); err != nil {
			t.Fatal(err)
		}
		if got, _ := svc.Template(ctx, "half-year-review"); got.Version != 1 {
			t.Errorf("a second start added a version: v%d", got.Version)
		}

		// create, then a second version; the same source adds none
		v1 := "# 科技小院\n新建科技小院{{ fig(\"kexiao_new\") }}。\n"
		if _, err := svc.Save(ctx, "kexiao", report.SaveRequest{Name: "科技小院", Source: v1}); err != nil {
			t.Fatal(err)
		}
		v2 := v1 + "\n注册科技志愿者{{ fig(\"registered_volunteers\") }}。\n"
		got, err := svc.Save(ctx, "kexiao", report.SaveRequest{Name: "科技小院", Source: v2, Note: "志愿者"})
		if err != nil || got.Version != 2 || len(got.Versions) != 2 || got.Versions[0].Author != "admin" || got.Versions[0].Note != "志愿者" {
			t.Fatalf("v2: %+v %v", got, err)
		}
		if got, _ := svc.Save(ctx, "kexiao", report.SaveRequest{Name: "科技小院（新）", Source: v2}); got.Version != 2 || got.Name != "科技小院（新）" {
			t.Errorf("the same source: v%d %s", got.Version, got.Name)
		}
		if old, err := svc.TemplateVersion(ctx, "kexiao", 1); err != nil || old.Source != v1 {
			t.Errorf("v1: %v", err)
		}

		// a bad template: line, column, closest metric; nothing stored
		_, err = svc.Save(ctx, "kexiao", report.SaveRequest{Name: "x", Source: v2 + "\n  {{ fig(\"registerd_volunteers\") }}"})
		var inv *fault.Invalid
		if !errors.As(err, &inv) {
			t.Errorf("bad template: %v", err)
		} else if args := inv.Fields[0].Args; args["line"] != 6 || args["col"] != 10 || !strings.Contains(fmt.Sprint(args["closest"]), "registered_volunteers") {
			t.Errorf("bad template: %v", args)
		}
		if got, _ := svc.Template(ctx, "kexiao"); got.Version != 2 {
			t.Errorf("a refused template was stored: v%d", got.Version)
		}
		for _, code := range []string{"", "Bad Code", strings.Repeat("x", 70)} {
			if _, err := svc.Save(ctx, code, report.SaveRequest{Name: "x", Source: "x"}); !errors.Is(err, fault.ErrInvalid) {
				t.Errorf("code %q: %v", code, err)
			}
		}
		if err := svc.DeleteTemplate(ctx, "half-year-review"); !errors.Is(err, fault.ErrInvalid) {
			t.Errorf("deleting a built-in: %v", err)
		}

		// a snapshot, then a new record moves one of its figures
		sn, err := svc.Record(ctx, unit.Everything(), "kexiao", report.SnapshotRequest{Unit: "320000", Period: "2021S1", Note: "报送省委"})
		if err != nil || sn.Version != 2 || sn.Figures != 2 || sn.Doc == nil || sn.Title != "科技小院" {
			t.Fatalf("record: %+v %v", sn, err)
		}
		moved, err := svc.Moved(ctx, unit.Everything(), sn)
		if err != nil || len(moved) != 0 {
			t.Fatalf("moved before any change: %+v %v", moved, err)
		}
		if _, err := a.Registers.Create(ctx, register.System(), "bases", register.Input{Unit: "320115", Values: map[string]any{
			"kind": "kexiao", "level": "provincial", "recognised_on": "2021-05-01", "name": "测试科技小院", "host": "测试产业协会", "field": "农技服务"}}); err != nil {
			t.Fatal(err)
		}
		moved, err = svc.Moved(ctx, unit.Everything(), sn)
		if err != nil || len(moved) != 1 || moved[0].Metric != "kexiao_new" || *moved[0].Now != *moved[0].Value+1 ||
			moved[0].Records != "/metrics/kexiao_new/records?period=2021S1&unit=320000" {
			t.Fatalf("moved: %+v %v", moved, err)
		}
		// named, not coded, in either language
		if m, err := a.Metrics.Get(ctx, "kexiao_new"); err != nil || m.NameEN == "" || moved[0].NameZH != m.NameZH ||
			moved[0].MetricName("zh-CN") != m.NameZH || moved[0].MetricName("en") != m.NameEN {
			t.Errorf("moved figure's names: %+v (%v)", moved[0], err)
		}
		if moved[0].UnitLabel("zh-CN") != "江苏省科学技术协会" || moved[0].UnitLabel("en") == "320000" {
			t.Errorf("moved figure's unit: %q %q", moved[0].UnitLabel("zh-CN"), moved[0].UnitLabel("en"))
		}
		// the snapshot still prints what it printed
		again, _ := svc.Snapshot(ctx, unit.Everything(), sn.ID)
		if again.Doc.Figs[0].Text("zh-CN") != moved[0].Then {
			t.Errorf("the snapshot changed: %s", again.Doc.Figs[0].Text("zh-CN"))
		}
		// out of scope: not found, and not listed
		xz, _ := a.Units.Get(ctx, unit.Everything(), "320300")
		if _, err := svc.Snapshot(ctx, unit.Subtrees(xz.Path), sn.ID); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("a snapshot out of scope: %v", err)
		}
		if l, _ := svc.Snapshots(ctx, unit.Subtrees(xz.Path), ""); len(l) != 0 {
			t.Errorf("snapshots out of scope listed: %d", len(l))
		}
		if l, _ := svc.Snapshots(ctx, unit.Everything(), "kexiao"); len(l) != 1 {
			t.Errorf("snapshots: %d", len(l))
		}
		if err := svc.DeleteTemplate(ctx, "kexiao"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Template(ctx, "kexiao"); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("deleted: %v", err)
		}
		if _, err := svc.Snapshot(ctx, unit.Everything(), sn.ID); err != nil {
			t.Errorf("a snapshot lost with its template: %v", err)
		}
	})
}
