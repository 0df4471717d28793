// Package dataset is aggregate data entry: data sets (forms of entered
// metrics collected per unit and period), their entry windows and
// locks, validation rules, the approval of each unit's form up the tree
// to the root, completeness and reminders, and the units' inboxes.
//
// An entered value changes its metric's facts in the transaction that
// saves it (metric.Service.EnteredChanged), so figures are current on
// commit, like a register's.
package dataset

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kexie/internal/fault"
	"kexie/internal/metric"
	"kexie/internal/period"
	"kexie/internal/register"
	"kexie/internal/unit"
)

// Def defines a data set.
type Def struct {
	Code          string `json:"code"`
	NameZH        string `json:"name_zh"`
	NameEN        string `json:"name_en"`
	DescriptionZH string `json:"description_zh,omitempty"`
	DescriptionEN string `json:"description_en,omitempty"`
	// PeriodType is year, half, quarter or month.
	PeriodType string `json:"period_type"`
	// Metrics are the entered metrics of the form, in order. Each is
	// defined (or updated) as a metric of source "entered".
	Metrics []Item `json:"metrics"`
	// The units that report: those of these types, and those in these groups.
	UnitTypes []string `json:"unit_types"`
	Groups    []string `json:"groups"`
	// LockAfterDays locks a period that many days after it ends (0: never).
	LockAfterDays int `json:"lock_after_days"`
	// Windows set the entry dates of given periods, overriding the rule
	// "from the period's first day until it locks".
	Windows []Window `json:"windows"`
	// Rules are checked on every save and before a submission.
	Rules []Rule `json:"rules"`
}

// Item is an entered metric of a data set.
type Item struct {
	Code          string            `json:"code"`
	NameZH        string            `json:"name_zh"`
	NameEN        string            `json:"name_en"`
	DescriptionZH string            `json:"description_zh,omitempty"`
	DescriptionEN string            `json:"description_en,omitempty"`
	Unit          string            `json:"unit"` // of measure: 场次, 人次, 元
	Aggregation   string            `json:"aggregation"`
	ValueType     string            `json:"value_type"`
	Scale         int               `json:"scale,omitempty"`
	Categories    []register.Option `json:"categories"`
	// Required values must be entered before the form is submitted
	// (for every category, when the metric has categories).
	Required bool `json:"required,omitempty"`
}

// metricDef is the metric an item defines in a data set of period type pt.
func (it Item) metricDef(pt string) metric.Def {
	cats := it.Categories
	if len(cats) == 0 {
		cats = nil
	}
	return metric.Def{Code: it.Code, NameZH: it.NameZH, NameEN: it.NameEN, DescriptionZH: it.DescriptionZH, DescriptionEN: it.DescriptionEN,
		Unit: it.Unit, Decimals: it.field().ScaleOf(), Aggregation: metric.Aggregation(it.Aggregation), Source: metric.FromEntered,
		ValueType: it.ValueType, Scale: it.Scale, PeriodType: pt, Categories: cats}
}

// field is how the item's values are read and shown.
func (it Item) field() register.Field {
	return register.Field{Code: it.Code, Type: register.FieldType(it.ValueType), Scale: it.Scale, NameZH: it.NameZH, NameEN: it.NameEN}
}

// Name returns the item's label in lang.
func (it Item) Name(lang string) string { return pick(lang, it.NameZH, it.NameEN) }

// Cells are the values a form holds for the item: one, or one per category.
func (it Item) Cells() []string {
	if len(it.Categories) == 0 {
		return []string{""}
	}
	out := make([]string, len(it.Categories))
	for i, c := range it.Categories {
		out[i] = c.Code
	}
	return out
}

// Window is the entry dates of one period: entry is open from Opens to
// Closes, both days included (China time).
type Window struct {
	Period string `json:"period"`
	Opens  string `json:"opens"`
	Closes string `json:"closes"`
}

// Exception lets one unit enter a period until a day, whatever the window.
type Exception struct {
	Unit   string `json:"unit"`
	Period string `json:"period"`
	Until  string `json:"until"` // "" removes the exception
}

