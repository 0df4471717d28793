-- +goose Up
-- SQLite: the fact tables keep their rows in their primary key's b-tree
-- (WITHOUT ROWID). A figure is an index range read; with a rowid table
-- every fact row found through the key cost a second lookup in the
-- table, and every write two b-trees. PostgreSQL keeps its tables.
{{if eq .Name "sqlite"}}
CREATE TABLE metric_facts_k (
    metric_id BIGINT NOT NULL,
    fact_version INTEGER NOT NULL,
    unit_id   BIGINT NOT NULL,
    day       TEXT NOT NULL,
    cat       TEXT NOT NULL DEFAULT '',
    val       BIGINT NOT NULL DEFAULT 0,
    cnt       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (metric_id, fact_version, unit_id, day, cat)
) WITHOUT ROWID;
INSERT INTO metric_facts_k(metric_id, fact_version, unit_id, day, cat, val, cnt)
SELECT metric_id, fact_version, unit_id, day, cat, val, cnt FROM metric_facts;
DROP TABLE metric_facts;
ALTER TABLE metric_facts_k RENAME TO metric_facts;

CREATE TABLE metric_values_k (
    metric_id    BIGINT NOT NULL,
    fact_version INTEGER NOT NULL,
    unit_id      BIGINT NOT NULL,
    month        TEXT NOT NULL,
    value        TEXT NOT NULL,
    cnt          BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (metric_id, fact_version, unit_id, month, value)
) WITHOUT ROWID;
INSERT INTO metric_values_k(metric_id, fact_version, unit_id, month, value, cnt)
SELECT metric_id, fact_version, unit_id, month, value, cnt FROM metric_values;
DROP TABLE metric_values;
ALTER TABLE metric_values_k RENAME TO metric_values;
{{else}}
SELECT 1;
{{end}}

-- +goose Down
SELECT 1;
