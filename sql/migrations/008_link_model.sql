-- 008: the linkage's own model (issue 10). Each run estimates a Fellegi-Sunter model on its
-- records (docs/linking.md): its table of comparison levels with their m- and u-probabilities
-- and match weights, how it was estimated, and the run's estimate of its own precision and
-- recall, with the precision measured in the field from the teams' outcomes when enough exist.
ALTER TABLE tznr.link_run
    ADD COLUMN model_training text,        -- 'keys', 'em', 'given', or 'none' (no fuzzy link)
    ADD COLUMN model_status text,          -- the EM's convergence, in words
    ADD COLUMN model_iterations integer,
    ADD COLUMN model_lambda double precision, -- share of matches among the candidate pairs
    ADD COLUMN est_precision double precision,
    ADD COLUMN est_recall double precision,
    ADD COLUMN field_precision double precision, -- 1 - erreur_rapprochement / outcomes
    ADD COLUMN field_outcomes integer;        -- the outcomes it counts

CREATE TABLE tznr.link_model (
    run_id bigint NOT NULL REFERENCES tznr.link_run (id) ON DELETE CASCADE,
    position integer NOT NULL,  -- the comparison's place in the model (its table's order)
    comparison text NOT NULL,
    level integer NOT NULL,
    label text NOT NULL,
    m double precision NOT NULL,
    u double precision NOT NULL,
    weight double precision NOT NULL,
    PRIMARY KEY (run_id, comparison, level)
);
