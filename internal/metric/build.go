package metric

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"kexie/internal/audit"
	"kexie/internal/register"
)

// A changed definition builds its facts in the background, a range of
// units at a time, while the old facts stay readable:
//
//   - Define stores the new definition as pending, under a new fact
//     version (build_version), with build_cursor 0: no unit done.
//   - Each step, in one write transaction, adds the facts of the records
//     of the next BuildChunk units (by id) to the new version and moves
//     the cursor past them. Meanwhile every write maintains the new facts
//     of the units at or below the cursor, as it maintains the current
//     ones, and leaves the others to the build.
//   - The last step covers every unit above the cursor, swaps the new
//     definition and facts in, and drops the old facts.
//
// Steps and writes exclude each other through the metric_generation row:
// writes read it with a share lock, steps lock it for update (SQLite runs
// one write transaction at a time anyway). So a step sees every write
// before it, and every write after it sees the cursor it moved.

// Metric states.
const (
	StateReady    = "ready"
	StateBuilding = "building"
	StateFailed   = "failed"
)

// BuildChunk is how many units a build step covers.
const BuildChunk = 200

// builds tracks the background builds of this server.
type builds struct {
	mu sync.Mutex
	// running holds the codes being built here, true when Define asked
	// for a build while it ran
	running map[string]bool
	wg      sync.WaitGroup
	ctx     context.Context
	cancel  context.CancelFunc
	// start, when set, is called instead of starting a build in the
	// background (tests run the steps themselves)
	start func(code string)
	chunk int // units a step covers; BuildChunk when zero
}

// saveOutcome is what save did with a definition.
type saveOutcome int

const (
	saveUpdated saveOutcome = iota // stored; its facts stay as they are
	saveCreated                    // a new metric: build its facts now
	saveStaged                     // pending: build its facts in the background
)

// factsOf is the part of a definition that decides its facts: names,
// descriptions and display rules may change without a rebuild.
func factsOf(d Def) string {
	d.NameZH, d.NameEN, d.DescriptionZH, d.DescriptionEN = "", "", "", ""
	d.Unit, d.Decimals, d.Percent = "", 0, false
	b, _ := json.Marshal(d)
	return string(b)
}

// save writes a definition in the transaction of ctx; builtin, when not
// nil, sets the built-in mark. The caller has locked the generation and
// loads the definitions after.
func (s *Service) save(ctx context.Context, d Def, builtin *bool, now time.Time) (saveOutcome, error) {
	body, err := json.Marshal(d)
	if err != nil {
		return 0, err
	}
	var (
		id                        int64
		factVersion, buildVersion int
		state, current            string
		pending                   sql.NullString
	)
	err = s.db.Q(ctx).QueryRowContext(ctx, `SELECT id, fact_version, build_version, state, def_json, pending_json FROM metrics WHERE code = $1`,
		d.Code).Scan(&id, &factVersion, &buildVersion, &state, &current, &pending)
	if errors.Is(err, sql.ErrNoRows) {
		b := builtin != nil && *builtin
		_, err := s.db.Q(ctx).ExecContext(ctx, `INSERT INTO metrics(code, version, def_json, builtin, created_at, updated_at)
			VALUES ($1, 1, $2, $3, $4, $4)`, d.Code, string(body), b, now)
		return saveCreated, err
	}
	if err != nil {
		return 0, err
	}
	if builtin != nil {
		if _, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE metrics SET builtin = $1 WHERE id = $2`, *builtin, id); err != nil {
			return 0, err
		}
	}
	var old Def
	if err := json.Unmarshal([]byte(current), &old); err != nil {
		return 0, fmt.Errorf("metric %s: %w", d.Code, err)
	}
	m := &Metric{Def: d}
	building := state == StateBuilding && pending.Valid
	switch {
	case !m.maintained():
		// read from the records or other metrics: no facts to keep
		if _, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE metrics SET version = version + 1, def_json = $1, pending_json = NULL,
			state = $2, progress = 100, build_error = '', updated_at = $3 WHERE id = $4`, string(body), StateReady, now, id); err != nil {
			return 0, err
		}
		return saveUpdated, s.dropFacts(ctx, id, -1)
	case building && (&Metric{Def: old}).maintained() && factsOf(old) == factsOf(d):
		// back to the facts there are: the build is no longer needed
		if _, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE metrics SET version = version + 1, def_json = $1, pending_json = NULL,
			state = $2, progress = 100, build_error = '', updated_at = $3 WHERE id = $4`, string(body), StateReady, now, id); err != nil {
			return 0, err
		}
		return saveUpdated, s.dropFacts(ctx, id, factVersion)
	case building:
		var next Def
		if err := json.Unmarshal([]byte(pending.String), &next); err != nil {
			return 0, fmt.Errorf("metric %s: %w", d.Code, err)
		}
		if factsOf(next) == factsOf(d) {
			_, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE metrics SET version = version + 1, pending_json = $1, updated_at = $2 WHERE id = $3`,
				string(body), now, id)
			return saveUpdated, err
		}
	case state == StateReady && (&Metric{Def: old}).maintained() && factsOf(old) == factsOf(d):
		_, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE metrics SET version = version + 1, def_json = $1, updated_at = $2 WHERE id = $3`,
			string(body), now, id)
		return saveUpdated, err
	}
	next := max(factVersion, buildVersion) + 1
	if _, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE metrics SET version = version + 1, pending_json = $1, build_version = $2,
		build_cursor = 0, state = $3, progress = 0, build_error = '', updated_at = $4 WHERE id = $5`,
		string(body), next, StateBuilding, now, id); err != nil {
		return 0, err
	}
	// a build the change supersedes leaves its facts behind
	return saveStaged, s.dropFacts(ctx, id, factVersion)
}

