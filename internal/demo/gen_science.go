package demo

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Area four of the report, 科普 (without the volunteers, gen_volunteers.go):
// experts' outreach, science week, lectures, creative works, the resource
// cloud, museums and their subsidies, science and technology courtyards.

func popularisation(p *plan) {
	f := review()
	r := newRand("popularisation")
	outreach(p, r, f)
	scienceWeek(p, r, f)
	lectures(p, r, f)
	creativeWorks(p, r, f)
	resources(p, r, f)
	museums(p, r, f)
	courtyards(p, r, f)
	volunteers(p, f)
}

var popTopics = []string{"健康生活", "防灾减灾", "航天科技", "人工智能", "垃圾分类", "食品安全", "节约用水", "低碳生活", "心理健康",
	"气象科普", "防范电信诈骗", "科学用药", "现代农业", "湿地保护", "青少年近视防控", "应急救护", "新冠疫苗知识", "网络安全",
	"机器人", "天文观测", "海洋科普", "地震科普", "反对邪教崇尚科学", "老年人智能手机使用", "科学健身"}

// outreach: the academicians' and experts' visits to communities, schools,
// enterprises and villages, in the first half and after.
func outreach(p *plan, r *rand.Rand, f figures) {
	words := map[string]string{"community": "社区", "campus": "校园", "enterprise": "企业", "village": "乡村"}
	used := map[string]bool{}
	add := func(audience, from, to string) {
		county := pick(r, p.u.allCounties).Code
		on := between(r, from, to)
		title := unique(used, func() string {
			return fmt.Sprintf("院士专家科普基层行走进%s%s·%s", p.u.place(county), words[audience], pick(r, popTopics))
		})
		p.add("activities", province, "", map[string]any{"title": title, "kind": "expert_outreach", "held_on": on,
			"mode": "offline", "audience": audience, "place": county, "series": "院士专家科普基层行",
			"participants": num(80 + r.IntN(500))})
	}
	for _, a := range []string{"community", "campus", "enterprise", "village"} {
		for range f.Outreach[a] {
			add(a, "2021-03-01", "2021-06-28")
		}
		for range 22 {
			add(a, "2021-07-05", "2021-12-20")
		}
	}
}

// scienceWeek: the 33rd science-popularisation week across the province
// (and the 32nd of 2020), the Science Popularisation Day in September, the
// competitions and the Zhenjiang science drama festival.
func scienceWeek(p *plan, r *rand.Rand, f figures) {
	forms := []string{"科普讲座", "科普展览", "科普进社区", "科普大篷车巡展", "科技馆开放日", "科普知识竞赛", "科普游园会",
		"科学实验秀", "科普咨询服务", "科普电影展映", "科普直播", "科普市集"}
	pool := p.u.grassroots(0.10, 0.04)
	add := func(kind, series string, n int, from, to string) {
		used := map[string]bool{}
		for range n {
			u := pool.draw(r)
			on := between(r, from, to)
			title := unique(used, func() string {
				return fmt.Sprintf("%s%s%s·%s", p.u.place(u), series, pick(r, forms), pick(r, popTopics))
			})
			mode := "offline"
			if r.IntN(10) < 2 {
				mode = "online"
			}
			p.add("activities", u, "", map[string]any{"title": title, "kind": kind, "held_on": on, "mode": mode,
				"audience": pick(r, []string{"public", "community", "campus", "village", "public"}),
				"series":   series, "participants": num(60 + r.IntN(1500))})
		}
	}
	add("science_week", "第33届科普宣传周", f.ScienceWeek, "2021-05-15", "2021-05-21")
	add("science_week", "第32届科普宣传周", 260, "2020-05-16", "2020-05-22")
	add("science_day", "2021年全国科普日", 180, "2021-09-11", "2021-09-17")
	p.add("activities", province, "", map[string]any{"title": "江苏省第33届科普宣传周启动仪式", "kind": "ceremony",
		"held_on": "2021-05-15", "mode": "hybrid", "audience": "public", "participants": "3000", "online_views": "260000"})
	for _, c := range []struct{ unit, title, kind, on, mode, series string }{
		{province, "2020—2021年度全省全民科学素质大赛线下赛", "competition", "2021-04-17", "offline", ""},
		{province, "江苏省青少年航天知识大赛", "competition", "2021-06-05", "hybrid", ""},
		{province, "2021年全国农民科学素质网络知识竞赛江苏赛区", "competition", "2021-06-20", "online", ""},
		{province, "文化科技卫生“三下乡”集中服务活动", "other", "2021-01-22", "offline", ""},
		{"321100", "“梦溪科普”科普剧创作汇演", "drama", "2021-05-29", "offline", "梦溪科普"},
		{"321100", "镇江市科技馆开馆", "ceremony", "2021-06-26", "offline", ""},
	} {
		n := num(500 + r.IntN(5000))
		v := map[string]any{"title": c.title, "kind": c.kind, "held_on": c.on, "mode": c.mode, "audience": "public", "participants": n}
		if c.series != "" {
			v["series"] = c.series
		}
		if c.kind == "drama" {
			v["onsite_audience"] = n
		}
		p.add("activities", c.unit, "", v)
	}
}

