package dataset_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"kexie/internal/audit"
	"kexie/internal/dataset"
	"kexie/internal/fault"
	"kexie/internal/store"
	"kexie/internal/store/storetest"
	"kexie/internal/unit"
)

func act(t *testing.T, ds *dataset.Service, acc dataset.Access, unitCode, periodID string, a dataset.Action, reason string) *dataset.Form {
	t.Helper()
	f, err := ds.Act(context.Background(), acc, "hy", unitCode, periodID, a, reason)
	if err != nil {
		t.Fatalf("%s %s %s: %v", a, unitCode, periodID, err)
	}
	return f
}

// TestApprovalChain: a county submits, its city approves, the province
// accepts; the form is locked until approvals are withdrawn, each by an
// approver at that level or above, and every step is audited.
func TestApprovalChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, u := setup(t, db)
		ds := a.Datasets
		county, city, province := entryOf(u["K11"]), approverOf(u["C1"]), approverOf(u["P"])
		otherCity := approverOf(u["C2"])
		if _, err := ds.Save(ctx, county, "hy", "K11", "2024S1", vals("events", 3, "people.online", 5)); err != nil {
			t.Fatal(err)
		}
		f := act(t, ds, county, "K11", "2024S1", dataset.ActSubmit, "")
		if f.State != dataset.StateSubmitted || f.NextApprover != "C1" || f.SubmittedAt == nil {
			t.Fatalf("submitted: %+v", f)
		}
		if !slices.Equal(f.Actions, []string{"withdraw"}) {
			t.Errorf("the county's steps after submitting: %v", f.Actions)
		}
		// submitted data is locked
		if _, err := ds.Save(ctx, county, "hy", "K11", "2024S1", vals("events", 4)); !errors.Is(err, fault.ErrConflict) || !hasField(err, "period", "dataset.locked.submitted") {
			t.Errorf("save while submitted: %v", err)
		}
		// the county cannot approve itself; another city does not see it
		if _, err := ds.Act(ctx, dataset.Access{Read: county.Read, Enter: county.Enter, Approve: county.Read}, "hy", "K11", "2024S1", dataset.ActApprove, ""); !errors.Is(err, fault.ErrForbidden) || !hasField(err, "unit", "dataset.approve.not_above") {
			t.Errorf("approve by the county: %v", err)
		}
		if _, err := ds.Act(ctx, otherCity, "hy", "K11", "2024S1", dataset.ActApprove, ""); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("approve by another city: %v", err)
		}
		if _, err := ds.Form(ctx, otherCity, "hy", "K11", "2024S1"); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("another city reads the form: %v", err)
		}
		f = act(t, ds, city, "K11", "2024S1", dataset.ActApprove, "")
		if f.State != dataset.StateApproved || f.Level != "C1" || f.NextApprover != "P" {
			t.Fatalf("approved by the city: %+v", f)
		}
		// the city cannot approve twice; the province can
		if _, err := ds.Act(ctx, city, "hy", "K11", "2024S1", dataset.ActApprove, ""); !errors.Is(err, fault.ErrForbidden) {
			t.Errorf("the city approves again: %v", err)
		}
		pf, err := ds.Form(ctx, province, "hy", "K11", "2024S1")
		if err != nil || !slices.Contains(pf.Actions, "approve") || !slices.Contains(pf.Actions, "return") {
			t.Fatalf("the province's steps: %+v %v", pf, err)
		}
		f = act(t, ds, province, "K11", "2024S1", dataset.ActApprove, "")
		if f.State != dataset.StateAccepted || f.Level != "P" || f.NextApprover != "" {
			t.Fatalf("accepted: %+v", f)
		}
		if _, err := ds.Save(ctx, county, "hy", "K11", "2024S1", vals("events", 4)); !errors.Is(err, fault.ErrConflict) || !hasField(err, "period", "dataset.locked.accepted") {
			t.Errorf("save after acceptance: %v", err)
		}
		if _, err := ds.Act(ctx, province, "hy", "K11", "2024S1", dataset.ActReturn, "太晚了"); !errors.Is(err, fault.ErrConflict) {
			t.Errorf("return an accepted form: %v", err)
		}
		// withdrawing needs the approver's role at the level that approved
		for _, who := range []dataset.Access{county, city, entryOf(u["P"])} {
			if _, err := ds.Act(ctx, who, "hy", "K11", "2024S1", dataset.ActWithdraw, ""); !errors.Is(err, fault.ErrForbidden) || !hasField(err, "unit", "dataset.withdraw.role") {
				t.Errorf("withdraw without the role: %v", err)
			}
		}
		f = act(t, ds, province, "K11", "2024S1", dataset.ActWithdraw, "数据有误")
		if f.State != dataset.StateApproved || f.Level != "C1" {
			t.Fatalf("after the province withdrew: %+v", f)
		}
		f = act(t, ds, city, "K11", "2024S1", dataset.ActWithdraw, "")
		if f.State != dataset.StateSubmitted || f.Level != "" {
			t.Fatalf("after the city withdrew: %+v", f)
		}
		f = act(t, ds, city, "K11", "2024S1", dataset.ActReturn, "活动场次与台账不符")
		if f.State != dataset.StateReturned || f.Reason != "活动场次与台账不符" {
			t.Fatalf("returned: %+v", f)
		}
		// the county is told, corrects and submits again
		box, err := ds.Inbox(ctx, []string{u["K11"].Path}, dataset.InboxFilter{})
		if err != nil || len(box.Items) != 1 || box.Items[0].Kind != dataset.KindReturned || box.Items[0].Body != "活动场次与台账不符" || box.Items[0].FromUnit != "C1" {
			t.Fatalf("the county's inbox: %+v %v", box, err)
		}
		if _, err := ds.Save(ctx, county, "hy", "K11", "2024S1", vals("events", 4)); err != nil {
			t.Fatal(err)
		}
		f = act(t, ds, county, "K11", "2024S1", dataset.ActSubmit, "")
		if f.State != dataset.StateSubmitted || f.Reason != "" {
			t.Fatalf("resubmitted: %+v", f)
		}
		// a submission not yet approved may be taken back by the unit
		f = act(t, ds, county, "K11", "2024S1", dataset.ActWithdraw, "")
		if f.State != dataset.StateDraft {
			t.Fatalf("taken back: %+v", f)
		}
		wantSteps := []string{"save", "submit", "approve", "accept", "withdraw", "withdraw", "return", "save", "submit", "withdraw"}
		var steps []string
		for _, e := range f.History {
			steps = append(steps, e.Action)
		}
		if !slices.Equal(steps, wantSteps) {
			t.Errorf("history %v, want %v", steps, wantSteps)
		}
		if f.History[4].Level != "P" || f.History[4].Reason != "数据有误" || f.History[3].Level != "P" || f.History[2].Level != "C1" {
			t.Errorf("history levels: %+v", f.History)
		}
		// every step is in the audit log, in the county's subtree
		entries, err := a.Audit.List(ctx, unit.Subtrees(u["K11"].Path).Cond, audit.Filter{Entity: "dataset_form", Action: "form_withdraw", Limit: 50})
		if err != nil || len(entries) != 3 {
			t.Fatalf("withdrawals audited: %d %v", len(entries), err)
		}
		// the figures never depended on the workflow
		wantFigure(t, a, "events", "P", "2024S1", 4)
		// a city's own form goes straight to the province, which accepts it
		if _, err := ds.Save(ctx, entryOf(u["C1"]), "hy", "C1", "2024S1", vals("events", 1, "people.offline", 2)); err != nil {
			t.Fatal(err)
		}
		act(t, ds, entryOf(u["C1"]), "C1", "2024S1", dataset.ActSubmit, "")
		if _, err := ds.Act(ctx, city, "hy", "C1", "2024S1", dataset.ActApprove, ""); !errors.Is(err, fault.ErrForbidden) {
			t.Errorf("a city approves its own form: %v", err)
		}
		if f := act(t, ds, province, "C1", "2024S1", dataset.ActApprove, ""); f.State != dataset.StateAccepted {
			t.Errorf("the city's form: %+v", f)
		}
	})
}

