-- +goose Up
-- Plans, continued: the evidence (files) attached to a step of a task,
-- a task's milestones, a plan's reminder rule (which lights, how often),
-- and the address where a unit receives reminders by e-mail.
CREATE TABLE plan_evidence (
    id       {{.ID}},
    task_id  BIGINT NOT NULL REFERENCES plan_tasks(id) ON DELETE CASCADE,
    event_id BIGINT NOT NULL REFERENCES plan_task_events(id) ON DELETE CASCADE,
    file_id  BIGINT NOT NULL REFERENCES files(id)
);
CREATE INDEX plan_evidence_task ON plan_evidence(task_id, event_id);

CREATE TABLE plan_milestones (
    id      {{.ID}},
    task_id BIGINT NOT NULL REFERENCES plan_tasks(id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    title   TEXT NOT NULL,
    due_on  TEXT NOT NULL,
    done_on TEXT NOT NULL DEFAULT ''
);
CREATE INDEX plan_milestones_task ON plan_milestones(task_id, seq);

CREATE TABLE plan_remind_rules (
    plan_id    BIGINT PRIMARY KEY REFERENCES plans(id) ON DELETE CASCADE,
    lights     TEXT NOT NULL,
    every_days INTEGER NOT NULL
);

CREATE TABLE plan_contacts (
    unit_id    BIGINT PRIMARY KEY REFERENCES units(id),
    email      TEXT NOT NULL,
    updated_at {{.Time}} NOT NULL
);

-- +goose Down
DROP TABLE plan_contacts;
DROP TABLE plan_remind_rules;
DROP TABLE plan_milestones;
DROP TABLE plan_evidence;