// lectures: Suzhou's Mr Science lecture series and Xuzhou's tour of veteran
// CAS scientists through its schools.
func lectures(p *plan, r *rand.Rand, f figures) {
	for i := range f.SuzhouLectures {
		p.add("activities", "320500", "", map[string]any{"title": fmt.Sprintf("“赛先生说”科学文化讲坛（第%s期）", ordinal(i+1)),
			"kind": "lecture", "held_on": date(2021, time.Month(2+i), 20+r.IntN(6)), "mode": "hybrid", "audience": "public",
			"series": "“赛先生说”科学文化讲坛", "participants": num(180 + r.IntN(200))})
	}
	schools := []string{"第一中学", "第二中学", "第三中学", "实验小学", "实验学校", "外国语学校", "中心小学", "高级中学",
		"实验初级中学", "人民路小学", "解放路小学", "民主路小学"}
	pupils := split(r, f.XuzhouPupils, f.XuzhouLectures, 300, 0.6)
	used := map[string]bool{}
	counties := p.u.counties["320300"]
	for i := range f.XuzhouLectures {
		county := pick(r, counties).Code
		title := unique(used, func() string { return "中科院老科学家科普巡讲走进" + p.u.short(county) + pick(r, schools) })
		p.add("activities", "320300", "", map[string]any{"title": title, "kind": "lecture",
			"held_on": between(r, "2021-03-01", "2021-06-25"), "mode": "offline", "audience": "campus", "place": county,
			"series": "中科院老科学家科普巡讲", "participants": num(pupils[i])})
	}
}

// creativeWorks: the works submitted to the creation and publishing
// support scheme, those funded, and the books commissioned.
func creativeWorks(p *plan, r *rand.Rand, f figures) {
	forms := []struct{ code, word string }{{"book", "（图书）"}, {"video", "（科普视频）"}, {"animation", "（动漫）"},
		{"audio", "（音频节目）"}, {"article", "（图文）"}, {"game", "（互动游戏）"}}
	pp := newPeople(newRand("popularisation.authors"))
	used := map[string]bool{}
	funded := map[int]bool{}
	for _, i := range r.Perm(f.WorksSubmitted)[:f.WorksFunded] {
		funded[i] = true
	}
	for i := range f.WorksSubmitted {
		form := pick(r, forms)
		title := unique(used, func() string {
			return pick(r, []string{"走近", "漫话", "趣说", "揭秘", "你好，", "图说", "身边的"}) + pick(r, popTopics) + form.word
		})
		author, _ := pp.name()
		v := map[string]any{"title": title, "author": author, "form": form.code, "source": "call",
			"submitted_on": between(r, "2021-03-10", "2021-05-20"), "funded": funded[i]}
		if funded[i] {
			v["funding"] = num(20_000 + 5_000*r.IntN(13))
		}
		p.add("creative_works", province, "", v)
	}
	books := []string{"江苏科技百年", "大国重器在江苏", "院士讲科学：从长江到太空", "水乡的科学", "江苏科学家故事"}
	for _, t := range books[:f.BooksCommissioned] {
		author, _ := pp.name()
		p.add("creative_works", province, "", map[string]any{"title": "《" + t + "》", "author": author + "等", "form": "book",
			"source": "commissioned", "submitted_on": between(r, "2021-01-15", "2021-06-15"), "funded": true,
			"funding": num(80_000 + 10_000*r.IntN(5)), "publisher": "江苏凤凰科学技术出版社"})
	}
}

