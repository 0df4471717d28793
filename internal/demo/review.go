package demo

// figures are the inputs of the record generator: what the demo
// province's records for the first half of 2021 add up to. They are the
// figures of the mid-year work report (docs/demo-data.md); where the report
// says "余" or "多" (more than) the input lies a little above the round
// figure, where it says "近" (nearly) a little below, so that the report's
// wording stays true of the records. Nothing else in the generator fixes a
// count or a sum of the half-year.
type figures struct {
	// Area one, 政治引领 (cohesion).
	StudySessions          int   // 党组中心组扩大学习会 6 次
	ThematicDiscussions    int   // 专题研讨 4 次
	HistoryExchanges       int   // 党史学习教育专题交流会 4 场次
	OnsiteTeaching         int64 // 120 余名党员赴徐州现场教学
	ExhibitionOnsite       int64 // 2 万余名观众现场参观
	ExhibitionOnline       int64 // 线上浏览量达 12 万次
	WorkersDayEvents       int   // 线上活动 225 场次
	WorkersDayParticipants int64 // 634 万人次参与
	MostBeautiful          int   // 推荐 12 名“最美科技工作者”候选人
	YoungTalents           int   // 托举工程资助对象 100 名
	CongressDelegates      int   // 33 人当选中国科协“十大”代表
	CommitteeMembers       int   // 4 人当选全国委员会委员
	AcademicianNominees    int   // 院士候选人推荐对象 12 名
	AwardsBySocieties      int   // 省级学会自主提名项目 30 项
	AwardsByAssociation    int   // 省科协提名项目 16 项
	InternationalAward     int   // 国际科学技术合作奖提名人选 1 名
	DramaOnsite            int64 // 现场 1000 余人
	DramaOnline            int64 // 线上近 7 万人
	CongressCases          int   // 典型案例 15 篇
	AudienceLecture        int64 // “大手拉小手科普报告会”受众师生近万人

	// Area two, 改革 (reform).
	IndependentCounties   int // 县级科协 6 家实现独立建制
	PartyGroupCounties    int // 5 家设立党组
	SecretariatStaff      int // 职业化工作人员 259 人
	SecretariesGeneral    int // 其中 35 人担任学会秘书长
	SocietiesDeregistered int // 注销运行不规范学会 1 个
	SocietiesApproved     int // 批复同意发起成立 4 家新学会
	EnterpriseAssocs      int // 新增企业科协 81 家

	// Area three, 创新驱动 (innovation).
	KczjProjects         int      // “科创江苏” 3 个类别 69 个项目
	KczjCategories       int      // （3 个类别）
	PilotCities          []string // 徐州、常州入选“科创中国”试点城市
	AgreementsRenewed    int      // 与 5 个国家级学会续签
	AgreementsNew        int      // 新签 2 个
	HaizhiExperts        int      // 新聘海智特聘专家 10 位
	AllianceFounders     int      // 9 家单位共同发起联盟
	ResearchTopics       int      // 50 个课题立项资助
	ThinkTankIssues      int      // 上报 12 期
	Instructions         int      // 获得省领导批示 19 个
	BottleneckProjects   int      // “卡脖子”攻关项目 8 个
	TransferProjects     int      // 成果转移转化项目 7 个
	ConsultingProjects   int      // 决策咨询项目 10 个
	CentreTrainees       int64    // 协助企业培训人才 600 人次
	SuqianEnterprises    int      // 宿迁近 20 家企业入驻“绿平台”
	ChangzhouEnterprises int      // 常州 50 家企业
	ChangzhouStaff       int64    // 100 名研发人员

	// Area four, 科普 (popularisation).
	Outreach            map[string]int // 进社区 24、进校园 59、进企业 20、进乡村 21 场
	WorksSubmitted      int            // 征集作品 79 件
	WorksFunded         int            // 确定资助 25 件
	BooksCommissioned   int            // 定制编撰科普图书 3 册
	ResourceBytes       int64          // 资源总量 7.4 TB（10^12 字节计）
	OwnResourceBytes    int64          // 其中自主研发 2.86 TB
	ScienceWeek         int            // 科普活动 2890 项
	Volunteers          int64          // 注册科技志愿者 8.35 万人
	VolunteerOrgs       int            // 志愿服务组织 2059 个
	VolunteerActivities int            // 平台发布活动 6134 项
	BrandProjects       int            // 品牌项目 162 个
	VolunteerTrainees   int64          // 培训班累计 1440 人参训
	InformantsRewarded  int            // 排名前 200 名信息员予以奖励
	VolunteerCases      int            // 集中宣传先进典型 46 个
	MuseumSubsidy       int64          // 中央财政补助 2028 万元（元）
	Museums             int            // 13 家科技馆
	Kexiao              int            // 创建 11 家科技小院
	SuzhouLectures      int            // 苏州“赛先生说”讲坛 4 期
	XuzhouLectures      int            // 徐州巡讲 66 场
	XuzhouPupils        int64          // 覆盖 6 万多名青少年
	YangzhouCounties    int            // 扬州 6 个县（区）流动科技馆换展

	// Area five, 组织 (organisation).
	PartyBuildingGroups int    // 成立（变更）党建工作领导小组 6 个
	PartyBranches       int    // 党支部 28 个
	PartyMembers        int    // 入库党员 134 名
	SocietiesCovered    int    // 覆盖 37 个学会
	LianyungangRate     string // 连云港市级学会功能性党支部建设率 69.8%
	LianyungangBranches [2]int // 其分子、分母（37/53 = 69.8%）
	HuaianRate          string // 淮安科技元素与“两个中心”融入度 82%

	// Stocks the report names beside the review.
	HaizhiBases   int // 49 家省级海智基地
	HaizhiTotal   int // 81 家海智（离岸）基地
	OffshoreLater int // 下半年新建省级离岸基地（目标 10 家；演示数据已建成的部分）
}

