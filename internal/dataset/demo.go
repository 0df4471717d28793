package dataset

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"

	"kexie/internal/fault"
	"kexie/internal/register"
	"kexie/internal/unit"
)

// DemoCode is the data set of the demo: the cities' half-year report.
const DemoCode = "city_half_year"

// DemoDef is the demo data set: a half-year report of the city
// associations, with a few entered metrics and checks.
func DemoDef() Def {
	return Def{
		Code: DemoCode, NameZH: "市级科协半年工作报表", NameEN: "City associations' half-year report",
		DescriptionZH: "各设区市科协每半年报送一次，省科协审核接收。期末后 45 天锁定。",
		DescriptionEN: "Each city association reports every half-year; the provincial association approves. Locked 45 days after the period ends.",
		PeriodType:    "half", UnitTypes: []string{"city"}, LockAfterDays: 45,
		Metrics: []Item{
			{Code: "hy_activities", NameZH: "举办科普活动", NameEN: "Outreach events held", Unit: "场次", Aggregation: "flow", ValueType: "integer", Required: true},
			{Code: "hy_participants", NameZH: "科普活动参与人次", NameEN: "Participants", Unit: "人次", Aggregation: "flow", ValueType: "integer", Required: true,
				Categories: []register.Option{{Code: "online", NameZH: "线上", NameEN: "Online"}, {Code: "offline", NameZH: "线下", NameEN: "On site"}}},
			{Code: "hy_funds", NameZH: "科普经费投入", NameEN: "Outreach funding", Unit: "元", Aggregation: "flow", ValueType: "money"},
			{Code: "hy_volunteers", NameZH: "注册科技志愿者", NameEN: "Registered science volunteers", Unit: "人", Aggregation: "stock", ValueType: "integer",
				DescriptionZH: "期末在册人数", DescriptionEN: "Registered at the end of the half-year"},
			{Code: "hy_satisfaction", NameZH: "群众满意度", NameEN: "Public satisfaction", Unit: "%", Aggregation: "average", ValueType: "percent"},
		},
		Rules: []Rule{
			{Code: "participants_cover_events", Left: "hy_participants", Op: ">=", Right: "hy_activities", Severity: SeverityError,
				MessageZH: "参与人次不应少于活动场次", MessageEN: "Participants should not be fewer than events"},
			{Code: "funds_not_negative", Left: "hy_funds", Op: ">=", Right: "0", Severity: SeverityError, MessageZH: "经费不能为负数", MessageEN: "Funding cannot be negative"},
			{Code: "satisfaction_at_most_100", Left: "hy_satisfaction", Op: "<=", Right: "100", Severity: SeverityError, MessageZH: "满意度不能超过 100%", MessageEN: "Satisfaction cannot exceed 100%"},
			{Code: "participants_per_event", Left: "hy_participants", Op: "<=", Right: "hy_activities * 5000", Severity: SeverityWarning,
				MessageZH: "场均参与人次超过 5000，请核实", MessageEN: "More than 5,000 participants per event: please check"},
		},
	}
}

// LoadDemo defines the demo data set and fills two half-years of the
// cities' reports: 2025S1 accepted everywhere, 2025S2 partly submitted,
// approved and accepted, so the status pages have something to show. It
// needs the demo units; a second run changes nothing.
func LoadDemo(ctx context.Context, s *Service) error {
	if _, err := s.Get(ctx, DemoCode); err == nil {
		return nil
	} else if !errors.Is(err, fault.ErrNotFound) {
		return err
	}
	if _, err := s.Define(ctx, DemoDef()); err != nil {
		return fmt.Errorf("demo data set: %w", err)
	}
	sys := System()
	var cities []unit.Unit
	for page := 1; ; page++ {
		p, err := s.units.List(ctx, unit.Everything(), unit.Filter{Type: "city", PerPage: unit.MaxPerPage, Page: page})
		if err != nil {
			return err
		}
		cities = append(cities, p.Items...)
		if page*p.PerPage >= p.Total {
			break
		}
	}
	for i, c := range cities {
		for _, per := range []string{"2025S1", "2025S2"} {
			n := func(salt string, lo, hi int) int { return lo + int(demoHash(c.Code+per+salt)%uint32(hi-lo+1)) }
			events := n("e", 60, 420)
			in := []ValueInput{
				{Metric: "hy_activities", Value: events},
				{Metric: "hy_participants", Category: "online", Value: events * n("on", 80, 600)},
				{Metric: "hy_participants", Category: "offline", Value: events * n("off", 40, 300)},
				{Metric: "hy_funds", Value: fmt.Sprintf("%d.%02d", n("f", 800_000, 9_000_000), n("c", 0, 99))},
				{Metric: "hy_volunteers", Value: n("v", 3000, 40000)},
				{Metric: "hy_satisfaction", Value: fmt.Sprintf("%d.%d", n("s", 88, 98), n("s2", 0, 9))},
			}
			if _, err := s.Save(ctx, sys, DemoCode, c.Code, per, in); err != nil {
				return fmt.Errorf("demo values %s %s: %w", c.Code, per, err)
			}
			steps := []Action{ActSubmit, ActApprove}
			if per == "2025S2" {
				switch i % 6 {
				case 4:
					steps = steps[:1] // submitted, waiting for the province
				case 5:
					steps = nil // still a draft
				}
			}
			for _, a := range steps {
				if _, err := s.Act(ctx, sys, DemoCode, c.Code, per, a, ""); err != nil {
					return fmt.Errorf("demo %s %s %s: %w", a, c.Code, per, err)
				}
			}
		}
	}
	return nil
}

func demoHash(s string) uint32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(s))
	return h.Sum32()
}
