package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"kexie/internal/auth"
	"kexie/internal/scheme"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// schemeVersionBody is a two-level society scheme: staff (a metric) and
// a hand-scored charter leaf under 组织建设, award nominations under 学术,
// with a bonus and a veto.
func schemeVersionBody() map[string]any {
	return map[string]any{"note": "两级", "version": map[string]any{
		"mode": "weights", "total": 100,
		"root_ahp": [][]float64{{1, 3}, {1.0 / 3, 1}},
		"nodes": []any{
			map[string]any{"code": "A", "name_zh": "组织建设"},
			map[string]any{"code": "A1", "parent": "A", "name_zh": "专职人员", "weight": 0.5, "metric": "society_staff",
				"rule": map[string]any{"kind": "linear", "floor": 0, "target": 5}},
			map[string]any{"code": "A2", "parent": "A", "name_zh": "章程制度", "weight": 0.5, "manual": true,
				"rule": map[string]any{"kind": "bands", "bands": []any{map[string]any{"min": 1, "share": 0.5}, map[string]any{"min": 3, "share": 1}}}},
			map[string]any{"code": "B", "name_zh": "学术", "metric": "sci_award_society_nominations",
				"rule": map[string]any{"kind": "percentile"}},
		},
		"adjusts": []any{map[string]any{"code": "X1", "name_zh": "表彰加分", "metric": "most_beautiful_candidates", "per_unit": 1, "cap": 5}},
		"vetoes":  []any{map[string]any{"code": "V1", "name_zh": "注销", "metric": "societies_deregistered", "at_least": 1}},
		"grades": map[string]any{"method": "quota", "ties": "share", "levels": []any{
			map[string]any{"name": "优秀", "share": 0.2}, map[string]any{"name": "良好", "share": 0.3}, map[string]any{"name": "合格"}}},
	}}
}

func versionEdit(edit func(v map[string]any)) map[string]any {
	b := schemeVersionBody()
	edit(b["version"].(map[string]any))
	return b
}

func nodeOf(v map[string]any, i int) map[string]any { return v["nodes"].([]any)[i].(map[string]any) }

func TestSchemeAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		addUser(t, e, "soc1", auth.RoleDataEntry, "SOC001")
		addUser(t, e, "soc2", auth.RoleDataEntry, "SOC002")
		addUser(t, e, "nj.inspector", auth.RoleInspector, "320100")
		dec := func(b []byte, v any) {
			t.Helper()
			if err := json.Unmarshal(b, v); err != nil {
				t.Fatalf("decode %s: %v", b, err)
			}
		}
		call := func(method, path, user string, body any, want int) []byte {
			t.Helper()
			rec := e.do(method, path, user, body)
			if rec.Code != want {
				t.Fatalf("%s %s as %s: %d, want %d: %s", method, path, user, rec.Code, want, rec.Body.String())
			}
			return rec.Body.Bytes()
		}
		call("POST", "/api/v1/schemes", "nanjing", map[string]any{"code": "soc", "name_zh": "学会能力", "unit_type": "society"}, http.StatusForbidden)
		call("POST", "/api/v1/schemes", "admin", map[string]any{"code": "soc", "name_zh": "", "unit_type": "society"}, http.StatusUnprocessableEntity)
		call("POST", "/api/v1/schemes", "admin", map[string]any{"code": "soc", "name_zh": "学会能力", "unit_type": "society"}, http.StatusCreated)
		call("POST", "/api/v1/schemes", "admin", map[string]any{"code": "soc", "name_zh": "学会能力", "unit_type": "society"}, http.StatusConflict)

		// every bad version: 422 naming the fault, nothing written
		for _, c := range []struct {
			name string
			body map[string]any
			key  string
		}{
			{"weights", versionEdit(func(v map[string]any) { nodeOf(v, 1)["weight"] = 0.7 }), "scheme.weights.sum"},
			{"orphan", versionEdit(func(v map[string]any) { nodeOf(v, 1)["parent"] = "Z" }), "scheme.node.orphan"},
			{"cycle", versionEdit(func(v map[string]any) {
				nodeOf(v, 0)["parent"] = "A1"
				delete(v, "root_ahp")
				nodeOf(v, 3)["weight"] = 1.0
			}), "scheme.node.cycle"},
			{"metric kind", versionEdit(func(v map[string]any) {
				nodeOf(v, 1)["metric"], nodeOf(v, 1)["rule"] = "society_branch_rate", map[string]any{"kind": "ratio", "target": 5}
			}), "scheme.metric.kind"},
			{"unknown metric", versionEdit(func(v map[string]any) { nodeOf(v, 1)["metric"] = "no_such_metric" }), "scheme.metric.unknown"},
			{"inconsistent AHP", versionEdit(func(v map[string]any) {
				v["root_ahp"] = nil
				nodeOf(v, 0)["weight"], nodeOf(v, 3)["weight"] = 0.5, 0.5
				v["nodes"] = append(v["nodes"].([]any), map[string]any{"code": "A3", "parent": "A", "name_zh": "三", "manual": true, "rule": map[string]any{"kind": "yesno"}})
				nodeOf(v, 0)["ahp"] = [][]float64{{1, 9, 1.0 / 9}, {1.0 / 9, 1, 9}, {9, 1.0 / 9, 1}}
			}), "scheme.ahp.inconsistent_at"},
		} {
			rec := e.do("POST", "/api/v1/schemes/soc/versions", "admin", c.body)
			var p Problem
			decodeBody(t, rec, &p)
			if rec.Code != http.StatusUnprocessableEntity || len(p.Errors) == 0 || p.Errors[0].Key != c.key {
				t.Errorf("%s: %d %s", c.name, rec.Code, rec.Body.String())
			}
		}
		var sc scheme.Scheme
		decodeBody(t, e.do("GET", "/api/v1/schemes/soc", "leader", nil), &sc)
		if len(sc.Versions) != 0 {
			t.Fatalf("bad versions written: %v", sc.Versions)
		}
		// a good one: the first level's weights from the AHP matrix (3:1)
		var vv versionView
		dec(call("POST", "/api/v1/schemes/soc/versions", "admin", schemeVersionBody(), http.StatusCreated), &vv)
		if vv.Number != 1 || len(vv.Derivation.AHP) != 1 || vv.Derivation.Nodes[0].Weight != 0.75 || vv.Derivation.Nodes[1].Weight != 0.375 {
			t.Fatalf("derivation: %+v", vv.Derivation)
		}
		// AHP on its own; an inconsistent matrix shows its ratio
		var ahp scheme.AHPResult
		dec(call("POST", "/api/v1/scheme-weights/ahp", "leader", map[string]any{"matrix": [][]float64{{1, 2}, {0.5, 1}}}, http.StatusOK), &ahp)
		if fmt.Sprintf("%.4f", ahp.Weights[0]) != "0.6667" {
			t.Errorf("ahp: %+v", ahp)
		}
		rec := e.do("POST", "/api/v1/scheme-weights/ahp", "leader", map[string]any{"matrix": [][]float64{{1, 9, 1.0 / 9}, {1.0 / 9, 1, 9}, {9, 1.0 / 9, 1}}})
		if rec.Code != 422 || !slices.Contains(problemFields(t, rec), "ahp") {
			t.Errorf("inconsistent: %d %s", rec.Code, rec.Body.String())
		}

		// self-scores: above the leaf's maximum refused; outside one's own unit not found
		hs := "/api/v1/schemes/soc/versions/1/hand-scores"
		call("POST", hs, "soc1", map[string]any{"period": "2021S1", "unit": "SOC001", "node": "A2", "claimed": 4, "evidence": "章程"}, 422)
		call("POST", hs, "soc1", map[string]any{"period": "2021S1", "unit": "SOC001", "node": "A2", "claimed": 3, "evidence": ""}, 422)
		call("POST", hs, "soc1", map[string]any{"period": "2021S1", "unit": "SOC002", "node": "A2", "claimed": 3, "evidence": "章程"}, 404)
		call("POST", hs, "soc1", map[string]any{"period": "2021X", "unit": "SOC001", "node": "A2", "claimed": 3, "evidence": "章程"}, 422)
		call("POST", hs, "soc1", map[string]any{"period": "2021S1", "unit": "SOC001", "node": "A2", "claimed": 3, "evidence": "章程已修订，附会议纪要"}, 200)
		call("POST", hs, "soc2", map[string]any{"period": "2021S1", "unit": "SOC002", "node": "A2", "claimed": 3, "evidence": "章程"}, 200)
		// verification: an adjustment needs a reason; only the evaluator
		vf := hs + "/verify"
		call("POST", vf, "soc1", map[string]any{"period": "2021S1", "unit": "SOC001", "node": "A2", "score": 3}, 404)
		call("POST", vf, "admin", map[string]any{"period": "2021S1", "unit": "SOC002", "node": "A2", "score": 1}, 422)
		call("POST", vf, "admin", map[string]any{"period": "2021S1", "unit": "SOC001", "node": "A2", "score": 3}, 200)
		call("POST", vf, "admin", map[string]any{"period": "2021S1", "unit": "SOC002", "node": "A2", "score": 1, "reason": "会议纪要缺"}, 200)
		var list struct{ Items []scheme.HandScore }
		dec(call("GET", hs+"?period=2021S1", "soc1", nil, 200), &list)
		if len(list.Items) != 1 || list.Items[0].Unit != "SOC001" || *list.Items[0].Verified != 3 {
			t.Errorf("soc1's self-scores: %+v", list.Items)
		}

		// a run over units outside the evaluator's scope: 404 and nothing written
		run := map[string]any{"scheme": "soc", "version": 1, "unit": "320000", "period": "2021S1"}
		call("POST", "/api/v1/scheme-runs", "nj.inspector", run, http.StatusNotFound)
		call("POST", "/api/v1/scheme-runs", "nanjing", run, http.StatusNotFound)
		var runs struct{ Items []scheme.RunSummary }
		dec(call("GET", "/api/v1/scheme-runs", "admin", nil, 200), &runs)
		if len(runs.Items) != 0 {
			t.Fatalf("refused runs written: %+v", runs.Items)
		}
		call("POST", "/api/v1/scheme-runs", "inspector", map[string]any{"scheme": "soc", "version": 1, "unit": "320000", "period": "2021Z"}, 422)
		call("POST", "/api/v1/scheme-runs", "inspector", map[string]any{"scheme": "soc", "version": 2, "unit": "320000", "period": "2021S1"}, 404)
		var rv runView
		dec(call("POST", "/api/v1/scheme-runs", "inspector", run, http.StatusCreated), &rv)
		if len(rv.Rows) != 50 || rv.Rows[0].Unit != "SOC001" || rv.Rows[0].Total != 62.5 || rv.Rows[0].Rank != 1 || rv.Rows[2].Rank != 3 {
			t.Fatalf("league table: %d rows, first %+v", len(rv.Rows), rv.Rows[:3])
		}
		if rv.Rows[0].Grade != "优秀" || rv.Rows[1].Grade != "优秀" {
			t.Errorf("grades: %+v", rv.Rows[:2])
		}
		id := rv.ID
		runPath := fmt.Sprintf("/api/v1/scheme-runs/%d", id)
		// a unit sees its own line and scorecard only
		var own runView
		dec(call("GET", runPath, "soc1", nil, 200), &own)
		if len(own.Rows) != 1 || own.Rows[0].Unit != "SOC001" {
			t.Fatalf("soc1 sees: %+v", own.Rows)
		}
		var card scheme.Row
		dec(call("GET", runPath+"/units/SOC001", "soc1", nil, 200), &card)
		if len(card.Nodes) != 5 || card.Nodes[2].Code != "A2" || card.Nodes[2].Points != 37.5 || card.Nodes[2].Rule != "bands" || *card.Nodes[2].Value != 3 {
			t.Errorf("scorecard: %+v", card.Nodes)
		}
		call("GET", runPath+"/units/SOC002", "soc1", nil, 404)
		call("GET", runPath, "xuzhou", nil, 404)
		// publish: only the evaluator; then no change
		call("POST", runPath+"/objections", "soc1", map[string]any{"unit": "SOC001", "node": "B", "reason": "漏报"}, 422) // not yet published
		call("POST", runPath+"/publish", "leader", map[string]any{"days": 10}, 403)
		call("POST", runPath+"/publish", "inspector", map[string]any{"days": 100}, 422)
		call("POST", runPath+"/publish", "inspector", map[string]any{"days": 10}, 200)
		call("POST", runPath+"/publish", "inspector", map[string]any{"days": 10}, 409)
		call("POST", runPath+"/rescore", "inspector", nil, 409)
		// objections: own points only, with a reason; answered once
		call("POST", runPath+"/objections", "soc1", map[string]any{"unit": "SOC001", "node": "B", "reason": ""}, 422)
		call("POST", runPath+"/objections", "soc1", map[string]any{"unit": "SOC001", "node": "Q", "reason": "x"}, 422)
		call("POST", runPath+"/objections", "soc1", map[string]any{"unit": "SOC002", "node": "B", "reason": "x"}, 404)
		var o scheme.Objection
		dec(call("POST", runPath+"/objections", "soc1", map[string]any{"unit": "SOC001", "node": "B", "reason": "两项提名漏统计"}, 201), &o)
		var os struct{ Items []scheme.Objection }
		dec(call("GET", runPath+"/objections", "soc2", nil, 200), &os)
		if len(os.Items) != 0 {
			t.Errorf("soc2 sees soc1's objection: %+v", os.Items)
		}
		ans := fmt.Sprintf("/api/v1/scheme-objections/%d/answer", o.ID)
		call("POST", ans, "soc1", map[string]any{"answer": "成立", "upheld": true}, 404)
		call("POST", ans, "inspector", map[string]any{"answer": ""}, 422)
		call("POST", ans, "inspector", map[string]any{"answer": "经核实，提名已计入下期", "upheld": false}, 200)
		call("POST", ans, "inspector", map[string]any{"answer": "再答"}, 409)
		dec(call("GET", runPath+"/objections", "soc1", nil, 200), &os)
		if len(os.Items) != 1 || os.Items[0].Answer == "" {
			t.Errorf("soc1's objections: %+v", os.Items)
		}
		// an upheld objection corrects the objecting unit's point, no other's
		var o2 scheme.Objection
		dec(call("POST", runPath+"/objections", "soc1", map[string]any{"unit": "SOC001", "node": "B", "reason": "漏报一项"}, 201), &o2)
		ans2 := fmt.Sprintf("/api/v1/scheme-objections/%d/answer", o2.ID)
		call("POST", ans2, "inspector", map[string]any{"answer": "成立", "upheld": true}, 422)
		call("POST", ans2, "inspector", map[string]any{"answer": "成立", "upheld": true, "unit": "SOC002", "value": 3}, 422)
		call("POST", ans2, "inspector", map[string]any{"answer": "成立，按 3 项计", "upheld": true, "value": 3}, 200)
		var card1 scheme.Row
		dec(call("GET", runPath+"/units/SOC001", "soc1", nil, 200), &card1)
		if len(card1.Corrections) != 1 || card1.Corrections[0].Node != "B" || *card1.Corrections[0].Value != 3 || card1.Corrections[0].Reason != "成立，按 3 项计" {
			t.Errorf("soc1's corrections: %+v", card1.Corrections)
		}
		// a change to the data after publishing: the run stays, the movement shows
		var corrected runView
		dec(call("GET", runPath, "admin", nil, 200), &corrected)
		call("POST", vf, "admin", map[string]any{"period": "2021S1", "unit": "SOC002", "node": "A2", "score": 3, "reason": "补交纪要"}, 200)
		var again runView
		dec(call("GET", runPath, "admin", nil, 200), &again)
		var moved struct{ Items []scheme.Moved }
		dec(call("GET", runPath+"/moved", "admin", nil, 200), &moved)
		if again.Rows[1].Total != corrected.Rows[1].Total || len(moved.Items) != 3 || moved.Items[0].Unit != "SOC002" {
			t.Errorf("after publishing: %+v moved %+v", again.Rows[1], moved.Items)
		}
		// a second version (one level) run on the same data, compared
		call("POST", "/api/v1/schemes/soc/versions", "admin", map[string]any{"note": "一级", "version": map[string]any{
			"mode": "points", "total": 100, "nodes": []any{
				map[string]any{"code": "A2", "name_zh": "章程制度", "points": 60, "manual": true, "rule": map[string]any{"kind": "linear", "floor": 0, "target": 3}},
				map[string]any{"code": "B", "name_zh": "学术", "points": 40, "metric": "sci_award_society_nominations", "rule": map[string]any{"kind": "ratio", "target": 2}}},
			"grades": map[string]any{"method": "threshold", "levels": []any{map[string]any{"name": "优秀", "min": 50}, map[string]any{"name": "合格"}}}}}, 201)
		hs2 := "/api/v1/schemes/soc/versions/2/hand-scores"
		call("POST", hs2+"/verify", "inspector", map[string]any{"period": "2021S1", "unit": "SOC001", "node": "A2", "score": 1}, 404) // nothing claimed
		for u, x := range map[string]float64{"SOC001": 1, "SOC002": 3} {
			user := map[string]string{"SOC001": "soc1", "SOC002": "soc2"}[u]
			call("POST", hs2, user, map[string]any{"period": "2021S1", "unit": u, "node": "A2", "claimed": x, "evidence": "章程"}, 200)
			call("POST", hs2+"/verify", "inspector", map[string]any{"period": "2021S1", "unit": u, "node": "A2", "score": x}, 200)
		}
		var rv2 runView
		dec(call("POST", "/api/v1/scheme-runs", "inspector", map[string]any{"scheme": "soc", "version": 2, "unit": "320000", "period": "2021S1"}, 201), &rv2)
		var cmp struct {
			Spearman float64
			Moves    []scheme.Move
		}
		dec(call("GET", fmt.Sprintf("%s/compare?with=%d", runPath, rv2.ID), "leader", nil, 200), &cmp)
		if len(cmp.Moves) != 50 || cmp.Moves[0].Unit != "SOC001" || cmp.Moves[0].Shift != -1 || cmp.Moves[1].Unit != "SOC002" || cmp.Moves[1].Shift != 1 ||
			cmp.Moves[2].Shift != 0 || cmp.Spearman >= 1 {
			t.Errorf("comparison: %.3f %+v", cmp.Spearman, cmp.Moves[:2])
		}
		call("GET", runPath+"/compare", "leader", nil, 200)
		call("GET", runPath+"/compare?with=x", "leader", nil, 422)
		xlsx := e.do("GET", runPath+"/export", "leader", nil)
		if xlsx.Code != 200 || xlsx.Body.Len() < 1000 {
			t.Errorf("export: %d %d bytes", xlsx.Code, xlsx.Body.Len())
		}
		var ent scheme.EntropyStep
		dec(call("GET", "/api/v1/schemes/soc/versions/1/entropy?unit=320000&period=2021S1&parent=A", "leader", nil, 200), &ent)
		if ent.Units != 50 || len(ent.Weights) != 2 || ent.Weights[1] != 1 {
			t.Errorf("entropy: %+v", ent)
		}
		call("GET", "/api/v1/schemes/soc/versions/1/entropy?unit=320000&period=2021S1&parent=NOPE", "leader", nil, 422)
	})
}

