package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// The science volunteers of area four: organisations and their registered
// volunteers, brand projects, the activities published on the platform,
// the training, the informants rewarded and the exemplary cases.

// volunteerOrg is an organisation the generator planned.
type volunteerOrg struct {
	handle, unit, name, registered string
	project                        string // handle of its brand project, if any
	projectOn                      string
}

var volunteerThemes = []string{"科普", "农技", "健康", "应急", "生态环保", "青少年科技", "银龄", "巾帼", "医疗", "气象",
	"防灾减灾", "科技助农", "智慧助老", "天文", "航模", "机器人", "食品安全", "水利", "林业", "植保", "电力", "心理健康",
	"中医药", "消防", "法治科普", "数字素养"}

func volunteers(p *plan, f figures) {
	r := newRand("volunteers")
	orgs := volunteerOrgs(p, r, f)
	brandProjects(p, r, f, orgs)
	volunteerActivities(p, r, f, orgs)
	volunteerRecognition(p, r, f)
}

// volunteerOrgs: the organisations registered up to 30 June 2021 with
// their volunteers (a stock at that day), and some registered later.
func volunteerOrgs(p *plan, r *rand.Rand, f figures) []volunteerOrg {
	pool := p.u.grassroots(0.08, 0.05)
	counts := split(r, f.Volunteers, f.VolunteerOrgs, 5, 1.5)
	pp := newPeople(newRand("volunteers.leaders"))
	used := map[string]bool{}
	var orgs []volunteerOrg
	add := func(at, kind, name, from, to string, n int64) {
		leader, _ := pp.name()
		o := volunteerOrg{handle: fmt.Sprintf("vorg:%d", len(orgs)), unit: at, name: name, registered: between(r, from, to)}
		p.add("volunteer_orgs", at, o.handle, map[string]any{"name": name, "kind": kind, "registered_on": o.registered,
			"volunteers": num(n), "fields": pick(r, []string{"science_pop", "science_pop;youth", "rural;science_pop", "health",
				"emergency;science_pop", "eco", "enterprise", "rural"}), "leader": leader, "mobile": mobile(r)})
		orgs = append(orgs, o)
	}
	name := func(at, kind string) string {
		word := map[string]string{"team": "科技志愿服务队", "station": "科技志愿服务站", "society_team": "科技志愿服务队",
			"campus_team": "大学生科技志愿服务队", "corps": "科技志愿服务大队"}[kind]
		return unique(used, func() string { return p.u.place(at) + pick(r, volunteerThemes) + word })
	}
	kindOf := func(at string) string {
		switch p.u.byCode[at].Type {
		case "society":
			return "society_team"
		case "university":
			return "campus_team"
		}
		return pick(r, []string{"team", "team", "station"})
	}
	i := 0
	for _, v := range p.u.ofType["volunteer_org"] {
		used[v.NameZH] = true
		add(v.Code, "corps", v.NameZH, "2019-03-01", "2019-06-30", counts[i])
		i++
	}
	for ; i < f.VolunteerOrgs; i++ {
		at := pool.draw(r)
		kind := kindOf(at)
		add(at, kind, name(at, kind), "2019-06-01", "2021-06-30", counts[i])
	}
	for range 61 {
		at := pool.draw(r)
		kind := kindOf(at)
		add(at, kind, name(at, kind), "2021-07-01", "2021-12-20", int64(5+r.IntN(40)))
	}
	return orgs
}

// brandProjects: the brand projects created up to 30 June 2021, each run by
// an organisation registered by then, and a few created later.
func brandProjects(p *plan, r *rand.Rand, f figures, orgs []volunteerOrg) {
	registered := 0
	for registered < len(orgs) && orgs[registered].registered <= "2021-06-30" {
		registered++
	}
	brands := []string{"科普大篷车", "科技助农", "健康守护", "应急先锋", "绿色家园", "小小科学家", "银龄e路行", "科学魔法课堂",
		"田间课堂", "星空课堂", "智慧助老", "科普进万家", "护苗", "清风科普", "科技赋能"}
	used := map[string]bool{}
	add := func(i int, from, to string) {
		o := &orgs[i]
		o.project = "brand:" + o.handle
		o.projectOn = between(r, laterOf(o.registered, from), laterOf(laterOf(o.registered, from), to))
		title := unique(used, func() string { return p.u.short(o.unit) + "“" + pick(r, brands) + "”科技志愿服务项目" })
		p.add("brand_projects", o.unit, o.project, map[string]any{"name": title, "organisation": ref(o.handle),
			"field":      pick(r, []string{"science_pop", "rural", "health", "emergency", "eco", "youth", "enterprise"}),
			"created_on": o.projectOn})
	}
	picks := r.Perm(registered)
	for _, i := range picks[:f.BrandProjects] {
		add(i, "2019-09-01", "2021-06-30")
	}
	for _, i := range picks[f.BrandProjects : f.BrandProjects+8] {
		add(i, "2021-07-01", "2021-12-20")
	}
}

