-- 004: registers. The agency that pays a benefit holds the complete register of its
-- recipients: when its current extract covers the territory, a household absent from it (or
-- present with the benefit at 0 or empty) does not receive the benefit from that payer
-- (docs/rules.md, « Registres »). Also the source kinds of extract-v1 as amended on
-- 2026-12-01 (cpam, msa, carsat, france_travail, ccas).

ALTER TABLE tznr.source DROP CONSTRAINT source_id_check;
ALTER TABLE tznr.source ADD CONSTRAINT source_id_check
    CHECK (id ~ '^(caf|departement|bailleur|cpam|msa|carsat|france_travail|ccas|autre):[a-z0-9_-]{1,32}$');

-- The registers of the last run, rebuilt by every run from [registers]: one row for each
-- benefit and each source its declaration names (a kind names every source of that kind), and
-- one row with a NULL source for a declaration that matches no loaded source. A source is
-- fresh when its snapshot is not older than [registers] max_age_days on the run date, and
-- reports the benefit when some record of its snapshot says 1 (an extract without the column
-- is no register of it). A declaration is current when every source it names is fresh and
-- reports the benefit: two CAFs of one territory are one register, both or neither. Separate
-- declarations of a benefit (caf, departement for the RSA) are registers of the same
-- recipients: one current is enough (docs/rules.md, « Les registres »).
CREATE TABLE tznr.run_register (
    benefit text NOT NULL,
    declared text NOT NULL,           -- as written in [registers]: 'caf' or 'caf:gironde'
    source_id text,
    extract_date date,
    fresh boolean NOT NULL,
    reports boolean NOT NULL,
    current boolean NOT NULL
);

-- Which sources hold a record of the household, and why each "recoit_X" is what it is:
-- 'source' when a record of the household says X (1 or 0), 'registre' when no record says
-- it and a current register of X has no 1 for the household, NULL when unknown.
ALTER TABLE tznr.run_foyer
    ADD COLUMN sources text[] NOT NULL DEFAULT '{}',
    ADD COLUMN pourquoi_rsa text, ADD COLUMN pourquoi_prime_activite text,
    ADD COLUMN pourquoi_aide_logement text, ADD COLUMN pourquoi_aah text,
    ADD COLUMN pourquoi_css text, ADD COLUMN pourquoi_aspa text, ADD COLUMN pourquoi_apa text,
    ADD COLUMN pourquoi_pch text, ADD COLUMN pourquoi_fsl text;

