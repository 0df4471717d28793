package register

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"kexie/internal/fault"
	"kexie/internal/sheet"
)

// An import job is an import run in the background of the app server that
// received the file. Its row in register_imports says how far it is and,
// at the end, what it did or every problem it found, so any app server
// can answer for it; the server running it also keeps its progress in
// memory, which is what it answers while a SQLite write holds the only
// writer's connection.

// Statuses of an import job.
const (
	JobQueued  = "queued"
	JobRunning = "running"
	JobDone    = "done"    // written, or checked for a dry run
	JobRefused = "refused" // problems in the file: nothing written
	JobFailed  = "failed"  // a system error: nothing written
)

// jobStale is how long a running job may go without a heartbeat before
// another server reports it interrupted.
const jobStale = 2 * time.Minute

// ImportJob is an import and its outcome.
type ImportJob struct {
	ID           int64           `json:"id"`
	Register     string          `json:"register"`
	FileName     string          `json:"file_name"`
	SHA256       string          `json:"sha256"`
	Size         int64           `json:"size"`
	Format       string          `json:"format"`
	DryRun       bool            `json:"dry_run"`
	Unit         string          `json:"unit,omitempty"`
	UnitPath     string          `json:"-"`
	Lang         string          `json:"-"`
	Status       string          `json:"status"`
	Phase        string          `json:"phase,omitempty"`
	RowsDone     int             `json:"rows_done"`
	RowsTotal    int             `json:"rows_total"`
	Created      int             `json:"created"`
	Updated      int             `json:"updated"`
	Unchanged    int             `json:"unchanged"`
	ProblemCount int             `json:"problem_count"`
	Problems     []sheet.Problem `json:"-"`
	Annotated    int64           `json:"-"` // the file id of the annotated workbook, 0 if none
	ErrorKey     string          `json:"error_key,omitempty"`
	OwnerID      int64           `json:"-"`
	OwnerName    string          `json:"owner"`
	CreatedAt    time.Time       `json:"created_at"`
	StartedAt    *time.Time      `json:"started_at,omitempty"`
	FinishedAt   *time.Time      `json:"finished_at,omitempty"`
}

// Finished says whether the job has ended.
func (j *ImportJob) Finished() bool {
	return j.Status == JobDone || j.Status == JobRefused || j.Status == JobFailed
}

// liveJob is the progress of a job running in this process.
type liveJob struct {
	mu       sync.Mutex
	phase    string
	done     int
	total    int
	writing  bool // holding a write transaction
	finished bool
}

type liveKey struct {
	s  *Service
	id int64
}

// running holds the jobs this process runs, by service and id.
var running sync.Map // liveKey → *liveJob

