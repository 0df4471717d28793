package demo

import (
	"context"
	"errors"
	"fmt"

	"kexie/internal/fault"
	"kexie/internal/scheme"
	"kexie/internal/unit"
)

// Codes of the demo's evaluation schemes.
const (
	SocietyScheme = "society_capacity" // 学会综合能力评价
	CountyScheme  = "county_capacity"  // 县级科协能力指数
	HaizhiScheme  = "haizhi_base"      // 海智基地评估
	SchemePeriod  = "2021S1"
)

func leaf(code, parent, name string, share float64, metricCode string, r scheme.Rule) scheme.Node {
	return scheme.Node{Code: code, Parent: parent, NameZH: name, Weight: share, Points: share, Metric: metricCode, Rule: &r}
}

func hand(code, parent, name string, share float64, r scheme.Rule) scheme.Node {
	return scheme.Node{Code: code, Parent: parent, NameZH: name, Weight: share, Points: share, Manual: true, Rule: &r}
}

func branch(code, parent, name string, share float64) scheme.Node {
	return scheme.Node{Code: code, Parent: parent, NameZH: name, Weight: share, Points: share}
}

func lin(floor, target float64) scheme.Rule {
	return scheme.Rule{Kind: scheme.Linear, Floor: floor, Target: target}
}

func ratio(target float64) scheme.Rule { return scheme.Rule{Kind: scheme.Ratio, Target: target} }

var (
	yesNo      = scheme.Rule{Kind: scheme.YesNo}
	percentile = scheme.Rule{Kind: scheme.Percentile}
	tiers      = scheme.Rule{Kind: scheme.Bands, Bands: []scheme.Band{{Min: 1, Share: 0.4}, {Min: 2, Share: 0.7}, {Min: 3, Share: 1}}}
)

// weightsMode keeps only the weights of nodes (points mode, only points).
func weightsMode(v scheme.Version) scheme.Version {
	for i := range v.Nodes {
		if v.Mode == scheme.ByWeights {
			v.Nodes[i].Points = 0
		} else {
			v.Nodes[i].Weight = 0
		}
	}
	return v
}

// SocietyThreeLevels is the society capacity scheme as it was: three
// levels, weights, the first level's from an AHP matrix.
func SocietyThreeLevels() scheme.Version {
	return weightsMode(scheme.Version{Mode: scheme.ByWeights, Total: 100,
		// 组织建设 : 学术与创新 : 科学普及 : 党建 — academic work matters most
		RootAHP: [][]float64{{1, 1.0 / 2, 2, 2}, {2, 1, 3, 3}, {1.0 / 2, 1.0 / 3, 1, 1}, {1.0 / 2, 1.0 / 3, 1, 1}},
		Nodes: []scheme.Node{
			branch("A", "", "组织建设", 0),
			branch("A1", "A", "治理结构", 0.6),
			leaf("A11", "A1", "职业化工作人员", 0.4, "society_staff", lin(0, 3)),
			leaf("A12", "A1", "职业化秘书长", 0.3, "society_secretaries_general", yesNo),
			hand("A13", "A1", "章程与制度建设", 0.3, tiers),
			branch("A2", "A", "志愿服务", 0.4),
			leaf("A21", "A2", "注册志愿服务组织", 0.5, "volunteer_organisations", ratio(2)),
			leaf("A22", "A2", "发布志愿服务活动", 0.5, "volunteer_activities_published", percentile),
			branch("B", "", "学术与创新", 0),
			branch("B1", "B", "学术交流", 0.5),
			leaf("B11", "B1", "科技工作者日线上活动", 0.4, "workers_day_online_events", lin(0, 3)),
			hand("B12", "B1", "学术会议", 0.6, lin(0, 10)),
			branch("B2", "B", "服务创新", 0.5),
			leaf("B21", "B2", "“科创江苏”项目", 0.5, "kczj_projects", ratio(2)),
			leaf("B22", "B2", "科学技术奖自主提名", 0.5, "sci_award_society_nominations", tiers),
			branch("C", "", "科学普及", 0),
			branch("C1", "C", "科普活动", 1),
			leaf("C11", "C1", "科普宣传周活动", 0.7, "science_week_activities", percentile),
			leaf("C12", "C1", "科技志愿服务品牌项目", 0.3, "volunteer_brand_projects", yesNo),
			branch("D", "", "党建", 0),
			branch("D1", "D", "党的组织", 1),
			leaf("D11", "D1", "入库党员", 0.6, "party_members_registered", lin(0, 5)),
			leaf("D12", "D1", "党建工作领导小组", 0.4, "party_building_groups", yesNo),
		},
		Bonuses: []scheme.Adjust{{Code: "X1", NameZH: "品牌项目加分", Metric: "volunteer_brand_projects", PerUnit: 1, Cap: 3}},
		Vetoes:  []scheme.Veto{{Code: "V1", NameZH: "注销", Metric: "societies_deregistered", AtLeast: 1}},
		Grades: scheme.Grading{Method: scheme.ByQuota, Ties: scheme.TiesShare,
			Levels: []scheme.GradeLevel{{Name: "优秀", Share: 0.2}, {Name: "良好", Share: 0.3}, {Name: "合格"}}},
	})
}

