package scheme_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"kexie/internal/app"
	"kexie/internal/scheme"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// correctable is a version with a branch G over a linear leaf A and a
// percentile leaf P (both reading evts), a hand-scored leaf B, graded by
// quota with ties at the edge dropping to the worse grade.
func correctable() scheme.Version {
	return scheme.Version{Mode: scheme.ByWeights, Total: 100,
		Nodes: []scheme.Node{
			{Code: "G", NameZH: "活动", Weight: 0.8},
			{Code: "A", Parent: "G", NameZH: "活动场次", Weight: 0.5, Metric: "evts", Rule: &scheme.Rule{Kind: scheme.Linear, Floor: 0, Target: 4}},
			{Code: "P", Parent: "G", NameZH: "活动排位", Weight: 0.5, Metric: "evts", Rule: &scheme.Rule{Kind: scheme.Percentile}},
			{Code: "B", NameZH: "制度建设", Weight: 0.2, Manual: true, Rule: &scheme.Rule{Kind: scheme.YesNo}},
		},
		Grades: scheme.Grading{Method: scheme.ByQuota, Ties: scheme.TiesDrop,
			Levels: []scheme.GradeLevel{{Name: "优秀", Share: 0.2}, {Name: "良好", Share: 0.4}, {Name: "合格"}}},
	}
}

func league(t *testing.T, s *scheme.Service, id int64) []string {
	t.Helper()
	rows, err := s.Rows(context.Background(), unit.Everything(), id, false)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%s:%g:%d:%s", r.Unit, r.Total, r.Rank, r.Grade))
	}
	return out
}

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Q(context.Background()).QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func scopeOf(t *testing.T, a *app.App, code string) unit.Scope {
	t.Helper()
	u, err := a.Units.Get(context.Background(), unit.Everything(), code)
	if err != nil {
		t.Fatal(err)
	}
	return unit.Subtrees(u.Path)
}

