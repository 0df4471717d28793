package plan

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"kexie/internal/fault"
	"kexie/internal/metric"
	"kexie/internal/period"
	"kexie/internal/store"
	"kexie/internal/unit"
)

// visible is the condition of the plans a caller sees: those of a unit in
// its read scope, and those with a task led by, or a target allotted to,
// a unit in it.
func visible(c Caller, args *store.Args) string {
	return `(` + c.Read.Cond("o.path", args) + ` OR EXISTS (SELECT 1 FROM plan_tasks t JOIN units l ON l.id = t.lead_unit_id
		WHERE t.plan_id = p.id AND ` + c.Read.Cond("l.path", args) + `) OR EXISTS (SELECT 1 FROM plan_tasks t
		JOIN plan_targets g ON g.task_id = t.id JOIN plan_allotments a ON a.target_id = g.id JOIN units au ON au.id = a.unit_id
		WHERE t.plan_id = p.id AND ` + c.Read.Cond("au.path", args) + `))`
}

const planCols = `p.id, p.title, p.period, o.code, o.name_zh, o.path, p.yellow_margin, p.red_margin, p.near_days, p.created_at`

func scanPlan(c Caller, sc interface{ Scan(...any) error }) (Plan, error) {
	var p Plan
	err := sc.Scan(&p.ID, &p.Title, &p.Period, &p.Unit, &p.UnitName, &p.unitPath, &p.YellowMargin, &p.RedMargin, &p.NearDays, &p.CreatedAt)
	p.Owner = c.Read.Contains(p.unitPath)
	p.Sections = []Section{}
	return p, err
}

// List returns the plans the caller sees, newest first, without tasks.
func (s *Service) List(ctx context.Context, c Caller) ([]Plan, error) {
	var args store.Args
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT `+planCols+` FROM plans p JOIN units o ON o.id = p.unit_id WHERE `+
		visible(c, &args)+` ORDER BY p.id DESC`, args.Values()...)
	if err != nil {
		return nil, fmt.Errorf("list plans: %w", err)
	}
	defer rows.Close()
	out := []Plan{}
	for rows.Next() {
		p, err := scanPlan(c, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// header returns a plan the caller sees, without its tasks.
func (s *Service) header(ctx context.Context, c Caller, id int64) (Plan, error) {
	var args store.Args
	p, err := scanPlan(c, s.db.Q(ctx).QueryRowContext(ctx, `SELECT `+planCols+` FROM plans p JOIN units o ON o.id = p.unit_id
		WHERE p.id = `+args.Add(id)+` AND `+visible(c, &args), args.Values()...))
	if errors.Is(err, sql.ErrNoRows) {
		return Plan{}, fault.NotFound("plan", id)
	}
	return p, err
}

// FewAllotments is the most allotments of a target that Outline reads
// live: beyond it, a list shows their count and sum and leaves them to
// the task page.
const FewAllotments = 20

// Get returns a plan the caller sees with the tasks it sees (all of them
// when the plan's unit is in its scope, else those it leads or has a
// part of), each with live progress and its light, every allotment too.
func (s *Service) Get(ctx context.Context, c Caller, id int64) (Plan, error) {
	return s.get(ctx, c, id, false)
}

// Outline is Get for the plan as the report reads, for its owner: the
// allotments of a target allotted to more than FewAllotments units keep
// their goals and sums but are not read live (no current value, no
// light). Their figures are on the task page and the matrix.
func (s *Service) Outline(ctx context.Context, c Caller, id int64) (Plan, error) {
	return s.get(ctx, c, id, true)
}

func (s *Service) get(ctx context.Context, c Caller, id int64, outline bool) (Plan, error) {
	p, err := s.header(ctx, c, id)
	if err != nil {
		return Plan{}, err
	}
	tasks, err := s.tasks(ctx, c, p, 0, outline && p.Owner)
	if err != nil {
		return Plan{}, err
	}
	rule, err := s.remindRule(ctx, id)
	if err != nil {
		return Plan{}, err
	}
	p.RemindRule = &rule
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT id, title FROM plan_sections WHERE plan_id = $1 ORDER BY seq`, id)
	if err != nil {
		return Plan{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var sec Section
		if err := rows.Scan(&sec.ID, &sec.Title); err != nil {
			return Plan{}, err
		}
		sec.Tasks = []Task{}
		for _, t := range tasks {
			if t.sectionID == sec.ID {
				sec.Tasks = append(sec.Tasks, t)
			}
		}
		if len(sec.Tasks) > 0 || p.Owner {
			p.Sections = append(p.Sections, sec)
		}
	}
	for _, t := range tasks {
		p.Counts.add(t.Light)
	}
	return p, rows.Err()
}

