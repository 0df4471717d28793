-- +goose Up
-- Evaluation schemes: a scheme's versions (the indicator tree as JSON,
-- never changed once saved), runs of a version over the units of a type
-- below a unit for a period, each unit's result with every node's points
-- and their explanation, hand scores with evidence and verification, and
-- objections to a published run.
CREATE TABLE schemes (
    id         {{.ID}},
    code       TEXT NOT NULL UNIQUE,
    name_zh    TEXT NOT NULL,
    name_en    TEXT NOT NULL DEFAULT '',
    unit_type  TEXT NOT NULL,
    created_at {{.Time}} NOT NULL
);
CREATE TABLE scheme_versions (
    id         {{.ID}},
    scheme_id  BIGINT NOT NULL REFERENCES schemes(id),
    number     INTEGER NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    def_json   TEXT NOT NULL,
    created_at {{.Time}} NOT NULL,
    UNIQUE (scheme_id, number)
);
CREATE TABLE scheme_runs (
    id           {{.ID}},
    version_id   BIGINT NOT NULL REFERENCES scheme_versions(id),
    unit_id      BIGINT NOT NULL REFERENCES units(id),
    period       TEXT NOT NULL,
    state        TEXT NOT NULL,
    objections_until {{.Time}},
    created_at   {{.Time}} NOT NULL,
    published_at {{.Time}}
);
CREATE INDEX scheme_runs_version ON scheme_runs(version_id);
CREATE TABLE scheme_results (
    run_id     BIGINT NOT NULL REFERENCES scheme_runs(id) ON DELETE CASCADE,
    unit_id    BIGINT NOT NULL REFERENCES units(id),
    total      DOUBLE PRECISION NOT NULL,
    rank       INTEGER NOT NULL,
    grade      TEXT NOT NULL,
    vetoed     BOOLEAN NOT NULL DEFAULT FALSE,
    topsis     DOUBLE PRECISION NOT NULL DEFAULT 0,
    nodes_json TEXT NOT NULL,
    PRIMARY KEY (run_id, unit_id)
);
CREATE TABLE scheme_hand_scores (
    id          {{.ID}},
    version_id  BIGINT NOT NULL REFERENCES scheme_versions(id),
    unit_id     BIGINT NOT NULL REFERENCES units(id),
    period      TEXT NOT NULL,
    node        TEXT NOT NULL,
    claimed     DOUBLE PRECISION NOT NULL,
    evidence    TEXT NOT NULL DEFAULT '',
    verified    DOUBLE PRECISION,
    reason      TEXT NOT NULL DEFAULT '',
    updated_at  {{.Time}} NOT NULL,
    UNIQUE (version_id, unit_id, period, node)
);
CREATE TABLE scheme_objections (
    id          {{.ID}},
    run_id      BIGINT NOT NULL REFERENCES scheme_runs(id),
    unit_id     BIGINT NOT NULL REFERENCES units(id),
    node        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    answer      TEXT NOT NULL DEFAULT '',
    upheld      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  {{.Time}} NOT NULL,
    answered_at {{.Time}}
);
CREATE INDEX scheme_objections_run ON scheme_objections(run_id);

-- +goose Down
DROP TABLE scheme_objections;
DROP TABLE scheme_hand_scores;
DROP TABLE scheme_results;
DROP TABLE scheme_runs;
DROP TABLE scheme_versions;
DROP TABLE schemes;
