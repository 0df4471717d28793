-- +goose Up
-- Campaigns (督查 / 整改): a supervision campaign of an owner unit over a
-- set of units, with a checklist answered by each unit in the
-- self-inspection phase, inspectors assigned to units who record findings
-- in the on-site phase, and rectification items followed to a verified
-- close. A rectification-only campaign (巡视整改) has no checklist.
CREATE TABLE campaigns (
    id         {{.ID}},
    title      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    unit_id    BIGINT NOT NULL REFERENCES units(id),
    self_start TEXT NOT NULL DEFAULT '',
    self_end   TEXT NOT NULL DEFAULT '',
    site_start TEXT NOT NULL DEFAULT '',
    site_end   TEXT NOT NULL DEFAULT '',
    rect_start TEXT NOT NULL,
    rect_end   TEXT NOT NULL,
    metrics    TEXT NOT NULL DEFAULT '',
    created_at {{.Time}} NOT NULL
);
CREATE INDEX campaigns_unit ON campaigns(unit_id);

CREATE TABLE campaign_units (
    campaign_id  BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    unit_id      BIGINT NOT NULL REFERENCES units(id),
    submitted_at {{.Time}},
    submitted_by TEXT NOT NULL DEFAULT '',
    inspected_at {{.Time}},
    inspected_by TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (campaign_id, unit_id)
);
CREATE INDEX campaign_units_unit ON campaign_units(unit_id);

CREATE TABLE campaign_items (
    id          {{.ID}},
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    title       TEXT NOT NULL,
    guidance    TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL,
    max_score   DOUBLE PRECISION NOT NULL DEFAULT 0
);
CREATE INDEX campaign_items_campaign ON campaign_items(campaign_id, seq);

CREATE TABLE campaign_answers (
    item_id     BIGINT NOT NULL REFERENCES campaign_items(id) ON DELETE CASCADE,
    unit_id     BIGINT NOT NULL REFERENCES units(id),
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    answer      TEXT NOT NULL DEFAULT '',
    score       DOUBLE PRECISION,
    note        TEXT NOT NULL DEFAULT '',
    updated_at  {{.Time}} NOT NULL,
    PRIMARY KEY (item_id, unit_id)
);
CREATE INDEX campaign_answers_unit ON campaign_answers(campaign_id, unit_id);

CREATE TABLE campaign_inspectors (
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    unit_id     BIGINT NOT NULL REFERENCES units(id),
    PRIMARY KEY (campaign_id, user_id, unit_id)
);
CREATE INDEX campaign_inspectors_user ON campaign_inspectors(user_id);

CREATE TABLE campaign_findings (
    id          {{.ID}},
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    unit_id     BIGINT NOT NULL REFERENCES units(id),
    item_id     BIGINT REFERENCES campaign_items(id),
    body        TEXT NOT NULL,
    actor_name  TEXT NOT NULL DEFAULT '',
    created_at  {{.Time}} NOT NULL
);
CREATE INDEX campaign_findings_unit ON campaign_findings(campaign_id, unit_id);

CREATE TABLE campaign_rectifications (
    id          {{.ID}},
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    finding_id  BIGINT REFERENCES campaign_findings(id),
    unit_id     BIGINT NOT NULL REFERENCES units(id),
    seq         INTEGER NOT NULL,
    problem     TEXT NOT NULL,
    measures    TEXT NOT NULL DEFAULT '',
    start_on    TEXT NOT NULL,
    due_on      TEXT NOT NULL,
    state       TEXT NOT NULL,
    percent     INTEGER NOT NULL DEFAULT 0,
    version     INTEGER NOT NULL DEFAULT 1,
    updated_at  {{.Time}} NOT NULL
);
CREATE INDEX campaign_rectifications_campaign ON campaign_rectifications(campaign_id, seq);
CREATE INDEX campaign_rectifications_unit ON campaign_rectifications(unit_id);

CREATE TABLE campaign_rect_events (
    id         {{.ID}},
    rect_id    BIGINT NOT NULL REFERENCES campaign_rectifications(id) ON DELETE CASCADE,
    action     TEXT NOT NULL,
    state      TEXT NOT NULL,
    percent    INTEGER NOT NULL DEFAULT 0,
    note       TEXT NOT NULL DEFAULT '',
    actor_name TEXT NOT NULL DEFAULT '',
    created_at {{.Time}} NOT NULL
);
CREATE INDEX campaign_rect_events_rect ON campaign_rect_events(rect_id, id);

-- Attachments of answers, findings and rectification events: the files
-- table holds them, this says where each is attached and to which unit,
-- so a download is allowed exactly where the thing attached to is seen.
CREATE TABLE campaign_files (
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    file_id     BIGINT NOT NULL REFERENCES files(id),
    unit_id     BIGINT NOT NULL REFERENCES units(id),
    kind        TEXT NOT NULL,
    ref_id      BIGINT NOT NULL,
    PRIMARY KEY (kind, ref_id, unit_id, file_id)
);
CREATE INDEX campaign_files_file ON campaign_files(campaign_id, file_id);

-- +goose Down
DROP TABLE campaign_files;
DROP TABLE campaign_rect_events;
DROP TABLE campaign_rectifications;
DROP TABLE campaign_findings;
DROP TABLE campaign_inspectors;
DROP TABLE campaign_answers;
DROP TABLE campaign_items;
DROP TABLE campaign_units;
DROP TABLE campaigns;