// SocietyTwoLevels is the society capacity scheme compressed to two
// levels, on a 1,000-point scale.
func SocietyTwoLevels() scheme.Version {
	return weightsMode(scheme.Version{Mode: scheme.ByPoints, Total: 1000,
		Nodes: []scheme.Node{
			branch("A", "", "组织建设", 250),
			leaf("A11", "A", "职业化工作人员", 80, "society_staff", lin(0, 3)),
			leaf("A12", "A", "职业化秘书长", 50, "society_secretaries_general", yesNo),
			hand("A13", "A", "章程与制度建设", 60, tiers),
			leaf("A21", "A", "注册志愿服务组织", 60, "volunteer_organisations", ratio(2)),
			branch("B", "", "学术与创新", 350),
			leaf("B11", "B", "科技工作者日线上活动", 100, "workers_day_online_events", lin(0, 3)),
			hand("B12", "B", "学术会议", 100, lin(0, 10)),
			leaf("B21", "B", "“科创江苏”项目", 80, "kczj_projects", ratio(2)),
			leaf("B22", "B", "科学技术奖自主提名", 70, "sci_award_society_nominations", tiers),
			branch("C", "", "科学普及", 250),
			leaf("C11", "C", "科普宣传周活动", 150, "science_week_activities", percentile),
			leaf("C12", "C", "科技志愿服务品牌项目", 50, "volunteer_brand_projects", yesNo),
			leaf("A22", "C", "发布志愿服务活动", 50, "volunteer_activities_published", percentile),
			branch("D", "", "党建", 150),
			leaf("D11", "D", "入库党员", 80, "party_members_registered", lin(0, 5)),
			leaf("D12", "D", "党建工作领导小组", 70, "party_building_groups", yesNo),
		},
		Bonuses: []scheme.Adjust{{Code: "X1", NameZH: "品牌项目加分", Metric: "volunteer_brand_projects", PerUnit: 10, Cap: 30}},
		Vetoes:  []scheme.Veto{{Code: "V1", NameZH: "注销", Metric: "societies_deregistered", AtLeast: 1}},
		Grades: scheme.Grading{Method: scheme.ByQuota, Ties: scheme.TiesShare,
			Levels: []scheme.GradeLevel{{Name: "优秀", Share: 0.2}, {Name: "良好", Share: 0.3}, {Name: "合格"}}},
	})
}

