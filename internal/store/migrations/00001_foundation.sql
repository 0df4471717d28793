-- +goose Up
CREATE TABLE unit_types (
    code     TEXT PRIMARY KEY,
    name_zh  TEXT NOT NULL,
    name_en  TEXT NOT NULL,
    sort     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE units (
    id         {{.ID}},
    code       {{.Text}} NOT NULL UNIQUE,
    type       TEXT NOT NULL REFERENCES unit_types(code),
    parent_id  BIGINT REFERENCES units(id),
    path       {{.Path}} NOT NULL UNIQUE,
    depth      INTEGER NOT NULL,
    name_zh    TEXT NOT NULL,
    name_en    TEXT NOT NULL DEFAULT '',
    opened_on  TEXT,
    closed_on  TEXT,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at {{.Time}} NOT NULL,
    updated_at {{.Time}} NOT NULL
);
CREATE INDEX units_parent ON units(parent_id);
CREATE INDEX units_type_path ON units(type, path);

CREATE TABLE unit_groups (
    id       {{.ID}},
    code     {{.Text}} NOT NULL UNIQUE,
    name_zh  TEXT NOT NULL,
    name_en  TEXT NOT NULL DEFAULT ''
);

CREATE TABLE unit_group_members (
    group_id BIGINT NOT NULL REFERENCES unit_groups(id) ON DELETE CASCADE,
    unit_id  BIGINT NOT NULL REFERENCES units(id),
    PRIMARY KEY (group_id, unit_id)
);
CREATE INDEX unit_group_members_unit ON unit_group_members(unit_id);

CREATE TABLE users (
    id            {{.ID}},
    name          {{.Text}} NOT NULL UNIQUE,
    display_name  TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    locale        TEXT NOT NULL DEFAULT '',
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  {{.Time}},
    password_set  {{.Time}} NOT NULL,
    created_at    {{.Time}} NOT NULL,
    updated_at    {{.Time}} NOT NULL
);

CREATE TABLE role_grants (
    id         {{.ID}},
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    unit_id    BIGINT NOT NULL REFERENCES units(id),
    granted_by BIGINT REFERENCES users(id),
    created_at {{.Time}} NOT NULL,
    UNIQUE (user_id, role, unit_id)
);
CREATE INDEX role_grants_unit ON role_grants(unit_id);

CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at {{.Time}} NOT NULL,
    expires_at {{.Time}} NOT NULL,
    ip         TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

CREATE TABLE api_tokens (
    id         {{.ID}},
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE,
    prefix     TEXT NOT NULL,
    created_at {{.Time}} NOT NULL,
    last_used  {{.Time}},
    revoked_at {{.Time}}
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE login_failures (
    id    {{.ID}},
    ip    TEXT NOT NULL,
    name  TEXT NOT NULL,
    at    {{.Time}} NOT NULL
);
CREATE INDEX login_failures_ip ON login_failures(ip, at);

CREATE TABLE audit_log (
    id          {{.ID}},
    at          {{.Time}} NOT NULL,
    actor_id    BIGINT,
    actor_name  TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL DEFAULT '',
    unit_path   {{.Path}},
    before_json TEXT,
    after_json  TEXT,
    request_id  TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_entity ON audit_log(entity, entity_id, id);
CREATE INDEX audit_unit ON audit_log(unit_path, id);
CREATE INDEX audit_actor ON audit_log(actor_id, id);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE login_failures;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE role_grants;
DROP TABLE users;
DROP TABLE unit_group_members;
DROP TABLE unit_groups;
DROP TABLE units;
DROP TABLE unit_types;
