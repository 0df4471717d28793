package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"kexie/internal/audit"
	"kexie/internal/campaign"
	"kexie/internal/register"
)

// Titles of the demo campaigns.
const (
	CampaignTitle      = "科协系统深化改革专项督查"
	RectificationTitle = "省委巡视反馈问题整改"
)

// CampaignSpec is the first-half reform campaign of the work report: a
// self-inspection in March, on-site inspection in April and May, then
// rectification, over the city associations and the county reform
// pilots, with the figures the report cites.
func CampaignSpec() campaign.Spec {
	return campaign.Spec{Title: CampaignTitle, Unit: rootCode,
		Scope: campaign.ScopeSpec{Types: []string{"city"}, Groups: []string{"reform_county"}},
		Self:  campaign.Phase{Start: "2021-03-01", End: "2021-03-31"},
		Site:  campaign.Phase{Start: "2021-04-06", End: "2021-05-20"},
		Rect:  campaign.Phase{Start: "2021-05-21", End: "2021-12-31"},
		Items: []campaign.ItemSpec{
			{Title: "县级科协独立建制、设立党组情况", Kind: campaign.AnswerYesNo, Guidance: "是否已实现独立建制或设立党组，附编办批复或党委文件。"},
			{Title: "深化改革实施方案制定和落实", Kind: campaign.AnswerScore, MaxScore: 20, Guidance: "方案印发、任务分解、责任落实、进度台账，逐项对照打分。"},
			{Title: "基层组织建设（“三长”进入科协组织）", Kind: campaign.AnswerScore, MaxScore: 20, Guidance: "医院院长、学校校长、农技站站长进入科协组织的覆盖情况。"},
			{Title: "学会治理和企业科协建设", Kind: campaign.AnswerScore, MaxScore: 20, Guidance: "学会秘书处职业化、新建企业科协数量。"},
			{Title: "存在的主要问题和下步打算", Kind: campaign.AnswerText},
		},
		Metrics: []string{"county_independent", "county_party_groups", "enterprise_associations_new"}}
}

// demoFindings are what the on-site inspection found, by unit, with the
// item (index) they concern; each becomes a rectification item, and the
// fate of each is given by its place (see LoadCampaigns).
var demoFindings = []struct {
	unit, body, measures, due string
	item                      int
}{
	{"320300", "改革实施方案任务分解不细，部分任务无责任人。", "细化任务分解表，逐项明确责任人和完成时限。", "2021-07-31", 1},
	{"320700", "“三长”进入科协组织覆盖面不足，县级医院院长进入比例偏低。", "开展“三长”入会专项行动，年底前县级医院全覆盖。", "2021-09-30", 2},
	{"320800", "新建企业科协进度滞后于年度目标。", "建立重点企业清单，逐户上门对接。", "2021-10-31", 3},
	{"321300", "县级科协改革进度台账未按月更新。", "建立月报制度，专人负责台账更新。", "2021-08-31", 1},
	{"320382", "独立建制后机关人员编制尚未落实到位。", "商请编办落实编制，年底前完成人员配备。", "2021-12-31", 0},
	{"320981", "党组设立后议事规则尚未制定。", "制定党组工作规则和议事规则。", "2021-09-30", 0},
}

// LoadCampaigns adds the demo campaigns when they are missing: the reform
// campaign with both phases done (every unit submitted and inspected),
// its rectification items mostly verified and closed, one awaiting
// verification and two still open; and a rectification of an outside
// inspection's findings (巡视反馈问题) dated around today, so its lights
// differ.
func LoadCampaigns(ctx context.Context, cs *campaign.Service, files *register.Files) error {
	sys := campaign.System()
	ks, err := cs.List(ctx, sys)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, k := range ks {
		have[k.Title] = true
	}
	now := cs.Now
	defer func() { cs.Now = now }()
	if !have[CampaignTitle] {
		if err := loadReform(ctx, cs, files); err != nil {
			return fmt.Errorf("demo campaign: %w", err)
		}
	}
	cs.Now = now
	if !have[RectificationTitle] {
		if err := loadInspectionFindings(ctx, cs, files, now()); err != nil {
			return fmt.Errorf("demo rectification: %w", err)
		}
	}
	return nil
}

