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
CREATE TABLE objects (
    seq          bigint      NOT NULL GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report_id    text        NOT NULL REFERENCES reports (id),
    position     integer     NOT NULL, -- index in the report's object list
    id           text        NOT NULL, -- STIX id
    type         text        NOT NULL,
    spec_version text,                 -- NULL when the object omits it
    created      timestamptz,
    modified     timestamptz,
    date_added   timestamptz NOT NULL,
    originator   text        NOT NULL, -- the report's originator agency
    raw          bytea       NOT NULL,
    UNIQUE (report_id, position)
);
CREATE UNIQUE INDEX objects_date_added ON objects (date_added);
CREATE INDEX objects_id ON objects (id, modified);

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
DROP TABLE releases;
DROP TABLE consents;
DROP TABLE directives;
DROP TABLE agreements;
DROP FUNCTION refuse_rewrite();
DROP TABLE objects;
DROP TABLE reports;
DROP TABLE tokens;
DROP TABLE users;
DROP TABLE task_force_members;
DROP TABLE task_forces;
DROP TABLE agencies;
DROP TABLE nations;
