-- 001: the platform's tables: sources and their snapshots, pseudonymised records,
-- load attempts and rejected rows, the append-only audit log, and the linkage.
-- Every name is schema-qualified; tznr connects with an empty search_path.

CREATE TABLE tznr.source (
    id text PRIMARY KEY
        CHECK (id ~ '^(caf|departement|bailleur|autre):[a-z0-9_-]{1,32}$'),
    current_snapshot bigint,
    created_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);

CREATE TABLE tznr.snapshot (
    id bigint PRIMARY KEY,
    source_id text NOT NULL REFERENCES tznr.source (id),
    file_name text NOT NULL,
    sha256 bytea NOT NULL UNIQUE CHECK (pg_catalog.length(sha256) = 32),
    extract_date date NOT NULL,
    manifest_created_at text NOT NULL,
    key_id text NOT NULL,
    rows_declared integer NOT NULL,
    rows_loaded integer NOT NULL,
    rows_rejected integer NOT NULL,
    forced boolean NOT NULL DEFAULT false,
    loaded_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    superseded_at timestamptz
);
CREATE SEQUENCE tznr.snapshot_id_seq OWNED BY tznr.snapshot.id;

ALTER TABLE tznr.source
    ADD FOREIGN KEY (current_snapshot) REFERENCES tznr.snapshot (id);

-- One partition a snapshot (tznr.record_<snapshot id>), loaded by COPY into a new table in the
-- loading transaction and attached before the source's current snapshot is switched: a
-- failure at any point leaves the previous snapshot whole, and a superseded snapshot is
-- dropped in one statement. Keys are bytea; amounts are integer cents.
CREATE TABLE tznr.record (
    snapshot_id bigint NOT NULL,
    source_id text NOT NULL,
    line integer NOT NULL,
    token bytea NOT NULL,
    household bytea,
    role text CHECK (role IN ('D', 'C', 'E', 'A')),
    k_nir bytea,
    k_ident bytea,
    k_ident_alt bytea,
    k_dob bytea,
    clk bytea,
    clk_alt bytea,
    sex smallint CHECK (sex IN (1, 2)),
    birth_year smallint,
    commune text,
    nb_personnes smallint,
    nb_enfants smallint,
    ressources_cents bigint,
    revenus_activite_cents bigint,
    loyer_cents bigint,
    impaye_mois smallint,
    rsa boolean,
    prime_activite boolean,
    aide_logement boolean,
    aah boolean,
    css boolean,
    aspa boolean,
    apa boolean,
    pch boolean,
    fsl boolean,
    suivi_social boolean
) PARTITION BY LIST (snapshot_id);

-- The records of every source's current snapshot, amounts in euros.
CREATE VIEW tznr.current_record AS
SELECT r.snapshot_id, r.source_id, r.line, r.token, r.household, r.role,
       r.k_nir, r.k_ident, r.k_ident_alt, r.k_dob, r.clk, r.clk_alt,
       r.sex, r.birth_year, r.commune, r.nb_personnes, r.nb_enfants,
       (r.ressources_cents / 100.0)::numeric(14, 2) AS ressources_mensuelles,
       (r.revenus_activite_cents / 100.0)::numeric(14, 2) AS revenus_activite,
       (r.loyer_cents / 100.0)::numeric(14, 2) AS loyer,
       r.impaye_mois, r.rsa, r.prime_activite, r.aide_logement, r.aah, r.css, r.aspa,
       r.apa, r.pch, r.fsl, r.suivi_social
  FROM tznr.record r
  JOIN tznr.source s ON s.current_snapshot = r.snapshot_id;

-- Every load attempt, loaded, already there or refused, with its rejected rows.
CREATE TABLE tznr.load_attempt (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    file_name text NOT NULL,
    source_id text,
    sha256 bytea,
    outcome text NOT NULL CHECK (outcome IN ('loaded', 'already_loaded', 'refused')),
    reason text,
    snapshot_id bigint,
    rows_read integer,
    rows_rejected integer
);

CREATE TABLE tznr.load_reject (
    attempt_id bigint NOT NULL REFERENCES tznr.load_attempt (id) ON DELETE CASCADE,
    line integer NOT NULL,
    reason text NOT NULL,
    record text NOT NULL
);
CREATE INDEX ON tznr.load_reject (attempt_id);

-- The audit log: append-only, each entry chained to the previous one by SHA-256 over the
-- canonical form documented in docs/audit.md and computed by tznr.audit_canonical.
CREATE TABLE tznr.audit_log (
    id bigint PRIMARY KEY,
    at timestamptz NOT NULL,
    db_role text NOT NULL,
    os_user text NOT NULL,
    command text NOT NULL,
    action text NOT NULL,
    object text NOT NULL,
    details text NOT NULL,
    prev_hash bytea NOT NULL,
    hash bytea NOT NULL
);

