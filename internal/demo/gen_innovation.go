package demo

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Area three of the report, 创新驱动: Sci-Tech Jiangsu, pilot cities,
// agreements with national societies, overseas talent, research topics,
// think-tank reports and the leaders' instructions, the academicians'
// centre, services to enterprises.

func innovation(p *plan) {
	f := review()
	r := newRand("innovation")
	kczj(p, r, f)
	partners(p, r, f)
	overseas(p, r, f)
	thinkTank(p, r, f)
	academicianCentre(p, r, f)
	enterprises(p, r, f)
}

// kczj: the Sci-Tech Jiangsu action projects of the first half, the pilot
// city applications, competition entries of the second half, forums.
func kczj(p *plan, r *rand.Rand, f figures) {
	cats := []struct{ code, word string }{{"service_team", "科技服务团"}, {"society_station", "学会服务站"}, {"collab_platform", "产学研协同平台"}}[:f.KczjCategories]
	areas := []string{"高端装备制造", "集成电路", "生物医药", "新材料", "新能源汽车", "智能电网", "现代农业", "海洋工程",
		"物联网", "节能环保", "纺织服装", "工程机械", "绿色化工", "航空航天", "数字经济"}
	counts := split(r, int64(f.KczjProjects), len(cats), 15, 0.5)
	pool := p.u.grassroots(0.55, 0.10)
	used := map[string]bool{}
	for i, c := range cats {
		for range counts[i] {
			u := pool.draw(r)
			title := unique(used, func() string { return fmt.Sprintf("%s%s%s", p.u.place(u), pick(r, areas), c.word) })
			p.add("projects", u, "", map[string]any{"title": title, "kind": "kczj_action", "category": c.code,
				"platform": "kczg", "started_on": between(r, "2021-03-15", "2021-06-25"), "ends_on": "2023-12-31",
				"lead": p.u.byCode[u].NameZH, "budget": num(100_000 + 10_000*r.IntN(40)), "stage": "ongoing"})
		}
	}
	applicants := append(append([]string{}, f.PilotCities...), "320600", "320200")
	for i, c := range applicants {
		result := "selected"
		if i >= len(f.PilotCities) {
			result = "not_selected"
		}
		p.add("nominations", c, "", map[string]any{"nominee": p.u.short(c) + "市", "kind": "kczg_pilot", "channel": "local",
			"result": result, "nominated_on": date(2021, 4, 9+i)})
	}
	cs := newCompanies(newRand("innovation.competition"), p.u)
	geo := p.u.geography()
	for i := range 42 {
		at := geo.draw(r)
		co := cs.at(at)
		cat := "startup"
		if i%3 == 0 {
			cat = "growth"
		}
		p.add("projects", at, "", map[string]any{"title": co.name + pick(r, areas) + "项目", "kind": "competition",
			"category": cat, "started_on": between(r, "2021-08-10", "2021-10-20"), "enterprise": co.name, "stage": "applied"})
	}
	forums := []struct{ unit, place, title, on string }{
		{"321200", "321281", "第二届江苏国际铸造科技论坛", "2021-04-16"},
		{"321200", "321202", "2021江苏先进复合材料高层论坛", "2021-05-21"},
		{"320200", "", "2021第十五届中国科学仪器发展年会", "2021-04-22"},
		{"320200", "", "第二届先进编织复合材料与航空航天论坛", "2021-06-04"},
		{province, "", "空间信息智慧应用助力新时代高质量发展峰会", "2021-05-12"},
		{province, "320100", "2021绿色技术投资（南京）国际峰会", "2021-06-17"},
		{"320100", "", "“南京海智在线”国际工程科技创新合作发展论坛中伊专场", "2021-03-26"},
		{province, "", "江苏科技论坛", "2021-10-28"},
	}
	for _, fo := range forums {
		v := map[string]any{"title": fo.title, "kind": "forum", "held_on": fo.on, "mode": "hybrid", "audience": "science_workers",
			"participants": num(200 + r.IntN(600))}
		if fo.place != "" {
			v["place"] = fo.place
		}
		p.add("activities", fo.unit, "", v)
	}
	// The sub-forums of the Jiangsu science forum, held by societies.
	socs := shuffled(r, p.u.ofType["society"])
	for i := range 15 {
		p.add("activities", socs[i].Code, "", map[string]any{"title": "江苏科技论坛" + p.u.short(socs[i].Code) + "分论坛",
			"kind": "forum", "held_on": between(r, "2021-10-28", "2021-11-30"), "mode": "offline", "audience": "science_workers",
			"series": "江苏科技论坛", "participants": num(80 + r.IntN(200))})
	}
}