// CountyIndex is the county association capacity index.
func CountyIndex() scheme.Version {
	return weightsMode(scheme.Version{Mode: scheme.ByWeights, Total: 100,
		Nodes: []scheme.Node{
			branch("K1", "", "组织体系", 0.3),
			leaf("K11", "K1", "独立建制", 0.4, "county_independent", yesNo),
			leaf("K12", "K1", "设立党组", 0.3, "county_party_groups", yesNo),
			leaf("K13", "K1", "新建企业科协", 0.3, "enterprise_associations_new", lin(0, 3)),
			branch("K2", "", "科普能力", 0.4),
			leaf("K21", "K2", "科普宣传周活动", 0.4, "science_week_activities", percentile),
			leaf("K22", "K2", "注册志愿服务组织", 0.3, "volunteer_organisations", lin(0, 6)),
			leaf("K23", "K2", "科技志愿服务品牌项目", 0.3, "volunteer_brand_projects", tiers),
			branch("K3", "", "服务创新", 0.3),
			leaf("K31", "K3", "“科创江苏”项目", 0.3, "kczj_projects", ratio(1)),
			leaf("K32", "K3", "新建科技小院", 0.2, "kexiao_new", yesNo),
			leaf("K33", "K3", "科技工作者日线上活动", 0.2, "workers_day_online_events", lin(0, 3)),
			hand("K34", "K3", "工作经费纳入财政预算", 0.3, yesNo),
		},
		Bonuses: []scheme.Adjust{{Code: "X1", NameZH: "离岸基地加分", Metric: "offshore_bases_new", PerUnit: 2, Cap: 4}},
		Grades: scheme.Grading{Method: scheme.ByThreshold,
			Levels: []scheme.GradeLevel{{Name: "A", Min: 60}, {Name: "B", Min: 45}, {Name: "C", Min: 30}, {Name: "D"}}},
	})
}

// HaizhiBases is the assessment of the overseas-talent (海智) bases,
// scored mostly by hand.
func HaizhiBases() scheme.Version {
	return weightsMode(scheme.Version{Mode: scheme.ByPoints, Total: 100,
		Nodes: []scheme.Node{
			branch("H1", "", "工作机制", 30),
			hand("H11", "H1", "专门机构和人员", 10, yesNo),
			hand("H12", "H1", "工作制度", 20, tiers),
			branch("H2", "", "引才引智", 40),
			leaf("H21", "H2", "新聘海智特聘专家", 15, "haizhi_experts_appointed", lin(0, 5)),
			hand("H22", "H2", "引进海外项目", 25, lin(0, 20)),
			branch("H3", "", "成效", 30),
			hand("H31", "H3", "项目落地", 20, lin(0, 5)),
			hand("H32", "H3", "海外人才交流活动", 10, yesNo),
		},
		Grades: scheme.Grading{Method: scheme.ByThreshold,
			Levels: []scheme.GradeLevel{{Name: "优秀", Min: 85}, {Name: "合格", Min: 60}, {Name: "不合格"}}},
	})
}

type demoScheme struct {
	sc       scheme.Scheme
	versions []scheme.Version
	notes    []string
}

func demoSchemes() []demoScheme {
	return []demoScheme{
		{scheme.Scheme{Code: SocietyScheme, NameZH: "学会综合能力评价", NameEN: "Society capacity evaluation", UnitType: "society"},
			[]scheme.Version{SocietyThreeLevels(), SocietyTwoLevels()}, []string{"三级指标体系", "压缩为两级，千分制"}},
		{scheme.Scheme{Code: CountyScheme, NameZH: "县级科协能力指数", NameEN: "County association capacity index", UnitType: "county"},
			[]scheme.Version{CountyIndex()}, []string{"首版"}},
		{scheme.Scheme{Code: HaizhiScheme, NameZH: "海智基地评估", NameEN: "Overseas-talent base assessment", UnitType: "haizhi_base"},
			[]scheme.Version{HaizhiBases()}, []string{"首版"}},
	}
}

