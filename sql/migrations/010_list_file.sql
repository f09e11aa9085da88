-- 010: the lists that were written (issue 11). A run commits its list entries with its
-- detection, before it writes the lists; when it fails before a team's list is in the outbox
-- (a full or read-only disk), that list never left, and its households must not count as
-- contacted: the cooldown counts only the entries of a list recorded here, once written.
CREATE TABLE tznr.list_file (
    run_id bigint NOT NULL REFERENCES tznr.run (id) ON DELETE CASCADE,
    team text NOT NULL,
    rows bigint NOT NULL,
    sha256 bytea CHECK (pg_catalog.length(sha256) = 32), -- NULL for the lists written before 010
    written_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    PRIMARY KEY (run_id, team)
);

-- The lists written before this migration: those of the runs that finished, or whose export
-- step was audited (it is written once every list of the run is in the outbox).
INSERT INTO tznr.list_file (run_id, team, rows, written_at)
SELECT e.run_id, e.team, pg_catalog.count(*), pg_catalog.max(COALESCE(r.finished_at, r.started_at))
  FROM tznr.list_entry e JOIN tznr.run r ON r.id = e.run_id
 WHERE r.status IN ('done', 'done_with_refusals')
    OR EXISTS (SELECT 1 FROM tznr.audit_log a
                WHERE a.action = 'export' AND a.details LIKE '{"run": ' || r.id || ',%')
 GROUP BY e.run_id, e.team;