// CreateImportJob records a new job, queued; j's ID and times are set.
func (s *Service) CreateImportJob(ctx context.Context, j *ImportJob) error {
	if _, err := s.Get(ctx, j.Register); err != nil {
		return err
	}
	j.Status, j.CreatedAt = JobQueued, time.Now().UTC()
	var owner any
	if j.OwnerID != 0 {
		owner = j.OwnerID
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		return s.db.Q(ctx).QueryRowContext(ctx, `INSERT INTO register_imports (register_code, file_name, file_sha256, file_size, dry_run,
			unit_code, unit_path, lang, status, owner_id, owner_name, server, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
			j.Register, j.FileName, j.SHA256, j.Size, j.DryRun, j.Unit, j.UnitPath, j.Lang, j.Status, owner, j.OwnerName,
			serverName(), j.CreatedAt).Scan(&j.ID)
	})
}

func serverName() string {
	h, _ := os.Hostname()
	return fmt.Sprintf("%s:%d", h, os.Getpid())
}

// ImportJob returns a job with its problems. A job running here shows its
// live progress; one that stopped beating elsewhere shows as interrupted.
func (s *Service) ImportJob(ctx context.Context, id int64) (*ImportJob, error) {
	j := &ImportJob{}
	var (
		problems              sql.NullString
		annotated, owner      sql.NullInt64
		started, finished, hb sql.NullTime
	)
	err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT id, register_code, file_name, file_sha256, file_size, format, dry_run, unit_code,
		unit_path, lang, status, phase, rows_done, rows_total, created, updated, unchanged, problem_count, problems_json,
		annotated_file_id, error_key, owner_id, owner_name, created_at, started_at, finished_at, heartbeat_at
		FROM register_imports WHERE id = $1`, id).Scan(&j.ID, &j.Register, &j.FileName, &j.SHA256, &j.Size, &j.Format, &j.DryRun,
		&j.Unit, &j.UnitPath, &j.Lang, &j.Status, &j.Phase, &j.RowsDone, &j.RowsTotal, &j.Created, &j.Updated, &j.Unchanged,
		&j.ProblemCount, &problems, &annotated, &j.ErrorKey, &owner, &j.OwnerName, &j.CreatedAt, &started, &finished, &hb)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.NotFound("import", id)
	}
	if err != nil {
		return nil, fmt.Errorf("import job %d: %w", id, err)
	}
	j.CreatedAt = j.CreatedAt.UTC()
	j.Annotated, j.OwnerID = annotated.Int64, owner.Int64
	if started.Valid {
		t := started.Time.UTC()
		j.StartedAt = &t
	}
	if finished.Valid {
		t := finished.Time.UTC()
		j.FinishedAt = &t
	}
	if problems.Valid && problems.String != "" {
		if err := json.Unmarshal([]byte(problems.String), &j.Problems); err != nil {
			return nil, fmt.Errorf("import job %d: problems: %w", id, err)
		}
	}
	if v, ok := running.Load(liveKey{s, id}); ok && !j.Finished() {
		lj := v.(*liveJob)
		lj.mu.Lock()
		j.Status, j.Phase, j.RowsDone, j.RowsTotal = JobRunning, lj.phase, lj.done, lj.total
		lj.mu.Unlock()
		return j, nil
	}
	last := j.CreatedAt
	if hb.Valid {
		last = hb.Time
	}
	if !j.Finished() && time.Since(last) > jobStale {
		j.Status, j.ErrorKey = JobFailed, "regsheet.job.interrupted"
	}
	return j, nil
}

// RunImportJob runs a queued job on the file at path: the import, then
// its outcome in the job's row. When the file is a workbook with
// problems at cells, a copy with those cells marked (message words each
// problem) is kept as a file for the job's owner. It returns when the job
// has ended; its errors are the job's, not the caller's.
func (s *Service) RunImportJob(ctx context.Context, j *ImportJob, acc Access, path string, message func(sheet.Problem) string) {
	lj := &liveJob{phase: PhaseChecking}
	key := liveKey{s, j.ID}
	running.Store(key, lj)
	defer running.Delete(key)
	started := time.Now().UTC()
	_ = s.db.WithTx(ctx, func(ctx context.Context) error {
		_, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE register_imports SET status = $1, phase = $2, started_at = $3, heartbeat_at = $3 WHERE id = $4`,
			JobRunning, PhaseChecking, started, j.ID)
		return err
	})
	stop := make(chan struct{})
	beat := make(chan struct{})
	go s.heartbeat(context.WithoutCancel(ctx), j.ID, lj, stop, beat)

	res, err := s.runImport(ctx, j, acc, path, lj)
	close(stop)
	<-beat
	lj.mu.Lock()
	lj.finished = true
	lj.mu.Unlock()

	out := *j
	out.Format, out.Created, out.Updated, out.Unchanged, out.RowsDone, out.RowsTotal = res.Format, res.Created, res.Updated, res.Unchanged, res.Rows, res.Rows
	var refused *sheet.Refused
	switch {
	case errors.As(err, &refused):
		out.Status, out.Problems, out.Format = JobRefused, refused.Problems, refused.Format
		if out.Format == sheet.FormatXLSX && message != nil {
			out.Annotated = s.annotate(ctx, path, j.FileName, refused.Problems, message)
		}
	case err != nil:
		out.Status, out.ErrorKey = JobFailed, "regsheet.job.failed"
		if fields := fault.FieldsOf(err); len(fields) > 0 {
			out.Problems = []sheet.Problem{{Field: fields[0].Field, Key: fields[0].Key, Args: fields[0].Args}}
			out.Status, out.ErrorKey = JobRefused, ""
		} else {
			slog.Default().Error("import job failed", slog.Int64("job", j.ID), slog.String("register", j.Register), slog.Any("error", err))
		}
	default:
		out.Status = JobDone
	}
	out.ProblemCount = len(out.Problems)
	var problems any
	if len(out.Problems) > 0 {
		b, _ := json.Marshal(out.Problems)
		problems = string(b)
	}
	var annotated any
	if out.Annotated != 0 {
		annotated = out.Annotated
	}
	werr := s.db.WithTx(context.WithoutCancel(ctx), func(ctx context.Context) error {
		_, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE register_imports SET status = $1, phase = '', format = $2, rows_done = $3, rows_total = $4,
			created = $5, updated = $6, unchanged = $7, problem_count = $8, problems_json = $9, annotated_file_id = $10, error_key = $11,
			finished_at = $12, heartbeat_at = $12 WHERE id = $13`,
			out.Status, out.Format, out.RowsDone, out.RowsTotal, out.Created, out.Updated, out.Unchanged, out.ProblemCount, problems,
			annotated, out.ErrorKey, time.Now().UTC(), j.ID)
		return err
	})
	if werr != nil {
		slog.Default().Error("import job outcome not saved", slog.Int64("job", j.ID), slog.Any("error", werr))
	}
}

