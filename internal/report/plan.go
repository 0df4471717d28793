package report

import (
	"kexie/internal/figure"
	"kexie/internal/plan"
)

// plans lists the plans of the report's unit for its period:
// {id, title, period, green, yellow, red, done} each.
func (ev *evaluator) plans() ([]map[string]any, error) {
	if ev.src.Plans == nil {
		return nil, nil
	}
	ps, err := ev.src.Plans.List(ev.ctx, ev.caller())
	if err != nil {
		return nil, ev.failed(err)
	}
	var out []map[string]any
	for _, p := range ps {
		if p.Unit != ev.unit.Code || p.Period != ev.period.ID {
			continue
		}
		full, err := ev.src.Plans.Get(ev.ctx, ev.caller(), p.ID)
		if err != nil {
			return nil, ev.failed(err)
		}
		c := full.Counts
		out = append(out, map[string]any{"id": int(p.ID), "title": p.Title, "period": p.Period,
			"green": c.Green, "yellow": c.Yellow, "red": c.Red, "done": c.Done,
			"tasks": c.Green + c.Yellow + c.Red + c.Done})
	}
	return out, nil
}

func (ev *evaluator) caller() plan.Caller {
	return plan.Caller{Read: ev.src.Scope, Report: ev.src.Scope}
}

// planTable is a plan's targets: task, target, goal, current (linked to
// its records), progress and light.
func (ev *evaluator) planTable(id int) (*Table, error) {
	if ev.src.Plans == nil {
		return nil, nil
	}
	p, err := ev.src.Plans.Get(ev.ctx, ev.caller(), int64(id))
	if err != nil {
		return nil, ev.failed(err)
	}
	en := ev.lang == "en"
	head := []string{"任务", "目标", "目标值", "完成", "进度", "状态"}
	if en {
		head = []string{"Task", "Target", "Goal", "Done", "Progress", "Light"}
	}
	t := &Table{Title: p.Title, Head: head}
	for _, s := range p.Sections {
		for _, task := range s.Tasks {
			for i, g := range task.Targets {
				name := ""
				if i == 0 {
					name = task.Title
				}
				row := []Inline{{Text: name}, {Text: g.Title}}
				if g.Metric == "" {
					row = append(row, Inline{Text: "—"}, Inline{Text: "—"})
				} else {
					m, err := ev.metric(g.Metric)
					if err != nil {
						return nil, err
					}
					goal := g.Goal
					row = append(row,
						Inline{Text: figure.Format(goal, m.Unit, m.Decimals, m.Percent, ev.lang)},
						Inline{Fig: &Fig{Metric: g.Metric, Unit: p.Unit, Period: p.Period, Value: g.Current, Measure: m.Unit, Decimals: m.Decimals, Percent: m.Percent}})
				}
				row = append(row, Inline{Text: figure.Format(g.Progress*100, "%", 0, false, ev.lang)}, Inline{Text: LightName(g.Light, ev.lang)})
				t.Rows = append(t.Rows, row)
			}
		}
	}
	return t, nil
}

// LightName is a light's word.
func LightName(light, lang string) string {
	zh := map[string]string{plan.Green: "绿灯", plan.Yellow: "黄灯", plan.Red: "红灯", plan.Done: "已完成"}
	en := map[string]string{plan.Green: "green", plan.Yellow: "yellow", plan.Red: "red", plan.Done: "done"}
	if lang == "en" {
		return en[light]
	}
	if s, ok := zh[light]; ok {
		return s
	}
	return light
}
