-- +goose Up
-- PostgreSQL: a second index of the facts, by day before unit, carrying
-- the sums. A figure for many units over one month, quarter, half-year or
-- year (a scheme run over 10,000 units, a breakdown by every county) reads
-- one contiguous stretch of it, from the index alone once the table is
-- vacuumed, instead of one probe of the primary key and one of the table
-- a unit spread over the whole table. SQLite keeps its facts in the
-- primary key's b-tree (00028) and reads them from the cache.
{{if eq .Name "postgres"}}
CREATE INDEX metric_facts_by_day ON metric_facts (metric_id, fact_version, day, unit_id) INCLUDE (val, cnt) WHERE cat = '';
{{else}}
SELECT 1;
{{end}}

-- +goose Down
{{if eq .Name "postgres"}}
DROP INDEX metric_facts_by_day;
{{else}}
SELECT 1;
{{end}}