// tasks reads the tasks of p the caller sees (only taskID when not 0)
// with targets, allotments and live progress (outline: see Outline).
func (s *Service) tasks(ctx context.Context, c Caller, p Plan, taskID int64, outline bool) ([]Task, error) {
	q := s.db.Q(ctx)
	var args store.Args
	cond := `t.plan_id = ` + args.Add(p.ID)
	if taskID != 0 {
		cond += ` AND t.id = ` + args.Add(taskID)
	}
	rows, err := q.QueryContext(ctx, `SELECT t.id, t.section_id, t.title, t.body, l.code, l.name_zh, l.path, t.cooperating, t.start_on, t.due_on,
		t.state, t.percent, t.version, t.updated_at FROM plan_tasks t JOIN units l ON l.id = t.lead_unit_id WHERE `+cond+` ORDER BY t.seq`, args.Values()...)
	if err != nil {
		return nil, fmt.Errorf("read tasks: %w", err)
	}
	var tasks []Task
	index := map[int64]int{}
	for rows.Next() {
		var t Task
		var coop string
		if err := rows.Scan(&t.ID, &t.sectionID, &t.Title, &t.Body, &t.Lead, &t.LeadName, &t.leadPath, &coop, &t.Start, &t.Due,
			&t.State, &t.Percent, &t.Version, &t.UpdatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		t.PlanID = p.ID
		t.Cooperating = []string{}
		if coop != "" {
			t.Cooperating = strings.Split(coop, ",")
		}
		t.Targets = []Target{}
		t.Milestones = []Milestone{}
		t.Mine = c.Report.Contains(t.leadPath)
		index[t.ID] = len(tasks)
		tasks = append(tasks, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// targets
	rows, err = q.QueryContext(ctx, `SELECT g.id, g.task_id, g.title, g.metric, g.comparison, g.baseline, g.goal FROM plan_targets g
		JOIN plan_tasks t ON t.id = g.task_id WHERE `+cond+` ORDER BY g.task_id, g.seq`, args.Values()...)
	if err != nil {
		return nil, fmt.Errorf("read targets: %w", err)
	}
	type ref struct{ task, target int }
	targets := map[int64]ref{}
	for rows.Next() {
		var g Target
		var tid int64
		if err := rows.Scan(&g.ID, &tid, &g.Title, &g.Metric, &g.Comparison, &g.Baseline, &g.Goal); err != nil {
			rows.Close()
			return nil, err
		}
		g.Allotments = []Allotment{}
		i := index[tid]
		targets[g.ID] = ref{i, len(tasks[i].Targets)}
		tasks[i].Targets = append(tasks[i].Targets, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// the last accepted progress report of each task: what its
	// qualitative targets have reached
	rows, err = q.QueryContext(ctx, `SELECT e.task_id, e.percent FROM plan_task_events e JOIN plan_tasks t ON t.id = e.task_id
		WHERE `+cond+` AND e.action = 'report' AND e.review = 'accepted' ORDER BY e.task_id, e.id`, args.Values()...)
	if err != nil {
		return nil, fmt.Errorf("read accepted reports: %w", err)
	}
	for rows.Next() {
		var tid int64
		var pc int
		if err := rows.Scan(&tid, &pc); err != nil {
			rows.Close()
			return nil, err
		}
		tasks[index[tid]].Accepted = pc
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// milestones
	rows, err = q.QueryContext(ctx, `SELECT m.id, m.task_id, m.title, m.due_on, m.done_on FROM plan_milestones m
		JOIN plan_tasks t ON t.id = m.task_id WHERE `+cond+` ORDER BY m.task_id, m.seq`, args.Values()...)
	if err != nil {
		return nil, fmt.Errorf("read milestones: %w", err)
	}
	today := s.Now().Format(time.DateOnly)
	for rows.Next() {
		var m Milestone
		var tid int64
		if err := rows.Scan(&m.ID, &tid, &m.Title, &m.Due, &m.Done); err != nil {
			rows.Close()
			return nil, err
		}
		m.Late = m.Done == "" && m.Due < today
		i := index[tid]
		tasks[i].Milestones = append(tasks[i].Milestones, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	all, units, err := s.allotments(ctx, p, cond, args, taskID == 0)
	if err != nil {
		return nil, err
	}
	for i := 0; i < len(all); {
		// all is sorted by target: each target's run in one allocation
		j := i + 1
		for j < len(all) && all[j].target == all[i].target {
			j++
		}
		r := targets[all[i].target]
		g := &tasks[r.task].Targets[r.target]
		g.Allotments = make([]Allotment, 0, j-i)
		for _, a := range all[i:j] {
			u := units[a.unit]
			g.Allotments = append(g.Allotments, Allotment{Unit: u.Code, UnitName: u.NameZH, Goal: a.goal, path: u.Path})
		}
		i = j
	}
	if err := s.live(ctx, c, p, tasks, units, outline); err != nil {
		return nil, err
	}
	// keep what the caller sees
	out := tasks[:0]
	for _, t := range tasks {
		if p.Owner || c.Read.Contains(t.leadPath) || len(t.allottedIn(c.Read)) > 0 {
			out = append(out, t)
		}
	}
	return out, nil
}

// allot is an allotment as stored: a target's part for a unit.
type allot struct {
	target, unit int64
	goal         float64
}

// shape is a plan's allotments, which no step changes once the plan is
// created: read from the database once per process and kept, in the
// order of the tree as it was when sorted (paths); the units' codes,
// names and paths, which can change, are read every time.
type shape struct {
	created time.Time
	all     []allot
	units   []int64
	paths   map[int64]string
}

// shapes keeps the shapes of the plans read lately.
type shapes struct {
	mu sync.Mutex
	m  map[int64]*shape
}

// maxShapes bounds the plans whose allotments are kept.
const maxShapes = 32

func (c *shapes) get(id int64, created time.Time) *shape {
	c.mu.Lock()
	defer c.mu.Unlock()
	if sh := c.m[id]; sh != nil && sh.created.Equal(created) {
		return sh
	}
	return nil
}

func (c *shapes) put(id int64, sh *shape) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxShapes {
		c.m = map[int64]*shape{}
	}
	c.m[id] = sh
}

type txProbe struct{}

// allotments reads the allotments of p's tasks matching cond (every
// task's when whole, then kept: see shape) and their units, each
// target's allotments in the order of the tree. A read inside a
// transaction neither uses nor fills the kept shapes: the plan may be
// the transaction's own.
func (s *Service) allotments(ctx context.Context, p Plan, cond string, args store.Args, whole bool) ([]allot, map[int64]unit.Unit, error) {
	q := s.db.Q(ctx)
	keep := whole && s.db.TxLocal(ctx, txProbe{}, func() any { return true }) == nil
	var sh *shape
	if keep {
		sh = s.shapes.get(p.ID, p.CreatedAt)
	}
	if sh == nil {
		rows, err := q.QueryContext(ctx, `SELECT a.target_id, a.unit_id, a.goal FROM plan_allotments a
			JOIN plan_targets g ON g.id = a.target_id JOIN plan_tasks t ON t.id = g.task_id
			WHERE `+cond, args.Values()...)
		if err != nil {
			return nil, nil, fmt.Errorf("read allotments: %w", err)
		}
		sh = &shape{created: p.CreatedAt}
		seen := map[int64]bool{}
		for rows.Next() {
			var a allot
			if err := rows.Scan(&a.target, &a.unit, &a.goal); err != nil {
				rows.Close()
				return nil, nil, err
			}
			sh.all = append(sh.all, a)
			if !seen[a.unit] {
				seen[a.unit] = true
				sh.units = append(sh.units, a.unit)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	// the units, once each: a plan allots its targets over and over to
	// the same few hundred units
	units := make(map[int64]unit.Unit, len(sh.units))
	for chunk := range slices.Chunk(sh.units, 1000) {
		var ua store.Args
		marks := make([]string, len(chunk))
		for i, id := range chunk {
			marks[i] = ua.Add(id)
		}
		rows, err := q.QueryContext(ctx, `SELECT u.id, u.code, u.type, u.path, u.depth, u.name_zh, u.name_en FROM units u
			WHERE u.id IN (`+strings.Join(marks, ", ")+`)`, ua.Values()...)
		if err != nil {
			return nil, nil, fmt.Errorf("read allotted units: %w", err)
		}
		for rows.Next() {
			var u unit.Unit
			if err := rows.Scan(&u.ID, &u.Code, &u.Type, &u.Path, &u.Depth, &u.NameZH, &u.NameEN); err != nil {
				rows.Close()
				return nil, nil, err
			}
			units[u.ID] = u
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	// each target's allotments in the order of the tree: rank the units
	// by path once, then sort the small rows by target and rank — unless
	// they are kept in that order and no unit has moved since
	moved := sh.paths == nil
	for id, path := range sh.paths {
		moved = moved || units[id].Path != path
	}
	if !moved {
		return sh.all, units, nil
	}
	byPath := make([]unit.Unit, 0, len(units))
	for _, u := range units {
		byPath = append(byPath, u)
	}
	slices.SortFunc(byPath, func(x, y unit.Unit) int { return strings.Compare(x.Path, y.Path) })
	rank := make(map[int64]int, len(byPath))
	for i, u := range byPath {
		rank[u.ID] = i
	}
	all := slices.Clone(sh.all) // a kept shape is shared: sort a copy
	slices.SortFunc(all, func(x, y allot) int {
		if x.target != y.target {
			return cmp.Compare(x.target, y.target)
		}
		return rank[x.unit] - rank[y.unit]
	})
	if keep {
		paths := make(map[int64]string, len(units))
		for id, u := range units {
			paths[id] = u.Path
		}
		s.shapes.put(p.ID, &shape{created: sh.created, all: all, units: sh.units, paths: paths})
	}
	return all, units, nil
}

func (t Task) allottedIn(read unit.Scope) []Allotment {
	var out []Allotment
	for _, g := range t.Targets {
		for _, a := range g.Allotments {
			if read.Contains(a.path) {
				out = append(out, a)
			}
		}
	}
	return out
}

// live reads the metrics of the targets for the plan's unit and each
// allotted unit in the caller's scope, and sets progress and lights.
func (s *Service) live(ctx context.Context, c Caller, p Plan, tasks []Task, units map[int64]unit.Unit, outline bool) error {
	per, err := period.Parse(p.Period)
	if err != nil {
		return err
	}
	var codes []string
	seen := map[string]bool{}
	for _, t := range tasks {
		for _, g := range t.Targets {
			if g.Metric != "" && !seen[g.Metric] {
				seen[g.Metric] = true
				codes = append(codes, g.Metric)
			}
		}
	}
	values := map[[2]string]*float64{} // metric, unit code
	ms := map[string]*metric.Metric{}
	for _, code := range codes {
		if ms[code], err = s.metrics.Get(ctx, code); err != nil {
			return err
		}
	}
	if len(codes) > 0 {
		var kids []unit.Unit
		var owner unit.Unit
		if p.Owner {
			if owner, err = s.units.Get(ctx, c.Read, p.Unit); err != nil {
				return err
			}
			kids = append(kids, owner)
		}
		var few map[string]bool // outline: the units of the targets read live
		if outline {
			few = map[string]bool{}
			for _, t := range tasks {
				for _, g := range t.Targets {
					if len(g.Allotments) <= FewAllotments {
						for _, a := range g.Allotments {
							few[a.Unit] = true
						}
					}
				}
			}
		}
		for _, u := range units {
			if c.Read.Contains(u.Path) && u.Code != p.Unit && (few == nil || few[u.Code]) {
				kids = append(kids, u)
			}
		}
		if len(kids) > 0 {
			bs, err := s.metrics.ChildBreakdowns(ctx, codes, owner, kids, per)
			if err != nil {
				return err
			}
			for _, b := range bs {
				for _, part := range b.Parts {
					values[[2]string{b.Metric, part.Key}] = part.Value
				}
			}
		}
	}
	today := s.Now()
	rules := Rules{YellowMargin: p.YellowMargin, RedMargin: p.RedMargin, NearDays: p.NearDays}
	for i := range tasks {
		t := &tasks[i]
		sum, n := 0.0, 0
		light := ""
		for j := range t.Targets {
			g := &t.Targets[j]
			if m := ms[g.Metric]; m != nil {
				g.MetricUnit = m.Unit
			}
			if g.Metric == "" {
				pc := float64(t.Accepted)
				if t.State == Closed {
					pc = 100
				}
				g.Current = &pc
			} else if p.Owner {
				g.Current = values[[2]string{g.Metric, p.Unit}]
			}
			g.Progress = Progress(g.Comparison, g.Baseline, g.Goal, g.Current)
			g.Light = rules.Light(g.Progress, t.Start, t.Due, today)
			// sums over every allotment, before the caller's scope keeps its own
			ps := parents(g.Allotments)
			g.Allotted, g.Mismatch = allotmentSum(g, ps)
			below(g.Allotments, ps)
			allotted := g.Allotments[:0]
			unread := outline && len(g.Allotments) > FewAllotments
			for _, a := range g.Allotments {
				if !c.Read.Contains(a.path) {
					continue
				}
				if unread {
					allotted = append(allotted, a)
					continue
				}
				if g.Metric == "" {
					a.Current = g.Current
				} else {
					a.Current = values[[2]string{g.Metric, a.Unit}]
				}
				a.Progress = Progress(g.Comparison, 0, a.Goal, a.Current)
				if g.Comparison != AtLeast {
					a.Progress = Progress(g.Comparison, g.Baseline, a.Goal, a.Current)
				}
				a.Light = rules.Light(a.Progress, t.Start, t.Due, today)
				if t.State == Closed {
					a.Light = Done
				}
				allotted = append(allotted, a)
			}
			g.Allotments = allotted
			if p.Owner || g.Metric == "" {
				sum += g.Progress
				n++
				light = worst(light, g.Light)
			} else {
				for _, a := range g.Allotments {
					sum += a.Progress
					n++
					light = worst(light, a.Light)
				}
			}
			if t.State == Closed {
				g.Light = Done
			}
		}
		if n > 0 {
			t.Progress = sum / float64(n)
		} else {
			t.Progress = float64(t.Percent) / 100
		}
		if light == "" {
			light = rules.Light(t.Progress, t.Start, t.Due, today)
		}
		// an open milestone past its day holds the task at yellow at best
		if light == Green && slices.ContainsFunc(t.Milestones, func(m Milestone) bool { return m.Late }) {
			light = Yellow
		}
		t.Light = light
		if t.State == Closed {
			t.Light = Done
		}
	}
	return nil
}

// allotmentSum sums the top allotments of g (those not inside another
// allotted unit) and says whether they miss its goal; each allotment
// with allotments below it is checked the same way in below.
func allotmentSum(g *Target, parents []int) (float64, bool) {
	if len(g.Allotments) == 0 {
		return 0, false
	}
	sum := 0.0
	for i, a := range g.Allotments {
		if parents[i] < 0 {
			sum += a.Goal
		}
	}
	return sum, math.Abs(sum-(g.Goal-g.Baseline)) > 1e-9 && math.Abs(sum-g.Goal) > 1e-9
}

// parents gives, for each allotment, the index of the nearest allotment
// above it (-1 for none), walking up each unit's path.
func parents(as []Allotment) []int {
	at := make(map[string]int, len(as))
	for i, a := range as {
		at[a.path] = i
	}
	out := make([]int, len(as))
	for i, a := range as {
		out[i] = -1
		p := a.path // "/320000/320100/320102/"
		for {
			j := strings.LastIndexByte(p[:max(0, len(p)-1)], '/')
			if j <= 0 {
				break
			}
			p = p[:j+1]
			if k, ok := at[p]; ok {
				out[i] = k
				break
			}
		}
	}
	return out
}

// below sets, on each allotment with allotments under it, their sum and
// whether it misses the allotment's goal.
func below(as []Allotment, parents []int) {
	for i, a := range as {
		if j := parents[i]; j >= 0 {
			as[j].Below += a.Goal
			as[j].split = true
		}
	}
	for i := range as {
		as[i].BelowMismatch = as[i].split && math.Abs(as[i].Below-as[i].Goal) > 1e-9
	}
}
