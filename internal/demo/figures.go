package demo

import (
	"fmt"
	"slices"

	"kexie/internal/register"
)

// Figure is one figure of the work report's review of the first half of
// 2021 (INVENTORY section 2, in its words) and how it is read back from
// the demo province's records: a register, a filter, an aggregate. The
// table is the specification of the figures: the records must give them
// (figures_test.go counts), and so must the built-in metrics
// (internal/metric/builtin_test.go reads each Metric).
//
// Periods: a flow (events held, projects approved) is filtered on the
// half-year 2021S1; a stock (staff employed, volunteers registered, the
// resource library) on everything dated up to 30 June 2021 (upToJune).
//
// Aggregates: "count" counts the records; "sum:F" adds field F; "distinct:F"
// counts the different values of F ("distinct:unit" the records' units);
// "latest:F" is F of the record with the latest date (a rate reported as
// of a day).
//
// Wording: "exact" figures are the records' figure itself; where the report
// says 余 or 多 (more than) the records hold a little more than the round
// figure (up to 10 % more), where it says 近 (nearly) a little less (up to
// 10 % less), so a report writes the same words from them.
type Figure struct {
	Area     string
	Says     string          // the figure in the words of INVENTORY section 2 (or the report)
	Register string          // "" for a figure no register holds (Owner says which module does)
	Filter   register.Filter // the records behind it; Filter.Under is the unit it is of
	Agg      string
	Want     string // in the field's own unit: yuan, percent, bytes, people
	Words    string // exact, over (余/多), nearly (近)
	Owner    string
	// Metric is the built-in metric that gives the figure for the unit
	// (Unit) and the half-year 2021S1; a stock's value is that at 30 June.
	Metric string
	// MetricWant is the figure in the metric's unit of measure where it is
	// not the field's (TB, not bytes); "" when it is Want.
	MetricWant string
}

// Unit is the code of the unit the figure is of: the province unless the
// filter is under another unit.
func (f Figure) Unit() string {
	if f.Filter.Under != "" {
		return f.Filter.Under
	}
	return rootCode
}

// Figures returns the figures of the review, area by area.
func Figures() []Figure { return slices.Clone(reviewFigures) }

// Holds says whether got (in units of 10^-scale) is what the report says
// of want in its words.
func Holds(got int64, scale int, want, words string) (bool, error) {
	w, ok := register.ParseNumber(want, scale)
	if !ok {
		return false, fmt.Errorf("want %q is not a number", want)
	}
	switch words {
	case "exact":
		return got == w, nil
	case "over":
		return got > w && got*10 <= w*11, nil
	case "nearly":
		return got < w && got*10 >= w*9, nil
	}
	return false, fmt.Errorf("unknown wording %q", words)
}

// upToJune selects everything dated up to 30 June 2021: a stock at that day.
const upToJune = "1950-01-01..2021-06-30"

const half = "2021S1"

func eq(field, value string) register.Cond {
	return register.Cond{Field: field, Op: "eq", Value: value}
}

func in(period string, conds ...register.Cond) register.Filter {
	return register.Filter{Period: period, Conds: conds}
}

func under(code, period string, conds ...register.Cond) register.Filter {
	return register.Filter{Under: code, Period: period, Conds: conds}
}

