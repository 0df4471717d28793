package demo

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Area one of the report, 政治引领: study sessions, party-history
// education, the exhibition, Science Workers' Day, the drama, the people
// recommended and elected, and the typical cases.

const province = "320000"

var (
	affiliations = []string{"南京大学", "东南大学", "南京航空航天大学", "南京理工大学", "河海大学", "南京农业大学", "江南大学",
		"中国矿业大学", "苏州大学", "扬州大学", "江苏大学", "南京医科大学", "南京工业大学", "南京信息工程大学", "南京师范大学",
		"中国科学院南京土壤研究所", "中国科学院苏州纳米技术与纳米仿生研究所", "江苏省农业科学院", "江苏省人民医院",
		"中国电子科技集团公司第十四研究所", "徐州工程机械集团有限公司", "中天科技集团有限公司", "江苏省产业技术研究院",
		"南京邮电大学", "常州大学", "南通大学", "江苏科技大学", "淮阴工学院", "盐城工学院", "江苏师范大学"}
	fields = []string{"材料科学与工程", "机械工程", "电子信息", "计算机科学与技术", "作物学", "临床医学", "化学工程",
		"土木工程", "环境科学与工程", "水利工程", "生物技术", "人工智能", "航空宇航科学与技术", "动力工程", "交通运输工程",
		"控制科学与工程", "食品科学", "药学", "园艺学", "海洋工程"}
	seniorTitles = []string{"教授", "研究员", "正高级工程师", "主任医师", "教授、博士生导师"}
	youngTitles  = []string{"副教授", "副研究员", "讲师", "助理研究员", "高级工程师", "工程师"}
)

func cohesion(p *plan) {
	f := review()
	r := newRand("cohesion")
	studyAndHistory(p, r, f)
	workersDay(p, r, f)
	shows(p, f)
	recommended(p, r, f)
	congressCases(p, r, f)
}

// studyAndHistory: study sessions, thematic discussions, party-history
// exchanges, the on-site teaching in Xuzhou, the exhibition, the 1 July
// ceremony and its commendations.
func studyAndHistory(p *plan, r *rand.Rand, f figures) {
	for i := range f.StudySessions {
		p.add("activities", province, "", map[string]any{
			"title": fmt.Sprintf("省科协党组中心组（扩大）学习会（2021年第%s次）", ordinal(i+1)), "kind": "party_study",
			"held_on": date(2021, time.Month(i+1), 8+r.IntN(18)), "mode": "offline", "audience": "party_members",
			"participants": num(30 + r.IntN(25)), "venue": "省科协机关"})
	}
	topics := []string{"学习贯彻中国科协“十大”精神", "建设有温度的科技工作者之家", "科技自立自强与科协使命", "深化科协系统改革",
		"服务“强富美高”新江苏建设", "弘扬科学家精神"}
	for i := range f.ThematicDiscussions {
		p.add("activities", province, "", map[string]any{
			"title": "专题研讨：" + topics[i%len(topics)], "kind": "thematic_discussion",
			"held_on": date(2021, time.Month(2+i), 10+r.IntN(15)), "mode": "offline", "audience": "party_members",
			"participants": num(25 + r.IntN(20))})
	}
	for i := range f.HistoryExchanges {
		p.add("activities", province, "", map[string]any{
			"title": fmt.Sprintf("党组党史学习教育专题交流会（第%s场）", ordinal(i+1)), "kind": "history_exchange",
			"held_on": date(2021, time.Month(3+i), 12+r.IntN(14)), "mode": "offline", "audience": "party_members",
			"participants": num(30 + r.IntN(30))})
	}
	p.add("activities", province, "", map[string]any{
		"title": "赴徐州开展党史学习教育现场沉浸式教学", "kind": "onsite_teaching", "held_on": "2021-05-14", "end_on": "2021-05-15",
		"mode": "offline", "audience": "party_members", "place": "320300", "venue": "淮海战役纪念馆",
		"participants": num(f.OnsiteTeaching)})
	p.add("activities", province, "", map[string]any{
		"title": "“百年回望：中国共产党领导科技发展”主题展览", "kind": "exhibition", "held_on": "2021-06-18", "end_on": "2021-07-31",
		"mode": "hybrid", "audience": "public", "venue": "江苏省科技馆",
		"onsite_audience": num(f.ExhibitionOnsite), "online_views": num(f.ExhibitionOnline),
		"participants": num(f.ExhibitionOnsite + f.ExhibitionOnline)})
	p.add("activities", province, "", map[string]any{
		"title": "“科协青年说”党史学习教育专场活动", "kind": "other", "held_on": "2021-04-23", "mode": "offline",
		"audience": "party_members", "participants": num(80 + r.IntN(40))})
	p.add("activities", province, "", map[string]any{
		"title": "庆祝中国共产党成立100周年暨“七一”表彰大会", "kind": "ceremony", "held_on": "2021-06-30", "mode": "offline",
		"audience": "party_members", "participants": num(150 + r.IntN(50))})
	pp := newPeople(newRand("cohesion.party"))
	for _, c := range []struct {
		kind string
		n    int
	}{{"glory_50", 9}, {"excellent_party_member", 8}} {
		for range c.n {
			name, _ := pp.name()
			p.add("commendations", province, "", map[string]any{"recipient": name, "kind": c.kind, "conferred_on": "2021-06-30"})
		}
	}
	for _, org := range []string{"省科协机关第一党支部", "省科协机关第三党支部", "江苏省科技馆党支部"} {
		p.add("commendations", province, "", map[string]any{"recipient": org, "kind": "advanced_party_org", "conferred_on": "2021-06-30"})
	}
}

