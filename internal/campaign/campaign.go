// Package campaign holds supervision campaigns (督查 / 整改): a campaign
// of an owner unit over a set of units (chosen by type or group), with a
// checklist each unit answers in the self-inspection phase (自查: answer,
// self-score, evidence, submit), inspectors assigned to units who record
// findings with photos in the on-site phase (实地督查), and rectification
// items (整改) — problem, measures, responsible unit, deadline, evidence —
// followed from open through completion reported to a close verified by
// the campaign owner, or returned with a reason. A rectification-only
// campaign holds the findings of an outside inspection (巡视反馈问题),
// entered or imported from a sheet. Every change is audited; every read
// is limited in SQL to the units the caller sees.
package campaign

import (
	"time"

	"kexie/internal/unit"
)

// Kinds of campaign.
const (
	KindInspection    = "inspection"    // 专项督查: self-inspection, on-site, rectification
	KindRectification = "rectification" // 巡视整改: rectification only
)

// Answer kinds of a checklist item.
const (
	AnswerScore = "score" // a score from 0 to the item's maximum
	AnswerYesNo = "yesno" // yes or no
	AnswerText  = "text"  // free text
)

// Rectification states.
const (
	Open     = "open"     // 整改中
	Reported = "reported" // 已报完成
	Closed   = "closed"   // 已销号
)

// Actions on a rectification item.
const (
	Progress = "progress" // the responsible unit reports progress
	Complete = "complete" // the responsible unit reports it done, with evidence
	Verify   = "verify"   // the campaign owner verifies and closes it
	Return   = "return"   // the campaign owner sends it back, with a reason
)

// Actions lists the rectification actions in lifecycle order.
var Actions = []string{Progress, Complete, Verify, Return}

// Attachment kinds: what a file is attached to.
const (
	FileAnswer  = "answer"
	FileFinding = "finding"
	FileRect    = "rect"
)

// Limits.
const (
	MaxTitle    = 200
	MaxText     = 4000
	MaxItems    = 200
	MaxUnits    = 5000
	MaxRects    = 2000
	MaxFiles    = 20
	MaxMetrics  = 20
	MaxSheetRow = 5000
)

// Caller is who reads or acts on campaigns: a user, the subtree it
// reads, the subtree for which it answers and rectifies (data entry), and
// the subtree whose campaigns it runs (inspect).
type Caller struct {
	UserID    int64
	Read      unit.Scope
	Report    unit.Scope
	Supervise unit.Scope
}

// Phase is a phase of a campaign with its dates (empty when the campaign
// has no such phase).
type Phase struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// Campaign is a campaign with its checklist and its units as the caller
// sees them.
type Campaign struct {
	ID         int64     `json:"id"`
	Title      string    `json:"title"`
	Kind       string    `json:"kind"`
	Unit       string    `json:"unit"`
	UnitName   string    `json:"unit_name"`
	UnitNameEN string    `json:"unit_name_en,omitempty"`
	Self       Phase     `json:"self_inspection"`
	Site       Phase     `json:"on_site"`
	Rect       Phase     `json:"rectification"`
	Metrics    []string  `json:"metrics"`
	CreatedAt  time.Time `json:"created_at"`
	// Owner says the caller runs the campaign: it assigns inspectors,
	// records findings anywhere, opens, verifies and returns
	// rectification items.
	Owner bool   `json:"owner"`
	Items []Item `json:"items"`
	// Units are the campaign's units the caller sees, with their progress.
	Units  []UnitStatus `json:"units"`
	Counts Counts       `json:"counts"`
	path   string
}

// Counts sum up the units and rectification items the caller sees.
type Counts struct {
	Units     int `json:"units"`
	Submitted int `json:"submitted"`
	Inspected int `json:"inspected"`
	Findings  int `json:"findings"`
	Rects     int `json:"rectifications"`
	Open      int `json:"open"`
	Reported  int `json:"reported"`
	Closed    int `json:"closed"`
	Overdue   int `json:"overdue"`
	Green     int `json:"green"`
	Yellow    int `json:"yellow"`
	Red       int `json:"red"`
}

// Item is a checklist item.
type Item struct {
	ID       int64   `json:"id"`
	Title    string  `json:"title"`
	Guidance string  `json:"guidance,omitempty"`
	Kind     string  `json:"kind"`
	MaxScore float64 `json:"max_score,omitempty"`
}

// UnitStatus is a campaign unit's progress through the phases.
type UnitStatus struct {
	Unit        string     `json:"unit"`
	UnitName    string     `json:"unit_name"`
	UnitNameEN  string     `json:"unit_name_en,omitempty"`
	Answered    int        `json:"answered"`
	Score       float64    `json:"score"`
	SubmittedAt *time.Time `json:"submitted_at"`
	InspectedAt *time.Time `json:"inspected_at"`
	Findings    int        `json:"findings"`
	Rects       int        `json:"rectifications"`
	OpenRects   int        `json:"open_rectifications"`
	Inspectors  []string   `json:"inspectors"`
	id          int64
	path        string
}