var reviewFigures = []Figure{
	// Area one, 政治引领 (cohesion).
	{"一", "study sessions 6", "activities", in(half, eq("kind", "party_study")), "count", "6", "exact", "", "party_study_sessions", ""},
	{"一", "thematic discussions 4", "activities", in(half, eq("kind", "thematic_discussion")), "count", "4", "exact", "", "thematic_discussions", ""},
	{"一", "history-study exchanges 4", "activities", in(half, eq("kind", "history_exchange")), "count", "4", "exact", "", "history_exchanges", ""},
	{"一", "120 members on-site teaching in 徐州 (120余名)", "activities", in(half, eq("kind", "onsite_teaching"), eq("place", "320300")), "sum:participants", "120", "over", "", "onsite_teaching_participants", ""},
	{"一", "exhibition 20,000 on site (2万余名)", "activities", in(half, eq("kind", "exhibition")), "sum:onsite_audience", "20000", "over", "", "exhibition_onsite_visitors", ""},
	{"一", "exhibition 120,000 online (线上浏览量达12万次)", "activities", in(half, eq("kind", "exhibition")), "sum:online_views", "120000", "exact", "", "exhibition_online_views", ""},
	{"一", "科技工作者日 225 online events", "activities", in(half, eq("kind", "workers_day"), eq("mode", "online")), "count", "225", "exact", "", "workers_day_online_events", ""},
	{"一", "科技工作者日 6.34 million participations (634万人次)", "activities", in(half, eq("kind", "workers_day"), eq("mode", "online")), "sum:participants", "6340000", "exact", "", "workers_day_participations", ""},
	{"一", "12 recommended for 最美科技工作者", "nominations", in(half, eq("kind", "most_beautiful")), "count", "12", "exact", "", "most_beautiful_candidates", ""},
	{"一", "托举工程 100 funded", "nominations", in(half, eq("kind", "young_talent_lift"), eq("result", "funded")), "count", "100", "exact", "", "young_talents_funded", ""},
	{"一", "33 elected national congress delegates", "nominations", in(half, eq("kind", "national_delegate"), eq("result", "elected")), "count", "33", "exact", "", "national_congress_delegates", ""},
	{"一", "4 national committee members", "nominations", in(half, eq("kind", "national_committee"), eq("result", "elected")), "count", "4", "exact", "", "national_committee_members", ""},
	{"一", "12 academician nominees", "nominations", in(half, eq("kind", "academician_cae")), "count", "12", "exact", "", "academician_nominees", ""},
	{"一", "science award nominations 30 (societies)", "nominations", in(half, eq("kind", "sci_tech_award"), eq("channel", "society")), "count", "30", "exact", "", "sci_award_society_nominations", ""},
	{"一", "science award nominations + 16 (association)", "nominations", in(half, eq("kind", "sci_tech_award"), eq("channel", "association")), "count", "16", "exact", "", "sci_award_association_nominations", ""},
	{"一", "science award nominations + 1 (international)", "nominations", in(half, eq("kind", "intl_coop_award")), "count", "1", "exact", "", "intl_coop_award_nominees", ""},
	{"一", "drama: 1,000 on site (1000余人)", "activities", in(half, eq("kind", "drama"), eq("series", "科学大师名校宣传工程")), "sum:onsite_audience", "1000", "over", "", "drama_onsite_audience", ""},
	{"一", "drama: ~70,000 online (近7万人)", "activities", in(half, eq("kind", "drama"), eq("series", "科学大师名校宣传工程")), "sum:online_views", "70000", "nearly", "", "drama_online_views", ""},
	{"一", "15 typical cases published", "typical_cases", in(half, eq("kind", "congress_spirit")), "count", "15", "exact", "", "congress_spirit_cases", ""},
	{"一", "report: 大手拉小手科普报告会, audience nearly 10,000 (近万人)", "activities", in(half, eq("kind", "lecture"), register.Cond{Field: "title", Op: "contains", Value: "大手拉小手"}), "sum:participants", "10000", "nearly", "", "big_hand_lecture_audience", ""},

	// Area two, 改革 (reform).
	{"二", "county associations with independent status 6 (by 30 June)", "county_reforms", in(half, eq("milestone", "independent")), "count", "6", "exact", "", "county_independent", ""},
	{"二", "county associations with party groups 5 (by 30 June)", "county_reforms", in(half, eq("milestone", "party_group")), "count", "5", "exact", "", "county_party_groups", ""},
	{"二", "society staff 259", "society_staff", in(upToJune), "count", "259", "exact", "", "society_staff", ""},
	{"二", "society staff: 35 secretaries-general", "society_staff", in(upToJune, eq("is_secretary_general", "true")), "count", "35", "exact", "", "society_secretaries_general", ""},
	{"二", "evaluation levels 3 → 2", "", register.Filter{}, "", "2", "exact", "scheme: the society capacity evaluation's versions and their levels", "", ""},
	{"二", "1 society deregistered", "society_changes", in(half, eq("change", "deregistered")), "count", "1", "exact", "", "societies_deregistered", ""},
	{"二", "4 societies approved", "society_changes", in(half, eq("change", "approved")), "count", "4", "exact", "", "societies_approved", ""},
	{"二", "enterprise associations +81", "enterprise_associations", in(half), "count", "81", "exact", "", "enterprise_associations_new", ""},
	{"二", "supervision done in two phases by May", "", register.Filter{}, "", "2", "exact", "campaign: the special supervision's phases and their dates", "", ""},

	// Area three, 创新驱动 (innovation).
	{"三", "科创江苏 3 categories", "projects", in(half, eq("kind", "kczj_action")), "distinct:category", "3", "exact", "", "kczj_categories", ""},
	{"三", "科创江苏 69 projects", "projects", in(half, eq("kind", "kczj_action")), "count", "69", "exact", "", "kczj_projects", ""},
	{"三", "pilot cities 徐州 and 常州: two selected", "nominations", in(half, eq("kind", "kczg_pilot"), eq("result", "selected")), "count", "2", "exact", "", "kczg_pilot_cities", ""},
	{"三", "pilot city 徐州", "nominations", under("320300", half, eq("kind", "kczg_pilot"), eq("result", "selected")), "count", "1", "exact", "", "kczg_pilot_cities", ""},
	{"三", "pilot city 常州", "nominations", under("320400", half, eq("kind", "kczg_pilot"), eq("result", "selected")), "count", "1", "exact", "", "kczg_pilot_cities", ""},
	{"三", "5 national-society agreements renewed", "agreements", in(half, eq("partner_type", "national_society"), eq("signing", "renewed")), "count", "5", "exact", "", "national_society_agreements_renewed", ""},
	{"三", "2 new national-society agreements", "agreements", in(half, eq("partner_type", "national_society"), eq("signing", "new")), "count", "2", "exact", "", "national_society_agreements_new", ""},
	{"三", "10 new 海智 experts", "expert_appointments", in(half, eq("kind", "haizhi_expert")), "count", "10", "exact", "", "haizhi_experts_appointed", ""},
	{"三", "alliance of 9 founders", "alliance_members", in(half, eq("alliance", "江苏省海外人才创新创业联盟"), eq("role", "founder")), "count", "9", "exact", "", "talent_alliance_founders", ""},
	{"三", "50 research topics funded", "research_topics", in(half, eq("kind", "decision"), eq("outcome", "funded")), "count", "50", "exact", "", "research_topics_funded", ""},
	{"三", "12 report issues", "think_tank_issues", in(half), "count", "12", "exact", "", "think_tank_issues", ""},
	{"三", "19 leaders' instructions", "instructions", in(half), "count", "19", "exact", "", "leader_instructions", ""},
	{"三", "academician centres: 8 bottleneck projects", "projects", in(half, eq("kind", "bottleneck"), eq("platform", "academician_centre")), "count", "8", "exact", "", "centre_bottleneck_projects", ""},
	{"三", "academician centres: 7 transfer projects", "projects", in(half, eq("kind", "transfer"), eq("platform", "academician_centre")), "count", "7", "exact", "", "centre_transfer_projects", ""},
	{"三", "academician centres: 10 consulting projects", "projects", in(half, eq("kind", "consulting"), eq("platform", "academician_centre")), "count", "10", "exact", "", "centre_consulting_projects", ""},
	{"三", "academician centres: 600 trainee-times", "trainings", in(half, eq("kind", "enterprise_talent"), eq("platform", "academician_centre")), "sum:trainees", "600", "exact", "", "centre_trainees", ""},
	{"三", "宿迁 ~20 enterprises on the platform (近20家)", "enterprise_services", under("321300", half, eq("service", "platform_onboarding")), "distinct:uscc", "20", "nearly", "", "green_platform_enterprises", ""},
	{"三", "常州 50 enterprises", "enterprise_services", under("320400", half, eq("service", "innovation_method")), "distinct:uscc", "50", "exact", "", "innovation_method_enterprises", ""},
	{"三", "常州 100 R&D staff trained", "enterprise_services", under("320400", half, eq("service", "innovation_method")), "sum:staff_trained", "100", "exact", "", "innovation_method_staff", ""},

	// Area four, 科普 (popularisation).
	{"四", "outreach 24 (community)", "activities", in(half, eq("kind", "expert_outreach"), eq("audience", "community")), "count", "24", "exact", "", "expert_outreach_community", ""},
	{"四", "outreach 59 (campus)", "activities", in(half, eq("kind", "expert_outreach"), eq("audience", "campus")), "count", "59", "exact", "", "expert_outreach_campus", ""},
	{"四", "outreach 20 (enterprise)", "activities", in(half, eq("kind", "expert_outreach"), eq("audience", "enterprise")), "count", "20", "exact", "", "expert_outreach_enterprise", ""},
	{"四", "outreach 21 (village)", "activities", in(half, eq("kind", "expert_outreach"), eq("audience", "village")), "count", "21", "exact", "", "expert_outreach_village", ""},
	{"四", "creative works 79 submitted", "creative_works", in(half, eq("source", "call")), "count", "79", "exact", "", "creative_works_submitted", ""},
	{"四", "creative works 25 funded", "creative_works", in(half, eq("source", "call"), eq("funded", "true")), "count", "25", "exact", "", "creative_works_funded", ""},
	{"四", "3 books", "creative_works", in(half, eq("source", "commissioned"), eq("form", "book")), "count", "3", "exact", "", "commissioned_books", ""},
	{"四", "resource cloud 7.4 TB (10^12 bytes)", "sci_resources", in(upToJune), "sum:size_bytes", "7400000000000", "exact", "", "sci_resource_tb", "7.4"},
	{"四", "resource cloud 2.86 TB own", "sci_resources", in(upToJune, eq("self_developed", "true")), "sum:size_bytes", "2860000000000", "exact", "", "sci_resource_own_tb", "2.86"},
	{"四", "2,890 science-week activities", "activities", in(half, eq("kind", "science_week")), "count", "2890", "exact", "", "science_week_activities", ""},
	{"四", "volunteers 83,500 (8.35万)", "volunteer_orgs", in(upToJune), "sum:volunteers", "83500", "exact", "", "registered_volunteers", ""},
	{"四", "volunteer organisations 2,059", "volunteer_orgs", in(upToJune), "count", "2059", "exact", "", "volunteer_organisations", ""},
	{"四", "volunteer activities 6,134", "volunteer_activities", in(upToJune), "count", "6134", "exact", "", "volunteer_activities_published", ""},
	{"四", "brand projects 162", "brand_projects", in(upToJune), "count", "162", "exact", "", "volunteer_brand_projects", ""},
	{"四", "training 1,440", "trainings", in(half, eq("kind", "volunteer")), "sum:trainees", "1440", "exact", "", "volunteer_trainees", ""},
	{"四", "top 200 informants rewarded", "commendations", in(half, eq("kind", "informant_reward")), "count", "200", "exact", "", "informants_rewarded", ""},
	{"四", "46 typical cases", "typical_cases", in(half, eq("kind", "volunteer_service")), "count", "46", "exact", "", "volunteer_service_cases", ""},
	{"四", "central subsidy 20.28 million yuan (2028万元)", "museum_subsidies", in(half, eq("source", "central")), "sum:amount", "20280000", "exact", "", "museum_central_subsidy", ""},
	{"四", "central subsidy for 13 museums", "museum_subsidies", in(half, eq("source", "central")), "distinct:museum_name", "13", "exact", "", "museums_subsidised", ""},
	{"四", "11 科技小院", "bases", in(half, eq("kind", "kexiao")), "count", "11", "exact", "", "kexiao_new", ""},
	{"四", "苏州 4 lectures", "activities", under("320500", half, eq("kind", "lecture"), eq("series", "“赛先生说”科学文化讲坛")), "count", "4", "exact", "", "sai_xiansheng_lectures", ""},
	{"四", "徐州 66 lectures", "activities", under("320300", half, eq("kind", "lecture"), eq("series", "中科院老科学家科普巡讲")), "count", "66", "exact", "", "senior_scientist_lectures", ""},
	{"四", "徐州 60,000+ pupils (6万多名)", "activities", under("320300", half, eq("kind", "lecture"), eq("series", "中科院老科学家科普巡讲")), "sum:participants", "60000", "over", "", "senior_scientist_audience", ""},
	{"四", "report: travelling museum in 6 counties of 扬州", "projects", under("321000", half, eq("kind", "mobile_museum")), "distinct:place", "6", "exact", "", "mobile_museum_counties", ""},

	// Area five, 组织 (organisation).
	{"五", "6 party-building groups", "party_orgs", in(half, eq("kind", "building_group")), "count", "6", "exact", "", "party_building_groups", ""},
	{"五", "28 branches", "party_orgs", in(upToJune, register.Cond{Field: "kind", Op: "ne", Value: "building_group"}), "count", "28", "exact", "", "society_party_branches", ""},
	{"五", "134 members", "party_members", in(upToJune), "count", "134", "exact", "", "party_members_registered", ""},
	{"五", "37 societies", "party_members", in(upToJune), "distinct:unit", "37", "exact", "", "societies_with_party_members", ""},
	{"五", "连云港 69.8% branch-building rate", "rates", under("320700", half, eq("indicator", "society_branch_rate")), "latest:rate", "69.8", "exact", "", "society_branch_rate", ""},
	{"五", "淮安 82%", "rates", under("320800", half, eq("indicator", "two_centres_integration")), "latest:rate", "82", "exact", "", "two_centres_integration", ""},

	// Beside the review: stocks the report names.
	{"—", "49 provincial 海智 bases", "bases", in(upToJune, eq("kind", "haizhi"), eq("level", "provincial")), "count", "49", "exact", "", "haizhi_bases_provincial", ""},
}