// dropFacts deletes a metric's facts but those of version keep (-1: all).
func (s *Service) dropFacts(ctx context.Context, id int64, keep int) error {
	for _, table := range []string{"metric_facts", "metric_values", "metric_distinct"} {
		if _, err := s.db.Q(ctx).ExecContext(ctx, `DELETE FROM `+table+` WHERE metric_id = $1 AND fact_version <> $2`, id, keep); err != nil {
			return err
		}
	}
	return nil
}

// bumpGeneration tells every server that the definitions changed; on
// PostgreSQL it waits for the writes in flight and holds them off until
// the transaction of ctx ends.
func (s *Service) bumpGeneration(ctx context.Context) error {
	_, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE metric_generation SET generation = generation + 1 WHERE id = 1`)
	return err
}

// genKey marks a transaction that has read the generation.
type genKey struct{ s *Service }

// current makes sure the definitions in memory are those of the database
// for the rest of the transaction of ctx, once per transaction: a write
// that maintains facts calls it first.
func (s *Service) current(ctx context.Context) error {
	fresh := false
	s.db.TxLocal(ctx, genKey{s}, func() any { fresh = true; return true })
	if !fresh {
		return nil
	}
	var gen int64
	if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT generation FROM metric_generation WHERE id = 1`+s.db.Dialect.ShareLock).Scan(&gen); err != nil {
		return err
	}
	s.mu.RLock()
	same := s.all != nil && s.gen == gen
	s.mu.RUnlock()
	if same {
		return nil
	}
	return s.load(ctx)
}

// cursorKey names the build cursors a transaction has read.
type cursorKey struct{ s *Service }

