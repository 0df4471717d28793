package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// Area two of the report, 改革: county associations' reform, society
// secretariats, society registration, enterprise associations.

func reform(p *plan) {
	f := review()
	r := newRand("reform")
	countyReforms(p, r, f)
	secretariats(p, r, f)
	societyChanges(p, f)
	enterpriseAssocs(p, r, f)
}

// countyReforms: the counties that reached independent status or set up a
// party group in the first half of 2021 (the reform pilot counties first),
// and those that had done so before.
func countyReforms(p *plan, r *rand.Rand, f figures) {
	var pilots, others []string
	for _, c := range p.u.allCounties {
		if slices.Contains(p.u.byCode[c.Code].Groups, "reform_county") {
			pilots = append(pilots, c.Code)
		} else {
			others = append(others, c.Code)
		}
	}
	others = shuffled(r, others)
	order := append(slices.Clone(pilots), others...)
	add := func(code, milestone, on string) {
		p.add("county_reforms", code, "", map[string]any{"milestone": milestone, "achieved_on": on,
			"document": fmt.Sprintf("%s机构编制委员会文件", p.u.short(p.u.cityOf(code))+"市")})
	}
	// Before 2021: independent status and party groups in some counties.
	for _, c := range order[f.IndependentCounties : f.IndependentCounties+14] {
		add(c, "independent", between(r, "2018-03-01", "2020-12-20"))
	}
	for _, c := range order[f.IndependentCounties+3 : f.IndependentCounties+12] {
		add(c, "party_group", between(r, "2019-01-01", "2020-12-20"))
	}
	// First half of 2021, pushed by the special supervision.
	for _, c := range order[:f.IndependentCounties] {
		add(c, "independent", between(r, "2021-03-01", "2021-06-28"))
	}
	for _, c := range order[:f.PartyGroupCounties] {
		add(c, "party_group", between(r, "2021-04-01", "2021-06-30"))
	}
	// Second half: more of the same.
	for _, c := range order[f.IndependentCounties+14 : f.IndependentCounties+17] {
		add(c, "independent", between(r, "2021-08-01", "2021-12-20"))
	}
}

// secretariats: the professional staff of the societies' secretariats, a
// secretary-general among them in some societies; a few join after June.
func secretariats(p *plan, r *rand.Rand, f figures) {
	societies := shuffled(r, p.u.ofType["society"])
	sizes := split(r, int64(f.SecretariatStaff), len(societies), 2, 1.2)
	pp := newPeople(newRand("reform.staff"))
	educations := []string{"doctorate", "master", "master", "bachelor", "bachelor", "bachelor", "other"}
	for i, so := range societies {
		for j := range sizes[i] {
			name, gender := pp.name()
			post := pick(r, []string{"staff", "staff", "staff", "office_director", "deputy_secretary_general"})
			joined := between(r, "2008-01-01", "2021-06-30")
			if j == 0 && i < f.SecretariesGeneral {
				post, joined = "secretary_general", between(r, "2008-01-01", "2020-12-31")
			}
			p.add("society_staff", so.Code, "", map[string]any{"name": name, "gender": gender, "post": post,
				"joined_on": joined, "education": pick(r, educations)})
		}
	}
	for range 6 {
		name, gender := pp.name()
		p.add("society_staff", pick(r, societies).Code, "", map[string]any{"name": name, "gender": gender, "post": "staff",
			"joined_on": between(r, "2021-07-05", "2021-12-15"), "education": "master"})
	}
}

// societyChanges: a society deregistered, new ones approved or being
// prepared.
func societyChanges(p *plan, f figures) {
	deregistered := []string{"江苏省新型建材应用研究会", "江苏省城乡规划技术研究会"}
	approved := []string{"江苏省网络空间安全学会", "江苏省碳中和技术学会", "江苏省应急管理学会", "江苏省科学技术史学会",
		"江苏省集成电路学会"}
	preparing := []string{"江苏省材料研究会", "江苏省数字经济学会", "江苏省智能网联汽车学会"}
	for i, name := range deregistered[:f.SocietiesDeregistered] {
		p.add("society_changes", province, "", map[string]any{"society_name": name, "change": "deregistered",
			"decided_on": date(2021, time.Month(5+i), 20), "document": fmt.Sprintf("苏科协发〔2021〕%d号", 41+i),
			"reason": "长期未按章程开展活动，运行不规范"})
	}
	for i, name := range approved[:f.SocietiesApproved] {
		p.add("society_changes", province, "", map[string]any{"society_name": name, "change": "approved",
			"decided_on": date(2021, time.Month(2+i), 10+3*i), "document": fmt.Sprintf("苏科协发〔2021〕%d号", 12+5*i)})
	}
	for i, name := range preparing {
		p.add("society_changes", province, "", map[string]any{"society_name": name, "change": "preparing",
			"decided_on": date(2021, time.Month(3+i), 15)})
	}
	p.add("society_changes", province, "", map[string]any{"society_name": approved[len(approved)-1], "change": "approved",
		"decided_on": "2021-10-12", "document": "苏科协发〔2021〕88号"})
	p.add("society_changes", province, "", map[string]any{"society_name": deregistered[len(deregistered)-1], "change": "deregistered",
		"decided_on": "2020-11-16", "document": "苏科协发〔2020〕97号", "reason": "连续两年未通过年检"})
}

