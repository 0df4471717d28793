package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"kexie/internal/app"
	"kexie/internal/auth"
	"kexie/internal/fault"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// The speed targets of the foundation, which the bench prints against.
const (
	targetList   = 20 * time.Millisecond // subtree list of one city, 20,000 units
	targetGetRPS = 5000                  // GET /api/v1/units/{code}, 32 clients
	targetStart  = time.Second           // cold start of `kexie serve`
)

func runBench(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "units":
			return benchUnits(ctx, e, args[1:])
		case "tree":
			return benchTree(ctx, e, args[1:])
		case "start":
			return benchStart(ctx, e, args[1:])
		case "rollup":
			return benchRollup(ctx, e, args[1:])
		case "import":
			return benchImport(ctx, e, args[1:])
		case "scheme":
			return benchScheme(ctx, e, args[1:])
		case "plan":
			return benchPlan(ctx, e, args[1:])
		case "list":
			return benchList(ctx, e, args[1:])
		}
	}
	return errors.New("用法 / usage: kexie bench units [--units N] [--requests N] [--concurrency C] | " +
		"kexie bench tree [--units N] | kexie bench start [--runs N] | kexie bench rollup [--records N] [--units U] | " +
		"kexie bench import [--rows N] [--csv-rows N] | kexie bench scheme [--units N] [--records N] | " +
		"kexie bench plan [--tasks N] [--allotted U] [--records N] | kexie bench list [--records N] [--units U]")
}

// benchTree fills an empty database with the synthetic province and a
// root administrator "bench", and prints an API token for it on the last
// line, for measuring the real server with outside tools (wrk, hyperfine).
func benchTree(ctx context.Context, e *env, args []string) error {
	fs := subFlags(e, "bench tree")
	n := fs.Int("units", 20000, "单位数 / units in the tree")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	a, err := openApp(ctx, e)
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.Units.Root(ctx); err == nil {
		return errors.New("数据库中已有组织机构，bench tree 只填充空数据库 / the database already holds units: bench tree fills an empty one")
	} else if !errors.Is(err, fault.ErrNotFound) {
		return err
	}
	took, err := buildTree(ctx, a, *n)
	if err != nil {
		return err
	}
	if err := settle(ctx, a); err != nil {
		return err
	}
	token, err := benchUser(ctx, a)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "已生成 / built: %d units in %s (%s)\n", *n, round(took), a.DB.Dialect.Name)
	fmt.Fprintln(e.stdout, "用户 bench（根单位管理员）的 API 令牌 / API token of user bench (admin at 320000):")
	fmt.Fprintln(e.stdout, token)
	return nil
}

// buildTree creates the synthetic province of n units.
func buildTree(ctx context.Context, a *app.App, n int) (time.Duration, error) {
	if n < 1 {
		return 0, errors.New("--units 至少为 1 / --units must be at least 1")
	}
	start := time.Now()
	if _, err := a.Units.SaveGroup(ctx, unit.Group{Code: benchGroup, NameZH: "基准测试试点", NameEN: "Benchmark pilots"}); err != nil {
		return 0, err
	}
	root, rest := syntheticProvince(n)
	if _, err := a.Units.Create(ctx, unit.System(), root); err != nil {
		return 0, fmt.Errorf("create root: %w", err)
	}
	if _, err := a.Units.CreateMany(ctx, unit.System(), rest); err != nil {
		return 0, fmt.Errorf("create units: %w", err)
	}
	return time.Since(start), nil
}

// settle makes a freshly filled PostgreSQL database look like one that
// has run for a while: VACUUM sets the visibility map and hint bits that
// the first reads after a bulk load would otherwise be busy setting, and
// ANALYZE gives the planner its statistics, as autovacuum does within a
// minute or so where it is on. SQLite needs neither.
func settle(ctx context.Context, a *app.App) error {
	if a.DB.Dialect.Name != "postgres" {
		return nil
	}
	if _, err := a.DB.Writer().ExecContext(ctx, "VACUUM ANALYZE"); err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	return nil
}

// benchUser creates the administrator of the synthetic province and
// returns a fresh API token for it.
func benchUser(ctx context.Context, a *app.App) (string, error) {
	if _, _, err := a.Auth.AddRole(ctx, "bench", auth.RoleAdmin, benchRoot, ""); err != nil {
		return "", err
	}
	_, secret, err := a.Auth.CreateToken(ctx, nil, "bench", "bench")
	return secret, err
}

const (
	benchRoot  = "320000"
	benchCity  = "320100" // 南京, the city whose subtree is listed
	benchGroup = "bench_pilot"
)

var benchCities = []string{"南京", "无锡", "徐州", "常州", "苏州", "南通", "连云港", "淮安", "盐城", "扬州", "镇江", "泰州", "宿迁"}

// benchKinds are the kinds of units spread below the counties.
var benchKinds = []struct{ typ, zh string }{
	{"society", "学会"}, {"enterprise", "企业科协"}, {"university", "高校科协"}, {"rural", "农技协"},
	{"edu_base", "科普教育基地"}, {"haizhi_base", "海智基地"}, {"kexiao", "科技小院"},
	{"museum", "科技馆"}, {"volunteer_org", "科技志愿服务队"},
}

