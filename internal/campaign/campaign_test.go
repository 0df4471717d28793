package campaign_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"kexie/internal/app"
	"kexie/internal/audit"
	"kexie/internal/auth"
	"kexie/internal/campaign"
	"kexie/internal/fault"
	"kexie/internal/mail"
	"kexie/internal/mail/mailtest"
	"kexie/internal/plan"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

// world is a province P with cities C1 (county K1) and C2 (county K2),
// a user for K1, one for C2 and an inspector who holds no role over any
// of them.
type world struct {
	a                      *app.App
	owner, c1, k1, c2, ins campaign.Caller
}

func sub(t *testing.T, a *app.App, code string) unit.Scope {
	t.Helper()
	u, err := a.Units.Get(context.Background(), unit.Everything(), code)
	if err != nil {
		t.Fatal(err)
	}
	return unit.Subtrees(u.Path)
}

func newWorld(t *testing.T, db *store.DB) world {
	t.Helper()
	ctx := context.Background()
	a, err := app.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []unit.Create{
		{Code: "P", Type: "province", NameZH: "省"},
		{Code: "C1", Parent: "P", Type: "city", NameZH: "一市"},
		{Code: "C2", Parent: "P", Type: "city", NameZH: "二市"},
		{Code: "K1", Parent: "C1", Type: "county", NameZH: "一县"},
		{Code: "K2", Parent: "C2", Type: "county", NameZH: "二县"},
		{Code: "S", Parent: "P", Type: "society", NameZH: "学会"},
	} {
		if _, err := a.Units.Create(ctx, unit.System(), c); err != nil {
			t.Fatal(err)
		}
	}
	user := func(name, code string, r auth.Role) int64 {
		u, err := a.Auth.CreateUser(ctx, nil, auth.NewUser{Name: name, DisplayName: name, Password: "correct-horse-battery-9", Role: r, Unit: code})
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	w := world{a: a}
	w.owner = campaign.Caller{UserID: user("owner", "P", auth.RoleAdmin), Read: sub(t, a, "P"), Report: sub(t, a, "P"), Supervise: sub(t, a, "P")}
	w.c1 = campaign.Caller{UserID: user("c1", "C1", auth.RoleUnitAdmin), Read: sub(t, a, "C1"), Report: sub(t, a, "C1")}
	w.k1 = campaign.Caller{UserID: user("k1", "K1", auth.RoleDataEntry), Read: sub(t, a, "K1"), Report: sub(t, a, "K1")}
	w.c2 = campaign.Caller{UserID: user("c2", "C2", auth.RoleDataEntry), Read: sub(t, a, "C2"), Report: sub(t, a, "C2")}
	w.ins = campaign.Caller{UserID: user("ins", "S", auth.RoleViewer), Read: sub(t, a, "S")}
	return w
}

func as(c campaign.Caller) context.Context {
	return audit.WithActor(context.Background(), audit.Actor{UserID: c.UserID, Name: "u" + string(rune('0'+c.UserID))})
}

func spec() campaign.Spec {
	return campaign.Spec{Title: "深化改革专项督查", Unit: "P", Scope: campaign.ScopeSpec{Types: []string{"city"}, Units: []string{"K1"}},
		Self:    campaign.Phase{Start: "2021-03-01", End: "2021-03-31"},
		Site:    campaign.Phase{Start: "2021-04-01", End: "2021-05-15"},
		Rect:    campaign.Phase{Start: "2021-05-16", End: "2021-12-31"},
		Items:   []campaign.ItemSpec{{Title: "独立建制", Kind: "yesno"}, {Title: "改革方案落实", Kind: "score", MaxScore: 10, Guidance: "按落实程度打分"}, {Title: "其他说明", Kind: "text"}},
		Metrics: []string{"county_independent"}}
}

// on is a clock stopped at noon on day.
func on(day string) func() time.Time {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		panic(err)
	}
	return func() time.Time { return t.Add(12 * time.Hour) }
}

