-- 015: how many persons one, two, three or more sources know, counted by tznr link as it
-- writes the persons (issue 10, scale). The night's report showed these three figures from
-- tznr.person_record, grouping 2.5 million rows by person at 1.1 million households: 6 s of
-- the night, and only for the last linkage (the table holds no other). The linker has every
-- record's person in memory and counts them in a fraction of a second; each run keeps its
-- own figures, so the report of any night still kept shows them. Runs before this migration
-- have none (NULL): their report says so.
ALTER TABLE tznr.link_run
    ADD COLUMN persons_one_source integer,
    ADD COLUMN persons_two_sources integer,
    ADD COLUMN persons_more_sources integer;