// campaignEvidence stores a small PDF as a file of evidence.
func campaignEvidence(ctx context.Context, files *register.Files, name, text string) (int64, error) {
	f, err := files.Save(ctx, name, strings.NewReader("%PDF-1.4\n% "+text+"\n%%EOF\n"), 1<<20)
	return f.ID, err
}

func onDay(day string) func() time.Time {
	t, _ := time.Parse(time.DateOnly, day)
	return func() time.Time { return t.Add(10 * time.Hour) }
}

func loadReform(ctx context.Context, cs *campaign.Service, files *register.Files) error {
	sys := campaign.System()
	cs.Now = onDay("2021-02-25")
	id, err := cs.Create(ctx, sys, CampaignSpec())
	if err != nil {
		return err
	}
	k, err := cs.Get(ctx, sys, id)
	if err != nil {
		return err
	}
	var codes []string
	for _, u := range k.Units {
		codes = append(codes, u.Unit)
	}
	if _, err := cs.Assign(ctx, sys, id, campaign.Assignment{User: "inspector", Units: codes}); err != nil {
		return err
	}
	// the self-inspection: every unit answers and submits in March
	for i, u := range k.Units {
		cs.Now = onDay(fmt.Sprintf("2021-03-%02d", 10+i%20))
		file, err := campaignEvidence(ctx, files, "自查报告-"+u.Unit+".pdf", "self-inspection "+u.Unit)
		if err != nil {
			return err
		}
		s1, s2, s3 := float64(14+i%7), float64(12+i%9), float64(13+(i*3)%8)
		yes := "yes"
		if i%4 == 3 {
			yes = "no"
		}
		if _, err := cs.SaveAnswers(ctx, sys, id, u.Unit, []campaign.AnswerSpec{
			{Item: k.Items[0].ID, Answer: yes, Files: []int64{file}},
			{Item: k.Items[1].ID, Score: &s1, Note: "方案已印发。"},
			{Item: k.Items[2].ID, Score: &s2},
			{Item: k.Items[3].ID, Score: &s3},
			{Item: k.Items[4].ID, Answer: "改革任务总体按计划推进，基层组织覆盖面仍需扩大。"},
		}); err != nil {
			return err
		}
		if _, err := cs.Submit(audit.WithActor(ctx, audit.Actor{Name: u.UnitName}), sys, id, u.Unit); err != nil {
			return err
		}
	}
	// on-site inspection in April and May: findings, then rectification
	inspector := audit.WithActor(ctx, audit.Actor{Name: "inspector"})
	var findings []int64
	for i, f := range demoFindings {
		cs.Now = onDay(fmt.Sprintf("2021-04-%02d", 8+2*i))
		item := k.Items[f.item].ID
		fd, err := cs.RecordFinding(inspector, sys, id, campaign.FindingSpec{Unit: f.unit, Item: &item, Body: f.body})
		if err != nil {
			return err
		}
		findings = append(findings, fd.ID)
	}
	for i, u := range k.Units {
		cs.Now = onDay(fmt.Sprintf("2021-05-%02d", 1+i%18))
		if _, err := cs.MarkInspected(inspector, sys, id, u.Unit); err != nil {
			return err
		}
	}
	cs.Now = onDay("2021-05-21")
	specs := make([]campaign.RectSpec, len(demoFindings))
	for i, f := range demoFindings {
		specs[i] = campaign.RectSpec{Finding: &findings[i], Measures: f.measures, Due: f.due}
	}
	ids, err := cs.Open(ctx, sys, id, specs)
	if err != nil {
		return err
	}
	pc := func(n int) *int { return &n }
	for i, rid := range ids {
		cs.Now = onDay("2021-06-15")
		if _, err := cs.Act(ctx, sys, rid, campaign.Step{Action: campaign.Progress, Note: "已制定整改方案，正在推进。", Percent: pc(40 + 10*i)}); err != nil {
			return err
		}
		if i >= 4 { // the last two are still open
			continue
		}
		file, err := campaignEvidence(ctx, files, fmt.Sprintf("整改佐证-%d.pdf", i+1), "rectification evidence")
		if err != nil {
			return err
		}
		cs.Now = onDay(demoFindings[i].due)
		if _, err := cs.Act(ctx, sys, rid, campaign.Step{Action: campaign.Complete, Note: "已按要求完成整改，附佐证材料。", Files: []int64{file}}); err != nil {
			return err
		}
		if i == 3 { // awaiting verification
			continue
		}
		cs.Now = onDay("2021-11-15")
		if _, err := cs.Act(inspector, sys, rid, campaign.Step{Action: campaign.Verify, Note: "经核验，整改到位，同意销号。"}); err != nil {
			return err
		}
	}
	return nil
}

