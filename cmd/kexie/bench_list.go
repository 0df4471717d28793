package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"kexie/internal/app"
	"kexie/internal/register"
	"kexie/internal/unit"
	"kexie/internal/web"
)

// targetList1M is the speed target of a register's records list: a
// filtered, paged list over 1,000,000 records of one register, in server
// time.
const targetList1M = 50 * time.Millisecond

const benchListRegister = "bench_list"

// benchListKinds are the options of the bench register's kind field.
var benchListKinds = []register.Option{
	{Code: "lecture", NameZH: "科普讲座", NameEN: "Lecture"}, {Code: "exhibit", NameZH: "科普展览", NameEN: "Exhibition"},
	{Code: "training", NameZH: "技术培训", NameEN: "Training"}, {Code: "outreach", NameZH: "科技下乡", NameEN: "Outreach"},
	{Code: "contest", NameZH: "科技竞赛", NameEN: "Contest"}, {Code: "forum", NameZH: "学术论坛", NameEN: "Forum"},
}

// benchListTopics make the records' titles; the last is rare (one
// record in a thousand) so a text search for it finds a few.
var benchListTopics = []string{"人工智能", "健康生活", "航空航天", "现代农业", "防灾减灾", "生态环保", "青少年科学", "老年人智能手机", "应急救护", "量子科技"}

