-- +goose Up
-- Beside the month rows ("M2021-07"), facts keep a row per half-year
-- ("S2021-2") and year ("Y2021"): a unit's half-year or year is one row.
-- Writes keep them; this fills them from the month rows already stored.
DELETE FROM metric_facts WHERE day >= 'N';
INSERT INTO metric_facts(metric_id, fact_version, unit_id, day, cat, val, cnt)
SELECT metric_id, fact_version, unit_id,
       'S' || substr(day, 2, 4) || '-' || CAST((CAST(substr(day, 7, 2) AS INTEGER) + 5) / 6 AS TEXT), cat, SUM(val), SUM(cnt)
FROM metric_facts WHERE day >= 'M' AND day < 'N'
GROUP BY metric_id, fact_version, unit_id, substr(day, 2, 4), (CAST(substr(day, 7, 2) AS INTEGER) + 5) / 6, cat;
INSERT INTO metric_facts(metric_id, fact_version, unit_id, day, cat, val, cnt)
SELECT metric_id, fact_version, unit_id, 'Y' || substr(day, 2, 4), cat, SUM(val), SUM(cnt)
FROM metric_facts WHERE day >= 'M' AND day < 'N'
GROUP BY metric_id, fact_version, unit_id, substr(day, 2, 4), cat;

-- +goose Down
DELETE FROM metric_facts WHERE day >= 'N';
