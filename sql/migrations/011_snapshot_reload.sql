-- 011: an extract can be loaded again (issue 11). When a good extract has been superseded by
-- bad ones, `tznr load --force` makes it the current snapshot again, as a new snapshot with the
-- same digest: the digest no longer identifies one snapshot.
ALTER TABLE tznr.snapshot DROP CONSTRAINT snapshot_sha256_key;
CREATE INDEX ON tznr.snapshot (sha256);