// resources: the resource cloud's library, own and gathered resources
// adding up to the report's terabytes (10^12 bytes), and some after June.
func resources(p *plan, r *rand.Rand, f figures) {
	kinds := []struct{ code, word string }{{"video", "视频"}, {"image", "图片"}, {"article", "图文"}, {"courseware", "课件"},
		{"vr", "VR"}, {"audio", "音频"}, {"exhibit", "展品设计"}}
	sources := []string{"中国科协“科普中国”", "省级学会", "市县科协", "高校科协", "科普教育基地", "科技馆"}
	used := map[string]bool{}
	geo := p.u.geography()
	add := func(own bool, size int64, from, to string) {
		k := pick(r, kinds)
		title := unique(used, func() string {
			return fmt.Sprintf("%s%s资源包（第%d辑）", pick(r, popTopics), k.word, 1+r.IntN(12))
		})
		at, source := province, "江苏“科普云”自主研发"
		if !own {
			source = pick(r, sources)
			if r.IntN(10) < 4 {
				at = geo.draw(r)
			}
		}
		p.add("sci_resources", at, "", map[string]any{"title": title, "kind": k.code, "topic": pick(r, popTopics),
			"size_bytes": num(size), "self_developed": own, "added_on": between(r, from, to), "source": source})
	}
	const minSize = 200_000_000 // 0.2 GB
	for _, s := range split(r, f.OwnResourceBytes, 270, minSize, 2) {
		add(true, s, "2016-03-01", "2021-06-30")
	}
	for _, s := range split(r, f.ResourceBytes-f.OwnResourceBytes, 450, minSize, 2) {
		add(false, s, "2016-03-01", "2021-06-30")
	}
	for i := range 40 {
		add(i%3 == 0, minSize+int64(r.IntN(20_000_000_000)), "2021-07-01", "2021-12-28")
	}
}

// museums: the central subsidy for the free opening of the associations'
// museums (one per city), this year and last; the travelling museum in
// Yangzhou's counties.
func museums(p *plan, r *rand.Rand, f figures) {
	type museum struct{ at, name, unit string }
	var list []museum
	own := map[string]UnitSpec{}
	for _, m := range p.u.ofType["museum"] {
		own[m.Parent] = m
	}
	for _, c := range p.u.cities {
		if m, ok := own[c.Code]; ok {
			list = append(list, museum{m.Code, m.NameZH, m.Code})
			continue
		}
		list = append(list, museum{c.Code, p.u.short(c.Code) + "市科学技术馆", ""})
	}
	list = list[:f.Museums]
	add := func(year int, total int64, on string) {
		amounts := split(r, total/10_000, len(list), 80, 0.6) // in 万元
		for i, m := range list {
			v := map[string]any{"museum_name": m.name, "year": num(year), "source": "central",
				"amount": num(amounts[i] * 10_000), "granted_on": on, "purpose": "科技馆免费开放"}
			if m.unit != "" {
				v["museum"] = m.unit
			}
			p.add("museum_subsidies", m.at, "", v)
		}
	}
	add(2021, f.MuseumSubsidy, "2021-05-25")
	add(2020, 19_500_000, "2020-06-10")

	counties := shuffled(r, p.u.counties["321000"])
	for _, c := range counties[:f.YangzhouCounties] {
		p.add("projects", "321000", "", map[string]any{"title": "中国流动科技馆" + p.u.short(c.Code) + "区域换展",
			"kind": "mobile_museum", "platform": "cast", "started_on": between(r, "2021-05-10", "2021-06-20"),
			"ends_on": "2024-06-30", "place": c.Code, "lead": "扬州市科学技术协会", "stage": "ongoing"})
	}
	for _, c := range shuffled(r, p.u.allCounties)[:8] {
		p.add("nominations", province, "", map[string]any{"nominee": p.u.place(c.Code), "kind": "demo_county", "channel": "local",
			"result": "recommended", "nominated_on": "2021-06-18"})
	}
}