-- The run_foyer flag a rule tests (its header's "receives", by default its id), and, on each
-- list entry, the payers (current registers of that benefit) that have no record of the
-- household, in French: the first thing an outreach worker needs to know.
ALTER TABLE tznr.rule ADD COLUMN receives text;
ALTER TABLE tznr.list_entry ADD COLUMN inconnu_de text NOT NULL DEFAULT '';

-- The source ids of the current registers of BENEFIT in the last run (read once by a rule).
CREATE FUNCTION tznr.registres(p_benefit text) RETURNS text[]
LANGUAGE sql STABLE SET search_path = '' AS
$$ SELECT COALESCE(pg_catalog.array_agg(DISTINCT r.source_id ORDER BY r.source_id), '{}')
     FROM tznr.run_register r
    WHERE r.benefit = p_benefit AND r.current AND r.source_id IS NOT NULL $$;

-- The agency of a source kind in French: FORM 'nom' ('CAF', 'Département'), 'le' ('la CAF',
-- 'le Département', 'France Travail') or 'de' ('de la CAF', 'du Département'). Kind 'autre'
-- is 'un autre organisme'.
CREATE FUNCTION tznr.organisme(kind text, form text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = '' AS
$$
DECLARE
    name text := CASE kind WHEN 'caf' THEN 'CAF' WHEN 'cpam' THEN 'CPAM' WHEN 'msa' THEN 'MSA'
                           WHEN 'carsat' THEN 'CARSAT' WHEN 'departement' THEN 'Département'
                           WHEN 'ccas' THEN 'CCAS' WHEN 'bailleur' THEN 'bailleur'
                           WHEN 'france_travail' THEN 'France Travail' ELSE 'autre organisme' END;
BEGIN
    IF form = 'nom' THEN
        RETURN name;
    ELSIF kind IN ('caf', 'cpam', 'msa', 'carsat') THEN
        RETURN CASE form WHEN 'de' THEN 'de la ' ELSE 'la ' END || name;
    ELSIF kind IN ('departement', 'ccas', 'bailleur') THEN
        RETURN CASE form WHEN 'de' THEN 'du ' ELSE 'le ' END || name;
    ELSIF kind = 'france_travail' THEN
        RETURN CASE form WHEN 'de' THEN 'de ' ELSE '' END || name;
    END IF;
    RETURN CASE form WHEN 'de' THEN 'd''un ' ELSE 'un ' END || name;
END
$$;

-- ITEMS as French lists them: 'a', 'a et b', 'a, b et c'.
CREATE FUNCTION tznr.enumeration(items text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = '' AS
$$
DECLARE
    n integer := pg_catalog.cardinality(items);
BEGIN
    IF n <= 1 THEN
        RETURN items[1];
    END IF;
    RETURN pg_catalog.array_to_string(items[1:n - 1], ', ') || ' et ' || items[n];
END
$$;

-- The kinds of the registers REGISTRES that hold no record of a household whose records are
-- at SOURCES, as 'CAF, Département' ('' when every payer knows it).
CREATE FUNCTION tznr.inconnu_de(registres text[], sources text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = '' AS
$$
DECLARE
    v text;
BEGIN
    IF pg_catalog.cardinality(registres) = 0 THEN
        RETURN '';
    END IF;
    SELECT pg_catalog.string_agg(tznr.organisme(k.kind, 'nom'), ', ' ORDER BY k.kind) INTO v
      FROM (SELECT pg_catalog.split_part(r, ':', 1) AS kind, pg_catalog.bool_or(r = ANY (sources)) AS knows
              FROM pg_catalog.unnest(registres) r GROUP BY 1) k
     WHERE NOT k.knows;
    RETURN COALESCE(v, '');
END
$$;

-- Why the platform holds that nobody in the household receives BENEFIT, in French, for the
-- list's motif. With current registers of the benefit, what each payer says: 'foyer inconnu
-- de la CAF et du Département' (no record of the household there), 'aucun RSA selon la CAF'
-- (a record, and no RSA); without, a source of the household said it:
-- 'aucun membre ne perçoit le RSA'.
CREATE FUNCTION tznr.non_percu(benefit text, registres text[], sources text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = '' AS
$$
DECLARE
    aucun text := CASE benefit WHEN 'rsa' THEN 'aucun RSA' WHEN 'prime_activite' THEN 'aucune prime d''activité'
                               WHEN 'aide_logement' THEN 'aucune aide au logement' WHEN 'aah' THEN 'aucune AAH'
                               WHEN 'css' THEN 'aucune CSS' WHEN 'aspa' THEN 'aucune ASPA'
                               WHEN 'apa' THEN 'aucune APA' WHEN 'pch' THEN 'aucune PCH'
                               WHEN 'fsl' THEN 'aucune aide du FSL' ELSE 'aucun droit ' || benefit END;
    unknown text[];
    known text[];
BEGIN
    IF pg_catalog.cardinality(registres) = 0 THEN
        RETURN CASE benefit
            WHEN 'rsa' THEN 'aucun membre ne perçoit le RSA'
            WHEN 'prime_activite' THEN 'aucun membre ne perçoit la prime d''activité'
            WHEN 'aide_logement' THEN 'aucun membre ne perçoit d''aide au logement'
            WHEN 'aah' THEN 'aucun membre ne perçoit l''AAH'
            WHEN 'css' THEN 'aucun membre ne bénéficie de la complémentaire santé solidaire'
            WHEN 'aspa' THEN 'aucun membre ne perçoit l''ASPA'
            WHEN 'apa' THEN 'aucun membre ne perçoit l''APA'
            WHEN 'pch' THEN 'aucun membre ne perçoit la PCH'
            WHEN 'fsl' THEN 'aucun membre n''a reçu d''aide du FSL dans les 12 derniers mois'
            ELSE 'aucun membre ne perçoit ' || benefit END;
    END IF;
    SELECT pg_catalog.array_agg(tznr.organisme(k.kind, 'de') ORDER BY k.kind) FILTER (WHERE NOT k.knows),
           pg_catalog.array_agg(tznr.organisme(k.kind, 'le') ORDER BY k.kind) FILTER (WHERE k.knows)
      INTO unknown, known
      FROM (SELECT pg_catalog.split_part(r, ':', 1) AS kind, pg_catalog.bool_or(r = ANY (sources)) AS knows
              FROM pg_catalog.unnest(registres) r GROUP BY 1) k;
    RETURN pg_catalog.concat_ws(', ',
                                'foyer inconnu ' || tznr.enumeration(unknown),
                                aucun || ' selon ' || tznr.enumeration(known));
END
$$;
