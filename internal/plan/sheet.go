package plan

import (
	"bytes"
	"context"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"kexie/internal/fault"
	"kexie/internal/sheet"
)

// columns of a plan's sheet, in order; the first sixteen are read back
// on import (the last four of them may be missing, as in sheets made
// before they were), the rest (progress) are written on export only.
var columns = []struct{ zh, en string }{
	{"部分", "Section"}, {"任务", "Task"}, {"牵头单位", "Lead"}, {"开始", "Start"}, {"期限", "Due"},
	{"目标", "Target"}, {"指标", "Metric"}, {"比较", "Comparison"}, {"基数", "Baseline"}, {"目标值", "Goal"},
	{"分解单位", "Allotted to"}, {"分解值", "Allotted"},
	{"节点", "Milestone"}, {"节点日期", "Milestone due"}, {"催办灯色", "Remind lights"}, {"催办间隔天数", "Remind every days"},
	{"当前", "Now"}, {"进度", "Progress"}, {"灯", "Light"}, {"状态", "State"},
}

const (
	colSection = iota
	colTask
	colLead
	colStart
	colDue
	colTarget
	colMetric
	colCmp
	colBaseline
	colGoal
	colUnit
	colAllotted
	colMilestone
	colMilestoneDue
	colRemindLights
	colRemindDays
	readCols
	colNow = iota - 1
	colProgress
	colLight
	colState
)

// requiredCols are the columns every plan sheet has.
const requiredCols = colMilestone

// lightNames are the light names a sheet takes for a reminder rule, and
// the first of each is what Export writes.
var lightNames = map[string][]string{Green: {"绿灯", "绿", "green"}, Yellow: {"黄灯", "黄", "yellow"}, Red: {"红灯", "红", "red"}}

// MaxSheetRows bounds the rows of an imported plan.
const MaxSheetRows = 20_000

func header(i int) string { return columns[i].zh + " / " + columns[i].en }

