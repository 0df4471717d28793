package demo

import (
	"context"

	work "kexie/internal/plan"
	"kexie/internal/unit"
)

// PlanTitle is the title of the demo plan: the second half of 2021 as
// the work report lays it out.
const PlanTitle = "2021年下半年重点工作安排"

// cities are the 13 cities' association codes, north to south as GB/T
// 2260 numbers them.
var planCities = []string{"320100", "320200", "320300", "320400", "320500", "320600", "320700",
	"320800", "320900", "321000", "321100", "321200", "321300"}

// split allots total across the cities, the remainder to the first ones.
func splitCities(total int) []work.AllotmentSpec {
	out := make([]work.AllotmentSpec, len(planCities))
	for i, c := range planCities {
		n := total / len(planCities)
		if i < total%len(planCities) {
			n++
		}
		out[i] = work.AllotmentSpec{Unit: c, Goal: float64(n)}
	}
	return out
}

// PlanSpec is the demo plan: the five action lines of the report, each
// with its tasks and every target of INVENTORY §3, linked to a built-in
// metric where one counts it, allotted to the cities where the report
// implies it.
func PlanSpec() work.Spec {
	const from, to = "2021-07-01", "2021-12-31"
	task := func(title, lead string, targets ...work.TargetSpec) work.TaskSpec {
		return work.TaskSpec{Title: title, Lead: lead, Start: from, Due: to, Targets: targets}
	}
	q := func(title, metric string, goal float64, allot ...work.AllotmentSpec) work.TargetSpec {
		return work.TargetSpec{Title: title, Metric: metric, Comparison: work.AtLeast, Goal: goal, Allotments: allot}
	}
	text := func(title string) work.TargetSpec { return work.TargetSpec{Title: title} }
	return work.Spec{Title: PlanTitle, Period: "2021S2", Unit: rootCode, Sections: []work.SectionSpec{
		{Title: "一、推进凝心聚力行动，提升科技工作者之家的温度", Tasks: []work.TaskSpec{
			task("实施未成年人科技创新后备人才培养", rootCode, text("遴选 20 名中学生作为后备人才")),
		}},
		{Title: "二、推进科创江苏行动，拓展科技经济融合的深度", Tasks: []work.TaskSpec{
			task("组建学会服务团，服务企业创新", rootCode,
				text("组建 20 个学会服务团"),
				q("服务企业不少于 500 家", "enterprises_served", 500),
				text("攻关项目 10 项、转化项目 10 项、咨询项目 10 项"),
				text("培训 1000 人次以上")),
			task("筹备召开江苏科技论坛", rootCode, q("举办分论坛约 15 场", "sci_forum_sub_forums", 15)),
			task("新建企业科协", rootCode, q("新建企业科协 300 家", "enterprise_associations_new", 300, splitCities(300)...)),
		}},
		{Title: "三、推进科普江苏行动，扩大科学技术传播的广度", Tasks: []work.TaskSpec{
			task("组织院士专家科普基层行", rootCode, q("院士专家基层行 200 场", "expert_outreach_events", 200, splitCities(200)...)),
			task("认定省科普教育基地", rootCode, q("新认定科普教育基地 100 家", "edu_bases_recognised", 100)),
			task("推进专题科技馆开放试点", rootCode, q("试点 10 家", "museum_pilots", 10)),
			task("举办生态科普活动", rootCode, text("举办 2 场生态科普活动")),
		}},
		{Title: "四、推进智汇江苏行动，加大服务高质量发展的力度", Tasks: []work.TaskSpec{
			task("建设离岸创新基地和海外联络站", rootCode,
				q("新建省级离岸基地 10 家", "offshore_bases_new", 10),
				text("评估首批离岸基地和 49 家海智基地"),
				text("对接国际合作机构 30 家"),
				q("建设离岸创新中心或海外联络站约 50 家", "offshore_centres_new", 50),
				text("引进海外项目不少于 300 个")),
			task("举办“科创江苏”创新创业大赛", rootCode,
				q("参赛项目 600 项", "competition_applications", 600),
				text("路演 10 场"),
				q("落地项目 10 项", "competition_landed", 10)),
			task("服务乡村振兴", rootCode,
				text("新建农村专业技术服务组织 80 家"),
				q("培训农技带头人 100 名、乡村技术员 50 名", "rural_tech_trainees", 150)),
			task("资助代表调研课题", rootCode, q("资助课题 15 项", "delegate_topics_funded", 15)),
		}},
		{Title: "五、推进强基固本行动，提高科协组织的美誉度", Tasks: []work.TaskSpec{
			task("加强网络安全工作", rootCode, text("网络安全考核位列群团组织前 3 名")),
			task("扩大农技协覆盖面", rootCode,
				q("市级农技协覆盖面达 75%", "rural_city_coverage", 75),
				q("县级农技协覆盖面不低于 50%", "rural_county_coverage", 50)),
		}},
	}}
}

// LoadPlan adds the demo plan when it is missing, and takes its tasks
// some way along the lifecycle: acknowledged, with progress reported,
// a few reported done and closed.
func LoadPlan(ctx context.Context, plans *work.Service) error {
	sys := work.Caller{Read: unit.Everything(), Report: unit.Everything(), Supervise: unit.Everything()}
	ps, err := plans.List(ctx, sys)
	if err != nil {
		return err
	}
	for _, p := range ps {
		if p.Title == PlanTitle {
			return nil
		}
	}
	id, err := plans.Create(ctx, sys, PlanSpec())
	if err != nil {
		return err
	}
	p, err := plans.Get(ctx, sys, id)
	if err != nil {
		return err
	}
	pc := func(n int) *int { return &n }
	n := 0
	for _, sec := range p.Sections {
		for _, t := range sec.Tasks {
			n++
			steps := []work.Step{{Action: work.Acknowledge}}
			switch n % 4 {
			case 1:
				steps = append(steps, work.Step{Action: work.Report, Note: "已部署，正在推进。", Percent: pc(60)})
			case 2:
				steps = append(steps, work.Step{Action: work.Report, Note: "已完成过半。", Percent: pc(50)},
					work.Step{Action: work.Complete, Note: "已完成。"}, work.Step{Action: work.Close, Note: "经核实，已办结。"})
			case 3:
				steps = append(steps, work.Step{Action: work.Report, Note: "方案已印发，正在组织。", Percent: pc(30)})
			}
			for _, st := range steps {
				if _, err := plans.Act(ctx, sys, t.ID, st); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
