package plan

import (
	"fmt"
	"slices"

	"kexie/internal/fault"
)

// Move is a step of a lifecycle: the states it is taken from, the state
// it leads to, and whether the doer takes it (a task's lead unit, a
// rectification item's responsible unit), else the overseer (the plan's
// or the campaign's unit).
type Move struct {
	From []string
	To   string
	Doer bool
}

// Lifecycle is a table of moves by action, offered in Order, with the
// state that takes no more steps and the message keys of the refusals
// (Final: the thing is done; Transition: {action} not from {state}).
// Plan tasks and rectification items follow one each.
type Lifecycle struct {
	Order      []string
	Moves      map[string]Move
	Done       string
	Final      string
	Transition string
}

// Check says whether action may be taken from state by a caller who is
// the doer and/or the overseer: the move, or the refusal — an unknown
// action is invalid, a move not the caller's forbidden, any move from
// the done state or from a state it does not start at a conflict.
func (l Lifecycle) Check(action, state string, doer, overseer bool) (Move, error) {
	mv, ok := l.Moves[action]
	if !ok {
		return Move{}, fault.InvalidField("action", "error.option", "value", action)
	}
	if mv.Doer && !doer || !mv.Doer && !overseer {
		return Move{}, fmt.Errorf("%s: %w", action, fault.ErrForbidden)
	}
	if state == l.Done {
		return Move{}, fault.ConflictField("action", l.Final)
	}
	if !slices.Contains(mv.From, state) {
		return Move{}, fault.ConflictField("action", l.Transition, "action", action, "state", state)
	}
	return mv, nil
}

// Allowed lists, in Order, the actions the caller may take from state.
func (l Lifecycle) Allowed(state string, doer, overseer bool) []string {
	out := []string{}
	for _, a := range l.Order {
		if _, err := l.Check(a, state, doer, overseer); err == nil {
			out = append(out, a)
		}
	}
	return out
}