// partners: agreements with national societies (and their earlier
// signings), the overseas-talent alliance's founders and later members.
func partners(p *plan, r *rand.Rand, f figures) {
	renewed := []string{"中国机械工程学会", "中国汽车工程学会", "中国电子学会", "中国农学会", "中国自动化学会", "中国化工学会"}
	fresh := []string{"中国宇航学会", "中国农村专业技术协会", "中国仪器仪表学会"}
	for i, name := range renewed[:f.AgreementsRenewed] {
		p.add("agreements", province, "", map[string]any{"partner": name, "partner_type": "national_society", "signing": "new",
			"signed_on": date(2016+i%3, time.Month(4+i), 18), "term_years": "5", "title": "战略合作协议"})
		p.add("agreements", province, "", map[string]any{"partner": name, "partner_type": "national_society", "signing": "renewed",
			"signed_on": between(r, "2021-03-20", "2021-06-25"), "term_years": "5", "title": "战略合作协议（续签）"})
	}
	for _, name := range fresh[:f.AgreementsNew] {
		p.add("agreements", province, "", map[string]any{"partner": name, "partner_type": "national_society", "signing": "new",
			"signed_on": between(r, "2021-04-01", "2021-06-25"), "term_years": "5", "title": "战略合作协议"})
	}
	p.add("agreements", province, "", map[string]any{"partner": "江苏省供销合作总社", "partner_type": "government", "signing": "new",
		"signed_on": "2021-09-14", "term_years": "3", "title": "新型农业社会化服务体系建设战略合作协议"})

	const alliance = "江苏省海外人才创新创业联盟"
	founders := []struct{ name, kind, country string }{
		{"江苏省科学技术协会", "association", "中国"}, {"世界绿色设计组织", "international", "比利时"},
		{"欧盟中国城市发展委员会", "international", "比利时"}, {"江苏省产业技术研究院", "university", "中国"},
		{"南京大学", "university", "中国"}, {"东南大学", "university", "中国"},
		{"江苏高科技投资集团有限公司", "investor", "中国"}, {"中德（太仓）创新合作促进中心", "international", "中国"},
		{"江苏省留学归国人员创新创业协会", "association", "中国"}, {"中英（苏州）科技创新联络处", "international", "英国"},
	}
	for _, fo := range founders[:f.AllianceFounders] {
		p.add("alliance_members", province, "", map[string]any{"alliance": alliance, "member": fo.name, "role": "founder",
			"member_type": fo.kind, "country": fo.country, "joined_on": "2021-05-20"})
	}
	members := []struct{ name, kind, country string }{
		{"德国弗劳恩霍夫协会驻华代表处", "international", "德国"}, {"新加坡国立大学苏州研究院", "university", "新加坡"},
		{"昆山杜克大学", "university", "中国"}, {"西交利物浦大学", "university", "中国"},
		{"南京江北新区管理委员会", "association", "中国"}, {"苏州元禾控股股份有限公司", "investor", "中国"},
	}
	for _, m := range members {
		p.add("alliance_members", province, "", map[string]any{"alliance": alliance, "member": m.name, "role": "member",
			"member_type": m.kind, "country": m.country, "joined_on": between(r, "2021-08-01", "2021-12-10")})
	}
}

