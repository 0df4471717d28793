-- +goose Up
-- A changed metric definition waits in pending_json while its facts are
-- built under build_version, unit by unit in the order of their ids:
-- build_cursor is the last unit id done, so a write maintains the new
-- facts of the units at or below it and the build picks up the rest.
-- Readers keep reading def_json's facts under fact_version until the
-- build swaps them in.
ALTER TABLE metrics ADD COLUMN pending_json TEXT;
ALTER TABLE metrics ADD COLUMN build_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE metrics ADD COLUMN build_cursor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE metrics ADD COLUMN build_error TEXT NOT NULL DEFAULT '';

-- The generation of the metric definitions: every write transaction that
-- maintains facts reads it (PostgreSQL: with a share lock), so a server
-- whose definitions in memory are older reloads them first, and a build's
-- start and swap wait for the writes in flight.
CREATE TABLE metric_generation (
    id         INTEGER PRIMARY KEY,
    generation BIGINT NOT NULL
);
INSERT INTO metric_generation(id, generation) VALUES (1, 1);

-- +goose Down
DROP TABLE metric_generation;
ALTER TABLE metrics DROP COLUMN build_error;
ALTER TABLE metrics DROP COLUMN build_cursor;
ALTER TABLE metrics DROP COLUMN build_version;
ALTER TABLE metrics DROP COLUMN pending_json;
