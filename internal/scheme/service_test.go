package scheme_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"kexie/internal/app"
	"kexie/internal/fault"
	"kexie/internal/metric"
	"kexie/internal/register"
	"kexie/internal/scheme"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// world: province P with societies S1..S4 and city C1 (society S5
// below it); an events register; S1 holds 4 events in 2021S1, S2 2, S3 1,
// S4 none, S5 3.
func world(t *testing.T, db *store.DB) *app.App {
	t.Helper()
	ctx := context.Background()
	a, err := app.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []unit.Create{
		{Code: "P", Type: "province", NameZH: "省"},
		{Code: "C1", Parent: "P", Type: "city", NameZH: "一市"},
		{Code: "S1", Parent: "P", Type: "society", NameZH: "一学会"},
		{Code: "S2", Parent: "P", Type: "society", NameZH: "二学会"},
		{Code: "S3", Parent: "P", Type: "society", NameZH: "三学会"},
		{Code: "S4", Parent: "P", Type: "society", NameZH: "四学会"},
		{Code: "S5", Parent: "C1", Type: "society", NameZH: "五学会"},
	} {
		if _, err := a.Units.Create(ctx, unit.System(), c); err != nil {
			t.Fatal(err)
		}
	}
	sc := register.Schema{Code: "evts", NameZH: "活动", DateField: "day", NaturalKey: []string{"title", "day"},
		Fields: []register.Field{
			{Code: "title", Type: register.TypeText, NameZH: "名称", Required: true},
			{Code: "day", Type: register.TypeDate, NameZH: "日期", Required: true},
			{Code: "people", Type: register.TypeInteger, NameZH: "人次"},
		}}
	if _, err := a.Registers.Define(ctx, sc, register.Migration{}, false); err != nil {
		t.Fatal(err)
	}
	for _, d := range []metric.Def{
		{Code: "evts", NameZH: "活动", Unit: "场", Aggregation: metric.Flow, Source: metric.FromRegister, Register: "evts"},
		{Code: "evts_avg", NameZH: "平均人次", Unit: "人次", Aggregation: metric.Average, Source: metric.FromRegister, Register: "evts", Field: "people"},
	} {
		if _, err := a.Metrics.Define(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for u, k := range map[string]int{"S1": 4, "S2": 2, "S3": 1, "S5": 3} {
		for i := 0; i < k; i++ {
			addEvent(t, a, u, n)
			n++
		}
	}
	return a
}

func addEvent(t *testing.T, a *app.App, u string, n int) {
	t.Helper()
	if _, err := a.Registers.Create(context.Background(), register.System(), "evts", register.Input{Unit: u, Values: map[string]any{
		"title": fmt.Sprintf("活动%d", n), "day": "2021-03-10", "people": "100"}}); err != nil {
		t.Fatal(err)
	}
}

func version() scheme.Version {
	return scheme.Version{Mode: scheme.ByWeights, Total: 100,
		Nodes: []scheme.Node{
			{Code: "A", NameZH: "活动", Weight: 0.8, Metric: "evts", Rule: &scheme.Rule{Kind: scheme.Linear, Floor: 0, Target: 4}},
			{Code: "B", NameZH: "制度建设", Weight: 0.2, Manual: true, Rule: &scheme.Rule{Kind: scheme.YesNo}},
		},
		Grades: scheme.Grading{Method: scheme.ByThreshold, Levels: []scheme.GradeLevel{{Name: "优秀", Min: 80}, {Name: "合格", Min: 40}, {Name: "不合格"}}},
	}
}

func key(err error) string {
	if fs := fault.FieldsOf(err); len(fs) > 0 {
		return fs[0].Key
	}
	return fmt.Sprint(err)
}

func TestSchemeRuns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := world(t, db)
		s := a.Schemes
		if err := s.Create(ctx, scheme.Scheme{Code: "soc", NameZH: "学会能力", UnitType: "society"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Create(ctx, scheme.Scheme{Code: "soc", NameZH: "x", UnitType: "society"}); !errors.Is(err, fault.ErrConflict) {
			t.Errorf("duplicate: %v", err)
		}
		// Bad versions: nothing written.
		bad := version()
		bad.Nodes[0].Weight = 0.7
		if _, err := s.AddVersion(ctx, "soc", "", bad); key(err) != "scheme.weights.sum" {
			t.Errorf("weights: %v", err)
		}
		bad = version()
		bad.Nodes[0].Metric = "nope"
		if _, err := s.AddVersion(ctx, "soc", "", bad); key(err) != "scheme.metric.unknown" {
			t.Errorf("unknown metric: %v", err)
		}
		bad = version()
		bad.Nodes[0].Metric, bad.Nodes[0].Rule = "evts_avg", &scheme.Rule{Kind: scheme.Ratio, Target: 5}
		if _, err := s.AddVersion(ctx, "soc", "", bad); key(err) != "scheme.metric.kind" {
			t.Errorf("metric kind: %v", err)
		}
		if sc, _ := s.Get(ctx, "soc"); len(sc.Versions) != 0 {
			t.Fatalf("bad versions written: %v", sc.Versions)
		}
		n, err := s.AddVersion(ctx, "soc", "两级", version())
		if err != nil || n != 1 {
			t.Fatal(n, err)
		}
		// A run over P from a city's scope: not found, nothing written.
		c1, _ := a.Units.Get(ctx, unit.Everything(), "C1")
		if _, err := s.Start(ctx, unit.Subtrees(c1.Path), "soc", 1, "P", "2021S1"); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("out of scope: %v", err)
		}
		var runs int
		db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM scheme_runs`).Scan(&runs)
		if runs != 0 {
			t.Fatalf("runs written: %d", runs)
		}
		// Self-scores: above the maximum refused; verified with a reason.
		if err := s.SelfScore(ctx, unit.Everything(), "soc", 1, "2021S1", scheme.HandScore{Unit: "S4", Node: "B", Claimed: 2, Evidence: "章程"}); key(err) != "scheme.hand.above_max" {
			t.Errorf("above max: %v", err)
		}
		if err := s.SelfScore(ctx, unit.Everything(), "soc", 1, "2021S1", scheme.HandScore{Unit: "S4", Node: "A", Claimed: 1, Evidence: "x"}); key(err) != "scheme.hand.not_manual" {
			t.Errorf("not manual: %v", err)
		}
		for _, u := range []string{"S3", "S4"} {
			if err := s.SelfScore(ctx, unit.Everything(), "soc", 1, "2021S1", scheme.HandScore{Unit: u, Node: "B", Claimed: 1, Evidence: "章程已修订"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Verify(ctx, unit.Everything(), "soc", 1, "2021S1", "S3", "B", 0, ""); key(err) != "scheme.hand.reason" {
			t.Errorf("adjust without reason: %v", err)
		}
		if err := s.Verify(ctx, unit.Everything(), "soc", 1, "2021S1", "S3", "B", 0, "未见批复"); err != nil {
			t.Fatal(err)
		}
		if err := s.Verify(ctx, unit.Everything(), "soc", 1, "2021S1", "S4", "B", 1, ""); err != nil {
			t.Fatal(err)
		}
		run, err := s.Start(ctx, unit.Everything(), "soc", 1, "P", "2021S1")
		if err != nil {
			t.Fatal(err)
		}
		rows, err := s.Rows(ctx, unit.Everything(), run.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			got = append(got, fmt.Sprintf("%s:%g:%d:%s", r.Unit, r.Total, r.Rank, r.Grade))
		}
		// S1 80, S5 60, S2 40, S4 0+20, S3 20+0.
		want := []string{"S1:80:1:优秀", "S5:60:2:合格", "S2:40:3:合格", "S3:20:4:不合格", "S4:20:4:不合格"}
		if !slices.Equal(got, want) {
			t.Errorf("league %v", got)
		}
		card, err := s.Scorecard(ctx, unit.Everything(), run.ID, "S2")
		if err != nil || len(card.Nodes) != 2 || *card.Nodes[0].Value != 2 || card.Nodes[0].Weight != 0.8 || card.Nodes[0].Points != 40 || card.Nodes[0].Rule == "" {
			t.Errorf("scorecard %+v %v", card, err)
		}
		// A city sees only its own units' rows, and no other's scorecard.
		if rows, err := s.Rows(ctx, unit.Subtrees(c1.Path), run.ID, false); err != nil || len(rows) != 1 || rows[0].Unit != "S5" {
			t.Errorf("city's rows: %v %v", rows, err)
		}
		if _, err := s.Scorecard(ctx, unit.Subtrees(c1.Path), run.ID, "S1"); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("other's scorecard: %v", err)
		}
		// Publish freezes: later data moves figures, not the run.
		if err := s.Publish(ctx, unit.Everything(), run.ID, 10); err != nil {
			t.Fatal(err)
		}
		if err := s.Publish(ctx, unit.Everything(), run.ID, 10); key(err) != "scheme.run.published" {
			t.Errorf("publish twice: %v", err)
		}
		if err := s.Rescore(ctx, unit.Everything(), run.ID); key(err) != "scheme.run.published" {
			t.Errorf("rescore published: %v", err)
		}
		addEvent(t, a, "S2", 100)
		after, _ := s.Rows(ctx, unit.Everything(), run.ID, false)
		if after[2].Unit != "S2" || after[2].Total != 40 {
			t.Errorf("published run changed: %+v", after[2])
		}
		moved, err := s.Moved(ctx, unit.Everything(), run.ID)
		if err != nil || len(moved) != 2 || moved[1].Node != "A" || *moved[1].To != 3 || moved[0].Unit != "S2" || moved[0].Was != 40 || moved[0].Now != 60 {
			t.Errorf("moved %+v %v", moved, err)
		}
		// Objections: a unit objects to a point, the evaluator answers once.
		s2, _ := a.Units.Get(ctx, unit.Everything(), "S2")
		if _, err := s.Object(ctx, unit.Subtrees(s2.Path), run.ID, "S2", "Z", "理由"); key(err) != "scheme.objection.node" {
			t.Errorf("unknown node: %v", err)
		}
		if _, err := s.Object(ctx, unit.Subtrees(s2.Path), run.ID, "S1", "A", "理由"); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("other unit's objection: %v", err)
		}
		oid, err := s.Object(ctx, unit.Subtrees(s2.Path), run.ID, "S2", "A", "三月活动漏计一场")
		if err != nil {
			t.Fatal(err)
		}
		three := 3.0
		if err := s.Answer(ctx, unit.Everything(), oid, scheme.Reply{Answer: "已核实，漏计一场", Upheld: true, Value: &three}); err != nil {
			t.Fatal(err)
		}
		if err := s.Answer(ctx, unit.Everything(), oid, scheme.Reply{Answer: "again"}); key(err) != "scheme.objection.answered" {
			t.Errorf("answer twice: %v", err)
		}
		if os, _ := s.Objections(ctx, unit.Everything(), run.ID); len(os) != 1 || !os[0].Upheld {
			t.Errorf("objections %+v", os)
		}
		// A second version (by points, percentile) compared on the same data.
		v2 := scheme.Version{Mode: scheme.ByPoints, Total: 10,
			Nodes:  []scheme.Node{{Code: "A", NameZH: "活动", Points: 10, Metric: "evts", Rule: &scheme.Rule{Kind: scheme.Percentile}}},
			Grades: scheme.Grading{Method: scheme.ByQuota, Ties: scheme.TiesShare, Levels: []scheme.GradeLevel{{Name: "优秀", Share: 0.2}, {Name: "合格"}}}}
		if n, err := s.AddVersion(ctx, "soc", "", v2); err != nil || n != 2 {
			t.Fatal(n, err)
		}
		run2, err := s.Start(ctx, unit.Everything(), "soc", 2, "P", "2021S1")
		if err != nil {
			t.Fatal(err)
		}
		cmp, err := s.CompareRuns(ctx, unit.Everything(), run.ID, run2.ID)
		if err != nil || len(cmp.Moves) != 5 || cmp.Spearman < 0.5 || cmp.Spearman >= 1 {
			t.Errorf("compare %+v %v", cmp, err)
		}
		if err := s.Rescore(ctx, unit.Everything(), run2.ID); err != nil {
			t.Errorf("rescore draft: %v", err)
		}
	})
}