// An upheld objection corrects the objecting unit's point, by value or
// by points, within the window; the run's totals, ranks, grades (by
// quota, other units' too) and TOPSIS are scored again and stored, every
// change audited; refusals write nothing.
func TestObjectionCorrections(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := world(t, db)
		s := a.Schemes
		all := unit.Everything()
		if err := s.Create(ctx, scheme.Scheme{Code: "soc", NameZH: "学会能力", UnitType: "society"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddVersion(ctx, "soc", "", correctable()); err != nil {
			t.Fatal(err)
		}
		run, err := s.Start(ctx, all, "soc", 1, "P", "2021S1")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Publish(ctx, all, run.ID, 10); err != nil {
			t.Fatal(err)
		}
		// evts: S1 4, S5 3, S2 2, S3 1, S4 0. A: 10 points an event; P:
		// 40 × the share of the others below; B: nobody's claim verified.
		before := []string{"S1:80:1:优秀", "S5:60:2:良好", "S2:40:3:良好", "S3:20:4:合格", "S4:0:5:合格"}
		if got := league(t, s, run.ID); !slices.Equal(got, before) {
			t.Fatalf("league %v", got)
		}
		// Refusals, each writing nothing.
		o4, err := s.Object(ctx, scopeOf(t, a, "S4"), run.ID, "S4", "A", "漏计活动")
		if err != nil {
			t.Fatal(err)
		}
		f := func(x float64) *float64 { return &x }
		audits := count(t, db, `SELECT COUNT(*) FROM audit_log`)
		for _, c := range []struct {
			name string
			rp   scheme.Reply
			key  string
		}{
			{"no answer", scheme.Reply{Upheld: true, Value: f(2)}, "scheme.objection.answer"},
			{"correction not upheld", scheme.Reply{Answer: "不成立", Value: f(2)}, "scheme.correction.not_upheld"},
			{"neither value nor points", scheme.Reply{Answer: "成立", Upheld: true}, "scheme.correction.missing"},
			{"both", scheme.Reply{Answer: "成立", Upheld: true, Value: f(2), Points: f(20)}, "scheme.correction.both"},
			{"another unit's point", scheme.Reply{Answer: "成立", Upheld: true, Unit: "S1", Value: f(2)}, "scheme.correction.unit"},
			{"a branch", scheme.Reply{Answer: "成立", Upheld: true, Node: "G", Points: f(10)}, "scheme.correction.branch"},
			{"no such point", scheme.Reply{Answer: "成立", Upheld: true, Node: "Z", Points: f(10)}, "scheme.objection.node"},
			{"points above full marks", scheme.Reply{Answer: "成立", Upheld: true, Points: f(40.5)}, "scheme.correction.range"},
			{"negative points", scheme.Reply{Answer: "成立", Upheld: true, Points: f(-1)}, "scheme.correction.range"},
		} {
			if err := s.Answer(ctx, all, o4, c.rp); key(err) != c.key {
				t.Errorf("%s: %v, want %s", c.name, err, c.key)
			}
		}
		if got := league(t, s, run.ID); !slices.Equal(got, before) {
			t.Fatalf("refusals changed the league: %v", got)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM scheme_corrections`); n != 0 {
			t.Fatalf("refusals wrote %d corrections", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log`); n != audits {
			t.Fatalf("refusals wrote %d audit entries", n-audits)
		}
		if o, _ := s.Objection(ctx, all, o4); o.Answer != "" {
			t.Fatalf("a refused answer was kept: %+v", o)
		}
		// A city's evaluator cannot answer for the province's run.
		if err := s.Answer(ctx, scopeOf(t, a, "C1"), o4, scheme.Reply{Answer: "成立", Upheld: true, Value: f(2)}); key(err) == "" || count(t, db, `SELECT COUNT(*) FROM scheme_corrections`) != 0 {
			t.Fatalf("out of scope: %v", err)
		}

		// By value: S3's three missed events. A 10 → 40, P keeps its
		// value; S3 passes S2, whose quota grade falls.
		o3, err := s.Object(ctx, scopeOf(t, a, "S3"), run.ID, "S3", "A", "三月漏计三场")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Answer(ctx, all, o3, scheme.Reply{Answer: "经核实漏计三场，按 4 场计", Upheld: true, Value: f(4)}); err != nil {
			t.Fatal(err)
		}
		want := []string{"S1:80:1:优秀", "S5:60:2:良好", "S3:50:3:良好", "S2:40:4:合格", "S4:0:5:合格"}
		if got := league(t, s, run.ID); !slices.Equal(got, want) {
			t.Fatalf("after the value correction %v", got)
		}
		card, err := s.Scorecard(ctx, scopeOf(t, a, "S3"), run.ID, "S3")
		if err != nil {
			t.Fatal(err)
		}
		if len(card.Corrections) != 1 {
			t.Fatalf("corrections %+v", card.Corrections)
		}
		c := card.Corrections[0]
		if c.Node != "A" || *c.ValueWas != 1 || *c.Value != 4 || c.PointsWas != 10 || c.Points != 40 || c.ByPoints || c.Objection != o3 || c.Reason == "" {
			t.Errorf("correction %+v", c)
		}
		if card.Nodes[1].Code != "A" || *card.Nodes[1].Value != 4 || card.Nodes[1].Points != 40 || card.Nodes[0].Points != 50 || card.Total != 50 {
			t.Errorf("scorecard %+v", card)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'correct' AND entity_id = $1`, fmt.Sprintf("%d/S3", run.ID)); n != 1 {
			t.Errorf("%d correct entries", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'recompute' AND entity_id = $1`, fmt.Sprintf("%d/S2", run.ID)); n != 1 {
			t.Errorf("S2's lost grade audited %d times", n)
		}
		if cs, err := s.Corrections(ctx, scopeOf(t, a, "S2"), run.ID, ""); err != nil || len(cs) != 0 {
			t.Errorf("S2 sees another unit's corrections: %+v %v", cs, err)
		}
		// A correction is not a figure that moved since publishing.
		if ms, err := s.Moved(ctx, all, run.ID); err != nil || len(ms) != 0 {
			t.Errorf("moved after a correction %+v %v", ms, err)
		}

		// By points, on the hand-scored leaf: S2 climbs back, tied with S5.
		o2, err := s.Object(ctx, scopeOf(t, a, "S2"), run.ID, "S2", "B", "章程已修订，见附件")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Answer(ctx, all, o2, scheme.Reply{Answer: "章程修订属实，给满分", Upheld: true, Points: f(20)}); err != nil {
			t.Fatal(err)
		}
		want = []string{"S1:80:1:优秀", "S2:60:2:良好", "S5:60:2:良好", "S3:50:4:合格", "S4:0:5:合格"}
		if got := league(t, s, run.ID); !slices.Equal(got, want) {
			t.Fatalf("after the points correction %v", got)
		}

		// A percentile leaf corrected by value scores every unit on it
		// again: S4 (the objection was to A; the evaluator corrects P) had
		// five events uncounted, not none. P over 1…5: S4 40, S1 30, S5 20, S2 10, S3 0.
		if err := s.Answer(ctx, all, o4, scheme.Reply{Answer: "属实", Upheld: true, Node: "P", Value: f(5)}); err != nil {
			t.Fatal(err)
		}
		want = []string{"S1:70:1:优秀", "S2:50:2:良好", "S5:50:2:良好", "S3:40:4:合格", "S4:40:4:合格"}
		if got := league(t, s, run.ID); !slices.Equal(got, want) {
			t.Fatalf("after the percentile correction %v", got)
		}
		if ms, err := s.Moved(ctx, all, run.ID); err != nil || len(ms) != 0 {
			t.Errorf("moved after the corrections %+v %v", ms, err)
		}

		// After the window closes a point is no longer corrected; the
		// objection can still be answered as not upheld.
		o5, err := s.Object(ctx, scopeOf(t, a, "C1"), run.ID, "S5", "A", "漏计")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.WithTx(ctx, func(ctx context.Context) error {
			_, err := db.Q(ctx).ExecContext(ctx, `UPDATE scheme_runs SET objections_until = $1 WHERE id = $2`, run.CreatedAt.AddDate(0, 0, -1), run.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		n := count(t, db, `SELECT COUNT(*) FROM scheme_corrections`)
		if err := s.Answer(ctx, all, o5, scheme.Reply{Answer: "成立", Upheld: true, Value: f(4)}); key(err) != "scheme.correction.closed" {
			t.Errorf("closed window: %v", err)
		}
		if m := count(t, db, `SELECT COUNT(*) FROM scheme_corrections`); m != n {
			t.Errorf("a closed window took a correction")
		}
		if err := s.Answer(ctx, all, o5, scheme.Reply{Answer: "逾期未核实，维持原分"}); err != nil {
			t.Errorf("answer after the window: %v", err)
		}
	})
}