// review returns the first half of 2021 as the work report tells it.
func review() figures {
	return figures{
		StudySessions: 6, ThematicDiscussions: 4, HistoryExchanges: 4,
		OnsiteTeaching: 126, ExhibitionOnsite: 20_480, ExhibitionOnline: 120_000,
		WorkersDayEvents: 225, WorkersDayParticipants: 6_340_000,
		MostBeautiful: 12, YoungTalents: 100, CongressDelegates: 33, CommitteeMembers: 4, AcademicianNominees: 12,
		AwardsBySocieties: 30, AwardsByAssociation: 16, InternationalAward: 1,
		DramaOnsite: 1_060, DramaOnline: 68_600, CongressCases: 15, AudienceLecture: 9_600,

		IndependentCounties: 6, PartyGroupCounties: 5, SecretariatStaff: 259, SecretariesGeneral: 35,
		SocietiesDeregistered: 1, SocietiesApproved: 4, EnterpriseAssocs: 81,

		KczjProjects: 69, KczjCategories: 3, PilotCities: []string{"320300", "320400"},
		AgreementsRenewed: 5, AgreementsNew: 2, HaizhiExperts: 10, AllianceFounders: 9,
		ResearchTopics: 50, ThinkTankIssues: 12, Instructions: 19,
		BottleneckProjects: 8, TransferProjects: 7, ConsultingProjects: 10, CentreTrainees: 600,
		SuqianEnterprises: 19, ChangzhouEnterprises: 50, ChangzhouStaff: 100,

		Outreach:       map[string]int{"community": 24, "campus": 59, "enterprise": 20, "village": 21},
		WorksSubmitted: 79, WorksFunded: 25, BooksCommissioned: 3,
		ResourceBytes: 7_400_000_000_000, OwnResourceBytes: 2_860_000_000_000,
		ScienceWeek: 2_890, Volunteers: 83_500, VolunteerOrgs: 2_059, VolunteerActivities: 6_134, BrandProjects: 162,
		VolunteerTrainees: 1_440, InformantsRewarded: 200, VolunteerCases: 46,
		MuseumSubsidy: 20_280_000, Museums: 13, Kexiao: 11,
		SuzhouLectures: 4, XuzhouLectures: 66, XuzhouPupils: 61_200, YangzhouCounties: 6,

		PartyBuildingGroups: 6, PartyBranches: 28, PartyMembers: 134, SocietiesCovered: 37,
		LianyungangRate: "69.8", LianyungangBranches: [2]int{37, 53}, HuaianRate: "82",

		HaizhiBases: 49, HaizhiTotal: 81, OffshoreLater: 4,
	}
}
