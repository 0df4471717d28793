// Package metric defines figures once and keeps them current: every
// committed record write updates, in the same transaction, sparse facts
// keyed by (metric, unit, day) for the record's unit and each ancestor, so
// reading a figure for any subtree and period is a small indexed read.
package metric

import (
	"strings"
	"unicode/utf8"

	"kexie/internal/fault"
	"kexie/internal/register"
)

// Aggregation says how a figure combines over time and over units.
type Aggregation string

// The aggregation types.
const (
	// Flow sums over time and over units (events held).
	Flow Aggregation = "flow"
	// Stock takes each unit's latest value at the end of the period, then
	// sums over units (registered volunteers).
	Stock Aggregation = "stock"
	// Distinct counts distinct values, recounted at every level, never
	// summed (enterprises served).
	Distinct Aggregation = "distinct"
	// Average is sum / count at every level.
	Average Aggregation = "average"
	// Min and Max are the least and greatest value, recomputed.
	Min Aggregation = "min"
	Max Aggregation = "max"
	// Ratio is a numerator over a denominator, each computed at the level
	// asked, never averaged.
	Ratio Aggregation = "ratio"
)

// Source says where a metric's values come from.
type Source string

// The sources.
const (
	FromRegister Source = "register"
	FromFormula  Source = "formula"
	// FromEntered values are entered per unit and period in a data set
	// (aggregate data entry, package dataset); see entered.go.
	FromEntered Source = "entered"
)

// Def defines a metric.
type Def struct {
	Code          string      `json:"code"`
	NameZH        string      `json:"name_zh"`
	NameEN        string      `json:"name_en"`
	DescriptionZH string      `json:"description_zh,omitempty"`
	DescriptionEN string      `json:"description_en,omitempty"`
	Unit          string      `json:"unit"` // unit of measure: 个, 场次, 人次, 元, TB, %
	Decimals      int         `json:"decimals,omitempty"`
	Aggregation   Aggregation `json:"aggregation"`
	Source        Source      `json:"source"`
	// Register source: count the records of Register matching Filter, or
	// sum Field over them, or count distinct values of Field.
	Register string `json:"register,omitempty"`
	Filter   string `json:"filter,omitempty"`
	Field    string `json:"field,omitempty"`
	// Breakdown is an option field of the register to break the figure down by.
	Breakdown string `json:"breakdown,omitempty"`
	// Formula source: an expression over other metrics' codes; for a
	// ratio, Numerator and Denominator name the two metrics.
	Formula     string `json:"formula,omitempty"`
	Numerator   string `json:"numerator,omitempty"`
	Denominator string `json:"denominator,omitempty"`
	// Percent shows a ratio as a percentage.
	Percent bool `json:"percent,omitempty"`
	// Entered source: the type of the values (integer, decimal, money,
	// percent), the decimals of a decimal (default 2), the period type of
	// the data set that collects them (year, half, quarter, month), and
	// an optional small set of categories: values are then entered per
	// category, and the total is their sum.
	ValueType  string            `json:"value_type,omitempty"`
	Scale      int               `json:"scale,omitempty"`
	PeriodType string            `json:"period_type,omitempty"`
	Categories []register.Option `json:"categories,omitempty"`
	// Cumulative makes a distinct count read every record dated up to the
	// period's end, not only those within it (societies covered so far).
	Cumulative bool `json:"cumulative,omitempty"`
	// Units source (units.go): the open units of UnitType, in UnitGroup
	// when named, holding an open unit of type Having when named.
	UnitType  string `json:"unit_type,omitempty"`
	UnitGroup string `json:"unit_group,omitempty"`
	Having    string `json:"having,omitempty"`
}

// MaxBreakdown bounds the categories a breakdown may have.
const MaxBreakdown = 50

var aggregations = []Aggregation{Flow, Stock, Distinct, Average, Min, Max, Ratio}

// check validates a definition against the register it reads; lookup
// returns another metric's definition by code.
func (d *Def) check(reg *register.Register, lookup func(string) (*Def, bool)) error {
	c := &fault.Check{}
	if !register.ValidCode(d.Code) {
		c.Add("code", "register.code.invalid")
	}
	if strings.TrimSpace(d.NameZH) == "" {
		c.Add("name_zh", "error.required")
	} else if utf8.RuneCountInString(d.NameZH) > 100 {
		c.Add("name_zh", "error.too_long", "max", 100)
	}
	if utf8.RuneCountInString(d.Unit) > 20 {
		c.Add("unit", "error.too_long", "max", 20)
	}
	if d.Decimals < 0 || d.Decimals > 6 {
		c.Add("decimals", "register.field.scale", "max", 6)
	}
	known := false
	for _, a := range aggregations {
		known = known || a == d.Aggregation
	}
	if !known {
		c.Add("aggregation", "error.option", "value", string(d.Aggregation))
	}
	switch d.Source {
	case FromRegister:
		d.checkRegister(c, reg)
	case FromEntered:
		d.checkEntered(c)
	case FromUnits:
		d.checkUnits(c)
	case FromFormula:
		if d.Aggregation == Ratio {
			for _, part := range []struct{ field, code string }{{"numerator", d.Numerator}, {"denominator", d.Denominator}} {
				if _, ok := lookup(part.code); !ok {
					c.Add(part.field, "metric.unknown", "code", part.code)
				}
			}
		} else if strings.TrimSpace(d.Formula) == "" {
			c.Add("formula", "error.required")
		}
	default:
		c.Add("source", "error.option", "value", string(d.Source))
	}
	d.checkCumulative(c)
	return c.Err()
}

func (d *Def) checkRegister(c *fault.Check, reg *register.Register) {
	if reg == nil {
		c.Add("register", "register.field.register_unknown", "code", d.Register)
		return
	}
	if d.Field != "" && (d.Field != UnitField || d.Aggregation != Distinct) {
		f, ok := reg.Schema.Field(d.Field)
		switch {
		case !ok:
			c.Add("field", "register.natural_key.unknown", "code", d.Field)
		case d.Aggregation != Distinct && !f.Numeric():
			c.Add("field", "metric.field.not_numeric", "code", d.Field)
		}
	}
	switch d.Aggregation {
	case Distinct:
		if d.Field == "" {
			c.Add("field", "error.required")
		}
	case Average, Min, Max: // a stock without a field counts records
		if d.Field == "" {
			c.Add("field", "error.required")
		}
	case Ratio:
		c.Add("aggregation", "metric.ratio.formula")
	}
	if d.Breakdown != "" {
		f, ok := reg.Schema.Field(d.Breakdown)
		if !ok || (f.Type != register.TypeOption && f.Type != register.TypeOptions && f.Type != register.TypeBoolean) {
			c.Add("breakdown", "metric.breakdown.field", "code", d.Breakdown)
		} else if len(f.Options) > MaxBreakdown {
			c.Add("breakdown", "metric.breakdown.too_many", "max", MaxBreakdown)
		}
	}
}
