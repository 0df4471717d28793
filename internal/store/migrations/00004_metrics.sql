-- +goose Up
CREATE TABLE metrics (
    id          {{.ID}},
    code        {{.Text}} NOT NULL UNIQUE,
    version     INTEGER NOT NULL,
    def_json    TEXT NOT NULL,
    builtin     BOOLEAN NOT NULL DEFAULT FALSE,
    -- facts are "ready" when they match the definition; "building" while
    -- a rebuild runs (the old facts stay readable under fact_version)
    state       TEXT NOT NULL DEFAULT 'ready',
    fact_version INTEGER NOT NULL DEFAULT 1,
    progress    INTEGER NOT NULL DEFAULT 100,
    created_at  {{.Time}} NOT NULL,
    updated_at  {{.Time}} NOT NULL
);

-- Sparse facts: the contribution of a metric's records to a unit's
-- subtree on one day (each record counts at its unit and every ancestor),
-- by category when the metric is broken down. val is scaled like the
-- source field; cnt counts the records behind it.
CREATE TABLE metric_facts (
    metric_id BIGINT NOT NULL,
    fact_version INTEGER NOT NULL,
    unit_id   BIGINT NOT NULL,
    day       TEXT NOT NULL,
    cat       TEXT NOT NULL DEFAULT '',
    val       BIGINT NOT NULL DEFAULT 0,
    cnt       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (metric_id, fact_version, unit_id, day, cat)
);

-- Distinct values behind a distinct-count metric: how many records of a
-- unit's subtree carry each value in each month. A distinct count over
-- whole months is a count of the values with cnt > 0 — an index range of
-- one unit, bounded by the values involved, never summed across units.
CREATE TABLE metric_values (
    metric_id    BIGINT NOT NULL,
    fact_version INTEGER NOT NULL,
    unit_id      BIGINT NOT NULL,
    month        TEXT NOT NULL,
    value        TEXT NOT NULL,
    cnt          BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (metric_id, fact_version, unit_id, month, value)
);

-- +goose Down
DROP TABLE metric_values;
DROP TABLE metric_facts;
DROP TABLE metrics;