// cursor is the last unit id whose facts a build has done; it cannot move
// while the transaction of ctx holds the generation (current).
func (s *Service) cursor(ctx context.Context, m *Metric) (int64, error) {
	seen, _ := s.db.TxLocal(ctx, cursorKey{s}, func() any { return map[int64]int64{} }).(map[int64]int64)
	if c, ok := seen[m.ID]; ok {
		return c, nil
	}
	var c int64
	var state string
	var version int
	if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT build_cursor, state, build_version FROM metrics WHERE id = $1`, m.ID).Scan(&c, &state, &version); err != nil {
		return 0, err
	}
	if state != StateBuilding || version != m.FactVersion {
		c = -1 // not this build: nothing to maintain
	}
	if seen != nil {
		seen[m.ID] = c
	}
	return c, nil
}

// kick starts building a metric's pending facts in the background, unless
// this server is already building them.
func (s *Service) kick(code string) {
	b := &s.builds
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.start != nil {
		b.start(code)
		return
	}
	if b.running == nil {
		b.running = map[string]bool{}
		b.ctx, b.cancel = context.WithCancel(context.Background())
	}
	if _, ok := b.running[code]; ok {
		// the running build looks again when it ends: the change may
		// come after its last step
		b.running[code] = true
		return
	}
	b.running[code] = false
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		for {
			err := s.Build(b.ctx, code)
			if err != nil && b.ctx.Err() == nil {
				slog.Default().Error("metric build", slog.String("metric", code), slog.Any("error", err))
				_ = s.failBuild(context.Background(), code, err)
			}
			b.mu.Lock()
			again := b.running[code] && err == nil && b.ctx.Err() == nil
			if !again {
				delete(b.running, code)
				b.mu.Unlock()
				return
			}
			b.running[code] = false
			b.mu.Unlock()
		}
	}()
}

// Build runs a metric's pending build to its end, step by step.
func (s *Service) Build(ctx context.Context, code string) error {
	for {
		done, err := s.BuildStep(ctx, code)
		if err != nil || done {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// ResumeBuilds restarts, in the background, the builds a stopped server
// left running; their steps continue from the cursor.
func (s *Service) ResumeBuilds(ctx context.Context) error {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT code FROM metrics WHERE state = $1`, StateBuilding)
	if err != nil {
		return err
	}
	var codes []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return err
		}
		codes = append(codes, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range codes {
		s.kick(c)
	}
	return nil
}

// WaitBuilds waits for this server's background builds to end.
func (s *Service) WaitBuilds() { s.builds.wg.Wait() }

// StopBuilds stops this server's background builds and waits for them;
// a later start resumes them (ResumeBuilds).
func (s *Service) StopBuilds() {
	s.builds.mu.Lock()
	if s.builds.cancel != nil {
		s.builds.cancel()
	}
	s.builds.mu.Unlock()
	s.builds.wg.Wait()
}

// RunBuildsWith makes builds run in steps of chunk units and Define hand
// them to start instead of running them in the background: a test runs
// the steps itself, between writes.
func (s *Service) RunBuildsWith(chunk int, start func(code string)) {
	s.builds.mu.Lock()
	s.builds.start, s.builds.chunk = start, chunk
	s.builds.mu.Unlock()
}