// volunteerActivities: the activities published on the platform up to 30
// June 2021, each after its organisation registered, and some later.
func volunteerActivities(p *plan, r *rand.Rand, f figures, orgs []volunteerOrg) {
	forms := []string{"科普讲座", "科普宣讲", "义诊咨询", "田间指导", "科普展览", "科学实验课", "防灾演练", "科普进社区",
		"科普进校园", "技术培训", "入户走访", "科普游园", "线上科普直播", "助老服务", "环保实践"}
	fields := []string{"science_pop", "rural", "health", "emergency", "eco", "youth", "enterprise"}
	used := map[string]bool{}
	add := func(o volunteerOrg, from, to string) {
		on := between(r, laterOf(o.registered, from), laterOf(laterOf(o.registered, from), to))
		title := uniqueIn(used, o.unit+on, func() string { return pick(r, volunteerThemes) + pick(r, forms) })
		volunteers := 2 + r.IntN(25)
		hours := float64(volunteers) * (1.5 + float64(r.IntN(9))/2)
		v := map[string]any{"title": title, "organisation": ref(o.handle), "field": pick(r, fields),
			"held_on": on, "volunteers": num(volunteers), "service_hours": fmt.Sprintf("%.1f", hours),
			"beneficiaries": num(20 + r.IntN(600))}
		if o.project != "" && o.projectOn <= on && r.IntN(10) < 4 {
			v["project"] = ref(o.project)
		}
		p.add("volunteer_activities", o.unit, "", v)
	}
	var registered []volunteerOrg
	for _, o := range orgs {
		if o.registered <= "2021-06-30" {
			registered = append(registered, o)
		}
	}
	for range f.VolunteerActivities {
		add(pick(r, registered), "2020-01-01", "2021-06-30")
	}
	for range 260 {
		add(pick(r, orgs), "2021-07-01", "2021-12-25")
	}
}

// volunteerRecognition: the training course, the informants ranked by
// experience points and rewarded, the units praised, the exemplary cases.
func volunteerRecognition(p *plan, r *rand.Rand, f figures) {
	p.add("trainings", province, "", map[string]any{"title": "全省科技志愿服务暨科技助力乡村振兴培训班", "kind": "volunteer",
		"started_on": "2021-06-22", "ends_on": "2021-06-24", "mode": "hybrid", "trainees": num(f.VolunteerTrainees)})
	p.add("trainings", province, "", map[string]any{"title": "江苏片区科技志愿工作骨干能力提升培训", "kind": "volunteer",
		"started_on": "2021-10-19", "ends_on": "2021-10-21", "mode": "offline", "trainees": num(180 + r.IntN(60))})
	p.add("trainings", "320600", "", map[string]any{"title": "基层科协“四长”实用技术培训班", "kind": "four_heads",
		"started_on": "2021-05-11", "ends_on": "2021-05-13", "mode": "offline", "trainees": num(110 + r.IntN(40))})
	p.add("trainings", province, "", map[string]any{"title": "全省科协系统干部培训班", "kind": "cadre",
		"started_on": "2021-06-07", "ends_on": "2021-06-11", "mode": "offline", "trainees": num(80 + r.IntN(30))})

	pp := newPeople(newRand("volunteers.informants"))
	points := split(r, int64(f.InformantsRewarded)*24_000, f.InformantsRewarded, 9_000, 2)
	slices.Sort(points)
	slices.Reverse(points)
	for i := range f.InformantsRewarded {
		name, _ := pp.name()
		p.add("commendations", province, "", map[string]any{"recipient": name, "kind": "informant_reward", "rank": num(i + 1),
			"points": num(points[i]), "conferred_on": "2021-06-18"})
	}
	praised := append(append(shuffled(r, p.u.cities)[:8], shuffled(r, p.u.ofType["society"])[:6]...),
		shuffled(r, p.u.ofType["university"])[:3]...)
	for _, u := range praised {
		p.add("commendations", province, "", map[string]any{"recipient": u.NameZH, "kind": "volunteer_praise",
			"recipient_unit": u.Code, "conferred_on": "2021-06-18"})
	}
	stories := []string{"扎根田间的科技志愿者", "守护老人健康的志愿服务队", "把科学带进课堂", "防汛一线的科普宣传员",
		"让科技之光照亮乡村", "科普大篷车走遍乡镇", "社区里的“科学妈妈”", "退休专家的科普情怀", "科技助农拓宽致富路",
		"为企业解难题的志愿服务团"}
	used := map[string]bool{}
	pool := p.u.grassroots(0.1, 0.05)
	for range f.VolunteerCases {
		u := pool.draw(r)
		title := unique(used, func() string { return p.u.place(u) + "：" + pick(r, stories) })
		p.add("typical_cases", province, "", map[string]any{"title": title, "kind": "volunteer_service",
			"published_on": between(r, "2021-06-10", "2021-06-28"), "platform": "江苏科技志愿服务平台", "subject": u})
	}
}