// UnitView is one unit's part of a campaign: its answers, the findings
// about it and its rectification items, and what the caller may do.
type UnitView struct {
	CampaignID  int64      `json:"campaign_id"`
	Unit        string     `json:"unit"`
	UnitName    string     `json:"unit_name"`
	UnitNameEN  string     `json:"unit_name_en,omitempty"`
	SubmittedAt *time.Time `json:"submitted_at"`
	SubmittedBy string     `json:"submitted_by,omitempty"`
	InspectedAt *time.Time `json:"inspected_at"`
	// SelfWindow and SiteWindow are the unit's self-inspection and
	// on-site windows: the campaign's, with the end the owner extended
	// for this unit when later. SelfOpen and SiteOpen say today is in them.
	SelfWindow Phase     `json:"self_window"`
	SiteWindow Phase     `json:"site_window"`
	SelfOpen   bool      `json:"self_open"`
	SiteOpen   bool      `json:"site_open"`
	Answers    []Answer  `json:"answers"`
	Findings   []Finding `json:"findings"`
	Rects      []Rect    `json:"rectifications"`
	// CanAnswer: the caller answers for the unit and it is not submitted.
	CanAnswer bool `json:"can_answer"`
	// CanInspect: the caller is assigned to the unit or runs the campaign.
	CanInspect bool `json:"can_inspect"`
	// CanRectify: the caller runs the campaign and opens items.
	CanRectify bool `json:"can_rectify"`
	id         int64
	path       string
}

// Answer is a unit's answer to a checklist item.
type Answer struct {
	Item   int64    `json:"item"`
	Answer string   `json:"answer"`
	Score  *float64 `json:"score"`
	Note   string   `json:"note,omitempty"`
	Files  []File   `json:"files"`
}

// Finding is what an inspector found at a unit, on an item or in general.
type Finding struct {
	ID         int64     `json:"id"`
	Unit       string    `json:"unit"`
	UnitName   string    `json:"unit_name"`
	UnitNameEN string    `json:"unit_name_en,omitempty"`
	Item       *int64    `json:"item"`
	Body       string    `json:"body"`
	Actor      string    `json:"actor"`
	CreatedAt  time.Time `json:"created_at"`
	Files      []File    `json:"files"`
}

// Rect is a rectification item.
type Rect struct {
	ID         int64     `json:"id"`
	CampaignID int64     `json:"campaign_id"`
	Campaign   string    `json:"campaign"`
	Seq        int       `json:"seq"`
	Finding    *int64    `json:"finding"`
	Unit       string    `json:"unit"`
	UnitName   string    `json:"unit_name"`
	UnitNameEN string    `json:"unit_name_en,omitempty"`
	Problem    string    `json:"problem"`
	Measures   string    `json:"measures"`
	Start      string    `json:"start"`
	Due        string    `json:"due"`
	State      string    `json:"state"`
	Percent    int       `json:"percent"`
	Version    int       `json:"version"`
	UpdatedAt  time.Time `json:"updated_at"`
	Light      string    `json:"light"`
	Overdue    bool      `json:"overdue"`
	// Mine: the caller reports on it; Owner: the caller verifies it.
	Mine      bool     `json:"mine"`
	Owner     bool     `json:"owner"`
	Allowed   []string `json:"allowed"`
	Events    []Event  `json:"events,omitempty"`
	Evidence  []File   `json:"evidence"`
	path      string
	ownerPath string
}

// Event is a step in a rectification item's history.
type Event struct {
	ID        int64     `json:"id"`
	Action    string    `json:"action"`
	State     string    `json:"state"`
	Percent   int       `json:"percent"`
	Note      string    `json:"note,omitempty"`
	Actor     string    `json:"actor"`
	CreatedAt time.Time `json:"created_at"`
	Files     []File    `json:"files"`
}

// File is an attachment as a campaign shows it.
type File struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
}

// English names the units in English where they have an English name,
// for pages in English.
func (k *Campaign) English() {
	k.UnitName = en(k.UnitName, k.UnitNameEN)
	for i := range k.Units {
		k.Units[i].UnitName = en(k.Units[i].UnitName, k.Units[i].UnitNameEN)
	}
}

// English names the unit and its items' units in English.
func (v *UnitView) English() {
	v.UnitName = en(v.UnitName, v.UnitNameEN)
	for i := range v.Rects {
		v.Rects[i].English()
	}
	for i := range v.Findings {
		v.Findings[i].UnitName = en(v.Findings[i].UnitName, v.Findings[i].UnitNameEN)
	}
}

// English names the item's unit in English.
func (r *Rect) English() { r.UnitName = en(r.UnitName, r.UnitNameEN) }

func en(zh, en string) string {
	if en != "" {
		return en
	}
	return zh
}