func fields(err error) []string {
	var out []string
	for _, f := range fault.FieldsOf(err) {
		out = append(out, f.Field+":"+f.Key)
	}
	return out
}

func wantField(t *testing.T, err error, field, key string) {
	t.Helper()
	if !slices.Contains(fields(err), field+":"+key) {
		t.Fatalf("want %s %s, got %v", field, key, err)
	}
}

func TestCampaignLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		s := w.a.Campaigns
		ctx := context.Background()
		s.Now = func() time.Time { return time.Date(2021, 9, 1, 12, 0, 0, 0, time.UTC) }

		// bad input: each refused with its field, nothing written
		for _, c := range []struct {
			edit       func(*campaign.Spec)
			field, key string
		}{
			{func(sp *campaign.Spec) { sp.Self.End = "2021-02-01" }, "self_inspection.end", "campaign.date.before_start"},
			{func(sp *campaign.Spec) { sp.Rect.End = "2021-13-01" }, "rectification.end", "campaign.date.invalid"},
			{func(sp *campaign.Spec) { sp.Items = nil }, "items", "campaign.items.required"},
			{func(sp *campaign.Spec) { sp.Items[1].MaxScore = 0 }, "items[1].max_score", "campaign.item.max_score"},
			{func(sp *campaign.Spec) { sp.Items[0].Kind = "stars" }, "items[0].kind", "error.option"},
			{func(sp *campaign.Spec) { sp.Scope.Types = []string{"planet"} }, "scope.types[0]", "campaign.scope.type"},
			{func(sp *campaign.Spec) { sp.Scope = campaign.ScopeSpec{Groups: []string{}} }, "scope", "campaign.scope.empty"},
			{func(sp *campaign.Spec) { sp.Metrics = []string{"nope"} }, "metrics[0]", "metric.unknown"},
			{func(sp *campaign.Spec) { sp.Kind = campaign.KindRectification }, "items", "campaign.rectification.items"},
		} {
			sp := spec()
			c.edit(&sp)
			_, err := s.Create(ctx, w.owner, sp)
			wantField(t, err, c.field, c.key)
		}
		if _, err := s.Create(ctx, w.c1, spec()); !errors.Is(err, fault.ErrInvalid) {
			t.Fatalf("a city creates a province campaign: %v", err)
		}
		if ks, _ := s.List(ctx, campaign.System()); len(ks) != 0 {
			t.Fatalf("refused campaigns written: %d", len(ks))
		}

		id, err := s.Create(as(w.owner), w.owner, spec())
		if err != nil {
			t.Fatal(err)
		}
		k, err := s.Get(ctx, w.owner, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(k.Units) != 3 || len(k.Items) != 3 || !k.Owner {
			t.Fatalf("campaign: %+v", k)
		}

		// scope: units themselves, superiors their subtree, inspectors only their units
		units := func(c campaign.Caller) []string {
			t.Helper()
			k, err := s.Get(ctx, c, id)
			if errors.Is(err, fault.ErrNotFound) {
				return nil
			}
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, u := range k.Units {
				out = append(out, u.Unit)
			}
			return out
		}
		if got := units(w.k1); !slices.Equal(got, []string{"K1"}) {
			t.Errorf("K1 sees %v", got)
		}
		if got := units(w.c1); !slices.Equal(got, []string{"C1", "K1"}) {
			t.Errorf("C1 sees %v", got)
		}
		if got := units(w.ins); got != nil {
			t.Errorf("an unassigned inspector sees %v", got)
		}
		if _, err := s.Assign(ctx, w.c1, id, campaign.Assignment{User: "ins", Units: []string{"C2"}}); !errors.Is(err, fault.ErrForbidden) {
			t.Fatalf("a city assigns inspectors: %v", err)
		}
		_, err = s.Assign(ctx, w.owner, id, campaign.Assignment{User: "nobody", Units: []string{"K2"}})
		wantField(t, err, "user", "campaign.inspector.unknown")
		wantField(t, err, "units[0]", "campaign.unit.not_in")
		if _, err := s.Assign(as(w.owner), w.owner, id, campaign.Assignment{User: "ins", Units: []string{"C2"}}); err != nil {
			t.Fatal(err)
		}
		if got := units(w.ins); !slices.Equal(got, []string{"C2"}) {
			t.Errorf("the inspector sees %v", got)
		}
		if _, _, err := s.Unit(ctx, w.ins, id, "K1"); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("the inspector reads K1: %v", err)
		}
		if _, _, err := s.Unit(ctx, w.c2, id, "K1"); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("C2 reads K1: %v", err)
		}

		// self-inspection, in its window
		s.Now = on("2021-03-15")
		items := k.Items
		ten, eleven := 10.0, 11.0
		_, err = s.SaveAnswers(ctx, w.k1, id, "K1", []campaign.AnswerSpec{{Item: items[0].ID, Answer: "maybe"}, {Item: items[1].ID, Score: &eleven}, {Item: 99999, Answer: "x"}})
		wantField(t, err, "answers[0].answer", "campaign.answer.yesno")
		wantField(t, err, "answers[1].score", "campaign.score.range")
		wantField(t, err, "answers[2].item", "campaign.item.unknown")
		if _, err := s.SaveAnswers(ctx, w.c2, id, "K1", []campaign.AnswerSpec{{Item: items[0].ID, Answer: "yes"}}); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("C2 answers for K1: %v", err)
		}
		f, err := w.a.Files.Save(as(w.k1), "方案.pdf", strings.NewReader("%PDF-1.4 改革方案"), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		other, err := w.a.Files.Save(as(w.c2), "other.pdf", strings.NewReader("%PDF-1.4 other"), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.SaveAnswers(ctx, w.k1, id, "K1", []campaign.AnswerSpec{{Item: items[0].ID, Answer: "yes", Files: []int64{other.ID}}})
		wantField(t, err, "answers[0].files[0]", "campaign.file.unknown")
		if _, err := s.SaveAnswers(as(w.k1), w.k1, id, "K1", []campaign.AnswerSpec{{Item: items[0].ID, Answer: "yes", Files: []int64{f.ID}}, {Item: items[1].ID, Score: &ten}}); err != nil {
			t.Fatal(err)
		}
		_, err = s.Submit(ctx, w.k1, id, "K1")
		wantField(t, err, "answers", "campaign.self.incomplete")
		if _, err := s.SaveAnswers(as(w.k1), w.k1, id, "K1", []campaign.AnswerSpec{{Item: items[2].ID, Answer: "已按要求落实"}}); err != nil {
			t.Fatal(err)
		}
		v, err := s.Submit(as(w.k1), w.k1, id, "K1")
		if err != nil || v.SubmittedAt == nil || len(v.Answers) != 3 || len(v.Answers[0].Files) != 1 || v.CanAnswer {
			t.Fatalf("submitted: %+v %v", v, err)
		}
		if _, err := s.SaveAnswers(ctx, w.k1, id, "K1", []campaign.AnswerSpec{{Item: items[2].ID, Answer: "改"}}); !errors.Is(err, fault.ErrConflict) {
			t.Errorf("answers changed after submission: %v", err)
		}
		// the owner returns it with a reason; the unit may change it and submits again
		if _, err := s.ReturnSelf(ctx, w.c1, id, "K1", "请补充材料"); !errors.Is(err, fault.ErrForbidden) {
			t.Errorf("C1 returns K1's self-inspection: %v", err)
		}
		_, err = s.ReturnSelf(ctx, w.owner, id, "K1", "")
		wantField(t, err, "reason", "campaign.return.reason")
		if v, err := s.ReturnSelf(as(w.owner), w.owner, id, "K1", "请补充材料"); err != nil || v.SubmittedAt != nil {
			t.Fatalf("return: %+v %v", v, err)
		}
		if _, err := s.ReturnSelf(ctx, w.owner, id, "K1", "再退"); !errors.Is(err, fault.ErrConflict) {
			t.Errorf("return a self-inspection not submitted: %v", err)
		}
		if _, err := s.SaveAnswers(as(w.k1), w.k1, id, "K1", []campaign.AnswerSpec{{Item: items[2].ID, Answer: "已补充材料"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Submit(as(w.k1), w.k1, id, "K1"); err != nil {
			t.Fatal(err)
		}
		if err := s.FileFor(ctx, w.owner, id, f.ID); err != nil {
			t.Errorf("the owner downloads K1's evidence: %v", err)
		}
		if err := s.FileFor(ctx, w.c2, id, f.ID); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("C2 downloads K1's evidence: %v", err)
		}

		// on-site: the inspector records findings at its unit only, in the on-site window
		s.Now = on("2021-04-15")
		if _, err := s.RecordFinding(ctx, w.ins, id, campaign.FindingSpec{Unit: "K1", Body: "x"}); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("the inspector records at K1: %v", err)
		}
		if _, err := s.RecordFinding(ctx, w.c1, id, campaign.FindingSpec{Unit: "K1", Body: "x"}); !errors.Is(err, fault.ErrForbidden) {
			t.Errorf("C1 records a finding: %v", err)
		}
		photo, err := w.a.Files.Save(as(w.ins), "现场.png", strings.NewReader("\x89PNG\r\n\x1a\nphoto"), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		fd, err := s.RecordFinding(as(w.ins), w.ins, id, campaign.FindingSpec{Unit: "C2", Item: &items[1].ID, Body: "改革方案未印发", Files: []int64{photo.ID}})
		if err != nil || len(fd.Files) != 1 {
			t.Fatalf("finding: %+v %v", fd, err)
		}
		if _, err := s.MarkInspected(as(w.ins), w.ins, id, "C2"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.MarkInspected(ctx, w.ins, id, "C2"); !errors.Is(err, fault.ErrConflict) {
			t.Errorf("inspected twice: %v", err)
		}

		// rectification: the owner opens it from the finding
		s.Now = on("2021-09-01")
		if _, err := s.Open(ctx, w.c2, id, []campaign.RectSpec{{Finding: &fd.ID, Due: "2021-10-31"}}); !errors.Is(err, fault.ErrForbidden) {
			t.Errorf("C2 opens a rectification: %v", err)
		}
		_, err = s.Open(ctx, w.owner, id, []campaign.RectSpec{{Finding: &fd.ID, Start: "2021-09-01", Due: "2021-08-01"}})
		wantField(t, err, "due", "campaign.date.before_start")
		_, err = s.Open(ctx, w.owner, id, []campaign.RectSpec{{Unit: "K2", Problem: "x", Due: "2021-10-01"}})
		wantField(t, err, "unit", "campaign.unit.not_in")
		ids, err := s.Open(as(w.owner), w.owner, id, []campaign.RectSpec{{Finding: &fd.ID, Measures: "限期印发方案", Due: "2021-10-31"}})
		if err != nil {
			t.Fatal(err)
		}
		rid := ids[0]
		r, err := s.Rect(ctx, w.c2, rid)
		if err != nil || r.Unit != "C2" || r.Problem != "改革方案未印发" || r.State != campaign.Open || !r.Mine || r.Owner {
			t.Fatalf("rect: %+v %v", r, err)
		}
		// 2021-05-16 … 2021-10-31, 1 September, nothing done: far behind
		if r.Light != "red" || r.Overdue {
			t.Errorf("light %s overdue %v", r.Light, r.Overdue)
		}
		if _, err := s.Rect(ctx, w.k1, rid); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("K1 reads C2's item: %v", err)
		}
		step := func(c campaign.Caller, st campaign.Step) (campaign.Rect, error) {
			return s.Act(as(c), c, rid, st)
		}
		if _, err := step(w.owner, campaign.Step{Action: campaign.Verify}); !errors.Is(err, fault.ErrConflict) {
			t.Errorf("verify an open item: %v", err)
		}
		supervisor := w.owner
		supervisor.Report = unit.Scope{}
		if _, err := step(supervisor, campaign.Step{Action: campaign.Complete, Note: "x"}); !errors.Is(err, fault.ErrForbidden) {
			t.Errorf("the owner reports for the unit: %v", err)
		}
		_, err = step(w.c2, campaign.Step{Action: campaign.Complete, Note: "已印发"})
		wantField(t, err, "files", "campaign.rect.evidence")
		pc := 80
		if r, err = step(w.c2, campaign.Step{Action: campaign.Progress, Note: "已起草", Percent: &pc}); err != nil || r.Light != "green" {
			t.Fatalf("progress: %+v %v", r, err)
		}
		ev, err := w.a.Files.Save(as(w.c2), "印发通知.pdf", strings.NewReader("%PDF-1.4 通知"), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if r, err = step(w.c2, campaign.Step{Action: campaign.Complete, Note: "已印发", Files: []int64{ev.ID}}); err != nil || r.State != campaign.Reported {
			t.Fatalf("complete: %+v %v", r, err)
		}
		if _, err := step(w.c2, campaign.Step{Action: campaign.Verify}); !errors.Is(err, fault.ErrForbidden) {
			t.Errorf("the unit verifies itself: %v", err)
		}
		_, err = step(w.owner, campaign.Step{Action: campaign.Return})
		wantField(t, err, "note", "campaign.return.reason")
		if r, err = step(w.owner, campaign.Step{Action: campaign.Return, Note: "通知未盖章"}); err != nil || r.State != campaign.Open {
			t.Fatalf("return: %+v %v", r, err)
		}
		if r, err = step(w.c2, campaign.Step{Action: campaign.Complete, Note: "已补盖章"}); err != nil || r.State != campaign.Reported {
			t.Fatalf("complete again (evidence kept): %+v %v", r, err)
		}
		if r, err = step(w.owner, campaign.Step{Action: campaign.Verify, Note: "核验属实"}); err != nil || r.State != campaign.Closed || r.Light != "done" {
			t.Fatalf("verify: %+v %v", r, err)
		}
		if _, err := step(w.c2, campaign.Step{Action: campaign.Progress, Note: "x", Percent: &pc}); !errors.Is(err, fault.ErrConflict) {
			t.Errorf("progress on a closed item: %v", err)
		}
		if len(r.Events) != 6 || len(r.Evidence) != 1 {
			t.Fatalf("history: %d events, %d evidence", len(r.Events), len(r.Evidence))
		}
		es, err := w.a.Audit.List(ctx, func(string, *store.Args) string { return "1=1" }, audit.Filter{Entity: "rectification", EntityID: strconv.FormatInt(rid, 10)})
		if err != nil || len(es) != 6 {
			t.Fatalf("audit of the item: %d %v", len(es), err)
		}

		// the summary
		rep, err := s.Summary(ctx, w.owner, id)
		if err != nil || rep.Campaign.Counts.Submitted != 1 || rep.Campaign.Counts.Inspected != 1 || rep.Campaign.Counts.Closed != 1 ||
			len(rep.Figures) != 1 || len(rep.Findings) != 1 {
			t.Fatalf("summary: %+v %v", rep, err)
		}
	})
}

func TestRectificationImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		s := w.a.Campaigns
		ctx := context.Background()
		id, err := s.Create(ctx, w.owner, campaign.Spec{Title: "巡视反馈问题整改", Kind: campaign.KindRectification, Unit: "P",
			Rect: campaign.Phase{Start: "2021-06-01", End: "2021-12-31"}})
		if err != nil {
			t.Fatal(err)
		}
		good := "序号,反馈问题,整改措施,责任单位,整改时限\n1,学会党建覆盖不足,开展专项行动,二市,2021-09-30\n2,县级科协改革滞后,制定时间表,K1,2021年10月31日\n"
		bad := "问题,整改措施,责任单位,整改时限\n学会党建覆盖不足,开展专项行动,火星,2021-09-30\n改革滞后,x,K1,明年\n"
		_, err = s.Import(ctx, w.owner, id, []byte(bad), "bad.csv")
		wantField(t, err, "row 2 unit", "campaign.unit.scope")
		wantField(t, err, "row 3 due", "campaign.date.invalid")
		if _, err := s.Import(ctx, w.c1, id, []byte(good), "good.csv"); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("a city imports into the province's campaign: %v", err)
		}
		if rs, _ := s.Rects(ctx, w.owner, id); len(rs) != 0 {
			t.Fatalf("a refused import wrote %d items", len(rs))
		}
		ids, err := s.Import(ctx, w.owner, id, []byte(good), "good.csv")
		if err != nil || len(ids) != 2 {
			t.Fatalf("import: %v %v", ids, err)
		}
		rs, _ := s.Rects(ctx, w.owner, id)
		if rs[0].Unit != "C2" || rs[1].Due != "2021-10-31" || rs[1].Start != "2021-06-01" {
			t.Fatalf("imported: %+v", rs)
		}
		// the units come into the campaign with their items: K1 sees its own only
		if rs, _ := s.Rects(ctx, w.k1, id); len(rs) != 1 || rs[0].Unit != "K1" {
			t.Fatalf("K1 sees %+v", rs)
		}
		if _, err := s.Rects(ctx, w.ins, id); !errors.Is(err, fault.ErrNotFound) {
			t.Fatalf("an outsider sees the campaign: %v", err)
		}
		if _, err := campaign.ParseSheet([]byte("名称,日期\n1,2\n"), "x.csv"); !errors.Is(err, fault.ErrInvalid) {
			t.Fatalf("a sheet without the columns: %v", err)
		}
	})
}

