-- +goose Up
CREATE TABLE registers (
    id          {{.ID}},
    code        {{.Text}} NOT NULL UNIQUE,
    version     INTEGER NOT NULL,
    schema_json TEXT NOT NULL,
    builtin     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  {{.Time}} NOT NULL,
    updated_at  {{.Time}} NOT NULL
);

CREATE TABLE register_versions (
    register_id BIGINT NOT NULL REFERENCES registers(id),
    version     INTEGER NOT NULL,
    schema_json TEXT NOT NULL,
    created_at  {{.Time}} NOT NULL,
    created_by  BIGINT,
    PRIMARY KEY (register_id, version)
);

CREATE TABLE files (
    id           {{.ID}},
    sha256       TEXT NOT NULL,
    size         BIGINT NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    unit_id      BIGINT REFERENCES units(id),
    created_at   {{.Time}} NOT NULL,
    created_by   BIGINT
);
CREATE INDEX files_sha ON files(sha256);

-- +goose Down
DROP TABLE files;
DROP TABLE register_versions;
DROP TABLE registers;
