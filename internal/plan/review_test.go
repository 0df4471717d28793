package plan_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"

	"kexie/internal/audit"
	"kexie/internal/fault"
	"kexie/internal/plan"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
)

// TestReportReview: a qualitative target counts only the progress
// reports the plan owner accepted; returned ones never count; each
// report is reviewed once, by the owner, with a reason to return it.
func TestReportReview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		ps := w.a.Plans
		id, err := ps.Create(ctx, w.prov, spec())
		if err != nil {
			t.Fatal(err)
		}
		p, _ := ps.Get(ctx, w.prov, id)
		quant, qual := p.Sections[0].Tasks[0].ID, p.Sections[0].Tasks[1].ID
		c2 := audit.WithActor(ctx, audit.Actor{UserID: 3, Name: "c2"})
		pc := func(n int) *int { return &n }
		report := func(task int64, c plan.Caller, percent int) int64 {
			t.Helper()
			tk, err := ps.Act(c2, c, task, plan.Step{Action: plan.Report, Note: "进展" + strconv.Itoa(percent), Percent: pc(percent)})
			if err != nil {
				t.Fatal(err)
			}
			e := tk.Events[len(tk.Events)-1]
			if e.Review != plan.Pending {
				t.Fatalf("a new report: %+v", e)
			}
			return e.ID
		}
		progress := func() float64 {
			t.Helper()
			tk, err := ps.Task(ctx, w.prov, qual)
			if err != nil {
				t.Fatal(err)
			}
			return *tk.Targets[0].Current
		}
		if _, err := ps.Act(c2, w.c2, qual, plan.Step{Action: plan.Acknowledge}); err != nil {
			t.Fatal(err)
		}
		r60 := report(qual, w.c2, 60)
		if got := progress(); got != 0 {
			t.Fatalf("a pending report counts: %v", got)
		}
		// refusals: the lead unit, another city, a bad decision, no reason
		if _, err := ps.ReviewReport(ctx, w.c2, qual, r60, plan.Review{Decision: plan.AcceptReport}); !errors.Is(err, fault.ErrForbidden) {
			t.Fatalf("the lead reviews its own report: %v", err)
		}
		if _, err := ps.ReviewReport(ctx, w.c1, qual, r60, plan.Review{Decision: plan.AcceptReport}); !errors.Is(err, fault.ErrNotFound) {
			t.Fatalf("another city reviews: %v", err)
		}
		if _, err := ps.ReviewReport(ctx, w.prov, qual, r60, plan.Review{Decision: "maybe"}); !slices.Contains(fields(err), "decision error.option") {
			t.Fatalf("a bad decision: %v", err)
		}
		if _, err := ps.ReviewReport(ctx, w.prov, qual, r60, plan.Review{Decision: plan.ReturnReport, Note: " "}); !slices.Contains(fields(err), "note plan.return.reason") {
			t.Fatalf("returned without a reason: %v", err)
		}
		if _, err := ps.ReviewReport(ctx, w.prov, qual, 999999, plan.Review{Decision: plan.AcceptReport}); !errors.Is(err, fault.ErrNotFound) {
			t.Fatalf("an unknown report: %v", err)
		}
		tk, _ := ps.Task(ctx, w.prov, qual)
		if _, err := ps.ReviewReport(ctx, w.prov, qual, tk.Events[0].ID, plan.Review{Decision: plan.AcceptReport}); !errors.Is(err, fault.ErrNotFound) {
			t.Fatalf("an acknowledgement reviewed: %v", err)
		}
		// accepted: it counts; reviewed again: a conflict
		owner := audit.WithActor(ctx, audit.Actor{UserID: 1, Name: "prov"})
		tk, err = ps.ReviewReport(owner, w.prov, qual, r60, plan.Review{Decision: plan.AcceptReport})
		if err != nil || progress() != 60 || tk.Accepted != 60 {
			t.Fatalf("accepted: %v %v", progress(), err)
		}
		for _, d := range []string{plan.AcceptReport, plan.ReturnReport} {
			if _, err := ps.ReviewReport(ctx, w.prov, qual, r60, plan.Review{Decision: d, Note: "x"}); !errors.Is(err, fault.ErrConflict) {
				t.Fatalf("%s an accepted report: %v", d, err)
			}
		}
		// a later report returned: the accepted 60 % stands
		r90 := report(qual, w.c2, 90)
		tk, err = ps.ReviewReport(owner, w.prov, qual, r90, plan.Review{Decision: plan.ReturnReport, Note: "材料不足以证明 90%"})
		if err != nil || progress() != 60 {
			t.Fatalf("returned: %v %v", progress(), err)
		}
		e := tk.Events[len(tk.Events)-1]
		if e.Review != plan.Returned || e.ReviewNote != "材料不足以证明 90%" || e.ReviewedBy != "prov" || e.ReviewedAt == nil {
			t.Fatalf("the returned report: %+v", e)
		}
		if _, err := ps.ReviewReport(ctx, w.prov, qual, r90, plan.Review{Decision: plan.AcceptReport}); !errors.Is(err, fault.ErrConflict) {
			t.Fatalf("accept a returned report: %v", err)
		}
		// a task without a qualitative target takes no reviews
		if _, err := ps.Act(ctx, w.c1, quant, plan.Step{Action: plan.Acknowledge}); err != nil {
			t.Fatal(err)
		}
		rq := report(quant, w.c1, 30)
		if _, err := ps.ReviewReport(ctx, w.prov, quant, rq, plan.Review{Decision: plan.AcceptReport}); !slices.Contains(fields(err), "decision plan.review.quantitative") {
			t.Fatalf("review of a quantitative task: %v", err)
		}
		// closed: the target is done, pending reports stay unreviewed
		r95 := report(qual, w.c2, 95)
		if _, err := ps.Act(c2, w.c2, qual, plan.Step{Action: plan.Complete, Note: "成稿"}); err != nil {
			t.Fatal(err)
		}
		if got := progress(); got != 60 {
			t.Fatalf("completion reported, not closed: %v", got)
		}
		if _, err := ps.Act(owner, w.prov, qual, plan.Step{Action: plan.Close}); err != nil {
			t.Fatal(err)
		}
		if got := progress(); got != 100 {
			t.Fatalf("closed: %v", got)
		}
		if _, err := ps.ReviewReport(ctx, w.prov, qual, r95, plan.Review{Decision: plan.AcceptReport}); !errors.Is(err, fault.ErrConflict) {
			t.Fatalf("review on a closed task: %v", err)
		}
		es, err := w.a.Audit.List(ctx, func(string, *store.Args) string { return "1=1" }, audit.Filter{Entity: "plan_task", EntityID: strconv.FormatInt(qual, 10)})
		if err != nil {
			t.Fatal(err)
		}
		var reviews []string
		for _, e := range es {
			if e.Action == "plan_task.accept_report" || e.Action == "plan_task.return_report" {
				reviews = append(reviews, e.Action)
			}
		}
		if len(reviews) != 2 {
			t.Fatalf("reviews audited: %v", reviews)
		}
	})
}