// workersDay: the online events of National Science Workers' Day 2021 (and
// a smaller 2020 edition), held across the province.
func workersDay(p *plan, r *rand.Rand, f figures) {
	forms := []string{"线上座谈会", "科学家精神云宣讲", "科技工作者风采网络展", "线上学术报告会", "科普直播", "网上知识竞赛",
		"云端交流会", "“最美科技工作者”事迹网络分享会", "线上科技沙龙", "科技工作者网络访谈"}
	pool := p.u.grassroots(0.18, 0.06)
	add := func(year, n int, total int64, from, to string) {
		parts := split(r, total, n, 300, 2.5)
		used := map[string]bool{}
		for i := range n {
			u := pool.draw(r)
			title := unique(used, func() string {
				return fmt.Sprintf("%s%d年全国科技工作者日%s", p.u.place(u), year, pick(r, forms))
			})
			p.add("activities", u, "", map[string]any{"title": title, "kind": "workers_day", "held_on": between(r, from, to),
				"mode": "online", "audience": "science_workers", "series": fmt.Sprintf("%d年全国科技工作者日江苏系列活动", year),
				"participants": num(parts[i]), "online_views": num(parts[i] + int64(r.IntN(int(parts[i])+1)))})
		}
	}
	add(2021, f.WorkersDayEvents, f.WorkersDayParticipants, "2021-05-24", "2021-06-06")
	add(2020, 70, 2_150_000, "2020-05-25", "2020-06-05")
	p.add("activities", province, "", map[string]any{
		"title": "科技工作者代表座谈会", "kind": "symposium", "held_on": "2021-05-28", "mode": "offline",
		"audience": "science_workers", "participants": num(40 + r.IntN(20))})
}

// shows: the drama on tour, and the lecture for schools.
func shows(p *plan, f figures) {
	p.add("activities", "UNI03", "", map[string]any{
		"title": "原创话剧《旋翼人生》镇江公演", "kind": "drama", "held_on": "2021-06-11", "mode": "hybrid", "audience": "public",
		"place": "321100", "series": "科学大师名校宣传工程", "onsite_audience": num(f.DramaOnsite), "online_views": num(f.DramaOnline),
		"participants": num(f.DramaOnsite + f.DramaOnline)})
	p.add("activities", province, "", map[string]any{
		"title": "庆祝中国共产党建党100周年“大手拉小手科普报告会”暨航天科普大讲堂", "kind": "lecture", "held_on": "2021-06-25",
		"mode": "hybrid", "audience": "campus", "participants": num(f.AudienceLecture)})
	p.add("activities", "UNI03", "", map[string]any{
		"title": "原创话剧《旋翼人生》常州巡演", "kind": "drama", "held_on": "2021-10-22", "mode": "offline", "audience": "campus",
		"place": "320400", "series": "科学大师名校宣传工程", "onsite_audience": "860", "participants": "860"})
}

