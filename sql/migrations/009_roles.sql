-- 009: roles. Who may read and write what (docs/schema.md, "Roles"; docs/security.md).
--
--   tznr_owner     owns the schema and every object in it, the audit log and its functions
--                  and triggers included. NOLOGIN: migrations run as it (tznr db migrate sets
--                  the role once this migration is applied).
--   tznr_batch     the nightly run: LOGIN, tznr connects as it. Reads and writes the data; owns
--                  only the tables it rebuilds with DDL each night (tznr.record and the
--                  snapshots' partitions it creates, tznr.person_record). On the audit log it
--                  may SELECT and append through tznr.audit_append, nothing else: no UPDATE,
--                  DELETE, TRUNCATE or INSERT of its own, and it does not own the table, so it
--                  cannot disable or drop the triggers. It cannot delete an opposition.
--   tznr_reviewer  the group of the per-team reviewer roles tznr_reviewer_<team> (created by
--                  tznr db roles from the configuration's teams): SELECT on the lists and the
--                  outcomes, row-level security keeping each to its own team's rows.
--   tznr_auditor   reads the audit log and the match logs (link runs, links, models, possible
--                  links) and no record.
--
-- Roles belong to the whole PostgreSQL cluster, privileges to one database: the roles are
-- created only when missing, so every database of the cluster (each test has its own) shares
-- them, and each database's migration grants them what they may do there.
-- This migration needs CREATEROLE (or a superuser): run tznr db migrate as the cluster's
-- administrator.

DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT * FROM (VALUES ('tznr_owner', false), ('tznr_batch', true), ('tznr_reviewer', false),
                                   ('tznr_auditor', false)) AS v (name, login) LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r.name) THEN
            BEGIN
                EXECUTE pg_catalog.format('CREATE ROLE %I %s', r.name, CASE WHEN r.login THEN 'LOGIN' ELSE 'NOLOGIN' END);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL; -- another database's migration created it at the same moment
            END;
        END IF;
    END LOOP;
    -- A role of that name made by hand with more power would carry it into the night.
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles
                WHERE rolname IN ('tznr_owner', 'tznr_batch', 'tznr_reviewer', 'tznr_auditor')
                  AND (rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb OR rolreplication)) THEN
        RAISE EXCEPTION 'a role tznr_owner, tznr_batch, tznr_reviewer or tznr_auditor is a superuser or has '
                        'BYPASSRLS, CREATEROLE, CREATEDB or REPLICATION: remove that before migrating';
    END IF;
    -- The migrator sets the owner role for the next migrations; a superuser may already.
    IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = CURRENT_USER) THEN
        EXECUTE pg_catalog.format('GRANT tznr_owner TO %I', CURRENT_USER);
    END IF;
END
$$;

-- The owner may act as the batch: it attaches and analyses what the batch owns.
GRANT tznr_batch TO tznr_owner;

-- Everything to the owner, the schema first (a new owner needs CREATE on the schema).
ALTER SCHEMA tznr OWNER TO tznr_owner;
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.oid::pg_catalog.regclass AS name, c.relkind
               FROM pg_catalog.pg_class c
              WHERE c.relnamespace = 'tznr'::pg_catalog.regnamespace
                AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
                -- sequences of a column follow their table
                AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                                                      WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                                                        AND d.objid = c.oid AND d.deptype IN ('a', 'i'))) LOOP
        EXECUTE pg_catalog.format('ALTER %s %s OWNER TO tznr_owner',
                                  CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                                 WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE'
                                                 ELSE 'TABLE' END, r.name);
    END LOOP;
    FOR r IN SELECT p.oid::pg_catalog.regprocedure AS name FROM pg_catalog.pg_proc p
              WHERE p.pronamespace = 'tznr'::pg_catalog.regnamespace LOOP
        EXECUTE pg_catalog.format('ALTER ROUTINE %s OWNER TO tznr_owner', r.name);
    END LOOP;
    FOR r IN SELECT t.oid::pg_catalog.regtype AS name FROM pg_catalog.pg_type t
              WHERE t.typnamespace = 'tznr'::pg_catalog.regnamespace AND t.typtype IN ('c', 'd', 'e')
                AND t.typrelid = 0 LOOP
        EXECUTE pg_catalog.format('ALTER TYPE %s OWNER TO tznr_owner', r.name);
    END LOOP;
END
$$;

-- From here on, as the owner: what follows is created and granted by it.
SET LOCAL ROLE tznr_owner;

-- The batch: the data, and the schema's CREATE for the snapshots' partitions (tznr load).
GRANT USAGE, CREATE ON SCHEMA tznr TO tznr_batch;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA tznr TO tznr_batch;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA tznr TO tznr_batch;
-- and on what later migrations create (they run as tznr_owner)
ALTER DEFAULT PRIVILEGES FOR ROLE tznr_owner IN SCHEMA tznr
    GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO tznr_batch;
ALTER DEFAULT PRIVILEGES FOR ROLE tznr_owner IN SCHEMA tznr
    GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO tznr_batch;
-- History: the audit log is read and appended to through tznr.audit_append, never written
-- directly; the schema's version is the migrations'; an opposition is forever.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON tznr.audit_log FROM tznr_batch;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON tznr.schema_migration FROM tznr_batch;
REVOKE UPDATE, DELETE, TRUNCATE ON tznr.opposition FROM tznr_batch;
GRANT EXECUTE ON FUNCTION tznr.audit_append(text, text, text, text, text) TO tznr_batch;

