package plan_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/mail"
	"kexie/internal/mail/mailtest"
	"kexie/internal/plan"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// withMilestones is spec() with two milestones on the first task, one
// already past on the world's day (2021-07-02).
func withMilestones() plan.Spec {
	sp := spec()
	sp.Sections[0].Tasks[0].Milestones = []plan.MilestoneSpec{{Title: "方案印发", Due: "2021-03-31"}, {Title: "中期检查", Due: "2021-09-30"}}
	return sp
}

func TestEvidenceAndMilestones(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		ps := w.a.Plans
		// a milestone outside the task's dates is refused, nothing written
		bad := withMilestones()
		bad.Sections[0].Tasks[0].Milestones[1].Due = "2022-01-15"
		if _, err := ps.Create(ctx, w.prov, bad); !slices.Contains(fields(err), "sections[0].tasks[0].milestones[1].due plan.milestone.outside") {
			t.Fatalf("milestone after the deadline: %v", fields(err))
		}
		id, err := ps.Create(ctx, w.prov, withMilestones())
		if err != nil {
			t.Fatal(fields(err), err)
		}
		p, _ := ps.Get(ctx, w.prov, id)
		tk := p.Sections[0].Tasks[0]
		// progress keeps pace (green) but the first milestone is late: yellow
		if len(tk.Milestones) != 2 || !tk.Milestones[0].Late || tk.Milestones[1].Late || tk.Light != plan.Yellow {
			t.Fatalf("milestones %+v light %s", tk.Milestones, tk.Light)
		}
		// files uploaded by C1's user and by someone else
		c1ctx := audit.WithActor(ctx, audit.Actor{UserID: w.c1.UserID, Name: "一市"})
		photo, err := w.a.Files.Save(c1ctx, "现场.png", strings.NewReader("\x89PNG\r\n\x1a\n"+strings.Repeat("x", 100)), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := w.a.Files.Save(audit.WithActor(ctx, audit.Actor{UserID: w.c2.UserID}), "别人的.pdf", strings.NewReader("%PDF-1.4 x"), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		// refused files: too large, a refused type, bytes not what the name says
		for _, c := range []struct{ name, body, key string }{
			{"大.pdf", "%PDF-1.4 " + strings.Repeat("x", 2000), "register.file.too_large"},
			{"程序.exe", "MZ", "register.file.type"},
			{"假.png", "%PDF-1.4 x", "register.file.mismatch"},
		} {
			if _, err := w.a.Files.Save(c1ctx, c.name, strings.NewReader(c.body), 1000); !slices.Contains(fields(err), "file "+c.key) {
				t.Errorf("%s: %v", c.name, fields(err))
			}
		}
		pc := func(n int) *int { return &n }
		if _, err := ps.Act(c1ctx, w.c1, tk.ID, plan.Step{Action: plan.Acknowledge}); err != nil {
			t.Fatal(err)
		}
		refused := []struct {
			st  plan.Step
			key string
		}{
			{plan.Step{Action: plan.Report, Note: "x", Percent: pc(30), Files: []int64{theirs.ID}}, "files[0] plan.evidence.unknown"},
			{plan.Step{Action: plan.Report, Note: "x", Percent: pc(30), Files: []int64{photo.ID, photo.ID}}, "files[1] plan.evidence.twice"},
			{plan.Step{Action: plan.Report, Note: "x", Percent: pc(30), Files: []int64{99999}}, "files[0] plan.evidence.unknown"},
			{plan.Step{Action: plan.Reach, Milestone: 99999}, "milestone plan.milestone.unknown"},
		}
		for _, c := range refused {
			if _, err := ps.Act(c1ctx, w.c1, tk.ID, c.st); !errors.Is(err, fault.ErrInvalid) || !slices.Contains(fields(err), c.key) {
				t.Errorf("%+v: want %s, got %v", c.st, c.key, fields(err))
			}
		}
		got, err := ps.Act(c1ctx, w.c1, tk.ID, plan.Step{Action: plan.Report, Note: "已办 5 场，附现场照片", Percent: pc(50), Files: []int64{photo.ID}})
		if err != nil {
			t.Fatal(fields(err), err)
		}
		last := got.Events[len(got.Events)-1]
		if len(got.Events) != 3 || len(last.Files) != 1 || last.Files[0].Name != "现场.png" {
			t.Fatalf("events %+v", got.Events)
		}
		// the milestone reached: the task is green again
		got, err = ps.Act(c1ctx, w.c1, tk.ID, plan.Step{Action: plan.Reach, Milestone: tk.Milestones[0].ID, Note: "已印发"})
		if err != nil || got.Milestones[0].Done != "2021-07-02" || got.Light != plan.Green {
			t.Fatalf("reached: %+v %s %v", got.Milestones, got.Light, err)
		}
		if _, err := ps.Act(c1ctx, w.c1, tk.ID, plan.Step{Action: plan.Reach, Milestone: tk.Milestones[0].ID}); !errors.Is(err, fault.ErrConflict) {
			t.Fatalf("reached twice: %v", err)
		}
		// the owner and the lead see the evidence; another city does not
		if err := ps.EvidenceFile(ctx, w.prov, tk.ID, photo.ID); err != nil {
			t.Fatalf("owner: %v", err)
		}
		if err := ps.EvidenceFile(ctx, w.prov, tk.ID, theirs.ID); !errors.Is(err, fault.ErrNotFound) {
			t.Fatalf("a file not attached: %v", err)
		}
		other := p.Sections[0].Tasks[1].ID
		if err := ps.EvidenceFile(ctx, w.c1, other, photo.ID); !errors.Is(err, fault.ErrNotFound) {
			t.Fatalf("through another task: %v", err)
		}
		// evidence on a step that takes none; a report on a closed task
		if _, err := ps.Act(ctx, w.prov, tk.ID, plan.Step{Action: plan.Return, Note: "x", Files: []int64{photo.ID}}); !errors.Is(err, fault.ErrConflict) {
			t.Fatalf("return from in progress: %v", err)
		}
		if _, err := ps.Act(c1ctx, w.c1, tk.ID, plan.Step{Action: plan.Complete, Note: "完成", Files: []int64{photo.ID}}); err != nil {
			t.Fatal(err)
		}
		if _, err := ps.Act(ctx, w.prov, tk.ID, plan.Step{Action: plan.Close, Files: []int64{photo.ID}}); !slices.Contains(fields(err), "files plan.evidence.action") {
			t.Fatalf("evidence on close: %v", fields(err))
		}
		if _, err := ps.Act(ctx, w.prov, tk.ID, plan.Step{Action: plan.Close}); err != nil {
			t.Fatal(err)
		}
		if _, err := ps.Act(c1ctx, w.c1, tk.ID, plan.Step{Action: plan.Report, Note: "x", Percent: pc(100), Files: []int64{photo.ID}}); !errors.Is(err, fault.ErrConflict) {
			t.Fatalf("report on a closed task: %v", err)
		}
		var n int
		if err := db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM plan_evidence`).Scan(&n); err != nil || n != 2 {
			t.Fatalf("evidence rows %d %v", n, err)
		}
	})
}

func TestRemindRulesAndMail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		ps := w.a.Plans
		srv := mailtest.Start(t)
		sender, err := mail.New(mail.Config{Addr: srv.Addr, From: "kexie@example.org"})
		if err != nil {
			t.Fatal(err)
		}
		ps.Mail, ps.BaseURL = sender, "https://kexie.example.org/"
		sp := spec()
		sp.RemindRule = &plan.RemindRule{Lights: []string{"purple"}, EveryDays: 7}
		if _, err := ps.Create(ctx, w.prov, sp); !slices.Contains(fields(err), "remind_rule.lights[0] error.option") {
			t.Fatalf("bad rule: %v", fields(err))
		}
		sp.RemindRule = &plan.RemindRule{Lights: []string{plan.Red}, EveryDays: 7}
		id, err := ps.Create(ctx, w.prov, sp)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ps.SetContact(ctx, w.c1, "C2", "office@c2.example.org"); !errors.Is(err, fault.ErrNotFound) {
			t.Fatalf("C1 sets C2's address: %v", err)
		}
		if _, err := ps.SetContact(ctx, w.c2, "C2", "not an address"); !slices.Contains(fields(err), "email plan.contact.email") {
			t.Fatalf("bad address: %v", err)
		}
		if _, err := ps.SetContact(ctx, w.c2, "C2", "office@c2.example.org"); err != nil {
			t.Fatal(err)
		}
		// the rule: the red task (C2's overdue report) is reminded once,
		// by inbox and mail; not again within 7 days; again after
		for i, c := range []struct {
			at   time.Time
			want int
		}{
			{time.Date(2021, 7, 2, 9, 0, 0, 0, time.UTC), 1},
			{time.Date(2021, 7, 5, 9, 0, 0, 0, time.UTC), 0},
			{time.Date(2021, 7, 10, 9, 0, 0, 0, time.UTC), 1},
		} {
			ps.Now = func() time.Time { return c.at }
			n, err := ps.RemindDue(ctx)
			if err != nil || n != c.want {
				t.Fatalf("run %d: %d reminders, want %d (%v)", i, n, c.want, err)
			}
		}
		msgs := srv.Messages()
		if len(msgs) != 2 || msgs[0].To[0] != "office@c2.example.org" || !strings.Contains(msgs[0].Subject, "写好报告") ||
			!strings.Contains(msgs[0].Body, "https://kexie.example.org/plan-tasks/") {
			t.Fatalf("mail: %+v", msgs)
		}
		var inbox int
		if err := db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM inbox_messages WHERE kind = 'plan_remind'`).Scan(&inbox); err != nil || inbox != 2 {
			t.Fatalf("inbox %d %v", inbox, err)
		}
		// the owner changes the rule; a city cannot
		if _, err := ps.SetRemindRule(ctx, w.c1, id, plan.RemindRule{EveryDays: 1}); !errors.Is(err, fault.ErrNotFound) && !errors.Is(err, fault.ErrForbidden) {
			t.Fatalf("city sets the rule: %v", err)
		}
		if _, err := ps.SetRemindRule(ctx, w.prov, id, plan.RemindRule{EveryDays: 400}); !errors.Is(err, fault.ErrInvalid) {
			t.Fatalf("every 400 days: %v", err)
		}
		if _, err := ps.SetRemindRule(ctx, w.prov, id, plan.RemindRule{EveryDays: 0}); err != nil {
			t.Fatal(err)
		}
		ps.Now = func() time.Time { return time.Date(2021, 8, 10, 9, 0, 0, 0, time.UTC) }
		if n, err := ps.RemindDue(ctx); err != nil || n != 0 {
			t.Fatalf("rule off: %d %v", n, err)
		}
		p, _ := ps.Get(ctx, w.prov, id)
		if p.RemindRule.EveryDays != 0 || !slices.Equal(p.RemindRule.Lights, []string{plan.Yellow, plan.Red}) {
			t.Fatalf("rule read back: %+v", p.RemindRule)
		}
	})
}
