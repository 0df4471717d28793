-- +goose Up
-- Plans (目标任务): a plan of an owner unit over a period, in sections
-- (the action lines), each with tasks led by a unit; a task carries
-- targets, quantitative (a metric, a comparison, a baseline and a
-- target value, read live) or qualitative (progress reported as text
-- and percent); a target is allotted to units down the tree. Every step
-- of a task's lifecycle is kept in plan_task_events.
CREATE TABLE plans (
    id            {{.ID}},
    title         TEXT NOT NULL,
    period        TEXT NOT NULL,
    unit_id       BIGINT NOT NULL REFERENCES units(id),
    yellow_margin DOUBLE PRECISION NOT NULL DEFAULT 0.1,
    red_margin    DOUBLE PRECISION NOT NULL DEFAULT 0.25,
    near_days     INTEGER NOT NULL DEFAULT 14,
    created_at    {{.Time}} NOT NULL
);
CREATE INDEX plans_unit ON plans(unit_id);

CREATE TABLE plan_sections (
    id      {{.ID}},
    plan_id BIGINT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    title   TEXT NOT NULL
);
CREATE INDEX plan_sections_plan ON plan_sections(plan_id, seq);

CREATE TABLE plan_tasks (
    id           {{.ID}},
    plan_id      BIGINT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    section_id   BIGINT NOT NULL REFERENCES plan_sections(id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL DEFAULT '',
    lead_unit_id BIGINT NOT NULL REFERENCES units(id),
    cooperating  TEXT NOT NULL DEFAULT '',
    start_on     TEXT NOT NULL,
    due_on       TEXT NOT NULL,
    state        TEXT NOT NULL,
    percent      INTEGER NOT NULL DEFAULT 0,
    version      INTEGER NOT NULL DEFAULT 1,
    updated_at   {{.Time}} NOT NULL
);
CREATE INDEX plan_tasks_plan ON plan_tasks(plan_id, seq);
CREATE INDEX plan_tasks_lead ON plan_tasks(lead_unit_id);

CREATE TABLE plan_targets (
    id         {{.ID}},
    task_id    BIGINT NOT NULL REFERENCES plan_tasks(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    title      TEXT NOT NULL,
    metric     TEXT NOT NULL DEFAULT '',
    comparison TEXT NOT NULL DEFAULT 'ge',
    baseline   DOUBLE PRECISION NOT NULL DEFAULT 0,
    goal       DOUBLE PRECISION NOT NULL DEFAULT 0
);
CREATE INDEX plan_targets_task ON plan_targets(task_id, seq);

CREATE TABLE plan_allotments (
    id        {{.ID}},
    target_id BIGINT NOT NULL REFERENCES plan_targets(id) ON DELETE CASCADE,
    unit_id   BIGINT NOT NULL REFERENCES units(id),
    goal      DOUBLE PRECISION NOT NULL,
    UNIQUE (target_id, unit_id)
);
CREATE INDEX plan_allotments_unit ON plan_allotments(unit_id);

CREATE TABLE plan_task_events (
    id         {{.ID}},
    task_id    BIGINT NOT NULL REFERENCES plan_tasks(id) ON DELETE CASCADE,
    action     TEXT NOT NULL,
    state      TEXT NOT NULL,
    percent    INTEGER NOT NULL DEFAULT 0,
    note       TEXT NOT NULL DEFAULT '',
    actor_name TEXT NOT NULL DEFAULT '',
    created_at {{.Time}} NOT NULL
);
CREATE INDEX plan_task_events_task ON plan_task_events(task_id, id);

-- +goose Down
DROP TABLE plan_task_events;
DROP TABLE plan_allotments;
DROP TABLE plan_targets;
DROP TABLE plan_tasks;
DROP TABLE plan_sections;
DROP TABLE plans;