// syntheticProvince returns a tree of n units shaped like a province: the
// root 320000, 13 cities (320100 … 321300), up to 100 counties (320102 …),
// and the rest spread evenly below the counties as societies, enterprise
// associations and bases, every tenth of them in the group bench_pilot.
// Parents come before children.
func syntheticProvince(n int) (unit.Create, []unit.Create) {
	root := unit.Create{Code: benchRoot, Type: "province", NameZH: "江苏省科学技术协会", NameEN: "Jiangsu AST"}
	cities := min(len(benchCities), n-1)
	counties := min(100, max(0, n-1-cities))
	out := make([]unit.Create, 0, max(0, n-1))
	var parents []unit.Create
	for c := range cities {
		u := unit.Create{Code: fmt.Sprintf("32%02d00", c+1), Parent: benchRoot, Type: "city",
			NameZH: benchCities[c] + "市科学技术协会", OpenedOn: "1958-01-01"}
		out = append(out, u)
		parents = append(parents, u)
	}
	if counties > 0 {
		parents = parents[:0]
	}
	for k := range counties {
		c := k % cities
		u := unit.Create{Code: fmt.Sprintf("32%02d%02d", c+1, k/cities+2), Parent: fmt.Sprintf("32%02d00", c+1), Type: "county",
			NameZH: fmt.Sprintf("%s市第%d区县科协", benchCities[c], k/cities+1)}
		out = append(out, u)
		parents = append(parents, u)
	}
	if len(parents) == 0 {
		parents = []unit.Create{root}
	}
	for j := range n - 1 - cities - counties {
		p := parents[j%len(parents)]
		kind := benchKinds[j%len(benchKinds)]
		seq := j/len(parents) + 1
		u := unit.Create{Code: fmt.Sprintf("%s%05d", p.Code, seq), Parent: p.Code, Type: kind.typ,
			NameZH: fmt.Sprintf("%s第%d%s", strings.TrimSuffix(p.NameZH, "科协"), seq, kind.zh)}
		if j%10 == 0 {
			u.Groups = []string{benchGroup}
		}
		out = append(out, u)
	}
	return root, out
}

// tempDB is a database made for one bench run and removed after it.
type tempDB struct {
	db    *store.DB
	files string // the data directory of its attachments
	where string // for the report
	drop  func()
}

// openTempDB opens an empty database beside the configured one: a SQLite
// file in a new directory under --data (or beside a --db file), or a new
// schema of the --db PostgreSQL database.
func openTempDB(ctx context.Context, cfg app.Config) (*tempDB, error) {
	if strings.HasPrefix(cfg.DSN, "postgres://") || strings.HasPrefix(cfg.DSN, "postgresql://") {
		return openTempSchema(ctx, cfg.DSN)
	}
	parent := cfg.DataDir
	if cfg.DSN != "" {
		parent = filepath.Dir(strings.TrimPrefix(cfg.DSN, "sqlite://"))
	}
	if err := os.MkdirAll(parent, 0o750); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(parent, "bench-")
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "kexie.db")
	db, err := store.Open(ctx, path, "")
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &tempDB{db: db, files: dir, where: path, drop: func() { db.Close(); os.RemoveAll(dir) }}, nil
}

func openTempSchema(ctx context.Context, dsn string) (*tempDB, error) {
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "kexie_bench_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		return nil, fmt.Errorf("create schema %s: %w", schema, err)
	}
	dropSchema := func() {
		_, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	}
	u, err := url.Parse(dsn)
	if err != nil {
		dropSchema()
		return nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("application_name", schema) // names the bench's backends, see backendCPU
	u.RawQuery = q.Encode()
	files, err := os.MkdirTemp("", "kexie-bench-files-")
	if err != nil {
		dropSchema()
		return nil, err
	}
	db, err := store.Open(ctx, u.String(), "")
	if err != nil {
		dropSchema()
		os.RemoveAll(files)
		return nil, err
	}
	u.User = nil // the report names the server and schema, never a user or password
	return &tempDB{db: db, files: files, where: u.String(),
		drop: func() { db.Close(); dropSchema(); os.RemoveAll(files) }}, nil
}

// timings summarises durations.
type timings []time.Duration

func (t timings) sorted() timings {
	s := slices.Clone(t)
	slices.Sort(s)
	return s
}

// quantile returns the q-quantile (nearest rank) of sorted durations.
func (t timings) quantile(q float64) time.Duration {
	if len(t) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(t)))) - 1
	return t[max(0, min(i, len(t)-1))]
}

// ms formats a duration in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func round(d time.Duration) time.Duration { return d.Round(time.Millisecond) }

// verdict says whether a figure meets its target.
func verdict(ok bool) string {
	if ok {
		return "ok"
	}
	return "MISSED"
}

// loadAverage is the machine's 1, 5 and 15 minute load, which says
// whether something else was competing for the CPUs during a run.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
