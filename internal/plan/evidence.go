package plan

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"kexie/internal/fault"
)

// evidence sets the files of each event of t.
func (s *Service) evidence(ctx context.Context, t *Task) error {
	rows, err := s.db.Q(ctx).QueryContext(ctx, `SELECT e.event_id, f.id, f.name, f.size, f.content_type FROM plan_evidence e
		JOIN files f ON f.id = e.file_id WHERE e.task_id = $1 ORDER BY e.id`, t.ID)
	if err != nil {
		return fmt.Errorf("read evidence: %w", err)
	}
	defer rows.Close()
	at := map[int64]int{}
	for i, e := range t.Events {
		at[e.ID] = i
	}
	for rows.Next() {
		var ev int64
		var f Evidence
		if err := rows.Scan(&ev, &f.ID, &f.Name, &f.Size, &f.ContentType); err != nil {
			return err
		}
		if i, ok := at[ev]; ok {
			t.Events[i].Files = append(t.Events[i].Files, f)
		}
	}
	return rows.Err()
}

// checkFiles says whether every file of st exists and was uploaded by
// the caller: evidence is what the reporting user brought, never a file
// of someone else's that the step would make readable.
func (s *Service) checkFiles(ctx context.Context, c Caller, st Step) error {
	ch := &fault.Check{}
	seen := map[int64]bool{}
	for i, id := range st.Files {
		var by sql.NullInt64
		err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT created_by FROM files WHERE id = $1`, id).Scan(&by)
		switch {
		case errors.Is(err, sql.ErrNoRows), err == nil && (!by.Valid || by.Int64 != c.UserID):
			ch.Add(fmt.Sprintf("files[%d]", i), "plan.evidence.unknown", "id", id)
		case err != nil:
			return err
		case seen[id]:
			ch.Add(fmt.Sprintf("files[%d]", i), "plan.evidence.twice", "id", id)
		}
		seen[id] = true
	}
	return ch.Err()
}

// EvidenceFile says whether file is evidence of a task the caller sees;
// anything else is not found, like a file that does not exist.
func (s *Service) EvidenceFile(ctx context.Context, c Caller, taskID, fileID int64) error {
	if _, err := s.Task(ctx, c, taskID); err != nil {
		return err
	}
	var n int
	if err := s.db.Q(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM plan_evidence WHERE task_id = $1 AND file_id = $2`, taskID, fileID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fault.NotFound("file", fileID)
	}
	return nil
}
