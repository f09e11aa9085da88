-- 002: detection and the nightly run: dated benefit parameters, households (foyers), the
-- facts rules read, candidates, outreach lists, outcomes from the teams, and run records.

-- Households: persons sharing a household reference at any source are one foyer; its id is
-- the smallest person id among its members (stable while its persons are).
ALTER TABLE tznr.person_record ADD COLUMN foyer_id bigint;
CREATE INDEX person_record_foyer_id_idx ON tznr.person_record (foyer_id);

-- Benefit parameters in force from a date (config/parameters.csv, loaded by every run).
CREATE TABLE tznr.parameter (
    name text NOT NULL,
    valid_from date NOT NULL,
    value numeric NOT NULL,
    reference text NOT NULL,
    PRIMARY KEY (name, valid_from)
);

-- The value of parameter NAME in force on AT; an error when there is none (a rule must never
-- run on a missing parameter).
CREATE FUNCTION tznr.param(p_name text, p_at date) RETURNS numeric
LANGUAGE plpgsql STABLE SET search_path = '' AS
$$
DECLARE
    v numeric;
BEGIN
    SELECT p.value INTO v FROM tznr.parameter p
     WHERE p.name = p_name AND p.valid_from <= p_at
     ORDER BY p.valid_from DESC LIMIT 1;
    IF v IS NULL THEN
        RAISE EXCEPTION 'benefit parameter % has no value in force on %', p_name, p_at;
    END IF;
    RETURN v;
END
$$;

-- The facts of each household for the run being evaluated, rebuilt by every run before the
-- rules (docs/rules.md). Figures come from the claimant's record (role D), each from the
-- source that knows it best. "recoit_X" is true when any member, through any linked record of
-- any source, has X = 1; false when at least one record says 0 and none says 1; NULL when no
-- source of the household reports X at all: "nobody receives X" must be known, not assumed.
CREATE TABLE tznr.run_foyer (
    foyer_id bigint PRIMARY KEY,
    commune text,
    nb_personnes integer NOT NULL,
    nb_enfants integer NOT NULL,
    nb_adultes integer NOT NULL,
    couple boolean NOT NULL,
    claimant_birth_year integer,
    claimant_age integer,
    ressources numeric(12, 2),
    revenus_activite numeric(12, 2),
    loyer numeric(12, 2),
    impaye_mois integer,
    recoit_rsa boolean,
    recoit_prime_activite boolean,
    recoit_aide_logement boolean,
    recoit_aah boolean,
    recoit_css boolean,
    recoit_aspa boolean,
    recoit_apa boolean,
    recoit_pch boolean,
    recoit_fsl boolean,
    suivi_social boolean NOT NULL,
    confiance text NOT NULL,          -- how the household's records were linked, in French
    confiance_score real NOT NULL     -- 1 for NIR, 0.95 for an exact identity, else the weakest Dice
);

-- One nightly run.
CREATE TABLE tznr.run (
    id bigserial PRIMARY KEY,
    run_date date NOT NULL,
    started_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    finished_at timestamptz,
    status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'done_with_refusals', 'failed')),
    summary text
);

-- The rules known to the last run (from sql/rules, embedded in the binary).
CREATE TABLE tznr.rule (
    id text PRIMARY KEY,
    benefit text NOT NULL,
    owners text NOT NULL,
    legal_basis text NOT NULL,
    description text NOT NULL,
    sha256 text NOT NULL
);

-- Every household a rule found on a run, before suppression.
CREATE TABLE tznr.candidate (
    run_id bigint NOT NULL REFERENCES tznr.run (id) ON DELETE CASCADE,
    rule_id text NOT NULL,
    foyer_id bigint NOT NULL,
    estimate numeric(12, 2),
    motif text NOT NULL,
    suppressed text,                  -- NULL, or why it is not listed
    PRIMARY KEY (run_id, rule_id, foyer_id)
);
CREATE INDEX ON tznr.candidate (rule_id, foyer_id);

-- The outreach lists: what was listed, for which team, with which token.
CREATE TABLE tznr.list_entry (
    run_id bigint NOT NULL REFERENCES tznr.run (id) ON DELETE CASCADE,
    run_date date NOT NULL,
    team text NOT NULL,
    rule_id text NOT NULL,
    foyer_id bigint NOT NULL,
    source_id text NOT NULL,
    token bytea NOT NULL,
    estimate numeric(12, 2),
    motif text NOT NULL,
    confiance text NOT NULL,
    priority integer NOT NULL,
    first_detected date NOT NULL,
    PRIMARY KEY (run_id, rule_id, foyer_id)
);
CREATE INDEX ON tznr.list_entry (rule_id, run_date);
CREATE INDEX ON tznr.list_entry (source_id, token);

-- Outcomes sent back by the teams (tznr feedback).
CREATE TABLE tznr.outcome (
    id bigserial PRIMARY KEY,
    source_id text,
    token bytea NOT NULL,
    rule_id text NOT NULL,
    statut text NOT NULL CHECK (statut IN ('contacte', 'droit_ouvert', 'non_eligible', 'refus', 'injoignable',
                                           'deja_beneficiaire', 'opposition', 'erreur_rapprochement')),
    outcome_date date NOT NULL,
    file_name text NOT NULL,
    line integer NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    UNIQUE (token, rule_id, statut, outcome_date)
);
CREATE INDEX ON tznr.outcome (token);

-- Records of people who objected to being contacted (statut 'opposition'): every record of
-- their person is added at each run, so the objection survives new tokens and re-linkings.
CREATE TABLE tznr.opposition (
    source_id text NOT NULL,
    token bytea NOT NULL,
    added_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (source_id, token)
);

-- Retention: a superseded snapshot's partition is dropped after [retention]
-- keep_snapshots_days; its row stays, for the history.
ALTER TABLE tznr.snapshot ADD COLUMN dropped_at timestamptz;