-- The tables the batch rebuilds each night with DDL are its own: tznr.record (a snapshot's
-- partition is created, indexed, attached and later dropped by the load and the purge) and
-- tznr.person_record (emptied, loaded without its indexes, indexed again by tznr link).
ALTER TABLE tznr.record OWNER TO tznr_batch;
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT i.inhrelid::pg_catalog.regclass AS name FROM pg_catalog.pg_inherits i
              WHERE i.inhparent = 'tznr.record'::pg_catalog.regclass
             UNION
             -- a staged snapshot's table not attached (a load in progress cannot be: the lock)
             SELECT c.oid::pg_catalog.regclass FROM pg_catalog.pg_class c
              WHERE c.relnamespace = 'tznr'::pg_catalog.regnamespace AND c.relkind = 'r'
                AND c.relname ~ '^record_[0-9]+$' LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s OWNER TO tznr_batch', r.name);
    END LOOP;
END
$$;
ALTER TABLE tznr.person_record OWNER TO tznr_batch;

-- ANALYZE needs the table's owner: the batch asks for it through this function, on the
-- schema's tables only.
CREATE FUNCTION tznr.analyze(t regclass) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS
$$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c
                    WHERE c.oid = t AND c.relnamespace = 'tznr'::pg_catalog.regnamespace
                      AND c.relkind IN ('r', 'p')) THEN
        RAISE EXCEPTION 'tznr.analyze: % is not a table of the schema tznr', t;
    END IF;
    EXECUTE pg_catalog.format('ANALYZE %s', t);
END
$$;
REVOKE ALL ON FUNCTION tznr.analyze(regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tznr.analyze(regclass) TO tznr_batch;

-- Reviewers: each team's lists and the outcomes of its lists, nothing else.
-- A role tznr_reviewer_<team> reviews <team>; a person's login is granted that role.
CREATE FUNCTION tznr.reviewer_teams() RETURNS text[]
LANGUAGE sql STABLE SET search_path = '' AS
$$ SELECT coalesce(pg_catalog.array_agg(pg_catalog.substr(r.rolname, 15)), '{}')
     FROM pg_catalog.pg_roles r
    WHERE r.rolname LIKE 'tznr\_reviewer\_%' AND pg_catalog.pg_has_role(r.oid, 'USAGE') $$;

-- Create the reviewer role of TEAM when missing, a member of tznr_reviewer (needs CREATEROLE).
CREATE FUNCTION tznr.create_reviewer(p_team text) RETURNS boolean
LANGUAGE plpgsql SET search_path = '' AS
$$
DECLARE
    r text := 'tznr_reviewer_' || p_team;
BEGIN
    IF p_team IS NULL OR p_team !~ '^[a-z0-9_-]{1,49}$' THEN
        RAISE EXCEPTION 'team name ''%'' is not a-z 0-9 _ - (at most 49 characters)', p_team;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
        IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r AND (rolsuper OR rolbypassrls)) THEN
            RAISE EXCEPTION 'role % is a superuser or has BYPASSRLS: it would read every team''s lists', r;
        END IF;
        IF NOT pg_catalog.pg_has_role(r, 'tznr_reviewer', 'MEMBER') THEN
            EXECUTE pg_catalog.format('GRANT tznr_reviewer TO %I', r);
        END IF;
        RETURN false;
    END IF;
    EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN IN ROLE tznr_reviewer', r);
    RETURN true;
END
$$;
REVOKE ALL ON FUNCTION tznr.create_reviewer(text) FROM PUBLIC;

GRANT USAGE ON SCHEMA tznr TO tznr_reviewer, tznr_auditor;
GRANT SELECT ON tznr.list_entry, tznr.outcome, tznr.rule TO tznr_reviewer;
ALTER TABLE tznr.list_entry ENABLE ROW LEVEL SECURITY;
ALTER TABLE tznr.outcome ENABLE ROW LEVEL SECURITY;
-- the owner bypasses row-level security; the batch writes every team's rows
CREATE POLICY batch_all ON tznr.list_entry TO tznr_batch USING (true) WITH CHECK (true);
CREATE POLICY batch_all ON tznr.outcome TO tznr_batch USING (true) WITH CHECK (true);
CREATE POLICY reviewer_own_team ON tznr.list_entry FOR SELECT TO tznr_reviewer
    USING (team IN (SELECT pg_catalog.unnest(tznr.reviewer_teams())));
-- an outcome belongs to the team whose list carried its token for its rule (the list rows the
-- reviewer may see: the subquery is under the policy above)
CREATE POLICY reviewer_own_team ON tznr.outcome FOR SELECT TO tznr_reviewer
    USING (EXISTS (SELECT 1 FROM tznr.list_entry e WHERE e.token = outcome.token AND e.rule_id = outcome.rule_id));

-- Auditors: the audit log and the match logs; no record, no list, no outcome.
GRANT SELECT ON tznr.audit_log, tznr.schema_migration, tznr.link_run, tznr.link, tznr.link_model,
                tznr.possible_link TO tznr_auditor;