var (
	brandWords = []string{"华", "瑞", "恒", "盛", "新", "达", "锦", "宏", "天", "鑫", "远", "博", "泰", "润", "腾", "科", "海",
		"金", "永", "正", "凯", "光", "东", "信", "弘", "裕", "嘉", "安", "益", "联"}
	industries = []struct{ code, word string }{
		{"machinery", "机械装备"}, {"electronics", "电子科技"}, {"chemicals", "化工"}, {"materials", "新材料"},
		{"energy", "新能源"}, {"biomed", "生物医药"}, {"auto", "汽车零部件"}, {"textiles", "纺织"}, {"food", "食品"},
		{"agriculture", "农业科技"}, {"electronics", "智能科技"}, {"machinery", "精密制造"},
	}
)

// company is a made-up company of a city, with its industry.
type company struct{ name, industry, uscc string }

// companies draws made-up companies with distinct names and credit codes.
type companies struct {
	r      *rand.Rand
	u      *unitIndex
	names  map[string]bool
	credit *credit
}

func newCompanies(r *rand.Rand, u *unitIndex) *companies {
	return &companies{r: r, u: u, names: map[string]bool{}, credit: newCredit(r)}
}

// at returns a new company registered at the division code (a city or county).
func (c *companies) at(code string) company {
	ind := pick(c.r, industries)
	city := c.u.short(c.u.cityOf(code))
	name := unique(c.names, func() string {
		return city + pick(c.r, brandWords) + pick(c.r, brandWords) + ind.word + pick(c.r, []string{"有限公司", "股份有限公司", "有限公司"})
	})
	return company{name: name, industry: ind.code, uscc: c.credit.code(code)}
}

// enterpriseAssocs: enterprise associations founded before 2021, the new
// ones of the first half (mostly in the south), and more after June.
func enterpriseAssocs(p *plan, r *rand.Rand, f figures) {
	cs := newCompanies(newRand("reform.companies"), p.u)
	pool := p.u.geography()
	pp := newPeople(newRand("reform.chairs"))
	add := func(at, founded string, co company, members int) {
		chair, _ := pp.name()
		p.add("enterprise_associations", at, "", map[string]any{"name": co.name + "科学技术协会", "enterprise": co.name,
			"uscc": co.uscc, "founded_on": founded, "industry": co.industry, "members": num(members), "chair": chair})
	}
	for _, e := range p.u.ofType["enterprise"] {
		co := cs.at(p.u.cityOf(e.Code))
		co.name = trimAssoc(e.NameZH)
		add(e.Code, between(r, "2014-01-01", "2020-10-31"), co, 40+r.IntN(200))
	}
	for range 126 {
		at := pool.draw(r)
		add(at, between(r, "2012-01-01", "2020-12-31"), cs.at(at), 20+r.IntN(150))
	}
	for range f.EnterpriseAssocs {
		at := pool.draw(r)
		add(at, between(r, "2021-01-10", "2021-06-30"), cs.at(at), 15+r.IntN(120))
	}
	for range 37 {
		at := pool.draw(r)
		add(at, between(r, "2021-07-01", "2021-12-25"), cs.at(at), 15+r.IntN(120))
	}
}

// trimAssoc is an enterprise association's enterprise: its name without
// the association.
func trimAssoc(name string) string {
	const suffix = "科学技术协会"
	if len(name) > len(suffix) && name[len(name)-len(suffix):] == suffix {
		return name[:len(name)-len(suffix)]
	}
	return name
}