CREATE FUNCTION tznr.audit_field(v text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT SET search_path = '' AS
$$ SELECT pg_catalog.octet_length(v)::text || ':' || v || E'\n' $$;

-- The canonical form: "tznr-audit-v1\n" then, for each field in order, its length in bytes,
-- a colon, its UTF-8 bytes and a newline: id, at (UTC, microseconds), db_role, os_user,
-- command, action, object, details, prev_hash (lowercase hex).
CREATE FUNCTION tznr.audit_canonical(e tznr.audit_log) RETURNS text
LANGUAGE sql STABLE SET search_path = '' AS
$$ SELECT E'tznr-audit-v1\n'
       || tznr.audit_field(e.id::text)
       || tznr.audit_field(pg_catalog.to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
       || tznr.audit_field(e.db_role)
       || tznr.audit_field(e.os_user)
       || tznr.audit_field(e.command)
       || tznr.audit_field(e.action)
       || tznr.audit_field(e.object)
       || tznr.audit_field(e.details)
       || tznr.audit_field(pg_catalog.encode(e.prev_hash, 'hex')) $$;

-- Append one entry, serialised by a transaction lock so the chain has no fork.
CREATE FUNCTION tznr.audit_append(p_os_user text, p_command text, p_action text,
                                  p_object text, p_details text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS
$$
DECLARE
    e tznr.audit_log;
BEGIN
    PERFORM pg_catalog.pg_advisory_xact_lock(7243110002);
    SELECT l.id, l.hash INTO e.id, e.prev_hash FROM tznr.audit_log l ORDER BY l.id DESC LIMIT 1;
    e.id := COALESCE(e.id, 0) + 1;
    e.prev_hash := COALESCE(e.prev_hash, pg_catalog.decode(pg_catalog.repeat('00', 32), 'hex'));
    e.at := pg_catalog.date_trunc('microseconds', pg_catalog.clock_timestamp());
    e.db_role := SESSION_USER;
    e.os_user := p_os_user;
    e.command := p_command;
    e.action := p_action;
    e.object := p_object;
    e.details := p_details;
    e.hash := pg_catalog.sha256(pg_catalog.convert_to(tznr.audit_canonical(e), 'UTF8'));
    INSERT INTO tznr.audit_log SELECT e.*;
    RETURN e.id;
END
$$;

CREATE FUNCTION tznr.audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS
$$
BEGIN
    RAISE EXCEPTION 'tznr.audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON tznr.audit_log
    FOR EACH ROW EXECUTE FUNCTION tznr.audit_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON tznr.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION tznr.audit_refuse_change();
REVOKE ALL ON tznr.audit_log FROM PUBLIC;
REVOKE ALL ON FUNCTION tznr.audit_append(text, text, text, text, text) FROM PUBLIC;

-- Linkage: one run a night; its links (for auditors), the grey-zone pairs kept aside,
-- links forbidden by an outreach team's "erreur_rapprochement", and the current persons.
CREATE TABLE tznr.link_run (
    id bigserial PRIMARY KEY,
    started_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    finished_at timestamptz,
    records integer,
    persons integer,
    links integer,
    possible integer,
    params text
);

CREATE TABLE tznr.link (
    run_id bigint NOT NULL REFERENCES tznr.link_run (id) ON DELETE CASCADE,
    source_a text NOT NULL,
    token_a bytea NOT NULL,
    source_b text NOT NULL,
    token_b bytea NOT NULL,
    method text NOT NULL CHECK (method IN ('nir', 'ident', 'ident_alt', 'clk')),
    score real NOT NULL
);
CREATE INDEX ON tznr.link (run_id);

CREATE TABLE tznr.possible_link (
    run_id bigint NOT NULL REFERENCES tznr.link_run (id) ON DELETE CASCADE,
    source_a text NOT NULL,
    token_a bytea NOT NULL,
    source_b text NOT NULL,
    token_b bytea NOT NULL,
    score real NOT NULL
);
CREATE INDEX ON tznr.possible_link (run_id);

CREATE TABLE tznr.forbidden_link (
    source_a text NOT NULL,
    token_a bytea NOT NULL,
    source_b text NOT NULL,
    token_b bytea NOT NULL,
    reason text NOT NULL,
    at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (source_a, token_a, source_b, token_b)
);

CREATE SEQUENCE tznr.person_id_seq;
CREATE TABLE tznr.person_record (
    source_id text NOT NULL,
    token bytea NOT NULL,
    person_id bigint NOT NULL,
    run_id bigint NOT NULL,
    PRIMARY KEY (source_id, token)
);
CREATE INDEX ON tznr.person_record (person_id);