// courtyards: the science and technology courtyards of the rural technical
// associations (those of the first half, a few earlier), and the
// science-education bases (with the 100 recognised at the end of the year).
func courtyards(p *plan, r *rand.Rand, f figures) {
	crops := []string{"水蜜桃", "茶叶", "稻米", "草莓", "葡萄", "大闸蟹", "食用菌", "银杏", "花木", "芦蒿", "龙虾", "山药",
		"梨", "蓝莓", "黄桃", "生猪", "蔬菜", "苗木"}
	used := map[string]bool{}
	add := func(at, on string, self bool) {
		v := map[string]any{"kind": "kexiao", "level": "provincial", "recognised_on": on}
		if self {
			v["name"], v["base_unit"], v["host"] = p.u.byCode[at].NameZH, at, "所在县农技协"
		} else {
			v["name"] = unique(used, func() string { return p.u.short(at) + pick(r, crops) + "科技小院" })
			v["host"] = p.u.short(at) + pick(r, crops) + "产业协会"
		}
		v["field"] = "农技服务"
		p.add("bases", at, "", v)
	}
	own := p.u.ofType["kexiao"]
	for _, k := range own {
		add(k.Code, between(r, "2021-03-01", "2021-06-28"), true)
	}
	rural := shuffled(r, p.u.allCounties)
	for i := range f.Kexiao - len(own) {
		add(rural[i].Code, between(r, "2021-03-01", "2021-06-28"), false)
	}
	for i := range 4 {
		add(rural[20+i].Code, between(r, "2020-05-01", "2020-11-30"), false)
	}

	kinds := []string{"科技馆", "自然博物馆", "植物园", "湿地公园", "气象科普馆", "地震科普馆", "农业科技园", "消防科普教育馆",
		"青少年科技活动中心", "天文台", "防灾减灾体验馆", "水利科普馆", "中医药文化馆", "动物园", "海洋馆"}
	for _, e := range p.u.ofType["edu_base"] {
		p.add("bases", e.Code, "", map[string]any{"name": e.NameZH, "kind": "edu_base", "level": "provincial",
			"recognised_on": between(r, "2015-01-01", "2019-12-31"), "host": trimBase(e.NameZH), "base_unit": e.Code})
	}
	geo := p.u.geography()
	for range 46 {
		at := geo.draw(r)
		name := unique(used, func() string { return p.u.place(at) + pick(r, kinds) })
		p.add("bases", at, "", map[string]any{"name": name + "科普教育基地", "kind": "edu_base", "level": "provincial",
			"recognised_on": between(r, "2015-01-01", "2020-12-31"), "host": name})
	}
	for range 100 {
		at := geo.draw(r)
		name := unique(used, func() string { return p.u.place(at) + pick(r, kinds) })
		p.add("bases", at, "", map[string]any{"name": name + "科普教育基地", "kind": "edu_base", "level": "provincial",
			"recognised_on": "2021-12-20", "host": name})
	}
}

// trimBase is a base's host: its name without the base.
func trimBase(name string) string {
	const suffix = "科普教育基地"
	if len(name) > len(suffix) && name[len(name)-len(suffix):] == suffix {
		return name[:len(name)-len(suffix)]
	}
	return name
}