// Severity of a rule: an error refuses the save, a warning is shown.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Rule compares two expressions over the form's values: metric codes
// stand for their totals, cats.CODE.CAT for a category's value.
type Rule struct {
	Code      string `json:"code"`
	Left      string `json:"left"`
	Op        string `json:"op"` // ==, !=, <, <=, >, >=
	Right     string `json:"right"`
	Severity  string `json:"severity"`
	MessageZH string `json:"message_zh"`
	MessageEN string `json:"message_en"`
}

// Message returns the rule's message in lang.
func (r Rule) Message(lang string) string { return pick(lang, r.MessageZH, r.MessageEN) }

var ops = []string{"==", "!=", "<", "<=", ">", ">="}

// Limits of a definition.
const (
	MaxMetrics    = 100
	MaxRules      = 100
	MaxWindows    = 200
	MaxExprLength = 500
	MaxLockDays   = 3660
)

// DataSet is a stored data set.
type DataSet struct {
	ID        int64     `json:"-"`
	Version   int       `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
	Def
	rules []compiledRule
}

// Name returns the data set's name in lang.
func (d *DataSet) Name(lang string) string { return pick(lang, d.NameZH, d.NameEN) }

// Item returns the item of metric code.
func (d *DataSet) Item(code string) (Item, bool) {
	for _, it := range d.Metrics {
		if it.Code == code {
			return it, true
		}
	}
	return Item{}, false
}

// Assigned says whether unit u reports in the data set.
func (d *DataSet) Assigned(u unit.Unit) bool {
	if slices.Contains(d.UnitTypes, u.Type) {
		return true
	}
	for _, g := range u.Groups {
		if slices.Contains(d.Groups, g) {
			return true
		}
	}
	return false
}

// Period parses a period of the data set's type.
func (d *DataSet) Period(id string) (period.Period, error) {
	p, err := period.Parse(id)
	if err != nil {
		return period.Period{}, fault.InvalidField("period", "dataset.period.invalid", "value", id)
	}
	if string(p.Kind) != d.PeriodType {
		return period.Period{}, fault.InvalidField("period", "dataset.period.kind", "value", id, "kind", d.PeriodType)
	}
	return p, nil
}

func pick(lang, zh, en string) string {
	if lang == "en" && en != "" {
		return en
	}
	return zh
}

func (d *Def) normalize() {
	d.Code = strings.TrimSpace(d.Code)
	d.NameZH = strings.TrimSpace(d.NameZH)
	d.NameEN = strings.TrimSpace(d.NameEN)
	d.PeriodType = strings.TrimSpace(d.PeriodType)
	for i := range d.Metrics {
		it := &d.Metrics[i]
		it.Code = strings.TrimSpace(it.Code)
		it.NameZH = strings.TrimSpace(it.NameZH)
		it.NameEN = strings.TrimSpace(it.NameEN)
		if it.Categories == nil {
			it.Categories = []register.Option{}
		}
	}
	for _, l := range []*[]string{&d.UnitTypes, &d.Groups} {
		if *l == nil {
			*l = []string{}
		}
	}
	if d.Windows == nil {
		d.Windows = []Window{}
	}
	if d.Rules == nil {
		d.Rules = []Rule{}
	}
	if d.Metrics == nil {
		d.Metrics = []Item{}
	}
}

// check validates a definition; types and groups are the known codes.
func (d *Def) check(types, groups map[string]bool) error {
	c := &fault.Check{}
	if !register.ValidCode(d.Code) {
		c.Add("code", "register.code.invalid")
	}
	checkText(c, "name_zh", d.NameZH, 100, true)
	checkText(c, "name_en", d.NameEN, 200, false)
	checkText(c, "description_zh", d.DescriptionZH, 2000, false)
	checkText(c, "description_en", d.DescriptionEN, 4000, false)
	if !slices.Contains(metric.EnteredKinds, period.Kind(d.PeriodType)) {
		c.Add("period_type", "error.option", "value", d.PeriodType)
	}
	switch {
	case len(d.Metrics) == 0:
		c.Add("metrics", "error.required")
	case len(d.Metrics) > MaxMetrics:
		c.Add("metrics", "error.too_many", "max", MaxMetrics)
	}
	seen := map[string]bool{}
	for i, it := range d.Metrics {
		at := fmt.Sprintf("metrics[%d]", i)
		if seen[it.Code] {
			c.Add(at+".code", "dataset.metric.duplicate", "code", it.Code)
		}
		seen[it.Code] = true
		checkText(c, at+".name_zh", it.NameZH, 100, true)
	}
	if len(d.UnitTypes) == 0 && len(d.Groups) == 0 {
		c.Add("unit_types", "dataset.assignment.required")
	}
	for i, t := range d.UnitTypes {
		if !types[t] {
			c.Add(fmt.Sprintf("unit_types[%d]", i), "unit.type.unknown", "value", t)
		}
	}
	for i, g := range d.Groups {
		if !groups[g] {
			c.Add(fmt.Sprintf("groups[%d]", i), "unit.group.unknown", "code", g)
		}
	}
	if d.LockAfterDays < 0 || d.LockAfterDays > MaxLockDays {
		c.Add("lock_after_days", "dataset.lock_days", "max", MaxLockDays)
	}
	if len(d.Windows) > MaxWindows {
		c.Add("windows", "error.too_many", "max", MaxWindows)
	}
	periods := map[string]bool{}
	for i, w := range d.Windows {
		at := fmt.Sprintf("windows[%d]", i)
		p, err := period.Parse(w.Period)
		switch {
		case err != nil || string(p.Kind) != d.PeriodType:
			c.Add(at+".period", "dataset.period.kind", "value", w.Period, "kind", d.PeriodType)
		case periods[p.ID]:
			c.Add(at+".period", "dataset.window.duplicate", "value", w.Period)
		}
		periods[w.Period] = true
		opens, err1 := time.Parse(time.DateOnly, w.Opens)
		closes, err2 := time.Parse(time.DateOnly, w.Closes)
		if err1 != nil {
			c.Add(at+".opens", "error.date", "value", w.Opens)
		}
		if err2 != nil {
			c.Add(at+".closes", "error.date", "value", w.Closes)
		}
		if err1 == nil && err2 == nil && closes.Before(opens) {
			c.Add(at+".closes", "dataset.window.order")
		}
	}
	if len(d.Rules) > MaxRules {
		c.Add("rules", "error.too_many", "max", MaxRules)
	}
	codes := map[string]bool{}
	for i, r := range d.Rules {
		at := fmt.Sprintf("rules[%d]", i)
		switch {
		case !register.ValidCode(r.Code):
			c.Add(at+".code", "register.code.invalid")
		case codes[r.Code]:
			c.Add(at+".code", "dataset.rule.duplicate", "code", r.Code)
		}
		codes[r.Code] = true
		if !slices.Contains(ops, r.Op) {
			c.Add(at+".op", "error.option", "value", r.Op)
		}
		if r.Severity != SeverityError && r.Severity != SeverityWarning {
			c.Add(at+".severity", "error.option", "value", r.Severity)
		}
		for _, side := range []struct{ name, expr string }{{"left", r.Left}, {"right", r.Right}} {
			switch {
			case strings.TrimSpace(side.expr) == "":
				c.Add(at+"."+side.name, "error.required")
			case len(side.expr) > MaxExprLength:
				c.Add(at+"."+side.name, "error.too_long", "max", MaxExprLength)
			default:
				if _, err := compileSide(side.expr, d.Metrics); err != nil {
					c.Add(at+"."+side.name, "dataset.rule.expr", "detail", firstLine(err.Error()))
				}
			}
		}
		checkText(c, at+".message_zh", r.MessageZH, 200, true)
		checkText(c, at+".message_en", r.MessageEN, 400, false)
	}
	return c.Err()
}

func checkText(c *fault.Check, field, v string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(v) == "":
		c.Add(field, "error.required")
	case utf8.RuneCountInString(v) > max:
		c.Add(field, "error.too_long", "max", max)
	case strings.ContainsRune(v, 0):
		c.Add(field, "error.bad_text")
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if utf8.RuneCountInString(s) > 200 {
		s = string([]rune(s)[:200])
	}
	return s
}
