-- The first schema of enlace. Conventions for every later migration:
-- times are INTEGER unix microseconds UTC (NULL for an absent optional
-- time); lists and nested values are JSON text; a scope is a pair of
-- columns, <name>_kind ('nation', 'agency', 'task_force') and <name>_id;
-- tables are STRICT so a wrongly typed value fails instead of being stored.

-- +goose Up
CREATE TABLE nations (
    code       TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE agencies (
    id         TEXT    NOT NULL PRIMARY KEY,
    nation     TEXT    NOT NULL REFERENCES nations (code),
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX agencies_nation ON agencies (nation);

CREATE TABLE task_forces (
    id         TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- position keeps the members in the order they were given.
CREATE TABLE task_force_members (
    task_force TEXT    NOT NULL REFERENCES task_forces (id),
    agency     TEXT    NOT NULL REFERENCES agencies (id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (task_force, agency)
) STRICT, WITHOUT ROWID;
CREATE INDEX task_force_members_agency ON task_force_members (agency);

CREATE TABLE users (
    id         INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    username   TEXT    NOT NULL UNIQUE,
    agency     TEXT    NOT NULL REFERENCES agencies (id),
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX users_agency ON users (agency);

CREATE TABLE user_roles (
    user_id  INTEGER NOT NULL REFERENCES users (id),
    position INTEGER NOT NULL,
    role     TEXT    NOT NULL,
    PRIMARY KEY (user_id, position)
) STRICT, WITHOUT ROWID;

-- Only the hash of a token is stored; the secret is never seen again.
CREATE TABLE tokens (
    id         INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    name       TEXT    NOT NULL,
    hash       BLOB    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;
CREATE INDEX tokens_user ON tokens (user_id);

-- seq is the order of arrival, used for paging. AUTOINCREMENT so that a
-- seq is never handed out twice, even after the newest row is deleted.
CREATE TABLE reports (
    seq          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    id           TEXT    NOT NULL UNIQUE,
    originator   TEXT    NOT NULL REFERENCES agencies (id),
    nation       TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    description  TEXT    NOT NULL,
    markings     TEXT    NOT NULL, -- JSON enlace.Markings
    grading      TEXT    NOT NULL, -- JSON enlace.Grading
    derived_from TEXT    NOT NULL, -- JSON array of report ids
    synthetic    INTEGER NOT NULL,
    created_by   TEXT    NOT NULL,
    published    INTEGER NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX reports_originator ON reports (originator, seq);
CREATE INDEX reports_nation ON reports (nation, seq);

-- One row per STIX object version carried by a report, raw as received.
-- date_added is strictly increasing in commit order (see CreateReport), so
-- paging on it never skips an object that committed late. version_key is
-- modified, else created, else 0 for objects without versions; a version
-- is stored once. is_first and is_last mark each object's oldest and
-- newest live version, kept by CreateReport and WithdrawObjects, so the
-- TAXII default (the last version) is an index range, not a grouping. A
-- withdrawn version loses its bytes but keeps its digest, which the
-- ledger's submission entry committed to.
CREATE TABLE objects (
    seq          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    report_id    TEXT    NOT NULL REFERENCES reports (id),
    position     INTEGER NOT NULL, -- index in the report's object list
    id           TEXT    NOT NULL, -- STIX id
    type         TEXT    NOT NULL,
    spec_version TEXT,             -- NULL when the object omits it
    created      INTEGER,
    modified     INTEGER,
    version_key  INTEGER NOT NULL,
    date_added   INTEGER NOT NULL,
    originator   TEXT    NOT NULL, -- the report's originator agency
    sha256       TEXT    NOT NULL, -- hex digest of raw as received
    is_first     INTEGER NOT NULL,
    is_last      INTEGER NOT NULL,
    withdrawn_at INTEGER,
    raw          TEXT    NOT NULL, -- '' once withdrawn
    UNIQUE (report_id, position),
    UNIQUE (id, version_key)
) STRICT;
CREATE INDEX objects_date_added ON objects (date_added);
CREATE INDEX objects_originator ON objects (originator, date_added);
CREATE INDEX objects_type ON objects (type, date_added);

-- Versions of objects their originator withdrew.
CREATE TABLE withdrawals (
    id         INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    originator TEXT    NOT NULL,
    object_id  TEXT    NOT NULL,
    digests    TEXT    NOT NULL, -- JSON array of SHA-256 hex
    by_user    TEXT    NOT NULL,
    at         INTEGER NOT NULL
) STRICT;

-- Full-text search over report titles and descriptions (object_id '')
-- and object names. Accents fold, so "Buenaventura" finds "BUENAVENTURA"
-- and "Tumaco" finds "tumáco".
CREATE VIRTUAL TABLE search USING fts5 (
    report_id UNINDEXED,
    object_id UNINDEXED,
    title,
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- The add-objects requests TAXII clients made, and what came of each.
CREATE TABLE taxii_statuses (
    id                TEXT    NOT NULL PRIMARY KEY,
    user_id           INTEGER NOT NULL REFERENCES users (id),
    collection        TEXT    NOT NULL,
    request_timestamp INTEGER NOT NULL,
    total             INTEGER NOT NULL,
    successes         TEXT    NOT NULL, -- JSON array of enlace.StatusDetail
    failures          TEXT    NOT NULL
) STRICT;

-- Agreement versions are appended, never rewritten: a release names the
-- exact terms it was made under.
CREATE TABLE agreements (
    id                  TEXT    NOT NULL,
    version             INTEGER NOT NULL,
    title               TEXT    NOT NULL,
    provider_kind       TEXT    NOT NULL,
    provider_id         TEXT    NOT NULL,
    recipient_kind      TEXT    NOT NULL,
    recipient_id        TEXT    NOT NULL,
    allowed_purposes    TEXT    NOT NULL, -- JSON array
    prohibited_purposes TEXT    NOT NULL, -- JSON array
    max_tlp             INTEGER NOT NULL, -- enlace.TLP, least to most restrictive
    accepted_handling   TEXT    NOT NULL, -- JSON array of "scheme:code"
    onward              TEXT    NOT NULL,
    valid_from          INTEGER NOT NULL,
    valid_until         INTEGER,
    legal_basis         TEXT    NOT NULL,
    created_by          TEXT    NOT NULL,
    created_at          INTEGER NOT NULL,
    PRIMARY KEY (id, version)
) STRICT;

-- +goose StatementBegin
CREATE TRIGGER agreements_no_update BEFORE UPDATE ON agreements
BEGIN
    SELECT RAISE(ABORT, 'agreement versions are never rewritten');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER agreements_no_delete BEFORE DELETE ON agreements
BEGIN
    SELECT RAISE(ABORT, 'agreement versions are never deleted');
END;
-- +goose StatementEnd

-- Directives are appended and never edited; seq orders them and names
-- them ("D-<seq>").
CREATE TABLE directives (
    seq             INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    action          TEXT    NOT NULL,
    from_kind       TEXT    NOT NULL,
    from_id         TEXT    NOT NULL,
    to_kind         TEXT    NOT NULL,
    to_id           TEXT    NOT NULL,
    purposes_mode   TEXT    NOT NULL, -- all, except, only
    purposes        TEXT    NOT NULL, -- JSON array
    effective_at    INTEGER NOT NULL,
    reason          TEXT    NOT NULL,
    legal_reference TEXT    NOT NULL,
    issued_by       TEXT    NOT NULL,
    issuer_agency   TEXT    NOT NULL,
    issuer_nation   TEXT    NOT NULL,
    issuer_rank     INTEGER NOT NULL,
    issued_at       INTEGER NOT NULL
) STRICT;

-- +goose StatementBegin
CREATE TRIGGER directives_no_update BEFORE UPDATE ON directives
BEGIN
    SELECT RAISE(ABORT, 'directives are never edited');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER directives_no_delete BEFORE DELETE ON directives
BEGIN
    SELECT RAISE(ABORT, 'directives are never deleted');
END;
-- +goose StatementEnd

CREATE TABLE consents (
    id               INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    report_id        TEXT    NOT NULL REFERENCES reports (id),
    originator       TEXT    NOT NULL,
    requested_by     TEXT    NOT NULL,
    holder           TEXT    NOT NULL,
    recipient        TEXT    NOT NULL,
    purposes         TEXT    NOT NULL, -- JSON array
    status           TEXT    NOT NULL,
    granted_purposes TEXT    NOT NULL, -- JSON array
    expires_at       INTEGER,
    decided_by       TEXT    NOT NULL,
    decided_at       INTEGER,
    note             TEXT    NOT NULL,
    created_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX consents_report ON consents (report_id, id);

CREATE TABLE releases (
    id                INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    report_id         TEXT    NOT NULL REFERENCES reports (id),
    originator        TEXT    NOT NULL,
    releaser          TEXT    NOT NULL,
    recipient         TEXT    NOT NULL,
    recipient_nation  TEXT    NOT NULL,
    purpose           TEXT    NOT NULL,
    agreement_id      TEXT    NOT NULL,
    agreement_version INTEGER NOT NULL,
    policies          TEXT    NOT NULL, -- JSON array
    at                INTEGER NOT NULL
) STRICT;
CREATE INDEX releases_report ON releases (report_id, id);
CREATE INDEX releases_recipient ON releases (recipient, id);
CREATE INDEX releases_recipient_nation ON releases (recipient_nation, id);
CREATE INDEX releases_originator ON releases (originator, id);

-- The ledger: one entry per record it proves, appended in the record's
-- transaction; idx is the entry's position in the Merkle log. Entries are
-- never rewritten, and (kind, record_id) has one entry.
CREATE TABLE ledger_entries (
    idx         INTEGER NOT NULL PRIMARY KEY,
    kind        TEXT    NOT NULL,
    record_id   TEXT    NOT NULL,
    from_nation TEXT    NOT NULL,
    to_nation   TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    salt        BLOB    NOT NULL,
    commitment  BLOB    NOT NULL,
    UNIQUE (kind, record_id)
) STRICT;
CREATE INDEX ledger_entries_to ON ledger_entries (to_nation, at);

-- +goose StatementBegin
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are never rewritten');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are never deleted');
END;
-- +goose StatementEnd

-- Signed checkpoints of the ledger, and partners' cosignatures on them.
CREATE TABLE checkpoints (
    size INTEGER NOT NULL PRIMARY KEY,
    root BLOB    NOT NULL,
    note BLOB    NOT NULL,
    at   INTEGER NOT NULL
) STRICT;

CREATE TABLE cosignatures (
    size      INTEGER NOT NULL REFERENCES checkpoints (size),
    name      TEXT    NOT NULL,
    signature BLOB    NOT NULL,
    at        INTEGER NOT NULL,
    PRIMARY KEY (size, name)
) STRICT;

-- Alerts to an agency and its nation's authority; appended, never edited.
CREATE TABLE alerts (
    id        INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    kind      TEXT    NOT NULL,
    agency    TEXT    NOT NULL,
    nation    TEXT    NOT NULL,
    report_id TEXT    NOT NULL, -- '' when none
    subject   TEXT    NOT NULL,
    text      TEXT    NOT NULL,
    detail    TEXT    NOT NULL, -- JSON, '' when none
    at        INTEGER NOT NULL
) STRICT;
CREATE INDEX alerts_agency ON alerts (agency, id);
CREATE INDEX alerts_nation ON alerts (nation, id);

-- Sanctions-list entries that entities in a report's objects matched.
CREATE TABLE screening_hits (
    report_id    TEXT    NOT NULL REFERENCES reports (id),
    object_id    TEXT    NOT NULL,
    entity       TEXT    NOT NULL,
    entity_type  TEXT    NOT NULL,
    list         TEXT    NOT NULL,
    list_version TEXT    NOT NULL,
    entry_id     TEXT    NOT NULL,
    entry_name   TEXT    NOT NULL,
    matched_name TEXT    NOT NULL,
    score        REAL    NOT NULL,
    explanation  TEXT    NOT NULL, -- JSON
    found_at     INTEGER NOT NULL,
    PRIMARY KEY (report_id, object_id, list, entry_id)
) STRICT;

-- Use declarations, refused ones included; cited is the number of
-- reports named, the total credit an accepted use hands out.
CREATE TABLE uses (
    id          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    agency      TEXT    NOT NULL REFERENCES agencies (id),
    nation      TEXT    NOT NULL,
    declared_by TEXT    NOT NULL,
    operation   TEXT    NOT NULL,
    purpose     TEXT    NOT NULL,
    status      TEXT    NOT NULL, -- accepted, refused
    reasons     TEXT    NOT NULL, -- JSON array of enlace.Reason
    cited       INTEGER NOT NULL,
    planned_at  INTEGER NOT NULL,
    synthetic   INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX uses_agency ON uses (agency, id);

-- The reports a use names, in its order.
CREATE TABLE use_reports (
    use_id            INTEGER NOT NULL REFERENCES uses (id),
    position          INTEGER NOT NULL,
    report_id         TEXT    NOT NULL REFERENCES reports (id),
    originator        TEXT    NOT NULL,
    nation            TEXT    NOT NULL,
    agreement_id      TEXT    NOT NULL,
    agreement_version INTEGER NOT NULL,
    PRIMARY KEY (use_id, position)
) STRICT, WITHOUT ROWID;
CREATE INDEX use_reports_report ON use_reports (report_id, use_id);
CREATE INDEX use_reports_originator ON use_reports (originator, use_id);

-- The lineage credit an accepted use hands each report (see
-- enlace.LineageCredits), with the consumer and time copied in so that
-- the accounting aggregates read one covering index and join nothing.
CREATE TABLE use_credits (
    use_id          INTEGER NOT NULL REFERENCES uses (id),
    report_id       TEXT    NOT NULL,
    originator      TEXT    NOT NULL,
    nation          TEXT    NOT NULL,
    weight          REAL    NOT NULL,
    direct          INTEGER NOT NULL,
    consumer        TEXT    NOT NULL,
    planned_at      INTEGER NOT NULL,
    PRIMARY KEY (use_id, report_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX use_credits_consumer ON use_credits (consumer, planned_at, nation, originator, weight, direct);
CREATE INDEX use_credits_report ON use_credits (report_id, use_id);

-- Each originating agency's part of an accepted use: the sum of its
-- reports' credits divided by the number of reports the use names, so
-- the parts of one use sum to 1. Outcomes are counted per originator
-- through this small table, one lookup per outcome.
CREATE TABLE use_originators (
    use_id     INTEGER NOT NULL REFERENCES uses (id),
    originator TEXT    NOT NULL,
    nation     TEXT    NOT NULL,
    consumer   TEXT    NOT NULL,
    part       REAL    NOT NULL,
    PRIMARY KEY (use_id, originator)
) STRICT, WITHOUT ROWID;

-- +goose StatementBegin
CREATE TRIGGER uses_no_update BEFORE UPDATE ON uses
BEGIN
    SELECT RAISE(ABORT, 'use declarations are never edited');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER uses_no_delete BEFORE DELETE ON uses
BEGIN
    SELECT RAISE(ABORT, 'use declarations are never deleted');
END;
-- +goose StatementEnd

-- Outcome versions: a correction is a new row naming the one it
-- corrects, and a version is corrected at most once, so the versions of
-- an outcome form a chain whose head (the current version) nothing
-- corrects.
CREATE TABLE outcomes (
    id               INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    use_id           INTEGER NOT NULL REFERENCES uses (id),
    corrects         INTEGER UNIQUE REFERENCES outcomes (id),
    agency           TEXT    NOT NULL,
    nation           TEXT    NOT NULL,
    kind             TEXT    NOT NULL,
    substance        TEXT    NOT NULL,
    quantity_kg      REAL    NOT NULL,
    persons_detained INTEGER NOT NULL,
    casualties       INTEGER NOT NULL,
    vessel           TEXT    NOT NULL,
    location         TEXT    NOT NULL,
    occurred_at      INTEGER NOT NULL,
    reported_by      TEXT    NOT NULL,
    synthetic        INTEGER NOT NULL,
    created_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX outcomes_use ON outcomes (use_id, id);
CREATE INDEX outcomes_occurred ON outcomes (occurred_at);

-- +goose StatementBegin
CREATE TRIGGER outcomes_no_update BEFORE UPDATE ON outcomes
BEGIN
    SELECT RAISE(ABORT, 'outcomes are never edited: post a correction');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER outcomes_no_delete BEFORE DELETE ON outcomes
BEGIN
    SELECT RAISE(ABORT, 'outcomes are never deleted: post a correction');
END;
-- +goose StatementEnd

-- One row. It starts at 1 so that a reader holding 0 ("never loaded")
-- always differs from the store.
CREATE TABLE policy_version (
    id      INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
) STRICT;
INSERT INTO policy_version (id, version) VALUES (1, 1);

-- +goose Down
DROP TABLE policy_version;
DROP TABLE outcomes;
DROP TABLE use_originators;
DROP TABLE use_credits;
DROP TABLE use_reports;
DROP TABLE uses;
DROP TABLE screening_hits;
DROP TABLE alerts;
DROP TABLE cosignatures;
DROP TABLE checkpoints;
DROP TABLE ledger_entries;
DROP TABLE taxii_statuses;
DROP TABLE withdrawals;
DROP TABLE search;
DROP TABLE releases;
DROP TABLE consents;
DROP TABLE directives;
DROP TABLE agreements;
DROP TABLE objects;
DROP TABLE reports;
DROP TABLE tokens;
DROP TABLE user_roles;
DROP TABLE users;
DROP TABLE task_force_members;
DROP TABLE task_forces;
DROP TABLE agencies;
DROP TABLE nations;