// Export writes the plan as the caller sees it, with live progress, as a
// workbook whose first twelve columns Import reads back.
func (s *Service) Export(ctx context.Context, c Caller, id int64, w io.Writer) error {
	p, err := s.Get(ctx, c, id)
	if err != nil {
		return err
	}
	x := excelize.NewFile()
	defer x.Close()
	const name = "计划 Plan"
	if err := x.SetSheetName("Sheet1", name); err != nil {
		return err
	}
	sw, err := x.NewStreamWriter(name)
	if err != nil {
		return err
	}
	head := make([]any, len(columns))
	for i := range columns {
		head[i] = header(i)
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	row := 2
	rule := p.RemindRule != nil && p.RemindRule.EveryDays > 0
	put := func(cells []any) error {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		row++
		return sw.SetRow(cell, cells)
	}
	for _, sec := range p.Sections {
		first := true
		for _, t := range sec.Tasks {
			cells := make([]any, len(columns))
			if first {
				cells[colSection] = sec.Title
				first = false
			}
			cells[colTask], cells[colLead], cells[colStart], cells[colDue] = t.Title, t.Lead, t.Start, t.Due
			cells[colProgress] = pctText(t.Progress)
			cells[colLight], cells[colState] = t.Light, t.State
			if rule {
				// the plan's reminder rule, once, on its first row
				cells[colRemindLights], cells[colRemindDays] = lightsText(p.RemindRule.Lights), p.RemindRule.EveryDays
				rule = false
			}
			if len(t.Targets) == 0 {
				if err := put(cells); err != nil {
					return err
				}
			}
			for gi, g := range t.Targets {
				if gi > 0 {
					cells = make([]any, len(columns))
				}
				cells[colTarget], cells[colMetric], cells[colCmp], cells[colBaseline], cells[colGoal] = g.Title, g.Metric, g.Comparison, g.Baseline, g.Goal
				if g.Current != nil {
					cells[colNow] = *g.Current
				}
				cells[colProgress], cells[colLight] = pctText(g.Progress), g.Light
				if gi == 0 {
					cells[colState] = t.State
				}
				if err := put(cells); err != nil {
					return err
				}
				for _, a := range g.Allotments {
					cells := make([]any, len(columns))
					cells[colUnit], cells[colAllotted] = a.Unit, a.Goal
					if a.Current != nil {
						cells[colNow] = *a.Current
					}
					cells[colProgress], cells[colLight] = pctText(a.Progress), a.Light
					if err := put(cells); err != nil {
						return err
					}
				}
			}
			for _, m := range t.Milestones {
				cells := make([]any, len(columns))
				cells[colMilestone], cells[colMilestoneDue], cells[colState] = m.Title, m.Due, m.Done
				if err := put(cells); err != nil {
					return err
				}
			}
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return x.Write(w)
}

func pctText(p float64) string { return strconv.Itoa(int(p*100+0.5)) + "%" }

// lightsText names lights the way a sheet reads them back: 黄灯、红灯.
func lightsText(lights []string) string {
	names := make([]string, len(lights))
	for i, l := range lights {
		names[i] = l
		if n, ok := lightNames[l]; ok {
			names[i] = n[0]
		}
	}
	return strings.Join(names, "、")
}

// readLights reads the lights of a reminder rule: 绿灯、黄灯、红灯 or
// green, yellow, red (绿, 黄, 红 too), separated by commas, 、 or spaces.
func readLights(ch *fault.Check, at, s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ';' || r == ' ' }) {
		found := ""
		for l, names := range lightNames {
			for _, n := range names {
				if strings.EqualFold(f, n) {
					found = l
				}
			}
		}
		if found == "" {
			ch.Add(at, "plan.sheet.light", "value", f)
			continue
		}
		if !slices.Contains(out, found) {
			out = append(out, found)
		}
	}
	return out
}

// ParseSheet reads the sections, tasks, targets and allotments of a plan
// from the first sheet of a workbook (or a CSV file) laid out as Export
// writes it; see ParsePlan.
func ParseSheet(data []byte, name string) ([]SectionSpec, error) {
	sp, err := ParsePlan(data, name)
	return sp.Sections, err
}

// ParsePlan reads a plan from the first sheet of a workbook (or a CSV
// file) laid out as Export writes it: a row with a section starts a
// section, a row with a task a task in it, a row with a target a target
// of that task, a row with an allotment unit an allotment of that
// target, a row with a milestone a milestone of the task; the reminder
// rule (lights and interval) is written once, on any row. A cell that
// cannot be read is refused with its place; nothing is guessed. The
// title, period and unit are not in the sheet.
func ParsePlan(data []byte, name string) (Spec, error) {
	var out Spec
	rd, prob := sheet.Open(bytes.NewReader(data), int64(len(data)), name, sheet.Limits{Cols: len(columns)})
	if prob != nil {
		return out, fault.InvalidField("file", prob.Key, flatten(prob.Args)...)
	}
	defer rd.Close()
	ch := &fault.Check{}
	headerSeen := false
	var has [readCols]bool // the optional columns the sheet has
	var sec *SectionSpec
	var task *TaskSpec
	var target *TargetSpec
	ruleRow := 0
	for rd.Next() {
		r := rd.Row()
		if r.Blank() {
			continue
		}
		if r.Num > MaxSheetRows {
			ch.Add("file", "plan.sheet.too_many_rows", "max", MaxSheetRows)
			break
		}
		at := func(col int) string { return "row " + strconv.Itoa(r.Num) + " " + sheet.ColumnName(col) }
		if !headerSeen {
			for i := range readCols {
				h := strings.TrimSpace(sheet.FoldWidth(r.Cell(i)))
				has[i] = h == header(i) || h == columns[i].zh || strings.EqualFold(h, columns[i].en)
				if !has[i] && i < requiredCols {
					ch.Add(at(i), "plan.sheet.header", "want", header(i), "value", r.Cell(i))
				}
			}
			if !ch.OK() {
				return out, ch.Err()
			}
			headerSeen = true
			continue
		}
		cell := func(i int) string {
			if i >= requiredCols && !has[i] {
				return ""
			}
			return strings.TrimSpace(r.Cell(i))
		}
		if v := cell(colSection); v != "" {
			out.Sections = append(out.Sections, SectionSpec{Title: v})
			sec, task, target = &out.Sections[len(out.Sections)-1], nil, nil
		}
		if v := cell(colTask); v != "" {
			if sec == nil {
				ch.Add(at(colTask), "plan.sheet.no_section")
				continue
			}
			sec.Tasks = append(sec.Tasks, TaskSpec{Title: v, Lead: cell(colLead),
				Start: dateCell(ch, at(colStart), r, colStart, rd.Date1904()), Due: dateCell(ch, at(colDue), r, colDue, rd.Date1904())})
			task, target = &sec.Tasks[len(sec.Tasks)-1], nil
		}
		if v := cell(colTarget); v != "" {
			if task == nil {
				ch.Add(at(colTarget), "plan.sheet.no_task")
				continue
			}
			task.Targets = append(task.Targets, TargetSpec{Title: v, Metric: cell(colMetric), Comparison: cell(colCmp),
				Baseline: number(ch, at(colBaseline), cell(colBaseline)), Goal: number(ch, at(colGoal), cell(colGoal))})
			target = &task.Targets[len(task.Targets)-1]
		}
		if v := cell(colUnit); v != "" {
			if target == nil {
				ch.Add(at(colUnit), "plan.sheet.no_target")
				continue
			}
			target.Allotments = append(target.Allotments, AllotmentSpec{Unit: v, Goal: number(ch, at(colAllotted), cell(colAllotted))})
		}
		if v := cell(colMilestone); v != "" || cell(colMilestoneDue) != "" {
			switch {
			case task == nil:
				ch.Add(at(colMilestone), "plan.sheet.milestone_no_task")
			case v == "":
				ch.Add(at(colMilestone), "error.required")
			default:
				due := ""
				if has[colMilestoneDue] {
					due = dateCell(ch, at(colMilestoneDue), r, colMilestoneDue, rd.Date1904())
				}
				if due == "" {
					ch.Add(at(colMilestoneDue), "error.required")
				}
				task.Milestones = append(task.Milestones, MilestoneSpec{Title: v, Due: due})
			}
		}
		if lights, days := cell(colRemindLights), cell(colRemindDays); lights != "" || days != "" {
			if ruleRow != 0 {
				ch.Add(at(colRemindLights), "plan.sheet.rule_twice", "row", ruleRow)
				continue
			}
			ruleRow = r.Num
			rule := &RemindRule{Lights: readLights(ch, at(colRemindLights), lights)}
			if days == "" {
				ch.Add(at(colRemindDays), "plan.sheet.rule_days")
			} else if n, err := strconv.Atoi(days); err != nil {
				ch.Add(at(colRemindDays), "plan.sheet.integer", "value", days)
			} else {
				rule.EveryDays = n
			}
			out.RemindRule = rule
		}
	}
	if p := rd.Problem(); p != nil {
		ch.Add("file", p.Key, flatten(p.Args)...)
	}
	if !headerSeen && ch.OK() {
		ch.Add("file", "plan.sheet.empty")
	}
	return out, ch.Err()
}

func flatten(m map[string]any) []any {
	var out []any
	for k, v := range m {
		out = append(out, k, v)
	}
	return out
}

func number(ch *fault.Check, at, s string) float64 {
	if s == "" {
		return 0
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		ch.Add(at, "plan.sheet.number", "value", s)
		return 0
	}
	return v
}

// dateCell reads a date typed as text (2021-07-01) or stored as Excel's
// serial day.
func dateCell(ch *fault.Check, at string, r sheet.Row, col int, date1904 bool) string {
	s := strings.TrimSpace(r.Cell(col))
	if s == "" || r.Kind(col) != sheet.KindDate && r.Kind(col) != sheet.KindNumber {
		return s
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n < 1 || n > 2_958_465 {
		ch.Add(at, "plan.date.invalid", "value", s)
		return s
	}
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if date1904 {
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return base.AddDate(0, 0, int(n)).Format(time.DateOnly)
}

// Import creates a plan from a sheet: title, period and unit as given,
// the rest from the file; nothing is written when anything is refused.
func (s *Service) Import(ctx context.Context, c Caller, title, periodID, unitCode string, data []byte, name string) (int64, error) {
	sp, err := ParsePlan(data, name)
	if err != nil {
		return 0, err
	}
	sp.Title, sp.Period, sp.Unit = title, periodID, unitCode
	return s.Create(ctx, c, sp)
}