// TestWindows: entry is open from the period's first day until it locks
// (or in the data set's window of the period); an exception reopens it for
// one unit; a period that has not begun is not open.
func TestWindows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, u := setup(t, db)
		ds := a.Datasets
		d := halfYear()
		d.LockAfterDays = 30
		now := time.Now().In(time.FixedZone("", 8*3600))
		current := now.Format("2006") + "S1"
		next := now.AddDate(1, 0, 0).Format("2006") + "S2"
		if now.Month() > 6 {
			current = now.Format("2006") + "S2"
		}
		d.Windows = []dataset.Window{{Period: "2024S2", Opens: "2020-01-01", Closes: "2099-12-31"}}
		if _, err := ds.Define(ctx, d); err != nil {
			t.Fatal(err)
		}
		county := entryOf(u["K11"])
		in := vals("events", 1, "people.online", 1)
		if _, err := ds.Save(ctx, county, "hy", "K11", "2024S1", in); !errors.Is(err, fault.ErrConflict) || !hasField(err, "period", "dataset.window.closed") {
			t.Errorf("a locked period: %v", err)
		}
		if _, err := ds.Save(ctx, county, "hy", "K11", "2024S2", in); err != nil {
			t.Errorf("a period in its window: %v", err)
		}
		if _, err := ds.Save(ctx, county, "hy", "K11", current, in); err != nil {
			t.Errorf("the current period: %v", err)
		}
		if _, err := ds.Save(ctx, county, "hy", "K11", next, in); !errors.Is(err, fault.ErrInvalid) || !hasField(err, "period", "dataset.window.not_open") {
			t.Errorf("a period not begun: %v", err)
		}
		// exceptions: only from above the unit
		ex := dataset.Exception{Unit: "K11", Period: "2024S1", Until: "2099-12-31"}
		if _, err := ds.SetException(ctx, approverOf(u["K11"]), "hy", ex); !errors.Is(err, fault.ErrForbidden) {
			t.Errorf("an exception granted by the unit itself: %v", err)
		}
		if _, err := ds.SetException(ctx, approverOf(u["C2"]), "hy", ex); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("an exception granted by another city: %v", err)
		}
		if _, err := ds.SetException(ctx, approverOf(u["C1"]), "hy", dataset.Exception{Unit: "K11", Period: "2024S1", Until: "someday"}); !hasField(err, "until", "error.date") {
			t.Errorf("a bad day: %v", err)
		}
		if _, err := ds.SetException(ctx, approverOf(u["C1"]), "hy", ex); err != nil {
			t.Fatal(err)
		}
		f, err := ds.Save(ctx, county, "hy", "K11", "2024S1", in)
		if err != nil {
			t.Fatalf("with an exception: %v", err)
		}
		if !f.Window.Open || f.Window.Until != "2099-12-31" {
			t.Errorf("window: %+v", f.Window)
		}
		act(t, ds, county, "K11", "2024S1", dataset.ActSubmit, "")
		// the exception is the unit's alone
		if _, err := ds.Save(ctx, entryOf(u["K12"]), "hy", "K12", "2024S1", in); !errors.Is(err, fault.ErrConflict) {
			t.Errorf("another unit in a locked period: %v", err)
		}
		if _, err := ds.Act(ctx, entryOf(u["K12"]), "hy", "K12", "2024S1", dataset.ActSubmit, ""); !hasField(err, "period", "dataset.window.closed") {
			t.Errorf("submitting in a locked period: %v", err)
		}
		// removed, the window is closed again
		ex.Until = ""
		if _, err := ds.SetException(ctx, approverOf(u["C1"]), "hy", ex); err != nil {
			t.Fatal(err)
		}
		f, err = ds.Form(ctx, county, "hy", "K11", "2024S1")
		if err != nil || f.Window.Open || f.Window.Reason != "dataset.window.closed" || f.Editable {
			t.Errorf("after the exception: %+v %v", f.Window, err)
		}
		// the system (demo loader, command line) is not bound by windows
		if _, err := ds.Save(ctx, dataset.System(), "hy", "K12", "2023S1", in); err != nil {
			t.Errorf("system save: %v", err)
		}
	})
}

