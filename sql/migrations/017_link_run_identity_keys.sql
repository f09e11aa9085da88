-- 017: what a run measured of the identity keys, for the auditor (issue 10). A pair of records
-- sharing k_ident or k_ident_alt is the same person unless they are namesakes born the same
-- day; the run now counts how common namesakes are from the pairs of two different NIRs born
-- the same day, and weighs each such pair from there (docs/linking.md, section 1). These
-- figures decide which identity links stand, so they are kept per run beside the model and
-- printed by `tznr links --model` as its 'identity_key' row. Runs before this migration, and
-- runs that do not weigh the keys (no NIR to learn from, or a model given), have none (NULL).
ALTER TABLE tznr.link_run
    ADD COLUMN ident_pairs bigint,             -- pairs of records sharing an identity key
    ADD COLUMN ident_namesakes double precision, -- of them, the namesakes expected (ident_u x pairs born the same day)
    ADD COLUMN ident_m double precision,       -- pairs of one NIR born the same day sharing a key
    ADD COLUMN ident_u double precision;       -- of the pairs of two NIRs born the same day, the namesakes' share
