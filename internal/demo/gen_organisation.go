package demo

import (
	"fmt"
	"math/rand/v2"
)

// Area five of the report, 组织: the societies' party branches and
// members, party-building groups, and the rates two cities report.

// jointBranches is how many of the societies' branches are joint ones,
// each covering its leading society and one or more others.
const jointBranches = 6

func organisation(p *plan) {
	f := review()
	r := newRand("organisation")
	partyBranches(p, r, f)
	rates(p, f)
}

// partyBranches: secretariat branches each in its society, joint branches
// covering several, the members registered with them up to 30 June 2021
// (at least three per society covered), the party-building groups set up
// or changed in the first half, and one branch set up after June.
func partyBranches(p *plan, r *rand.Rand, f figures) {
	societies := shuffled(r, p.u.ofType["society"])
	if f.SocietiesCovered >= len(societies) || f.SocietiesCovered < f.PartyBranches+jointBranches {
		p.fail(fmt.Errorf("demo: %d societies cannot hold %d branches covering %d", len(societies), f.PartyBranches, f.SocietiesCovered))
		return
	}
	single := f.PartyBranches - jointBranches
	extra := split(r, int64(f.SocietiesCovered-f.PartyBranches), jointBranches, 1, 0.3) // others each joint branch covers
	type branch struct {
		handle, setUp string
		covers        []UnitSpec // the leading society first
	}
	var branches []branch
	next := f.PartyBranches
	pp := newPeople(newRand("organisation.members"))
	for i := range f.PartyBranches {
		so := societies[i]
		b := branch{handle: "branch:" + so.Code, setUp: between(r, "2016-06-01", "2021-05-31"), covers: []UnitSpec{so}}
		kind, name := "secretariat_branch", so.NameZH+"秘书处党支部"
		if i >= single {
			kind = "joint_branch"
			n := int(extra[i-single])
			b.covers = append(b.covers, societies[next:next+n]...)
			next += n
			name = so.NameZH + "等" + ordinal(len(b.covers)) + "个学会联合党支部"
		}
		secretary, _ := pp.name()
		p.add("party_orgs", so.Code, b.handle, map[string]any{"name": name, "kind": kind, "action": "founded",
			"set_up_on": b.setUp, "secretary": secretary})
		branches = append(branches, b)
	}
	counts := split(r, int64(f.PartyMembers), f.SocietiesCovered, 3, 0.6)
	k := 0
	for _, b := range branches {
		for _, so := range b.covers {
			for range counts[k] {
				name, gender := pp.name()
				p.add("party_members", so.Code, "", map[string]any{"name": name, "branch": ref(b.handle), "gender": gender,
					"joined_party_on": between(r, "1978-01-01", "2016-12-31"), "registered_on": between(r, b.setUp, "2021-06-30")})
			}
			k++
		}
	}
	// A branch set up after June, in a society not covered before.
	late := societies[f.SocietiesCovered]
	secretary, _ := pp.name()
	p.add("party_orgs", late.Code, "branch:"+late.Code, map[string]any{"name": late.NameZH + "秘书处党支部",
		"kind": "secretariat_branch", "action": "founded", "set_up_on": "2021-09-15", "secretary": secretary})
	for range 3 {
		name, gender := pp.name()
		p.add("party_members", late.Code, "", map[string]any{"name": name, "branch": ref("branch:" + late.Code), "gender": gender,
			"joined_party_on": between(r, "1990-01-01", "2016-12-31"), "registered_on": between(r, "2021-09-15", "2021-10-31")})
	}
	for i, so := range shuffled(r, societies)[:f.PartyBuildingGroups] {
		action := "founded"
		if i%3 == 2 {
			action = "changed"
		}
		head, _ := pp.name()
		p.add("party_orgs", so.Code, "", map[string]any{"name": so.NameZH + "党建工作领导小组", "kind": "building_group",
			"action": action, "set_up_on": between(r, "2021-03-01", "2021-06-30"), "secretary": head})
	}
}

// rates: the share of Lianyungang's city-level societies with a functional
// party branch, and Huai'an's science in the "two centres", at the end of
// 2020 and on 30 June 2021.
func rates(p *plan, f figures) {
	n, d := f.LianyungangBranches[0], f.LianyungangBranches[1]
	p.add("rates", "320700", "", map[string]any{"indicator": "society_branch_rate", "as_of": "2021-06-30",
		"rate": f.LianyungangRate, "numerator": num(n), "denominator": num(d),
		"note": fmt.Sprintf("%d 个市级学会中 %d 个建有功能性党支部", d, n)})
	p.add("rates", "320700", "", map[string]any{"indicator": "society_branch_rate", "as_of": "2020-12-31",
		"rate": "52.8", "numerator": "28", "denominator": num(d), "note": fmt.Sprintf("%d 个市级学会中 28 个建有功能性党支部", d)})
	p.add("rates", "320800", "", map[string]any{"indicator": "two_centres_integration", "as_of": "2021-06-30",
		"rate": f.HuaianRate, "note": "通过“四长”为基层提供科技服务，科技元素在新时代文明实践中心和党群服务中心的融入度"})
	p.add("rates", "320800", "", map[string]any{"indicator": "two_centres_integration", "as_of": "2020-12-31", "rate": "74"})
}
