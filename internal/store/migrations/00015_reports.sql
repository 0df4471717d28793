-- +goose Up
-- Report templates and their versions (the source as saved, never changed
-- once saved; the template's current version is its latest), and
-- snapshots: a report generated for the record, its whole document with
-- every figure, so it is reproduced exactly later and compared with the
-- live figures.
CREATE TABLE report_templates (
    id         {{.ID}},
    code       {{.Text}} NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    builtin    BOOLEAN NOT NULL DEFAULT FALSE,
    version    INTEGER NOT NULL,
    updated_at {{.Time}} NOT NULL
);
CREATE TABLE report_template_versions (
    id          {{.ID}},
    template_id BIGINT NOT NULL REFERENCES report_templates(id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    source      TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    author      TEXT NOT NULL,
    created_at  {{.Time}} NOT NULL,
    UNIQUE (template_id, number)
);
CREATE TABLE report_snapshots (
    id         {{.ID}},
    template   {{.Text}} NOT NULL,
    version    INTEGER NOT NULL,
    unit_id    BIGINT NOT NULL REFERENCES units(id),
    period     TEXT NOT NULL,
    lang       TEXT NOT NULL,
    title      TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    doc_json   TEXT NOT NULL,
    author     TEXT NOT NULL,
    created_at {{.Time}} NOT NULL
);
CREATE INDEX report_snapshots_unit ON report_snapshots(unit_id);

-- +goose Down
DROP TABLE report_snapshots;
DROP TABLE report_template_versions;
DROP TABLE report_templates;
