-- 013: the links' tie to their run, checked once a statement instead of once a row (issue 10,
-- scale). tznr link writes some 400,000 links a night into tznr.link. The foreign key on
-- run_id ran a query of its own for every row, which took more than half of that COPY
-- (4-5 s of 7-8 s at 500,000 households). The same rules now hold through statement-level
-- triggers, which see all the statement's rows at once:
--   - a link or possible link must name an existing run (on INSERT, COPY and UPDATE), and
--     the run is locked against deletion as the foreign key locked it (FOR KEY SHARE);
--   - deleting runs deletes their links and possible links (ON DELETE CASCADE before);
--   - a run's id cannot change while links name it (NO ACTION before).
ALTER TABLE tznr.link DROP CONSTRAINT link_run_id_fkey;
ALTER TABLE tznr.possible_link DROP CONSTRAINT possible_link_run_id_fkey;

CREATE FUNCTION tznr.link_run_exists() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS
$$
DECLARE
    wanted bigint;
    found bigint;
BEGIN
    SELECT pg_catalog.count(DISTINCT n.run_id) INTO wanted FROM new_rows n;
    SELECT pg_catalog.count(*) INTO found
      FROM (SELECT 1 FROM tznr.link_run r
             WHERE r.id IN (SELECT n.run_id FROM new_rows n) FOR KEY SHARE OF r) x;
    IF found <> wanted THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = pg_catalog.format('insert or update on table %I.%I: a run_id is not in tznr.link_run',
                                        TG_TABLE_SCHEMA, TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER link_run_exists_insert AFTER INSERT ON tznr.link
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tznr.link_run_exists();
CREATE TRIGGER link_run_exists_update AFTER UPDATE ON tznr.link
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tznr.link_run_exists();
CREATE TRIGGER link_run_exists_insert AFTER INSERT ON tznr.possible_link
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tznr.link_run_exists();
CREATE TRIGGER link_run_exists_update AFTER UPDATE ON tznr.possible_link
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tznr.link_run_exists();

CREATE FUNCTION tznr.link_run_deleted() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS
$$
BEGIN
    DELETE FROM tznr.link l WHERE l.run_id IN (SELECT o.id FROM old_rows o);
    DELETE FROM tznr.possible_link l WHERE l.run_id IN (SELECT o.id FROM old_rows o);
    RETURN NULL;
END
$$;

CREATE TRIGGER link_run_cascade AFTER DELETE ON tznr.link_run
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tznr.link_run_deleted();

CREATE FUNCTION tznr.link_run_renumbered() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS
$$
BEGIN
    IF EXISTS (SELECT 1 FROM old_rows o
                WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.id = o.id)
                  AND (EXISTS (SELECT 1 FROM tznr.link l WHERE l.run_id = o.id)
                       OR EXISTS (SELECT 1 FROM tznr.possible_link l WHERE l.run_id = o.id))) THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = 'update on table tznr.link_run: a run whose id changed still has links';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER link_run_renumbered AFTER UPDATE ON tznr.link_run
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION tznr.link_run_renumbered();
