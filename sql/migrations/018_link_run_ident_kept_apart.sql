-- 018: how many pairs sharing an identity key the run kept apart (issue 10). The run weighs
-- each pair of records that share k_ident or k_ident_alt (docs/linking.md, section 1), and a
-- pair whose commune or NIR says two people (namesakes born the same day) is not linked by the
-- key. The count was in the audit entry and the log only; kept per run beside the figures of
-- migration 017, the night's report shows it to the data officers. NULL for runs before this
-- migration and for runs that do not weigh the keys.
ALTER TABLE tznr.link_run
    ADD COLUMN ident_kept_apart bigint; -- pairs sharing an identity key left in two persons
