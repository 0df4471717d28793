package plan_test

import (
	"errors"
	"slices"
	"testing"

	"kexie/internal/fault"
	"kexie/internal/plan"
)

// TestLifecycle: one table of moves answers who may take which step from
// where, for plan tasks and rectification items alike.
func TestLifecycle(t *testing.T) {
	l := plan.Lifecycle{Order: []string{"report", "close"},
		Moves: map[string]plan.Move{"report": {From: []string{"open"}, To: "open", Doer: true}, "close": {From: []string{"done"}, To: "closed"}},
		Done:  "closed", Final: "x.closed", Transition: "x.transition"}
	for _, c := range []struct {
		action, state  string
		doer, overseer bool
		want           error
		key            string
	}{
		{"report", "open", true, false, nil, ""},
		{"close", "done", false, true, nil, ""},
		{"fly", "open", true, true, fault.ErrInvalid, "error.option"},
		{"report", "open", false, true, fault.ErrForbidden, ""},
		{"close", "done", true, false, fault.ErrForbidden, ""},
		{"report", "closed", true, true, fault.ErrConflict, "x.closed"},
		{"close", "open", true, true, fault.ErrConflict, "x.transition"},
	} {
		mv, err := l.Check(c.action, c.state, c.doer, c.overseer)
		if c.want == nil && (err != nil || mv.To == "") || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s from %s (doer %v, overseer %v): %+v %v", c.action, c.state, c.doer, c.overseer, mv, err)
		}
		if c.key != "" && !slices.ContainsFunc(fault.FieldsOf(err), func(f fault.Field) bool { return f.Key == c.key }) {
			t.Errorf("%s from %s: want %s, got %v", c.action, c.state, c.key, err)
		}
	}
	if got := l.Allowed("open", true, true); !slices.Equal(got, []string{"report"}) {
		t.Errorf("allowed from open: %v", got)
	}
	if got := l.Allowed("closed", true, true); len(got) != 0 {
		t.Errorf("allowed when closed: %v", got)
	}
}