// overseas: the overseas-talent (Haizhi) experts appointed before and in
// 2021, and the Haizhi and offshore bases.
func overseas(p *plan, r *rand.Rand, f figures) {
	pp := newPeople(newRand("innovation.experts"))
	countries := []string{"美国", "英国", "德国", "法国", "日本", "加拿大", "澳大利亚", "新加坡", "荷兰", "瑞典"}
	appoint := func(on string) {
		who := pp.person(pick(r, p.u.allCounties).Code, 1962, 1982)
		handle := "person:" + who.ID
		country, field := pick(r, countries), pick(r, fields)
		p.add("people", province, handle, map[string]any{"name": who.Name, "id_number": who.ID, "gender": who.Gender,
			"roles": "haizhi_expert;expert", "affiliation": country + pick(r, []string{"高校", "科研机构", "企业研发中心"}),
			"title": pick(r, seniorTitles), "field": field, "registered_on": on})
		p.add("expert_appointments", province, "", map[string]any{"person": ref(handle), "name": who.Name, "kind": "haizhi_expert",
			"appointed_on": on, "term_years": "3", "country": country, "field": field})
	}
	for range 18 {
		appoint(between(r, "2018-06-01", "2020-11-30"))
	}
	for range f.HaizhiExperts {
		appoint(between(r, "2021-04-15", "2021-06-20"))
	}

	geo := p.u.geography()
	used := map[string]bool{}
	base := func(at, kind, level, on, name, host, baseUnit, country string) {
		v := map[string]any{"name": name, "kind": kind, "level": level, "recognised_on": on, "host": host}
		if baseUnit != "" {
			v["base_unit"] = baseUnit
		}
		if country != "" {
			v["country"] = country
		}
		p.add("bases", at, "", v)
	}
	for _, hz := range p.u.ofType["haizhi_base"] {
		base(hz.Code, "haizhi", "national", between(r, "2012-01-01", "2017-12-31"), hz.NameZH, p.u.place(hz.Parent)+"科学技术协会", hz.Code, "")
	}
	for _, off := range p.u.ofType["offshore_base"] {
		base(off.Code, "offshore", "national", between(r, "2018-01-01", "2019-12-31"), off.NameZH, p.u.place(off.Parent)+"科学技术协会", off.Code, "")
	}
	parks := []string{"高新技术产业开发区", "经济技术开发区", "科技创业园", "大学科技园", "软件园", "生物医药产业园", "智能制造产业园"}
	for range f.HaizhiBases {
		at := geo.draw(r)
		host := unique(used, func() string { return p.u.place(at) + pick(r, parks) })
		base(at, "haizhi", "provincial", between(r, "2014-01-01", "2020-12-31"), host+"海智基地", host, "", "")
	}
	offshoreBase := func(from, to string) {
		at := geo.draw(r)
		country := pick(r, countries)
		name := unique(used, func() string { return p.u.short(p.u.cityOf(at)) + "—" + country + "离岸创新创业基地" })
		base(at, "offshore", "provincial", between(r, from, to), name, p.u.place(at)+pick(r, parks), "", country)
	}
	for range f.HaizhiTotal - f.HaizhiBases - len(p.u.ofType["haizhi_base"]) - len(p.u.ofType["offshore_base"]) {
		offshoreBase("2019-01-01", "2021-06-30")
	}
	for range f.OffshoreLater {
		offshoreBase("2021-10-01", "2021-12-20")
	}
	p.add("activities", province, "", map[string]any{"title": "全省海智工作会议", "kind": "symposium", "held_on": "2021-04-09",
		"mode": "offline", "audience": "science_workers", "participants": "120"})
}

