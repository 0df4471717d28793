-- +goose Up
-- Saved dashboards: a user's page of widgets (figures, bars by child
-- unit, lines over periods, tables) rooted at a unit, the scope the
-- dashboard shows; shared ones are seen by everyone whose read scope
-- holds that unit.
CREATE TABLE dashboards (
    id           {{.ID}},
    owner_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    unit_id      BIGINT NOT NULL REFERENCES units(id),
    shared       BOOLEAN NOT NULL DEFAULT FALSE,
    widgets_json TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   {{.Time}} NOT NULL,
    updated_at   {{.Time}} NOT NULL
);
CREATE INDEX dashboards_owner ON dashboards(owner_id);
CREATE INDEX dashboards_unit ON dashboards(unit_id, shared);

-- +goose Down
DROP TABLE dashboards;
