-- +goose Up
-- Beside each day's fact, the fact of its month, keyed "M2021-07" in the
-- same column ("M" sorts after every digit, so day ranges never reach
-- month rows): a figure over whole months reads a row per month. Writes
-- keep both; this fills the month rows of the facts already stored.
DELETE FROM metric_facts WHERE day >= 'M';
INSERT INTO metric_facts(metric_id, fact_version, unit_id, day, cat, val, cnt)
SELECT metric_id, fact_version, unit_id, 'M' || substr(day, 1, 7), cat, SUM(val), SUM(cnt)
FROM metric_facts WHERE day < 'M'
GROUP BY metric_id, fact_version, unit_id, substr(day, 1, 7), cat;

-- +goose Down
DELETE FROM metric_facts WHERE day >= 'M';