// thinkTank: research topics (funded, refused, delegates'), the reports
// sent up and the instructions they received.
func thinkTank(p *plan, r *rand.Rand, f figures) {
	subjects := []string{"农业绿色发展的生态补偿方案", "制造业数字化转型路径", "科技人才评价改革", "长三角科技创新共同体建设",
		"碳达峰碳中和技术路线", "基层科协组织建设", "高校科技成果转化机制", "科普基础设施布局", "青年科技人才成长环境",
		"企业创新主体地位", "乡村振兴中的科技服务", "新型研发机构治理", "集成电路产业链安全", "海洋经济科技支撑",
		"公众科学素质提升", "科技社团参与社会治理", "生物医药产业创新生态", "智能网联汽车产业发展", "数据要素市场建设",
		"科技金融服务体系", "老龄社会的科技应对", "城市更新中的科技应用", "水环境综合治理"}
	pp := newPeople(newRand("innovation.researchers"))
	used := map[string]bool{}
	topic := func(kind, outcome, on string, funding int) {
		title := unique(used, func() string {
			return pick(r, []string{"", "“十四五”时期", "新发展格局下", "高质量发展视角下", "面向2035年的"}) + "江苏" +
				pick(r, subjects) + pick(r, []string{"研究", "对策研究", "调查研究"})
		})
		lead, _ := pp.name()
		v := map[string]any{"title": title, "kind": kind, "lead": lead, "institution": pick(r, affiliations),
			"decided_on": on, "outcome": outcome}
		if funding > 0 {
			v["funding"] = num(funding)
		}
		p.add("research_topics", province, "", v)
	}
	p.add("research_topics", province, "", map[string]any{"title": "江苏省农业绿色发展的生态补偿方案研究", "kind": "decision",
		"lead": "课题组", "institution": "南京农业大学", "decided_on": "2021-04-20", "outcome": "funded", "funding": "50000"})
	used["江苏省农业绿色发展的生态补偿方案研究"] = true
	for range f.ResearchTopics - 1 {
		topic("decision", "funded", "2021-04-20", 20_000+10_000*r.IntN(4))
	}
	for range 31 {
		topic("decision", "rejected", "2021-04-20", 0)
	}
	for range 45 {
		topic("decision", "concluded", "2020-04-24", 20_000+10_000*r.IntN(4))
	}
	for range 38 {
		topic("delegate", "applied", between(r, "2021-06-01", "2021-06-25"), 0)
	}
	for range 15 {
		topic("delegate", "funded", "2021-09-10", 30_000)
	}

	leaders := []struct{ who, post string }{
		{"省委主要负责同志", "省委书记"}, {"省政府主要负责同志", "省长"}, {"省委分管负责同志", "省委常委、宣传部部长"},
		{"省政府分管负责同志", "副省长"}, {"省政府常务负责同志", "常务副省长"}, {"省人大常委会负责同志", "省人大常委会副主任"},
		{"省政协负责同志", "省政协副主席"},
	}
	// reports plans the reports of a year; each gets some instructions
	// (n in all, one per leader and report) a few days to weeks after it
	// was sent, no later than last.
	reports := func(year, issues, n int, from, to, last string) {
		type report struct{ handle, sent string }
		var list []report
		nums := map[string]int{}
		for range issues {
			series := pick(r, []string{"proposal", "special_report"})
			nums[series]++
			rp := report{fmt.Sprintf("issue:%d:%s:%d", year, series, nums[series]), between(r, from, to)}
			p.add("think_tank_issues", province, rp.handle, map[string]any{"title": "关于" + pick(r, subjects) + "的建议",
				"series": series, "year": num(year), "issue_no": num(nums[series]), "published_on": rp.sent,
				"authors": pick(r, affiliations) + "课题组"})
			list = append(list, rp)
		}
		type pair struct{ report, leader int }
		seen := map[pair]bool{}
		for len(seen) < n {
			k := pair{r.IntN(len(list)), r.IntN(len(leaders))}
			if seen[k] {
				continue
			}
			seen[k] = true
			rp, l := list[k.report], leaders[k.leader]
			sent, _ := time.Parse(time.DateOnly, rp.sent)
			on := sent.AddDate(0, 0, 3+r.IntN(30)).Format(time.DateOnly)
			if on > last {
				on = last
			}
			p.add("instructions", province, "", map[string]any{"issue": ref(rp.handle), "leader": l.who, "post": l.post,
				"instructed_on": on, "content": "请有关部门认真研究吸纳。", "follow_up": pick(r, []string{"in_progress", "done"})})
		}
	}
	reports(2020, 20, 23, "2020-01-10", "2020-12-10", "2020-12-31")
	reports(2021, f.ThinkTankIssues, f.Instructions, "2021-01-08", "2021-06-05", "2021-06-30")
}