// failBuild records why a build stopped.
func (s *Service) failBuild(ctx context.Context, code string, cause error) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE metrics SET state = $1, build_error = $2 WHERE code = $3 AND state = $4`,
			StateFailed, cause.Error(), code, StateBuilding); err != nil {
			return err
		}
		if err := s.bumpGeneration(ctx); err != nil {
			return err
		}
		return s.load(ctx)
	})
}

// BuildStep adds the facts of the next units to a metric's pending build,
// and swaps the new facts in after the last; done says the metric has no
// build left to run.
func (s *Service) BuildStep(ctx context.Context, code string) (done bool, err error) {
	swapped := false
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		// hold off the writes that maintain facts (see the top of the file)
		var gen int64
		if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT generation FROM metric_generation WHERE id = 1`+s.db.Dialect.UpdateLock).Scan(&gen); err != nil {
			return err
		}
		var (
			id, cursor int64
			state      string
			version    int
		)
		err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT id, state, build_cursor, build_version FROM metrics WHERE code = $1`, code).
			Scan(&id, &state, &cursor, &version)
		if err != nil {
			return err
		}
		if state != StateBuilding {
			done = true
			return nil
		}
		s.mu.RLock()
		stale := s.all == nil || s.gen != gen
		s.mu.RUnlock()
		if stale {
			if err := s.load(ctx); err != nil {
				return err
			}
		}
		m, err := s.Get(ctx, code)
		if err != nil {
			return err
		}
		next := m.next
		if next == nil || next.FactVersion != version {
			return fmt.Errorf("metric %s: build %d is not loaded", code, version)
		}
		to, total, doneUnits, err := s.nextChunk(ctx, cursor, next.Source == FromEntered)
		if err != nil {
			return err
		}
		if err := s.addFacts(ctx, next, cursor, to); err != nil {
			return err
		}
		if to != math.MaxInt64 {
			progress := 0
			if total > 0 {
				progress = int(doneUnits * 100 / total)
			}
			_, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE metrics SET build_cursor = $1, progress = $2 WHERE id = $3`, to, min(progress, 99), id)
			return err
		}
		// the last step: the new facts and definition replace the old
		if err := s.flush(ctx); err != nil {
			return err
		}
		if _, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE metrics SET def_json = pending_json, pending_json = NULL, fact_version = build_version,
			build_cursor = 0, state = $1, progress = 100, build_error = '', updated_at = $2 WHERE id = $3`, StateReady, time.Now().UTC(), id); err != nil {
			return err
		}
		if err := s.dropFacts(ctx, id, version); err != nil {
			return err
		}
		if err := s.bumpGeneration(ctx); err != nil {
			return err
		}
		if err := s.load(ctx); err != nil {
			return err
		}
		swapped = true
		return s.audit.Record(ctx, audit.Change{Action: "rebuild", Entity: "metric", EntityID: code, After: next.Def})
	})
	if err != nil {
		_ = s.load(context.WithoutCancel(ctx))
		return false, err
	}
	return done || swapped, nil
}

// nextChunk picks the units of the next step: ids in (after, to], to
// being MaxInt64 for the last step (entered values build in one step);
// total and done count units for the progress.
func (s *Service) nextChunk(ctx context.Context, after int64, whole bool) (to, total, done int64, err error) {
	if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM units`).Scan(&total); err != nil {
		return 0, 0, 0, err
	}
	if whole {
		return math.MaxInt64, total, total, nil
	}
	s.builds.mu.Lock()
	chunk := cmp.Or(s.builds.chunk, BuildChunk)
	s.builds.mu.Unlock()
	err = s.db.Q(ctx).QueryRowContext(ctx, `SELECT id FROM units WHERE id > $1 ORDER BY id LIMIT 1 OFFSET $2`, after, chunk).Scan(&to)
	if errors.Is(err, sql.ErrNoRows) {
		return math.MaxInt64, total, total, nil
	}
	if err != nil {
		return 0, 0, 0, err
	}
	to-- // the first unit of the step after
	if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM units WHERE id <= $1`, to).Scan(&done); err != nil {
		return 0, 0, 0, err
	}
	return to, total, done, nil
}

// addFacts adds to a build the facts of the records of the units with ids
// in (after, to].
func (s *Service) addFacts(ctx context.Context, m *Metric, after, to int64) error {
	if m.Source == FromEntered {
		facts, err := s.computeEntered(ctx, m)
		if err != nil {
			return err
		}
		return s.insertFacts(ctx, m, facts)
	}
	f := register.Filter{Sort: "id", UnitIDAfter: after}
	if to != math.MaxInt64 {
		f.UnitIDTo = to
	}
	facts, err := s.recordFacts(ctx, m, f)
	if err != nil {
		return err
	}
	return s.addComputed(ctx, m, facts)
}

// addComputed adds computed facts to those already stored (a build's
// earlier steps and the writes since reached the same ancestors).
func (s *Service) addComputed(ctx context.Context, m *Metric, facts map[factKey][2]int64) error {
	buf, ok := s.db.TxLocal(ctx, bufferKey{s}, func() any { return factBuffer{} }).(factBuffer)
	if !ok {
		return fmt.Errorf("metric %s: facts change outside a transaction", m.Code)
	}
	if err := s.db.BeforeCommit(ctx, bufferKey{s}, s.flush); err != nil {
		return err
	}
	for k, v := range facts {
		bk := bufferedFact{metric: m, unit: k.unit, day: k.day, cat: k.cat}
		w := buf[bk]
		buf[bk] = [2]int64{w[0] + v[0], w[1] + v[1]}
	}
	return nil
}

// keepSide is the side of a write a build maintains: the record when its
// unit is at or below the build's cursor, else nil (the build will read
// it).
func keepSide(r *register.Record, cursor int64) *register.Record {
	if r == nil || r.UnitID > cursor {
		return nil
	}
	return r
}
