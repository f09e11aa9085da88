-- 012: what the nightly report shows (issue 12) kept with each run, so that the report of any
-- night can be written again later: the duration of each step, the linkage run it made, and
-- each listed household's commune (tznr.run_foyer holds the last run's households only).
CREATE TABLE tznr.run_step (
    run_id bigint NOT NULL REFERENCES tznr.run (id) ON DELETE CASCADE,
    position integer NOT NULL,
    step text NOT NULL,   -- pull, load, link, detect, export, purge
    seconds double precision NOT NULL,
    PRIMARY KEY (run_id, step)
);

-- The linkage run of the night (NULL before 012, or once the retention has deleted it).
ALTER TABLE tznr.run ADD COLUMN link_run_id bigint REFERENCES tznr.link_run (id) ON DELETE SET NULL;

-- The household's commune when it was listed (NULL when unknown, and before 012).
ALTER TABLE tznr.list_entry ADD COLUMN commune text;