// academicianCentre: the academicians' centre's projects and the training it
// gave enterprises.
func academicianCentre(p *plan, r *rand.Rand, f figures) {
	techs := []string{"高线速度轻量化齿轮传动系统关键技术", "大功率海上风电主轴承国产化", "高端数控机床可靠性提升", "车规级芯片封装测试",
		"高性能碳纤维复合材料成型", "工业机器人精密减速器", "生物可降解材料改性", "氢燃料电池膜电极制备", "特种钢材洁净冶炼",
		"光伏电池高效钝化工艺", "锂电池正极材料回收", "智能农机导航控制"}
	cs := newCompanies(newRand("innovation.centre"), p.u)
	geo := p.u.geography()
	add := func(kind, title, on string) {
		at := geo.draw(r)
		p.add("projects", province, "", map[string]any{"title": title, "kind": kind, "platform": "academician_centre",
			"started_on": on, "enterprise": cs.at(at).name, "place": at, "stage": "ongoing"})
	}
	for i := range f.BottleneckProjects {
		add("bottleneck", techs[i%len(techs)]+"攻关", between(r, "2021-02-20", "2021-06-20"))
	}
	for i := range f.TransferProjects {
		add("transfer", techs[(i+f.BottleneckProjects)%len(techs)]+"成果转化", between(r, "2021-02-20", "2021-06-20"))
	}
	industries := []string{"集成电路", "生物医药", "高端装备", "新材料", "新能源", "人工智能", "现代农业", "海洋工程", "节能环保", "数字经济"}
	for i := range f.ConsultingProjects {
		add("consulting", "江苏"+industries[i%len(industries)]+"产业技术创新决策咨询", between(r, "2021-02-20", "2021-06-20"))
	}
	for i := range 3 {
		add("bottleneck", techs[(i+5)%len(techs)]+"攻关（二期）", between(r, "2021-08-01", "2021-11-30"))
	}
	sessions := split(r, f.CentreTrainees, 6, 40, 0.8)
	for i, n := range sessions {
		p.add("trainings", province, "", map[string]any{"title": fmt.Sprintf("院士协同创新中心企业人才培训（第%s期）", ordinal(i+1)),
			"kind": "enterprise_talent", "platform": "academician_centre", "started_on": date(2021, time.Month(1+i), 20),
			"mode": "offline", "trainees": num(n)})
	}
}

// enterprises: the companies of Suqian on CAST's Green Platform, the
// innovation-method class of Changzhou, and the service teams after June.
func enterprises(p *plan, r *rand.Rand, f figures) {
	cs := newCompanies(newRand("innovation.enterprises"), p.u)
	suqian := append([]UnitSpec{p.u.byCode["321300"]}, p.u.counties["321300"]...)
	for range f.SuqianEnterprises {
		at := pick(r, suqian).Code
		co := cs.at(at)
		p.add("enterprise_services", at, "", map[string]any{"enterprise": co.name, "uscc": co.uscc, "service": "platform_onboarding",
			"platform": "中国科协“绿平台”", "served_on": between(r, "2021-03-01", "2021-06-25")})
	}
	staff := split(r, f.ChangzhouStaff, f.ChangzhouEnterprises, 1, 0.6)
	for i := range f.ChangzhouEnterprises {
		co := cs.at(pick(r, p.u.counties["320400"]).Code)
		p.add("enterprise_services", "320400", "", map[string]any{"enterprise": co.name, "uscc": co.uscc,
			"service": "innovation_method", "platform": "常州市创新方法培训班", "served_on": "2021-05-19",
			"staff_trained": num(staff[i]), "note": "培训研发人员运用创新方法解决技术难题"})
	}
	socs := p.u.ofType["society"]
	geo := p.u.geography()
	for range 70 {
		so := pick(r, socs)
		co := cs.at(geo.draw(r))
		p.add("enterprise_services", so.Code, "", map[string]any{"enterprise": co.name, "uscc": co.uscc,
			"service":  pick(r, []string{"tech_problem", "consulting", "patent_search", "talent"}),
			"platform": p.u.short(so.Code) + "科技服务队", "served_on": between(r, "2021-07-15", "2021-12-20")})
	}
}
