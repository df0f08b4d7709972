-- The first PostgreSQL schema of enlace. Conventions for every later
-- migration:
--   * times are timestamptz, which PostgreSQL keeps in whole microseconds
--     (UTC on the wire in pgx's binary format), NULL for an absent
--     optional time;
--   * a list of names is text[]; NULL is a nil list and '{}' an empty one,
--     because Go (and so the JSON API) tells them apart;
--   * nested values the store never queries into are jsonb;
--   * raw STIX objects are bytea: they must come back byte for byte, which
--     jsonb (it reorders keys and drops spacing) and text (it refuses NUL
--     and bytes that are not UTF-8) cannot promise;
--   * names the store sorts by (nation codes, agency, task force and
--     agreement ids) are COLLATE "C": ordered byte by byte, as SQLite
--     orders them, whatever the database's locale;
--   * a scope is a pair of columns, <name>_kind ('nation', 'agency',
--     'task_force') and <name>_id.

-- +goose Up
CREATE TABLE nations (
    code       text        COLLATE "C" NOT NULL PRIMARY KEY,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE agencies (
    id         text        COLLATE "C" NOT NULL PRIMARY KEY,
    nation     text        NOT NULL REFERENCES nations (code),
    name       text        NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX agencies_nation ON agencies (nation);

CREATE TABLE task_forces (
    id         text        COLLATE "C" NOT NULL PRIMARY KEY,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL
);

-- A table rather than an array, so that every member is a real agency.
-- position keeps the members in the order they were given.
CREATE TABLE task_force_members (
    task_force text    NOT NULL REFERENCES task_forces (id),
    agency     text    NOT NULL REFERENCES agencies (id),
    position   integer NOT NULL,
    PRIMARY KEY (task_force, agency)
);
CREATE INDEX task_force_members_agency ON task_force_members (agency);

CREATE TABLE users (
    id         bigint      NOT NULL GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username   text        NOT NULL UNIQUE,
    agency     text        NOT NULL REFERENCES agencies (id),
    roles      text[]      NOT NULL, -- in the order given
    created_at timestamptz NOT NULL
);
CREATE INDEX users_agency ON users (agency);

-- Only the hash of a token is stored; the secret is never seen again.
CREATE TABLE tokens (
    id         bigint      NOT NULL GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint      NOT NULL REFERENCES users (id),
    name       text        NOT NULL,
    hash       bytea       NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX tokens_user ON tokens (user_id);

-- seq is the order of arrival, used for paging. Sequence values are handed
-- out at insert time, not commit time; CreateReport holds the report
-- advisory lock from before its insert until its commit, so seq order is
-- commit order (see report.go).
CREATE TABLE reports (
    seq          bigint      NOT NULL GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id           text        NOT NULL UNIQUE,
    originator   text        NOT NULL REFERENCES agencies (id),
    nation       text        NOT NULL,
    title        text        NOT NULL,
    description  text        NOT NULL,
    markings     jsonb       NOT NULL, -- enlace.Markings
    grading      jsonb       NOT NULL, -- enlace.Grading
    derived_from text[],               -- report ids
    synthetic    boolean     NOT NULL,
    created_by   text        NOT NULL,
    published    timestamptz NOT NULL,
    created_at   timestamptz NOT NULL
);
CREATE INDEX reports_originator ON reports (originator, seq);
CREATE INDEX reports_nation ON reports (nation, seq);

-- One row per STIX object version carried by a report, raw as received.
-- date_added is strictly increasing in commit order (see CreateReport), so
-- paging on it never skips an object that committed late; the unique index
-- makes a breach of that rule fail instead of passing silently.
-- version_key is modified, else created, else 0 for an object without
-- versions, in unix microseconds; a version is stored once. is_first and
-- is_last mark each object's oldest and newest live version, kept by
-- CreateReport and WithdrawObjects, so the TAXII default (the last
-- version) is a filter, not a grouping. A withdrawn version loses its
-- bytes but keeps its digest, which its submission entry committed to.
CREATE TABLE objects (
    seq          bigint      NOT NULL GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report_id    text        NOT NULL REFERENCES reports (id),
    position     integer     NOT NULL, -- index in the report's object list
    id           text        NOT NULL, -- STIX id
    type         text        NOT NULL,
    spec_version text,                 -- NULL when the object omits it
    created      timestamptz,
    modified     timestamptz,
    version_key  bigint      NOT NULL,
    date_added   timestamptz NOT NULL,
    originator   text        NOT NULL, -- the report's originator agency
    sha256       text        NOT NULL, -- hex digest of raw as received
    is_first     boolean     NOT NULL,
    is_last      boolean     NOT NULL,
    withdrawn_at timestamptz,
    raw          bytea       NOT NULL, -- empty once withdrawn
    UNIQUE (report_id, position),
    UNIQUE (id, version_key)
);
CREATE UNIQUE INDEX objects_date_added ON objects (date_added);
CREATE INDEX objects_originator ON objects (originator, date_added);
CREATE INDEX objects_type ON objects (type, date_added);
CREATE INDEX objects_last ON objects (date_added) WHERE is_last;

-- Versions of objects their originator withdrew; appended, never edited.
CREATE TABLE withdrawals (
    id         bigint      NOT NULL GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    originator text        NOT NULL,
    object_id  text        NOT NULL,
    digests    text[]      NOT NULL, -- SHA-256 hex of each version withdrawn
    by_user    text        NOT NULL,
    at         timestamptz NOT NULL
);

-- Full-text search over report titles and descriptions (object_id '')
-- and object names. doc is the text folded by the store (lower case, no
-- accents), so "Buenaventura" finds "BUENAVENTURA" and "Tumaco" finds
-- "tumáco" without an extension; the 'simple' configuration neither stems
-- nor drops words, and queries match words as prefixes. A withdrawn
-- object's name is deleted from it.
CREATE TABLE search_docs (
    report_id text     NOT NULL REFERENCES reports (id),
    object_id text     NOT NULL,
    title     text     NOT NULL,
    body      text     NOT NULL,
    doc       tsvector NOT NULL
);
CREATE INDEX search_docs_doc ON search_docs USING gin (doc);
CREATE INDEX search_docs_object ON search_docs (object_id, report_id);

-- The add-objects requests TAXII clients made, and what came of each.
CREATE TABLE taxii_statuses (
    id                text        NOT NULL PRIMARY KEY,
    user_id           bigint      NOT NULL REFERENCES users (id),
    collection        text        NOT NULL,
    request_timestamp timestamptz NOT NULL,
    total             integer     NOT NULL,
    successes         jsonb       NOT NULL, -- []enlace.StatusDetail
    failures          jsonb       NOT NULL
);

-- Agreement versions are appended, never rewritten: a release names the
-- exact terms it was made under.
CREATE TABLE agreements (
    id                  text        COLLATE "C" NOT NULL,
    version             integer     NOT NULL,
    title               text        NOT NULL,
    provider_kind       text        NOT NULL,
    provider_id         text        NOT NULL,
    recipient_kind      text        NOT NULL,
    recipient_id        text        NOT NULL,
    allowed_purposes    text[],
    prohibited_purposes text[],
    max_tlp             integer     NOT NULL, -- enlace.TLP, least to most restrictive
    accepted_handling   text[],               -- "scheme:code"
    onward              text        NOT NULL,
    valid_from          timestamptz NOT NULL,
    valid_until         timestamptz,
    legal_basis         text        NOT NULL,
    created_by          text        NOT NULL,
    created_at          timestamptz NOT NULL,
    PRIMARY KEY (id, version)
);

-- Directives are appended and never edited; seq orders them and names
-- them ("D-<seq>"). The store assigns seq as max + 1 under the policy
-- version's row lock, so directive names have no gaps, as in SQLite.
CREATE TABLE directives (
    seq             bigint      NOT NULL PRIMARY KEY,
    action          text        NOT NULL,
    from_kind       text        NOT NULL,
    from_id         text        NOT NULL,
    to_kind         text        NOT NULL,
    to_id           text        NOT NULL,
    purposes_mode   text        NOT NULL, -- all, except, only
    purposes        text[],
    effective_at    timestamptz NOT NULL,
    reason          text        NOT NULL,
    legal_reference text        NOT NULL,
    issued_by       text        NOT NULL,
    issuer_agency   text        NOT NULL,
    issuer_nation   text        NOT NULL,
    issuer_rank     integer     NOT NULL,
    issued_at       timestamptz NOT NULL
);

-- One trigger function refuses every rewrite of an append-only table:
-- UPDATE and DELETE row by row, TRUNCATE for the whole table.
-- +goose StatementBegin
CREATE FUNCTION refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are never rewritten (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER agreements_no_rewrite BEFORE UPDATE OR DELETE ON agreements
    FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER agreements_no_truncate BEFORE TRUNCATE ON agreements
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER directives_no_rewrite BEFORE UPDATE OR DELETE ON directives
    FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER directives_no_truncate BEFORE TRUNCATE ON directives
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER withdrawals_no_rewrite BEFORE UPDATE OR DELETE ON withdrawals
    FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER withdrawals_no_truncate BEFORE TRUNCATE ON withdrawals
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();

CREATE TABLE consents (
    id               bigint      NOT NULL GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report_id        text        NOT NULL REFERENCES reports (id),
    originator       text        NOT NULL,
    requested_by     text        NOT NULL,
    holder           text        NOT NULL,
    recipient        text        NOT NULL,
    purposes         text[],
    status           text        NOT NULL,
    granted_purposes text[],
    expires_at       timestamptz,
    decided_by       text        NOT NULL,
    decided_at       timestamptz,
    note             text        NOT NULL,
    created_at       timestamptz NOT NULL
);
CREATE INDEX consents_report ON consents (report_id, id);

CREATE TABLE releases (
    id                bigint      NOT NULL GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report_id         text        NOT NULL REFERENCES reports (id),
    originator        text        NOT NULL,
    releaser          text        NOT NULL,
    recipient         text        NOT NULL,
    recipient_nation  text        NOT NULL,
    purpose           text        NOT NULL,
    agreement_id      text        NOT NULL,
    agreement_version integer     NOT NULL,
    policies          text[],
    at                timestamptz NOT NULL
);
CREATE INDEX releases_report ON releases (report_id, id);
CREATE INDEX releases_recipient ON releases (recipient, id);
CREATE INDEX releases_recipient_nation ON releases (recipient_nation, id);
CREATE INDEX releases_originator ON releases (originator, id);

-- The ledger: one entry per record it proves, appended in the record's
-- transaction; idx is the entry's position in the Merkle log. Appends
-- hold the ledger advisory lock from before they read max(idx) to their
-- commit (see ledger.go), so idx has no gap and no duplicate across
-- servers. Entries are never rewritten, and (kind, record_id) has one.
CREATE TABLE ledger_entries (
    idx         bigint      NOT NULL PRIMARY KEY,
    kind        text        NOT NULL,
    record_id   text        NOT NULL,
    from_nation text        NOT NULL,
    to_nation   text        NOT NULL,
    at          timestamptz NOT NULL,
    salt        bytea       NOT NULL,
    commitment  bytea       NOT NULL,
    UNIQUE (kind, record_id)
);
CREATE INDEX ledger_entries_to ON ledger_entries (to_nation, at);
CREATE TRIGGER ledger_entries_no_rewrite BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();

-- Signed checkpoints of the ledger, and partners' cosignatures on them.
CREATE TABLE checkpoints (
    size bigint      NOT NULL PRIMARY KEY,
    root bytea       NOT NULL,
    note bytea       NOT NULL,
    at   timestamptz NOT NULL
);

CREATE TABLE cosignatures (
    size      bigint      NOT NULL REFERENCES checkpoints (size),
    name      text        COLLATE "C" NOT NULL,
    signature bytea       NOT NULL,
    at        timestamptz NOT NULL,
    PRIMARY KEY (size, name)
);

-- Alerts to an agency and its nation's authority; appended, never edited.
-- detail is JSON kept as text: it must come back as it was given, which
-- jsonb (it respaces) cannot promise.
CREATE TABLE alerts (
    id        bigint      NOT NULL GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind      text        NOT NULL,
    agency    text        NOT NULL,
    nation    text        NOT NULL,
    report_id text        NOT NULL, -- '' when none
    subject   text        NOT NULL,
    text      text        NOT NULL,
    detail    text        NOT NULL, -- JSON, '' when none
    at        timestamptz NOT NULL
);
CREATE INDEX alerts_agency ON alerts (agency, id);
CREATE INDEX alerts_nation ON alerts (nation, id);

-- Sanctions-list entries that entities in a report's objects matched.
CREATE TABLE screening_hits (
    report_id    text             NOT NULL REFERENCES reports (id),
    object_id    text             NOT NULL,
    entity       text             NOT NULL,
    entity_type  text             NOT NULL,
    list         text             NOT NULL,
    list_version text             NOT NULL,
    entry_id     text             NOT NULL,
    entry_name   text             NOT NULL,
    matched_name text             NOT NULL,
    score        double precision NOT NULL,
    explanation  text             NOT NULL, -- JSON, as given
    found_at     timestamptz      NOT NULL,
    PRIMARY KEY (report_id, object_id, list, entry_id)
);

-- One row. It starts at 1 so that a reader holding 0 ("never loaded")
-- always differs from the store. Every policy change updates it first in
-- its transaction: the row lock serialises policy changes across servers.
CREATE TABLE policy_version (
    id      integer NOT NULL PRIMARY KEY CHECK (id = 1),
    version bigint  NOT NULL
);
INSERT INTO policy_version (id, version) VALUES (1, 1);

-- +goose Down
DROP TABLE policy_version;
DROP TABLE screening_hits;
DROP TABLE alerts;
DROP TABLE cosignatures;
DROP TABLE checkpoints;
DROP TABLE ledger_entries;
DROP TABLE releases;
DROP TABLE consents;
DROP TABLE directives;
DROP TABLE agreements;
DROP TABLE withdrawals;
DROP FUNCTION refuse_rewrite();
DROP TABLE taxii_statuses;
DROP TABLE search_docs;
DROP TABLE objects;
DROP TABLE reports;
DROP TABLE tokens;
DROP TABLE users;
DROP TABLE task_force_members;
DROP TABLE task_forces;
DROP TABLE agencies;
DROP TABLE nations;
