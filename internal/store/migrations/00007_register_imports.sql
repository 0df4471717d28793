-- +goose Up
-- Imports of register records run in the background of the server that
-- received the file; their progress and outcome live here, so that any
-- app server can answer for them.
CREATE TABLE register_imports (
    id                {{.ID}},
    register_code     TEXT NOT NULL,
    file_name         TEXT NOT NULL,
    file_sha256       TEXT NOT NULL DEFAULT '',
    file_size         BIGINT NOT NULL DEFAULT 0,
    format            TEXT NOT NULL DEFAULT '',
    dry_run           BOOLEAN NOT NULL DEFAULT FALSE,
    unit_code         TEXT NOT NULL DEFAULT '',
    unit_path         TEXT NOT NULL DEFAULT '',
    lang              TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL,
    phase             TEXT NOT NULL DEFAULT '',
    rows_done         INTEGER NOT NULL DEFAULT 0,
    rows_total        INTEGER NOT NULL DEFAULT 0,
    created           INTEGER NOT NULL DEFAULT 0,
    updated           INTEGER NOT NULL DEFAULT 0,
    unchanged         INTEGER NOT NULL DEFAULT 0,
    problem_count     INTEGER NOT NULL DEFAULT 0,
    problems_json     TEXT,
    annotated_file_id BIGINT REFERENCES files(id),
    error_key         TEXT NOT NULL DEFAULT '',
    owner_id          BIGINT REFERENCES users(id),
    owner_name        TEXT NOT NULL DEFAULT '',
    server            TEXT NOT NULL DEFAULT '',
    created_at        {{.Time}} NOT NULL,
    started_at        {{.Time}},
    finished_at       {{.Time}},
    heartbeat_at      {{.Time}}
);
CREATE INDEX register_imports_owner ON register_imports(owner_id, id);

-- +goose Down
DROP TABLE register_imports;
