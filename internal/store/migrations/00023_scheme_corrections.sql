-- +goose Up
-- Points of a published run corrected on an upheld objection: the point's
-- value and points before and after, whether the points were given
-- directly (not scored from a value), and the reason. The run's stored
-- results carry the corrected points; these rows say how they came to.
CREATE TABLE scheme_corrections (
    id           {{.ID}},
    run_id       BIGINT NOT NULL REFERENCES scheme_runs(id) ON DELETE CASCADE,
    unit_id      BIGINT NOT NULL REFERENCES units(id),
    node         TEXT NOT NULL,
    objection_id BIGINT NOT NULL REFERENCES scheme_objections(id),
    value_was    DOUBLE PRECISION,
    value_now    DOUBLE PRECISION,
    points_was   DOUBLE PRECISION NOT NULL,
    points_now   DOUBLE PRECISION NOT NULL,
    by_points    BOOLEAN NOT NULL DEFAULT FALSE,
    reason       TEXT NOT NULL,
    created_at   {{.Time}} NOT NULL
);
CREATE INDEX scheme_corrections_run ON scheme_corrections(run_id, unit_id);

-- +goose Down
DROP TABLE scheme_corrections;
