-- +goose Up
-- The plan owner's review of each progress report (进展审核): a report
-- counts toward a qualitative target only once accepted. review is ''
-- for the other steps, 'pending', 'accepted' or 'returned' for reports.
ALTER TABLE plan_task_events ADD COLUMN review TEXT NOT NULL DEFAULT '';
ALTER TABLE plan_task_events ADD COLUMN review_note TEXT NOT NULL DEFAULT '';
ALTER TABLE plan_task_events ADD COLUMN reviewed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE plan_task_events ADD COLUMN reviewed_at {{.Time}};
-- reports made before reviews existed counted as they stood
UPDATE plan_task_events SET review = 'accepted', reviewed_by = 'system' WHERE action = 'report';

-- +goose Down
ALTER TABLE plan_task_events DROP COLUMN reviewed_at;
ALTER TABLE plan_task_events DROP COLUMN reviewed_by;
ALTER TABLE plan_task_events DROP COLUMN review_note;
ALTER TABLE plan_task_events DROP COLUMN review;
