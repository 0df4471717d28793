// Package dashboard holds saved dashboards: a user's page of widgets —
// a figure with its change on the previous period, a bar by child unit,
// a line over the months, a table — rooted at a unit and read with
// relative periods, so "this half-year" is always the current one. A
// dashboard can be shared: everyone whose read scope holds its unit sees
// it; only its owner changes it.
package dashboard

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kexie/internal/fault"
	"kexie/internal/metric"
	"kexie/internal/unit"
)

// The widget types.
const (
	Figure = "figure" // the value, with its change on the previous period
	Bar    = "bar"    // the value of each child unit
	Line   = "line"   // the value of each month of the period
	Table  = "table"  // child units × metrics
)

// Types lists the widget types in the order the editor offers them.
var Types = []string{Figure, Bar, Line, Table}

// Limits of a dashboard.
const (
	MaxWidgets      = 60
	MaxTableMetrics = 10
	MaxName         = 100
)

// Widget is one widget of a dashboard.
type Widget struct {
	Type   string `json:"type"`
	Metric string `json:"metric"`
	// Metrics are a table's further columns.
	Metrics []string `json:"metrics,omitempty"`
	// Period is a relative (THIS_HALF) or fixed (2021S1) period.
	Period string `json:"period"`
	// Unit is the unit whose subtree the widget reads, within the
	// dashboard's; empty for the dashboard's own unit.
	Unit string `json:"unit,omitempty"`
	// UnitType keeps a bar's or a table's child units of one type
	// (cities, say); empty for the first type among the children.
	UnitType string `json:"unit_type,omitempty"`
	Title    string `json:"title,omitempty"`
}

// Dashboard is a saved dashboard.
type Dashboard struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Unit      string    `json:"unit"`
	Owner     string    `json:"owner"`
	Shared    bool      `json:"shared"`
	Mine      bool      `json:"mine"` // the caller owns it and may change it
	Widgets   []Widget  `json:"widgets"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	OwnerID   int64     `json:"-"`
	UnitPath  string    `json:"-"`
}

// Create is a request to save a new dashboard.
type Create struct {
	Name    string   `json:"name"`
	Unit    string   `json:"unit"`
	Shared  bool     `json:"shared"`
	Widgets []Widget `json:"widgets"`
}

// Update changes a dashboard; nil fields are left as they are.
type Update struct {
	Name    *string   `json:"name"`
	Unit    *string   `json:"unit"`
	Shared  *bool     `json:"shared"`
	Widgets *[]Widget `json:"widgets"`
	// Version, when given, must match the stored version.
	Version *int `json:"version"`
}

// Caller is who reads or changes dashboards: a user and its read scope.
type Caller struct {
	UserID int64
	Read   unit.Scope
}

// check validates a dashboard's content: its unit must lie in the
// caller's read scope and every widget's unit inside the dashboard's.
func (s *Service) check(ctx context.Context, c Caller, name, unitCode string, widgets []Widget) (unit.Unit, error) {
	ch := &fault.Check{}
	name = strings.TrimSpace(name)
	if name == "" {
		ch.Add("name", "error.required")
	} else if utf8.RuneCountInString(name) > MaxName {
		ch.Add("name", "error.too_long", "max", MaxName)
	}
	var root unit.Unit
	if strings.TrimSpace(unitCode) == "" {
		ch.Add("unit", "error.required")
	} else {
		u, err := s.units.Get(ctx, c.Read, strings.TrimSpace(unitCode))
		if err != nil {
			ch.Add("unit", "dashboards.unit.unknown", "code", unitCode)
		}
		root = u
	}
	if len(widgets) > MaxWidgets {
		ch.Add("widgets", "error.too_many", "max", MaxWidgets)
	}
	for i, w := range widgets {
		if i >= MaxWidgets {
			break
		}
		at := fmt.Sprintf("widgets[%d]", i)
		if !slices.Contains(Types, w.Type) {
			ch.Add(at+".type", "error.option", "value", w.Type)
		}
		codes := []string{w.Metric}
		if w.Type == Table {
			codes = append(codes, w.Metrics...)
			if len(w.Metrics)+1 > MaxTableMetrics {
				ch.Add(at+".metrics", "error.too_many", "max", MaxTableMetrics)
			}
		} else if len(w.Metrics) > 0 {
			ch.Add(at+".metrics", "dashboards.widget.metrics")
		}
		for j, code := range codes {
			field := at + ".metric"
			if j > 0 {
				field = fmt.Sprintf("%s.metrics[%d]", at, j-1)
			}
			if code == "" {
				ch.Add(field, "error.required")
			} else if _, err := s.metrics.Get(ctx, code); err != nil {
				ch.Add(field, "metric.unknown", "code", code)
			}
		}
		if _, err := metric.ParsePeriod(w.Period); err != nil {
			ch.Add(at+".period", "register.filter.period", "value", w.Period)
		}
		if w.Unit != "" && root.Path != "" {
			u, err := s.units.Get(ctx, c.Read, w.Unit)
			if err != nil || !unit.Subtrees(root.Path).Contains(u.Path) {
				ch.Add(at+".unit", "dashboards.widget.unit_outside", "code", w.Unit)
			}
		}
		if utf8.RuneCountInString(w.Title) > MaxName {
			ch.Add(at+".title", "error.too_long", "max", MaxName)
		}
		if len(w.UnitType) > 40 {
			ch.Add(at+".unit_type", "error.too_long", "max", 40)
		}
	}
	return root, ch.Err()
}