// runImport opens the job's file and imports it, following its progress.
func (s *Service) runImport(ctx context.Context, j *ImportJob, acc Access, path string, lj *liveJob) (ImportResult, error) {
	f, err := os.Open(path)
	if err != nil {
		return ImportResult{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return ImportResult{}, err
	}
	return s.Import(ctx, acc, j.Register, f, st.Size(), ImportOptions{DryRun: j.DryRun, FileName: j.FileName, Unit: j.Unit,
		SpoolDir: filepath.Dir(path), MaxBytes: st.Size() + 1,
		Progress: func(p ImportProgress) {
			lj.mu.Lock()
			lj.phase, lj.done, lj.total = p.Phase, p.Done, p.Total
			// a SQLite write holds the one writer's connection: the progress
			// stays in memory until it commits
			lj.writing = p.Phase == PhaseWriting && s.db.Dialect.Name == "sqlite"
			lj.mu.Unlock()
		}})
}

// heartbeat writes a running job's progress every second, except while a
// SQLite write transaction holds the writer.
func (s *Service) heartbeat(ctx context.Context, id int64, lj *liveJob, stop, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		lj.mu.Lock()
		phase, rows, total, writing := lj.phase, lj.done, lj.total, lj.writing
		lj.mu.Unlock()
		if writing {
			continue
		}
		_ = s.db.WithTx(ctx, func(ctx context.Context) error {
			_, err := s.db.Q(ctx).ExecContext(ctx, `UPDATE register_imports SET phase = $1, rows_done = $2, rows_total = $3, heartbeat_at = $4
				WHERE id = $5 AND status = $6`, phase, rows, total, time.Now().UTC(), id, JobRunning)
			return err
		})
	}
}

// maxAnnotate and maxAnnotateUnzip bound the workbooks marked up:
// excelize holds the whole of one in memory to change it.
const (
	maxAnnotate      = 32 << 20
	maxAnnotateUnzip = 256 << 20
)

// annotate keeps a copy of the workbook with its cells at fault marked,
// as a file, and returns its id (0 when there is nothing to mark).
func (s *Service) annotate(ctx context.Context, path, name string, probs []sheet.Problem, message func(sheet.Problem) string) int64 {
	st, err := os.Stat(path)
	if err != nil || st.Size() > maxAnnotate {
		return 0
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	var buf bytes.Buffer
	if err := sheet.Annotate(data, probs, message, &buf, maxAnnotateUnzip); err != nil {
		if !errors.Is(err, sheet.ErrNothingToAnnotate) {
			slog.Default().Warn("annotate import", slog.String("file", name), slog.Any("error", err))
		}
		return 0
	}
	base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	if base == "" || base == "." {
		base = "import"
	}
	if r := []rune(base); len(r) > 150 {
		base = string(r[:150])
	}
	f, err := s.files.Save(context.WithoutCancel(ctx), base+"-problems.xlsx", &buf, int64(buf.Len())+1)
	if err != nil {
		slog.Default().Warn("keep annotated import", slog.String("file", name), slog.Any("error", err))
		return 0
	}
	return f.ID
}

// AnnotatedFile returns the marked-up workbook of a job.
func (s *Service) AnnotatedFile(ctx context.Context, j *ImportJob) (File, *os.File, error) {
	if j.Annotated == 0 {
		return File{}, nil, fault.NotFound("annotated workbook of import", j.ID)
	}
	f, err := s.files.Get(ctx, j.Annotated)
	if err != nil {
		return File{}, nil, err
	}
	rc, err := s.files.Open(f)
	if err != nil {
		return File{}, nil, err
	}
	return f, rc, nil
}