func loadInspectionFindings(ctx context.Context, cs *campaign.Service, files *register.Files, today time.Time) error {
	sys := campaign.System()
	day := func(d int) string { return today.AddDate(0, 0, d).Format(time.DateOnly) }
	id, err := cs.Create(ctx, sys, campaign.Spec{Title: RectificationTitle, Kind: campaign.KindRectification, Unit: rootCode,
		Rect: campaign.Phase{Start: day(-90), End: day(180)}})
	if err != nil {
		return err
	}
	items := []campaign.RectSpec{
		{Unit: rootCode, Problem: "联系服务科技工作者不够紧密，基层科技工作者反映的问题跟踪办理不到位。", Measures: "建立科技工作者建议直通车，实行台账管理、限时办结。", Due: day(-10)},
		{Unit: rootCode, Problem: "学会党建工作覆盖面不够，部分学会党的工作小组作用发挥不充分。", Measures: "开展学会党建质量提升行动，实现党的工作全覆盖。", Due: day(60)},
		{Unit: "320100", Problem: "市级科协改革任务推进不平衡。", Measures: "对照改革任务清单逐项销号。", Due: day(30)},
		{Unit: "320300", Problem: "科普经费使用绩效评价不够规范。", Measures: "制定科普经费绩效评价办法，开展专项检查。", Due: day(90)},
		{Unit: "321300", Problem: "基层科协组织“三长”制落实不到位。", Measures: "年底前实现乡镇（街道）科协“三长”全覆盖。", Due: day(150)},
	}
	for i := range items {
		items[i].Start = day(-90)
	}
	ids, err := cs.Open(ctx, sys, id, items)
	if err != nil {
		return err
	}
	pc := func(n int) *int { return &n }
	steps := [][]campaign.Step{
		{{Action: campaign.Progress, Note: "直通车平台已上线试运行。", Percent: pc(70)}},
		{{Action: campaign.Progress, Note: "已完成 80 家学会的摸底。", Percent: pc(45)}},
		{{Action: campaign.Progress, Note: "已召开推进会。", Percent: pc(20)}},
		{},
		{{Action: campaign.Progress, Note: "已印发实施方案。", Percent: pc(30)}},
	}
	for i, rid := range ids {
		for _, st := range steps[i] {
			if _, err := cs.Act(ctx, sys, rid, st); err != nil {
				return err
			}
		}
	}
	// the first, overdue, reported done with its evidence
	file, err := campaignEvidence(ctx, files, "建议直通车运行情况.pdf", "evidence")
	if err != nil {
		return err
	}
	_, err = cs.Act(ctx, sys, ids[0], campaign.Step{Action: campaign.Complete, Note: "平台已正式运行，办结率 100%。", Files: []int64{file}})
	return err
}
