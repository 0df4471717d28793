// Package plan holds work plans (目标任务): a plan of an owner unit over
// a period, in sections (the action lines), each with tasks led by a
// unit. A task carries targets: quantitative ones name a metric, a
// comparison, a baseline and a goal, and their progress is read live
// from the metric; qualitative ones take the percent the lead unit
// reports. A target is allotted to units down the tree, and every task
// and allotment carries a light (亮灯) saying whether it keeps pace with
// the time elapsed. A task goes through the supervision office's
// lifecycle: assigned, acknowledged, in progress, completion reported,
// closed (or returned), every step kept and audited.
package plan

import (
	"time"

	"kexie/internal/unit"
)

// Task states.
const (
	Assigned     = "assigned"     // 已交办
	Acknowledged = "acknowledged" // 已签收
	InProgress   = "in_progress"  // 推进中
	Reported     = "reported"     // 已报完成
	Closed       = "closed"       // 已办结
)

// States lists the task states in lifecycle order.
var States = []string{Assigned, Acknowledged, InProgress, Reported, Closed}

// Actions on a task.
const (
	Acknowledge = "acknowledge" // the lead unit signs for the task
	Report      = "report"      // the lead unit reports progress
	Reach       = "milestone"   // the lead unit reports a milestone reached
	Complete    = "complete"    // the lead unit reports the task done
	Close       = "close"       // the plan owner accepts and closes
	Return      = "return"      // the plan owner sends it back
)

// Comparisons of a quantitative target.
const (
	AtLeast = "ge" // current ≥ goal
	AtMost  = "le" // current ≤ goal
	Equal   = "eq" // current = goal
)

// Lights.
const (
	Green  = "green"
	Yellow = "yellow"
	Red    = "red"
	Done   = "done" // closed
)

// Limits.
const (
	MaxTitle   = 200
	MaxText    = 4000
	MaxTasks   = 1000
	MaxTargets = 20
	// MaxMilestones is the most milestones a task holds.
	MaxMilestones = 20
	// MaxEvidence is the most files attached to one step.
	MaxEvidence = 10
)

// Caller is who reads or acts on plans: a user, the subtree it reads,
// the subtree whose tasks it reports on, and the subtree whose plans it
// supervises (creates, closes, returns).
type Caller struct {
	UserID    int64
	Read      unit.Scope
	Report    unit.Scope
	Supervise unit.Scope
}

// Plan is a plan with its sections, tasks and live progress.
type Plan struct {
	ID           int64     `json:"id"`
	Title        string    `json:"title"`
	Period       string    `json:"period"`
	Unit         string    `json:"unit"`
	UnitName     string    `json:"unit_name"`
	YellowMargin float64   `json:"yellow_margin"`
	RedMargin    float64   `json:"red_margin"`
	NearDays     int       `json:"near_days"`
	CreatedAt    time.Time `json:"created_at"`
	// Owner says the caller's scope holds the owner unit: it sees every
	// task and may close and return them.
	Owner    bool      `json:"owner"`
	Sections []Section `json:"sections"`
	Counts   Counts    `json:"counts"`
	// RemindRule is the plan's standing reminder rule (every_days 0:
	// off), read with the plan's tasks, not in lists.
	RemindRule *RemindRule `json:"remind_rule,omitempty"`
	unitPath   string
}

// Counts are a plan's tasks by light.
type Counts struct {
	Green  int `json:"green"`
	Yellow int `json:"yellow"`
	Red    int `json:"red"`
	Done   int `json:"done"`
}

func (c *Counts) add(light string) {
	switch light {
	case Green:
		c.Green++
	case Yellow:
		c.Yellow++
	case Red:
		c.Red++
	case Done:
		c.Done++
	}
}

// Section is an action line of a plan.
type Section struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	Tasks []Task `json:"tasks"`
}

// Task is a task with its targets and live progress.
type Task struct {
	ID          int64    `json:"id"`
	PlanID      int64    `json:"plan_id"`
	Title       string   `json:"title"`
	Body        string   `json:"body,omitempty"`
	Lead        string   `json:"lead"`
	LeadName    string   `json:"lead_name"`
	Cooperating []string `json:"cooperating"`
	Start       string   `json:"start"`
	Due         string   `json:"due"`
	State       string   `json:"state"`
	Percent     int      `json:"percent"` // last percent the lead unit reported
	// Accepted is the percent of the last progress report the plan owner
	// accepted: a qualitative target's progress (100 once closed).
	Accepted  int       `json:"accepted"`
	Version   int       `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
	Targets   []Target  `json:"targets"`
	// Progress is the mean progress of the targets (0–1); Light its light.
	Progress float64 `json:"progress"`
	Light    string  `json:"light"`
	// Mine says the caller reports on this task (its lead unit).
	Mine       bool        `json:"mine"`
	Milestones []Milestone `json:"milestones"`
	Events     []Event     `json:"events,omitempty"`
	leadPath   string
	sectionID  int64
}

// Target is a target of a task.
type Target struct {
	ID         int64   `json:"id"`
	Title      string  `json:"title"`
	Metric     string  `json:"metric,omitempty"` // "" for a qualitative target
	MetricUnit string  `json:"metric_unit,omitempty"`
	Comparison string  `json:"comparison"`
	Baseline   float64 `json:"baseline"`
	Goal       float64 `json:"goal"`
	// Current is the metric's live value for the plan's unit (nil: no
	// data, or out of the caller's scope).
	Current    *float64    `json:"current"`
	Progress   float64     `json:"progress"`
	Light      string      `json:"light"`
	Allotments []Allotment `json:"allotments"`
	// Allotted is the sum of the allotments; Mismatch says it differs
	// from the goal.
	Allotted float64 `json:"allotted"`
	Mismatch bool    `json:"mismatch"`
}

// Allotment is the part of a target allotted to a unit.
type Allotment struct {
	Unit     string   `json:"unit"`
	UnitName string   `json:"unit_name"`
	Goal     float64  `json:"goal"`
	Current  *float64 `json:"current"`
	Progress float64  `json:"progress"`
	Light    string   `json:"light"`
	// Below is the sum of the allotments directly under this one;
	// BelowMismatch says it differs from Goal.
	Below         float64 `json:"below,omitempty"`
	BelowMismatch bool    `json:"below_mismatch,omitempty"`
	path          string
	split         bool
}

// Milestone is a dated step of a task; Done is the day the lead unit
// reported it reached ("" while open), Late says it is open past its day.
type Milestone struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	Due   string `json:"due"`
	Done  string `json:"done,omitempty"`
	Late  bool   `json:"late,omitempty"`
}

// Evidence is a file attached to a step of a task.
type Evidence struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
}

// Event is a step of a task's history.
type Event struct {
	ID        int64     `json:"id"`
	Action    string    `json:"action"`
	State     string    `json:"state"`
	Percent   int       `json:"percent"`
	Note      string    `json:"note,omitempty"`
	Actor     string    `json:"actor"`
	CreatedAt time.Time `json:"created_at"`
	// Files are the evidence attached to this step.
	Files []Evidence `json:"files,omitempty"`
	// Review is the plan owner's decision on a progress report: pending,
	// accepted or returned ("" for the other steps), with its reason,
	// who decided and when.
	Review     string     `json:"review,omitempty"`
	ReviewNote string     `json:"review_note,omitempty"`
	ReviewedBy string     `json:"reviewed_by,omitempty"`
	ReviewedAt *time.Time `json:"reviewed_at,omitempty"`
}

// Reviews of a progress report.
const (
	Pending  = "pending"
	Accepted = "accepted"
	Returned = "returned"
)
