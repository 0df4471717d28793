-- +goose Up
-- Data sets: forms of entered metrics collected per unit and period
-- (aggregate data entry). The definition (metrics in order, assignment,
-- windows, validation rules) is kept as JSON, versioned.
CREATE TABLE datasets (
    id              {{.ID}},
    code            {{.Text}} NOT NULL UNIQUE,
    name_zh         TEXT NOT NULL,
    name_en         TEXT NOT NULL DEFAULT '',
    period_type     TEXT NOT NULL,
    lock_after_days INTEGER NOT NULL DEFAULT 0,
    version         INTEGER NOT NULL,
    def_json        TEXT NOT NULL,
    created_at      {{.Time}} NOT NULL,
    updated_at      {{.Time}} NOT NULL
);

-- A unit allowed to enter a period after its window closed, until a day.
CREATE TABLE dataset_exceptions (
    dataset_id BIGINT NOT NULL REFERENCES datasets(id),
    unit_id    BIGINT NOT NULL REFERENCES units(id),
    period     TEXT NOT NULL,
    until_day  TEXT NOT NULL,
    created_at {{.Time}} NOT NULL,
    PRIMARY KEY (dataset_id, unit_id, period)
);

-- Entered values: one per metric, unit, period and category ('' when the
-- metric has none), scaled like the metric. A metric belongs to one data
-- set, so the key does not need the data set.
CREATE TABLE dataset_values (
    dataset_id   BIGINT NOT NULL REFERENCES datasets(id),
    metric       TEXT NOT NULL,
    unit_id      BIGINT NOT NULL REFERENCES units(id),
    period       TEXT NOT NULL,
    cat          TEXT NOT NULL DEFAULT '',
    val          BIGINT NOT NULL,
    updated_by   BIGINT,
    updated_name TEXT NOT NULL DEFAULT '',
    updated_at   {{.Time}} NOT NULL,
    PRIMARY KEY (metric, unit_id, period, cat)
);
CREATE INDEX dataset_values_form ON dataset_values(dataset_id, unit_id, period);

-- The state of one unit's form for one period: draft, submitted,
-- approved (level_unit_id: the last ancestor that approved), accepted
-- (approved by the root), returned (with a reason).
CREATE TABLE dataset_submissions (
    id             {{.ID}},
    dataset_id     BIGINT NOT NULL REFERENCES datasets(id),
    unit_id        BIGINT NOT NULL REFERENCES units(id),
    period         TEXT NOT NULL,
    state          TEXT NOT NULL,
    level_unit_id  BIGINT REFERENCES units(id),
    reason         TEXT NOT NULL DEFAULT '',
    submitted_at   {{.Time}},
    submitted_by   TEXT NOT NULL DEFAULT '',
    updated_at     {{.Time}} NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    UNIQUE (dataset_id, unit_id, period)
);
CREATE INDEX dataset_submissions_period ON dataset_submissions(dataset_id, period);

-- The history of a form: every save, submission, approval, return and
-- withdrawal, with who did it and at which level.
CREATE TABLE dataset_events (
    id            {{.ID}},
    submission_id BIGINT NOT NULL REFERENCES dataset_submissions(id),
    action        TEXT NOT NULL,
    from_state    TEXT NOT NULL,
    to_state      TEXT NOT NULL,
    level_unit_id BIGINT REFERENCES units(id),
    reason        TEXT NOT NULL DEFAULT '',
    actor_id      BIGINT,
    actor_name    TEXT NOT NULL,
    at            {{.Time}} NOT NULL
);
CREATE INDEX dataset_events_submission ON dataset_events(submission_id, id);

-- Messages to a unit (reminders to submit, returned forms), read by the
-- unit's users in their inbox.
CREATE TABLE inbox_messages (
    id          {{.ID}},
    unit_id     BIGINT NOT NULL REFERENCES units(id),
    kind        TEXT NOT NULL,
    dataset     TEXT NOT NULL DEFAULT '',
    period      TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL DEFAULT '',
    link        TEXT NOT NULL DEFAULT '',
    sender_id   BIGINT,
    sender_name TEXT NOT NULL,
    sender_unit TEXT NOT NULL DEFAULT '',
    created_at  {{.Time}} NOT NULL,
    read_at     {{.Time}},
    read_by     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX inbox_messages_unit ON inbox_messages(unit_id, id);

-- +goose Down
DROP TABLE inbox_messages;
DROP TABLE dataset_events;
DROP TABLE dataset_submissions;
DROP TABLE dataset_values;
DROP TABLE dataset_exceptions;
DROP TABLE datasets;