// benchList measures the records list of one register of --records
// records spread over a province of --units units: the filters, sorts
// and pages the list page and the API offer, each through the service
// and through the API handler, with the total the page shows.
func benchList(ctx context.Context, e *env, args []string) error {
	fs := subFlags(e, "bench list")
	records := fs.Int("records", 1_000_000, "记录数 / records in the register")
	units := fs.Int("units", 10_000, "单位数 / units in the synthetic tree")
	runs := fs.Int("runs", 15, "每种查询的次数 / runs of each list (median and p90 reported)")
	cpuprofile := fs.String("cpuprofile", "", "测量期间的 CPU 剖析文件 / write a CPU profile of the measured lists to FILE")
	keep := fs.Bool("keep", false, "保留临时数据库以便分析 / keep the temporary database for inspection (EXPLAIN)")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	if *records < 1 || *units < 200 || *runs < 1 {
		return errors.New("--records ≥ 1, --units ≥ 200, --runs ≥ 1")
	}
	out := e.stdout
	tmp, err := openTempDB(ctx, e.cfg)
	if err != nil {
		return err
	}
	if *keep {
		fmt.Fprintf(out, "保留 / kept: %s\n", tmp.where)
	} else {
		defer tmp.drop()
	}
	a, err := app.NewWithData(ctx, tmp.db, tmp.files)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "kexie bench list: %s (%s), %d CPUs, %s, load average %s\n",
		a.DB.Dialect.Name, tmp.where, runtime.NumCPU(), runtime.Version(), loadAverage())
	took, err := buildTree(ctx, a, *units)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "建树 / build tree: %d units in %s\n", *units, round(took))
	reg, err := a.Registers.Define(ctx, benchListSchema(), register.Migration{}, false)
	if err != nil {
		return err
	}
	t0 := time.Now()
	if err := bulkListRecords(ctx, a, reg, *records); err != nil {
		return err
	}
	fmt.Fprintf(out, "载入记录 / load records: %d in %s (bulk SQL, for the bench only)\n", *records, round(time.Since(t0)))
	t0 = time.Now()
	if err := a.Registers.RebuildSearchIndex(ctx, reg.Code); err != nil {
		return err
	}
	if a.DB.Dialect.Name == "sqlite" {
		fmt.Fprintf(out, "全文字对索引 / search pair index: filled in %s (what a first start does for a register made before it)\n", round(time.Since(t0)))
	}
	if err := settle(ctx, a); err != nil {
		return err
	}
	if a.DB.Dialect.Name == "sqlite" {
		// the bulk load left its pages in the write-ahead log, which a
		// running server checkpoints into the file as it goes
		if _, err := a.DB.Writer().ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			return err
		}
	}
	token, err := benchUser(ctx, a)
	if err != nil {
		return err
	}
	srv, err := web.New(a, web.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	root, err := a.Units.Get(ctx, unit.Everything(), benchRoot)
	if err != nil {
		return err
	}
	province := unit.Subtrees(root.Path) // what the root's administrator reads
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	cases := []struct {
		name  string
		query string
	}{
		{"全部，第 1 页 / everything, page 1", ""},
		{"按选项 / kind = lecture", "f.kind=lecture"},
		{"按选项，深页 / kind = lecture, a deep page", "f.kind=lecture&page=deep"},
		{"下级+期间+选项 / city subtree, 2021Q2, kind", "unit=" + benchCity + "&period=2021Q2&f.kind=training&sort=date"},
		{"同上，末页 / the same, its last page", "unit=" + benchCity + "&period=2021Q2&f.kind=training&sort=date&page=last"},
		{"按可排序字段 / sort -people (sortable), 2021", "period=2021&sort=-people"},
		{"选项+可排序字段 / kind = lecture, sort -people", "f.kind=lecture&sort=-people"},
		{"全文（常见）/ q=健康", "q=" + url.QueryEscape("健康")},
		{"全文（少见）/ q=量子", "q=" + url.QueryEscape("量子")},
		{"全文+下级 / q=讲座, city subtree", "q=" + url.QueryEscape("讲座") + "&unit=" + benchCity},
		{"全文（少见）+下级 / q=量子, city subtree", "q=" + url.QueryEscape("量子") + "&unit=" + benchCity},
		{"全文（少见）+选项+排序 / q=量子科技, kind, -people", "q=" + url.QueryEscape("量子科技") + "&f.kind=lecture&sort=-people"},
		{"全文（中等）/ q=航天科普讲座", "q=" + url.QueryEscape("航天科普讲座")},
		{"深页 / everything, a deep page", "page=deep"},
	}
	get := func(query string) (listAnswer, error) {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/registers/"+reg.Code+"/records?"+query, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		var ans listAnswer
		if rec.Code != http.StatusOK {
			return ans, fmt.Errorf("GET records?%s: %d %.300s", query, rec.Code, rec.Body.String())
		}
		err := json.Unmarshal(rec.Body.Bytes(), &ans)
		return ans, err
	}
	ok := true
	worst := time.Duration(0)
	for _, c := range cases {
		q := c.query
		// the last page the pager offers, or the one before it: as deep
		// as a person can click
		for _, at := range []string{"page=last", "page=deep"} {
			if !strings.Contains(q, at) {
				continue
			}
			first, err := get(strings.Replace(q, at, "page=1", 1))
			if err != nil {
				return err
			}
			last := max(1, (first.Total+first.PerPage-1)/max(1, first.PerPage))
			if at == "page=deep" {
				last = max(1, last-1)
			}
			q = strings.Replace(q, at, fmt.Sprintf("page=%d", last), 1)
		}
		vals, _ := url.ParseQuery(q)
		f := register.Filter{Under: vals.Get("unit"), Period: vals.Get("period"), Q: vals.Get("q"), Sort: vals.Get("sort"), CapTotal: true}
		fmt.Sscan(vals.Get("page"), &f.Page)
		if k := vals.Get("f.kind"); k != "" {
			f.Conds = []register.Cond{{Field: "kind", Op: "eq", Value: k}}
		}
		service := func() (listAnswer, error) {
			_, pg, err := a.Registers.ListRecords(ctx, province, reg.Code, f)
			return listAnswer{Total: pg.Total, Capped: pg.Capped, Items: len(pg.Items), PerPage: pg.PerPage}, err
		}
		var svc, api timings
		var ans listAnswer
		for i := range *runs + 2 { // two warm-up runs
			t0 := time.Now()
			if _, err := service(); err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			d := time.Since(t0)
			t0 = time.Now()
			if ans, err = get(q); err != nil {
				return err
			}
			if i >= 2 {
				svc, api = append(svc, d), append(api, time.Since(t0))
			}
		}
		s, h := svc.sorted(), api.sorted()
		total := fmt.Sprint(ans.Total)
		if ans.Capped {
			total += "+"
		}
		met := h.quantile(0.5) < targetList1M
		ok = ok && met
		worst = max(worst, h.quantile(0.5))
		fmt.Fprintf(out, "%-44s total %-8s rows %3d  service median %s p90 %s; API median %s p90 %s  %s\n", c.name, total, ans.Items,
			ms(s.quantile(0.5)), ms(s.quantile(0.9)), ms(h.quantile(0.5)), ms(h.quantile(0.9)), verdict(met))
	}
	fmt.Fprintf(out, "summary: db=%s records=%d units=%d worst API median %s, target < %s: %s\n", a.DB.Dialect.Name, *records, *units,
		ms(worst), targetList1M, verdict(ok))
	return nil
}