// LoadSchemes adds the demo's evaluation schemes when they are missing —
// the society capacity scheme in three levels (version 1) and two
// (version 2), the county association index and the 海智 base assessment
// — with self-scores on their hand-scored leaves, verified (a few
// adjusted), and runs for 2021S1 over the province: the society scheme's
// two-level run and the county run published, one objection filed and
// answered.
func LoadSchemes(ctx context.Context, s *scheme.Service) error {
	if _, err := s.Get(ctx, SocietyScheme); err == nil {
		return nil
	} else if !errors.Is(err, fault.ErrNotFound) {
		return err
	}
	all := unit.Everything()
	for _, d := range demoSchemes() {
		if err := s.Create(ctx, d.sc); err != nil {
			return fmt.Errorf("demo scheme %s: %w", d.sc.Code, err)
		}
		for i, v := range d.versions {
			n, err := s.AddVersion(ctx, d.sc.Code, d.notes[i], v)
			if err != nil {
				return fmt.Errorf("demo scheme %s version %d: %w", d.sc.Code, i+1, err)
			}
			if err := selfScores(ctx, s, d.sc, n, v); err != nil {
				return err
			}
			run, err := s.Start(ctx, all, d.sc.Code, n, rootCode, SchemePeriod)
			if err != nil {
				return fmt.Errorf("demo run %s/%d: %w", d.sc.Code, n, err)
			}
			if i == len(d.versions)-1 && d.sc.Code != HaizhiScheme {
				if err := s.Publish(ctx, all, run.ID, 30); err != nil {
					return err
				}
			}
			if d.sc.Code == SocietyScheme && i == 1 {
				oid, err := s.Object(ctx, all, run.ID, "SOC003", "B22", "本学会上半年自主提名科学技术奖 2 项，系统只统计到 1 项，请核实。")
				if err != nil {
					return fmt.Errorf("demo objection: %w", err)
				}
				if err := s.Answer(ctx, all, oid, scheme.Reply{Answer: "经核实，另一项提名于 7 月报送，计入下半年。维持原分。"}); err != nil {
					return err
				}
				// An upheld objection: the point is corrected and the run
				// scored again.
				oid, err = s.Object(ctx, all, run.ID, "SOC005", "B22", "本学会上半年提名科学技术奖 2 项（附推荐函），系统未统计。")
				if err != nil {
					return fmt.Errorf("demo objection: %w", err)
				}
				two := 2.0
				if err := s.Answer(ctx, all, oid, scheme.Reply{Answer: "经核实，两项提名均于 6 月报送，按 2 项计。", Upheld: true, Value: &two}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// selfScores has every unit scored claim a value on each hand-scored leaf
// (deterministic, spread over the leaf's range) and the evaluator verify
// it, cutting every seventh claim by one with a reason.
func selfScores(ctx context.Context, s *scheme.Service, sc scheme.Scheme, n int, v scheme.Version) error {
	var manual []scheme.Node
	for _, l := range v.Leaves() {
		if l.Manual {
			manual = append(manual, l)
		}
	}
	if len(manual) == 0 {
		return nil
	}
	specs, err := Units()
	if err != nil {
		return err
	}
	k := 0
	for _, u := range specs {
		if u.Type != sc.UnitType {
			continue
		}
		for j, l := range manual {
			k++
			top := 1.0
			switch l.Rule.Kind {
			case scheme.Linear, scheme.Ratio:
				top = l.Rule.Target
			case scheme.Bands:
				top = l.Rule.Bands[len(l.Rule.Bands)-1].Min
			}
			claim := float64((k*7 + j*3) % int(top+1)) // 0..top
			if l.Rule.Kind == scheme.YesNo {
				claim = 0 // one in five says no
				if (k+j)%5 != 0 {
					claim = 1
				}
			}
			h := scheme.HandScore{Unit: u.Code, Node: l.Code, Claimed: claim, Evidence: evidence(l)}
			if err := s.SelfScore(ctx, unit.Everything(), sc.Code, n, SchemePeriod, h); err != nil {
				return fmt.Errorf("demo self-score %s %s: %w", u.Code, l.Code, err)
			}
			verified, reason := claim, ""
			if k%7 == 0 && claim >= 1 {
				verified, reason = claim-1, "佐证材料不全，核减。"
			}
			if err := s.Verify(ctx, unit.Everything(), sc.Code, n, SchemePeriod, u.Code, l.Code, verified, reason); err != nil {
				return fmt.Errorf("demo verification %s %s: %w", u.Code, l.Code, err)
			}
		}
	}
	return nil
}

func evidence(l scheme.Node) string {
	return "《" + l.NameZH + "》佐证材料（会议纪要、文件）已上传。"
}
