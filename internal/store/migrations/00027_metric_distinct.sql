-- +goose Up
-- How many distinct values a unit's subtree has in each month, quarter,
-- half-year and year part of metric_values (the keys of its month
-- column): a distinct count over one such period is one row per unit,
-- as a flow's figure is, instead of a count of the values. Writes keep
-- it as the values' counts go from zero to positive and back; this fills
-- it for the values already stored.
CREATE TABLE metric_distinct (
    metric_id    BIGINT NOT NULL,
    fact_version INTEGER NOT NULL,
    unit_id      BIGINT NOT NULL,
    month        TEXT NOT NULL,
    n            BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (metric_id, fact_version, unit_id, month)
){{if eq .Name "sqlite"}} WITHOUT ROWID{{end}};
INSERT INTO metric_distinct(metric_id, fact_version, unit_id, month, n)
SELECT metric_id, fact_version, unit_id, month, COUNT(*)
FROM metric_values WHERE cnt > 0
GROUP BY metric_id, fact_version, unit_id, month;

-- +goose Down
DROP TABLE metric_distinct;