// FuzzParseSheet: any bytes give items or a refusal, never a panic.
func FuzzParseSheet(f *testing.F) {
	f.Add([]byte("问题,整改措施,责任单位,开始,整改时限\n党建,措施,C1,2021-01-01,2021-12-31\n"))
	f.Add([]byte("Problem,Measures,Responsible unit,Start,Due\nx,,C2,,1e400\n"))
	f.Add([]byte("序号\n\n问题,问题,责任单位,整改时限\n"))
	f.Add([]byte("PK\x03\x04garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := campaign.ParseSheet(data, "fuzz.csv")
		if err != nil && !errors.Is(err, fault.ErrInvalid) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		if err == nil && len(rows) == 0 {
			t.Fatalf("accepted a sheet with no items")
		}
	})
}

// TestPhaseWindows: answers and submissions only in the self-inspection
// window, findings and the on-site mark only in the on-site window; the
// owner extends or reopens a phase for one unit or for all, audited.
func TestPhaseWindows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		s := w.a.Campaigns
		ctx := context.Background()
		id, err := s.Create(ctx, w.owner, spec())
		if err != nil {
			t.Fatal(err)
		}
		k, _ := s.Get(ctx, w.owner, id)
		yes := []campaign.AnswerSpec{{Item: k.Items[0].ID, Answer: "yes"}}
		all := func() []campaign.AnswerSpec {
			ten := 10.0
			return []campaign.AnswerSpec{{Item: k.Items[0].ID, Answer: "yes"}, {Item: k.Items[1].ID, Score: &ten}, {Item: k.Items[2].ID, Answer: "好"}}
		}
		if _, err := s.Assign(ctx, w.owner, id, campaign.Assignment{User: "ins", Units: []string{"C2"}}); err != nil {
			t.Fatal(err)
		}
		refused := func(err error, field, key, start, end string) {
			t.Helper()
			if !errors.Is(err, fault.ErrConflict) {
				t.Fatalf("want a conflict %s, got %v", key, err)
			}
			wantField(t, err, field, key)
			for _, f := range fault.FieldsOf(err) {
				if f.Key == key && (f.Args["start"] != start || f.Args["end"] != end) {
					t.Fatalf("%s names %v, want %s–%s", key, f.Args, start, end)
				}
			}
		}
		// before the self-inspection: refused, saying when it opens
		s.Now = on("2021-02-28")
		_, err = s.SaveAnswers(ctx, w.k1, id, "K1", yes)
		refused(err, "self_inspection", "campaign.self.early", "2021-03-01", "2021-03-31")
		if _, v, _ := s.Unit(ctx, w.k1, id, "K1"); v.CanAnswer || v.SelfOpen || len(v.Answers) != 0 {
			t.Fatalf("before the window: %+v", v)
		}
		// on its last day: answered and submitted
		s.Now = on("2021-03-31")
		if _, err := s.SaveAnswers(ctx, w.c2, id, "C2", all()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveAnswers(ctx, w.k1, id, "K1", yes); err != nil {
			t.Fatal(err)
		}
		// the next day: K1 can neither answer nor submit
		s.Now = on("2021-04-01")
		_, err = s.SaveAnswers(ctx, w.k1, id, "K1", all())
		refused(err, "self_inspection", "campaign.self.closed", "2021-03-01", "2021-03-31")
		_, err = s.Submit(ctx, w.c2, id, "C2")
		refused(err, "self_inspection", "campaign.self.closed", "2021-03-01", "2021-03-31")
		// findings fall in the on-site window only
		s.Now = on("2021-03-31")
		_, err = s.RecordFinding(ctx, w.ins, id, campaign.FindingSpec{Unit: "C2", Body: "台账不全"})
		refused(err, "on_site", "campaign.site.early", "2021-04-01", "2021-05-15")
		s.Now = on("2021-05-16")
		_, err = s.RecordFinding(ctx, w.ins, id, campaign.FindingSpec{Unit: "C2", Body: "台账不全"})
		refused(err, "on_site", "campaign.site.closed", "2021-04-01", "2021-05-15")
		_, err = s.MarkInspected(ctx, w.ins, id, "C2")
		refused(err, "on_site", "campaign.site.closed", "2021-04-01", "2021-05-15")

		// the owner reopens the self-inspection for K1 alone
		s.Now = on("2021-04-10")
		ext := campaign.Extension{Phase: campaign.PhaseSelf, Until: "2021-04-20", Unit: "K1", Reason: "县里机构调整，补报"}
		if _, err := s.Extend(ctx, w.c1, id, ext); !errors.Is(err, fault.ErrForbidden) {
			t.Fatalf("a city extends: %v", err)
		}
		for _, c := range []struct {
			edit       func(*campaign.Extension)
			field, key string
		}{
			{func(e *campaign.Extension) { e.Phase = "rectification" }, "phase", "error.option"},
			{func(e *campaign.Extension) { e.Until = "2021-04-31" }, "until", "campaign.date.invalid"},
			{func(e *campaign.Extension) { e.Until = "2021-04-09" }, "until", "campaign.window.past"},
			{func(e *campaign.Extension) { e.Unit = "K2" }, "unit", "campaign.unit.not_in"},
			{func(e *campaign.Extension) { e.Reason = " " }, "reason", "error.required"},
		} {
			e := ext
			c.edit(&e)
			_, err := s.Extend(ctx, w.owner, id, e)
			wantField(t, err, c.field, c.key)
		}
		if _, err := s.Extend(as(w.owner), w.owner, id, ext); err != nil {
			t.Fatal(err)
		}
		if _, v, _ := s.Unit(ctx, w.k1, id, "K1"); !v.SelfOpen || !v.CanAnswer || v.SelfWindow != (campaign.Phase{Start: "2021-03-01", End: "2021-04-20"}) {
			t.Fatalf("K1 reopened: %+v", v)
		}
		if _, err := s.SaveAnswers(ctx, w.k1, id, "K1", all()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Submit(ctx, w.k1, id, "K1"); err != nil {
			t.Fatal(err)
		}
		// C2 is still shut out; K1 again after its own end
		_, err = s.Submit(ctx, w.c2, id, "C2")
		refused(err, "self_inspection", "campaign.self.closed", "2021-03-01", "2021-03-31")
		// the on-site phase extended for every unit
		s.Now = on("2021-05-20")
		if _, err := s.Extend(as(w.owner), w.owner, id, campaign.Extension{Phase: campaign.PhaseSite, Until: "2021-05-31", Reason: "汛期顺延"}); err != nil {
			t.Fatal(err)
		}
		if k, _ := s.Get(ctx, w.owner, id); k.Site.End != "2021-05-31" {
			t.Fatalf("on-site end: %+v", k.Site)
		}
		if _, err := s.RecordFinding(ctx, w.ins, id, campaign.FindingSpec{Unit: "C2", Body: "台账不全"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.MarkInspected(ctx, w.ins, id, "C2"); err != nil {
			t.Fatal(err)
		}
		es, err := w.a.Audit.List(ctx, func(string, *store.Args) string { return "1=1" }, audit.Filter{Entity: "campaign", EntityID: strconv.FormatInt(id, 10)})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range es {
			if e.Action == "campaign.extend" {
				n++
			}
		}
		if n != 2 {
			t.Fatalf("extensions audited: %d", n)
		}
	})
}

// TestRemindMail: a campaign's reminders reach the inbox and, through
// the plans' notifier, the address the unit gave for reminders — a real
// SMTP conversation with a local listener; a unit without an address
// gets the inbox message only, and a mail server down undoes nothing.
func TestRemindMail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		s := w.a.Campaigns
		ctx := context.Background()
		srv := mailtest.Start(t)
		sender, err := mail.New(mail.Config{Addr: srv.Addr, From: "kexie@example.org"})
		if err != nil {
			t.Fatal(err)
		}
		// the application's plans and campaigns share the notifier
		w.a.Plans.Mail, w.a.Plans.BaseURL = sender, "https://kexie.example.org/"
		if s.Mail != sender {
			t.Fatalf("campaigns do not mail through the plans' notifier")
		}
		c2 := plan.Caller{Read: w.c2.Read, Report: w.c2.Report}
		if _, err := w.a.Plans.SetContact(ctx, c2, "C2", "office@c2.example.org"); err != nil {
			t.Fatal(err)
		}
		id, err := s.Create(ctx, w.owner, spec())
		if err != nil {
			t.Fatal(err)
		}
		s.Now = on("2021-09-01")
		if _, err := s.Open(ctx, w.owner, id, []campaign.RectSpec{{Unit: "C2", Problem: "台账不全", Due: "2021-10-31"},
			{Unit: "K1", Problem: "方案未印发", Due: "2021-10-31"}, {Unit: "C1", Problem: "尚早", Start: "2021-08-30", Due: "2022-06-30"}}); err != nil {
			t.Fatal(err)
		}
		n, err := s.Remind(as(w.owner), w.owner, id, campaign.Remind{Note: "请加快进度"})
		if err != nil || n != 2 {
			t.Fatalf("reminded %d (%v), want the two red items", n, err)
		}
		msgs := srv.Messages()
		if len(msgs) != 1 || msgs[0].To[0] != "office@c2.example.org" || !strings.Contains(msgs[0].Subject, "台账不全") ||
			!strings.Contains(msgs[0].Body, "请加快进度") || !strings.Contains(msgs[0].Body, "https://kexie.example.org/rectifications/") {
			t.Fatalf("mail: %+v", msgs)
		}
		// the mail server gone: the reminders stand in the inboxes
		down, _ := mail.New(mail.Config{Addr: "127.0.0.1:1", From: "kexie@example.org"})
		w.a.Plans.Mail = down
		if n, err := s.Remind(ctx, w.owner, id, campaign.Remind{}); err != nil || n != 2 {
			t.Fatalf("with the mail server down: %d %v", n, err)
		}
		var inbox int
		if err := db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM inbox_messages WHERE kind = 'campaign_remind'`).Scan(&inbox); err != nil || inbox != 4 {
			t.Fatalf("inbox %d %v", inbox, err)
		}
		if len(srv.Messages()) != 1 {
			t.Fatalf("mailed through a server that is down")
		}
	})
}