// schemeSpecCalls validates a response of every scheme operation against
// the OpenAPI document.
func schemeSpecCalls(t *testing.T, c *specCheck) {
	t.Helper()
	addUser(t, c.e, "spec.soc", auth.RoleDataEntry, "SOC001")
	c.call("POST", "/api/v1/schemes", "admin", map[string]any{"code": "spec", "name_zh": "文档测试", "unit_type": "society"}, 201)
	c.call("POST", "/api/v1/schemes", "admin", map[string]any{"code": "spec", "name_zh": "文档测试", "unit_type": "society"}, 409)
	c.call("POST", "/api/v1/schemes", "nanjing", map[string]any{"code": "spec2", "name_zh": "x", "unit_type": "society"}, 403)
	c.call("GET", "/api/v1/schemes", "leader", nil, 200)
	c.call("POST", "/api/v1/schemes/spec/versions", "admin", schemeVersionBody(), 201)
	c.call("POST", "/api/v1/schemes/spec/versions", "admin", versionEdit(func(v map[string]any) { nodeOf(v, 1)["weight"] = 0.7 }), 422)
	c.call("GET", "/api/v1/schemes/spec", "leader", nil, 200)
	c.call("GET", "/api/v1/schemes/spec/versions/1", "leader", nil, 200)
	c.call("GET", "/api/v1/schemes/spec/versions/9", "leader", nil, 404)
	c.call("GET", "/api/v1/schemes/spec/versions/1/entropy?unit=320000&period=2021S1", "leader", nil, 200)
	c.call("POST", "/api/v1/scheme-weights/ahp", "leader", map[string]any{"matrix": [][]float64{{1, 1, 4}, {1, 1, 2}, {0.25, 0.5, 1}}}, 200)
	c.call("POST", "/api/v1/scheme-weights/ahp", "leader", map[string]any{"matrix": [][]float64{{1, 9, 1.0 / 9}, {1.0 / 9, 1, 9}, {9, 1.0 / 9, 1}}}, 422)
	hs := "/api/v1/schemes/spec/versions/1/hand-scores"
	c.call("POST", hs, "spec.soc", map[string]any{"period": "2021S1", "unit": "SOC001", "node": "A2", "claimed": 3, "evidence": "章程"}, 200)
	c.call("POST", hs, "spec.soc", map[string]any{"period": "2021S1", "unit": "SOC001", "node": "A2", "claimed": 9, "evidence": "章程"}, 422)
	c.call("POST", hs+"/verify", "inspector", map[string]any{"period": "2021S1", "unit": "SOC001", "node": "A2", "score": 3}, 200)
	c.call("GET", hs+"?period=2021S1", "spec.soc", nil, 200)
	var rv runView
	decodeBody(t, c.call("POST", "/api/v1/scheme-runs", "inspector", map[string]any{"scheme": "spec", "version": 1, "unit": "320000", "period": "2021S1"}, 201), &rv)
	c.call("POST", "/api/v1/scheme-runs", "nanjing", map[string]any{"scheme": "spec", "version": 1, "unit": "320000", "period": "2021S1"}, 404)
	c.call("GET", "/api/v1/scheme-runs?scheme=spec&version=1&period=2021S1", "leader", nil, 200)
	run := fmt.Sprintf("/api/v1/scheme-runs/%d", rv.ID)
	c.call("GET", run+"?nodes=true", "spec.soc", nil, 200)
	c.call("GET", run, "xuzhou", nil, 404)
	c.call("GET", run+"/units/SOC001", "spec.soc", nil, 200)
	c.call("GET", run+"/units/SOC002", "spec.soc", nil, 404)
	c.call("POST", run+"/rescore", "inspector", nil, 200)
	c.call("POST", run+"/publish", "leader", map[string]any{"days": 10}, 403)
	c.call("POST", run+"/publish", "inspector", map[string]any{"days": 10}, 200)
	c.call("POST", run+"/publish", "inspector", map[string]any{"days": 10}, 409)
	c.call("POST", run+"/rescore", "inspector", nil, 409)
	c.call("GET", run+"/moved", "leader", nil, 200)
	c.call("GET", run+"/compare", "leader", nil, 200)
	c.call("GET", run+"/export", "leader", nil, 200)
	c.call("GET", "/api/v1/scheme-runs/999999/export", "leader", nil, 404)
	var o scheme.Objection
	decodeBody(t, c.call("POST", run+"/objections", "spec.soc", map[string]any{"unit": "SOC001", "node": "B", "reason": "漏报"}, 201), &o)
	c.call("POST", run+"/objections", "spec.soc", map[string]any{"unit": "SOC001", "node": "B", "reason": ""}, 422)
	c.call("GET", run+"/objections", "spec.soc", nil, 200)
	c.call("POST", fmt.Sprintf("/api/v1/scheme-objections/%d/answer", o.ID), "inspector", map[string]any{"answer": "已核实", "upheld": true, "value": 1}, 200)
	c.call("POST", fmt.Sprintf("/api/v1/scheme-objections/%d/answer", o.ID), "inspector", map[string]any{"answer": "再答"}, 409)
}