// listAnswer is what the bench reads of a records page.
type listAnswer struct {
	Total   int  `json:"total"`
	Capped  bool `json:"total_capped"`
	PerPage int  `json:"per_page"`
	Items   int  `json:"-"`
}

// UnmarshalJSON counts the items instead of decoding them.
func (l *listAnswer) UnmarshalJSON(b []byte) error {
	var raw struct {
		Total   int               `json:"total"`
		Capped  bool              `json:"total_capped"`
		PerPage int               `json:"per_page"`
		Items   []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*l = listAnswer{Total: raw.Total, Capped: raw.Capped, PerPage: raw.PerPage, Items: len(raw.Items)}
	return nil
}

func benchListSchema() register.Schema {
	return register.Schema{Code: benchListRegister, NameZH: "基准测试科普活动", NameEN: "Bench activities", DateField: "held_on",
		NaturalKey: []string{"title", "held_on"}, Fields: []register.Field{
			{Code: "title", Type: register.TypeText, NameZH: "活动名称", NameEN: "Title", Required: true},
			{Code: "held_on", Type: register.TypeDate, NameZH: "举办日期", NameEN: "Held on", Required: true},
			{Code: "kind", Type: register.TypeOption, NameZH: "类别", NameEN: "Kind", Options: benchListKinds},
			{Code: "people", Type: register.TypeInteger, NameZH: "参与人次", NameEN: "Participants", Sortable: true},
			{Code: "venue", Type: register.TypeText, NameZH: "地点", NameEN: "Venue"},
		}}
}

// bulkListRecords fills the bench register with n records spread over
// every unit of the tree and the days of 2021, in multi-row inserts that
// bypass the service (no validation, audit or figures), with the search
// text the service would write.
func bulkListRecords(ctx context.Context, a *app.App, reg *register.Register, n int) error {
	ids, err := benchUnitIDs(ctx, a)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(2021, 50))
	now := time.Now().UTC()
	statuses := []string{register.StatusDraft, register.StatusSubmitted, register.StatusApproved, register.StatusApproved}
	cols := []string{"unit_id", "date", "nkey", "status", "search", "created_at", "updated_at", "f_title", "f_held_on", "f_kind", "f_people", "f_venue"}
	kind, _ := reg.Schema.Field("kind")
	return bulkInsert(ctx, a, register.Table(reg.Code), cols, n, 400, 250, func(i int) []any {
		day := time.Date(2021, 1, 1+rng.IntN(365), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		topic := benchListTopics[rng.IntN(len(benchListTopics)-1)]
		if rng.IntN(1000) == 0 {
			topic = benchListTopics[len(benchListTopics)-1]
		}
		kc := benchListKinds[rng.IntN(len(benchListKinds))]
		title := fmt.Sprintf("%s%s第%d期", topic, kc.NameZH, i)
		venue := fmt.Sprintf("%s第%d活动室", benchCities[rng.IntN(len(benchCities))], rng.IntN(40)+1)
		search := strings.ToLower(title + " " + kind.Format(kc.Code, "zh-CN") + " " + kind.Format(kc.Code, "en") + " " + venue + " ")
		return []any{ids[rng.IntN(len(ids))], day, title + "\x1f" + day, statuses[rng.IntN(len(statuses))], search, now, now,
			title, day, kc.Code, int64(rng.IntN(2000)), venue}
	})
}
