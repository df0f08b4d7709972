-- +goose Up

-- Use declarations, refused ones included; cited is the number of
-- reports named, the total credit an accepted use hands out.
CREATE TABLE uses (
    id          bigint      NOT NULL GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency      text        NOT NULL REFERENCES agencies (id),
    nation      text        NOT NULL,
    declared_by text        NOT NULL,
    operation   text        NOT NULL,
    purpose     text        NOT NULL,
    status      text        NOT NULL, -- accepted, refused
    reasons     jsonb       NOT NULL, -- array of enlace.Reason
    cited       integer     NOT NULL,
    planned_at  timestamptz NOT NULL,
    synthetic   boolean     NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX uses_agency ON uses (agency, id);

-- The reports a use names, in its order.
CREATE TABLE use_reports (
    use_id            bigint  NOT NULL REFERENCES uses (id),
    position          integer NOT NULL,
    report_id         text    NOT NULL REFERENCES reports (id),
    originator        text    NOT NULL,
    nation            text    NOT NULL,
    agreement_id      text    NOT NULL,
    agreement_version integer NOT NULL,
    PRIMARY KEY (use_id, position)
);
CREATE INDEX use_reports_report ON use_reports (report_id, use_id);
CREATE INDEX use_reports_originator ON use_reports (originator, use_id);

-- The lineage credit an accepted use hands each report (see
-- enlace.LineageCredits), with the consumer and time copied in, so that
-- the share aggregate is an index-only range scan per consumer that joins
-- nothing.
CREATE TABLE use_credits (
    use_id     bigint           NOT NULL REFERENCES uses (id),
    report_id  text             NOT NULL,
    originator text             NOT NULL,
    nation     text             NOT NULL,
    weight     double precision NOT NULL,
    direct     boolean          NOT NULL,
    consumer   text             NOT NULL,
    planned_at timestamptz      NOT NULL,
    PRIMARY KEY (use_id, report_id)
);
CREATE INDEX use_credits_consumer ON use_credits (consumer, planned_at) INCLUDE (nation, originator, weight, direct);
CREATE INDEX use_credits_planned ON use_credits (planned_at) INCLUDE (consumer, nation, originator, weight, direct);
CREATE INDEX use_credits_report ON use_credits (report_id, use_id);

-- Each originating agency's part of an accepted use: the sum of its
-- reports' credits divided by the number of reports the use names, so the
-- parts of one use sum to 1. Outcomes are counted per originator through
-- this small table, one index lookup per outcome.
CREATE TABLE use_originators (
    use_id     bigint           NOT NULL REFERENCES uses (id),
    originator text             NOT NULL,
    nation     text             NOT NULL,
    consumer   text             NOT NULL,
    part       double precision NOT NULL,
    PRIMARY KEY (use_id, originator)
);

-- Outcome versions: a correction is a new row naming the one it corrects,
-- and a version is corrected at most once, so the versions of an outcome
-- form a chain whose head (the current version) nothing corrects.
CREATE TABLE outcomes (
    id               bigint           NOT NULL GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    use_id           bigint           NOT NULL REFERENCES uses (id),
    corrects         bigint           UNIQUE REFERENCES outcomes (id),
    agency           text             NOT NULL,
    nation           text             NOT NULL,
    kind             text             NOT NULL,
    substance        text             NOT NULL,
    quantity_kg      double precision NOT NULL,
    persons_detained integer          NOT NULL,
    casualties       integer          NOT NULL,
    vessel           text             NOT NULL,
    location         text             NOT NULL,
    occurred_at      timestamptz      NOT NULL,
    reported_by      text             NOT NULL,
    synthetic        boolean          NOT NULL,
    created_at       timestamptz      NOT NULL
);
CREATE INDEX outcomes_use ON outcomes (use_id, id);
CREATE INDEX outcomes_occurred ON outcomes (occurred_at);

-- Uses and outcomes are never edited: a correction is a new outcome, and
-- their credits are written once, with the use.
CREATE TRIGGER uses_no_rewrite BEFORE UPDATE OR DELETE ON uses
    FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER uses_no_truncate BEFORE TRUNCATE ON uses
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER use_reports_no_rewrite BEFORE UPDATE OR DELETE ON use_reports
    FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER use_reports_no_truncate BEFORE TRUNCATE ON use_reports
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER use_credits_no_rewrite BEFORE UPDATE OR DELETE ON use_credits
    FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER use_credits_no_truncate BEFORE TRUNCATE ON use_credits
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER use_originators_no_rewrite BEFORE UPDATE OR DELETE ON use_originators
    FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER use_originators_no_truncate BEFORE TRUNCATE ON use_originators
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER outcomes_no_rewrite BEFORE UPDATE OR DELETE ON outcomes
    FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER outcomes_no_truncate BEFORE TRUNCATE ON outcomes
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();

-- +goose Down
DROP TABLE outcomes;
DROP TABLE use_originators;
DROP TABLE use_credits;
DROP TABLE use_reports;
DROP TABLE uses;