// recommended: the people recommended, nominated, elected and funded,
// each a record in People and a nomination.
func recommended(p *plan, r *rand.Rand, f figures) {
	pp := newPeople(newRand("cohesion.people"))
	individual := func(kind, channel, result, on string, roles string, young bool, unitCode string) {
		born := [2]int{1958, 1975}
		titles := seniorTitles
		if young {
			born, titles = [2]int{1987, 1991}, youngTitles
		}
		aff, field := pick(r, affiliations), pick(r, fields)
		who := pp.person(pick(r, p.u.allCounties).Code, born[0], born[1])
		handle := "person:" + who.ID
		p.add("people", unitCode, handle, map[string]any{"name": who.Name, "id_number": who.ID, "gender": who.Gender,
			"roles": roles, "affiliation": aff, "title": pick(r, titles), "field": field,
			"registered_on": between(r, "2018-01-01", laterOf("2018-01-01", on))})
		p.add("nominations", unitCode, "", map[string]any{"nominee": who.Name, "person": ref(handle), "kind": kind,
			"channel": channel, "result": result, "nominated_on": on, "affiliation": aff, "field": field})
	}
	for range f.MostBeautiful {
		individual("most_beautiful", "association", "recommended", between(r, "2021-04-12", "2021-04-20"), "worker", false, province)
	}
	for range f.YoungTalents {
		individual("young_talent_lift", "association", "funded", "2021-06-08", "young_talent;talent", true, province)
	}
	for range f.CongressDelegates {
		individual("national_delegate", "election", "elected", "2021-05-28", "delegate;worker", false, province)
	}
	for range f.CommitteeMembers {
		individual("national_committee", "election", "elected", "2021-05-31", "delegate;expert", false, province)
	}
	for range f.AcademicianNominees {
		individual("academician_cae", "association", "recommended", between(r, "2021-03-15", "2021-03-31"), "expert", false, province)
	}
	for range 3 {
		individual("youth_award", "association", "recommended", "2021-09-16", "young_talent", true, province)
	}
	individual("women_scientist", "association", "recommended", "2021-09-16", "expert", false, province)

	projects := []string{"高性能", "新型", "智能", "绿色", "高效", "大型", "精准", "低碳"}
	subjects := []string{"复合材料构件制造关键技术", "农作物病虫害绿色防控技术", "城市地下空间安全监测系统", "海上风电装备运维技术",
		"重大慢病早期诊断技术", "工程机械电液控制系统", "集成电路先进封装工艺", "稻麦周年优质丰产栽培技术",
		"长江水环境综合治理技术", "轨道交通减振降噪技术", "生物医用材料研发与应用", "锂离子电池关键材料",
		"纺织品数字化设计与制造", "智慧水利调度系统", "畜禽养殖废弃物资源化利用技术"}
	used := map[string]bool{}
	award := func(unitCode, channel, on string) {
		title := unique(used, func() string { return pick(r, projects) + pick(r, subjects) + "及应用" })
		p.add("nominations", unitCode, "", map[string]any{"nominee": title, "kind": "sci_tech_award", "channel": channel,
			"result": "recommended", "nominated_on": on, "field": pick(r, fields)})
	}
	societies := shuffled(r, p.u.ofType["society"])
	for i := range f.AwardsBySocieties {
		award(societies[i%len(societies)].Code, "society", between(r, "2021-04-06", "2021-04-23"))
	}
	for range f.AwardsByAssociation {
		award(province, "association", between(r, "2021-04-26", "2021-04-30"))
	}
	for i := range 24 {
		award(societies[(i+7)%len(societies)].Code, "society", between(r, "2020-04-08", "2020-04-24"))
	}
	for range 14 {
		award(province, "association", between(r, "2020-04-27", "2020-04-30"))
	}
	foreign := []string{"Hans Müller", "Pierre Laurent", "Kenji Tanaka", "David Thompson"}
	for i := range f.InternationalAward {
		p.add("nominations", province, "", map[string]any{"nominee": foreign[i%len(foreign)], "kind": "intl_coop_award",
			"channel": "association", "result": "recommended", "nominated_on": "2021-04-28", "field": pick(r, fields)})
	}
}

// congressCases: the typical cases of carrying out the 10th congress,
// published by CAST, and a few earlier reform cases.
func congressCases(p *plan, r *rand.Rand, f figures) {
	themes := []string{"以“十大”精神引领基层科协组织建设", "聚焦“四服务”推动科技经济融合", "打造有温度的科技工作者之家",
		"“科创中国”试点城市建设走深走实", "学会联合体服务产业创新", "“四长”进科协激活基层组织", "科技志愿服务助力乡村振兴",
		"高校科协服务青年科技人才", "企业科协建设赋能创新主体", "科普信息化推动全域科普"}
	used := map[string]bool{}
	pool := p.u.geography()
	for range f.CongressCases {
		u := pool.draw(r)
		title := unique(used, func() string { return p.u.place(u) + "：" + pick(r, themes) })
		p.add("typical_cases", province, "", map[string]any{"title": title, "kind": "congress_spirit",
			"published_on": between(r, "2021-06-05", "2021-06-30"), "platform": "中国科协“科协改革进行时”", "subject": u})
	}
	for range 6 {
		u := pool.draw(r)
		title := unique(used, func() string { return p.u.place(u) + "：" + pick(r, themes) })
		p.add("typical_cases", province, "", map[string]any{"title": title, "kind": "reform",
			"published_on": between(r, "2020-09-01", "2020-12-20"), "platform": "中国科协“科协改革进行时”", "subject": u})
	}
}
