-- +goose Up
-- The values behind a distinct count, kept by month, are kept again by
-- quarter ("Q2021-3"), half-year ("S2021-2") and year ("Y2021"): letters
-- sort after digits, so month ranges never reach them. A distinct count
-- over a half-year reads its one part instead of six months. Writes keep
-- them; this fills them for the values already stored.
DELETE FROM metric_values WHERE month >= 'A';
INSERT INTO metric_values(metric_id, fact_version, unit_id, month, value, cnt)
SELECT metric_id, fact_version, unit_id,
       'Q' || substr(month, 1, 4) || '-' || CAST((CAST(substr(month, 6, 2) AS INTEGER) + 2) / 3 AS TEXT), value, SUM(cnt)
FROM metric_values WHERE month < 'A'
GROUP BY metric_id, fact_version, unit_id, substr(month, 1, 4), (CAST(substr(month, 6, 2) AS INTEGER) + 2) / 3, value;
INSERT INTO metric_values(metric_id, fact_version, unit_id, month, value, cnt)
SELECT metric_id, fact_version, unit_id,
       'S' || substr(month, 1, 4) || '-' || CAST((CAST(substr(month, 6, 2) AS INTEGER) + 5) / 6 AS TEXT), value, SUM(cnt)
FROM metric_values WHERE month < 'A'
GROUP BY metric_id, fact_version, unit_id, substr(month, 1, 4), (CAST(substr(month, 6, 2) AS INTEGER) + 5) / 6, value;
INSERT INTO metric_values(metric_id, fact_version, unit_id, month, value, cnt)
SELECT metric_id, fact_version, unit_id, 'Y' || substr(month, 1, 4), value, SUM(cnt)
FROM metric_values WHERE month < 'A'
GROUP BY metric_id, fact_version, unit_id, substr(month, 1, 4), value;

-- +goose Down
DELETE FROM metric_values WHERE month >= 'A';