// TestCompleteness: who has and has not submitted below a unit, reminders
// to the late units' inboxes, and reading them.
func TestCompleteness(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, u := setup(t, db)
		ds := a.Datasets
		if _, err := ds.Save(ctx, entryOf(u["K11"]), "hy", "K11", "2024S1", vals("events", 1, "people.online", 1)); err != nil {
			t.Fatal(err)
		}
		act(t, ds, entryOf(u["K11"]), "K11", "2024S1", dataset.ActSubmit, "")
		if _, err := ds.Save(ctx, entryOf(u["K12"]), "hy", "K12", "2024S1", vals("events", 1)); err != nil {
			t.Fatal(err)
		}
		c, err := ds.Completeness(ctx, approverOf(u["P"]), "hy", "P", "2024S1")
		if err != nil {
			t.Fatal(err)
		}
		states := map[string]string{}
		for _, s := range c.Units {
			states[s.Unit] = s.State
		}
		want := map[string]string{"C1": "none", "K11": "submitted", "K12": "draft", "C2": "none", "K21": "none"}
		if c.Total != 5 || c.Submitted != 1 || c.Late != 4 || len(states) != 5 {
			t.Fatalf("completeness: %+v", c)
		}
		for k, v := range want {
			if states[k] != v {
				t.Errorf("%s: %s, want %s", k, states[k], v)
			}
		}
		if len(c.Children) != 2 || c.Children[0].Unit != "C1" || c.Children[0].Total != 3 || c.Children[0].Submitted != 1 {
			t.Errorf("children: %+v", c.Children)
		}
		if c.Units[0].Unit != "C1" || c.Units[1].Unit != "K11" {
			t.Errorf("not in tree order: %+v", c.Units)
		}
		// a city sees its own subtree only
		cc, err := ds.Completeness(ctx, approverOf(u["C1"]), "hy", "C1", "2024S1")
		if err != nil || cc.Total != 3 {
			t.Fatalf("the city's completeness: %+v %v", cc, err)
		}
		if _, err := ds.Completeness(ctx, approverOf(u["C1"]), "hy", "C2", "2024S1"); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("another city's completeness: %v", err)
		}
		// reminders: from the city to its late counties, from the province to all
		if _, err := ds.Remind(ctx, entryOf(u["K11"]), "hy", "K11", "2024S1", ""); !errors.Is(err, fault.ErrForbidden) {
			t.Errorf("a county reminds: %v", err)
		}
		got, err := ds.Remind(ctx, approverOf(u["C1"]), "hy", "C1", "2024S1", "请于本周五前报送")
		if err != nil || !slices.Equal(got, []string{"K12"}) {
			t.Fatalf("the city reminded %v %v", got, err)
		}
		got, err = ds.Remind(ctx, dataset.Access{Read: unit.Everything(), Manage: unit.Everything()}, "hy", "P", "2024S1", "")
		if err != nil || !slices.Equal(got, []string{"C1", "K12", "C2", "K21"}) {
			t.Fatalf("the province reminded %v %v", got, err)
		}
		box, err := ds.Inbox(ctx, []string{u["K12"].Path}, dataset.InboxFilter{})
		if err != nil || len(box.Items) != 2 || box.Unread != 2 {
			t.Fatalf("K12's inbox: %+v %v", box, err)
		}
		m := box.Items[1] // oldest: the city's
		if m.Kind != dataset.KindRemind || m.Body != "请于本周五前报送" || m.FromUnit != "C1" || m.DataSet != "hy" || m.Period != "2024S1" ||
			m.Link != "/datasets/hy/entry?period=2024S1&unit=K12" {
			t.Errorf("reminder: %+v", m)
		}
		if _, err := ds.MarkRead(ctx, []string{u["K12"].Path}, m.ID); err != nil {
			t.Fatal(err)
		}
		box, err = ds.Inbox(ctx, []string{u["K12"].Path}, dataset.InboxFilter{Unread: true})
		if err != nil || len(box.Items) != 1 || box.Unread != 1 {
			t.Fatalf("unread after reading one: %+v %v", box, err)
		}
		// another unit's message is not found
		k21, err := ds.Inbox(ctx, []string{u["K21"].Path}, dataset.InboxFilter{})
		if err != nil || len(k21.Items) != 1 {
			t.Fatalf("K21's inbox: %+v %v", k21, err)
		}
		if _, err := ds.MarkRead(ctx, []string{u["K12"].Path}, k21.Items[0].ID); !errors.Is(err, fault.ErrNotFound) {
			t.Errorf("reading another unit's message: %v", err)
		}
		// a city's user sees the city's messages, not its counties'
		c1, err := ds.Inbox(ctx, []string{u["C1"].Path}, dataset.InboxFilter{})
		if err != nil || len(c1.Items) != 1 || c1.Items[0].Unit != "C1" {
			t.Fatalf("C1's inbox: %+v %v", c1, err)
		}
		entries, err := a.Audit.List(ctx, unit.Everything().Cond, audit.Filter{Action: "form_remind", Limit: 10})
		if err != nil || len(entries) != 2 {
			t.Errorf("reminders audited: %d %v", len(entries), err)
		}
	})
}
