-- 003: the benefit formulas the detection rules (sql/rules/*.sql) are written with, each
-- testable alone (tests/integration/check_rules.c), and the helpers that write the rules'
-- motifs in French. Parameters are read through tznr.param (002): the value in force on the
-- date given, from config/parameters.csv. docs/rules.md gives every formula with its sources.
-- Amounts are monthly euros unless said otherwise; nothing is rounded here (a rule compares
-- the exact value with its threshold, then rounds what it lists).

-- The household coefficient of the RSA and the prime d'activité (CASF art. R262-1): 1, +0.5
-- for a partner; children: in a couple +0.3 each for the first two, a lone parent +0.5 for
-- the first then +0.3 for the second; +0.4 each from the third.
-- The functions a rule calls once per household are PL/pgSQL: a LANGUAGE sql function with a
-- SET clause is never inlined, and one calling others re-plans them at every call (on 500,000
-- households the RSA rule took 66 s through tznr.rsa_estimate in SQL, 8 s as it is now, the
-- parameters read once and tznr.rsa_montant called per household).
CREATE FUNCTION tznr.rsa_coefficient(couple boolean, enfants integer) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = '' AS
$$
BEGIN
    RETURN 1.0
         + CASE WHEN couple THEN 0.5 ELSE 0.0 END
         + CASE WHEN couple THEN 0.3 * LEAST(GREATEST(enfants, 0), 2)
                ELSE 0.5 * LEAST(GREATEST(enfants, 0), 1) + 0.3 * LEAST(GREATEST(enfants - 1, 0), 1) END
         + 0.4 * GREATEST(enfants - 2, 0);
END
$$;

-- The forfait logement (CASF art. R262-9 and R262-10; the prime d'activité's has the same
-- form, with its own base and rates): BASE times the coefficient of a household of
-- min(NB_PERSONNES, 3) persons (1, 1.5, 1.8) times the rate for that size. NB_PERSONNES is
-- the benefit's household: the claimant, a partner and the children.
CREATE FUNCTION tznr.forfait_logement(base numeric, nb_personnes integer, taux1 numeric,
                                      taux2 numeric, taux3 numeric) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = '' AS
$$
BEGIN
    RETURN base * CASE WHEN nb_personnes <= 1 THEN taux1
                       WHEN nb_personnes = 2 THEN 1.5 * taux2
                       ELSE 1.8 * taux3 END;
END
$$;

-- The RSA of a household on given parameters: BASE x coefficient - forfait logement (rates
-- TAUX1..3, when FORFAIT_APPLIES) - RESSOURCES (its monthly resources but the RSA, the prime
-- d'activité and housing aid). tznr.rsa_estimate reads the parameters of a date; a rule reads
-- them once and calls this for each household. NULL when a figure is unknown.
CREATE FUNCTION tznr.rsa_montant(base numeric, taux1 numeric, taux2 numeric, taux3 numeric,
                                 couple boolean, enfants integer, forfait_applies boolean,
                                 ressources numeric) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = '' AS
$$
BEGIN
    RETURN base * tznr.rsa_coefficient(couple, enfants)
         - CASE WHEN forfait_applies
                THEN tznr.forfait_logement(base, 1 + CASE WHEN couple THEN 1 ELSE 0 END + GREATEST(enfants, 0),
                                           taux1, taux2, taux3)
                ELSE 0 END
         - ressources;
END
$$;

-- The RSA a household would get on AT, with the parameters in force that day.
CREATE FUNCTION tznr.rsa_estimate(at date, couple boolean, enfants integer,
                                  forfait_applies boolean, ressources numeric) RETURNS numeric
LANGUAGE sql STABLE STRICT SET search_path = '' AS
$$ SELECT tznr.rsa_montant(tznr.param('rsa.montant_base', $1),
                           tznr.param('rsa.forfait_logement.taux_1', $1),
                           tznr.param('rsa.forfait_logement.taux_2', $1),
                           tznr.param('rsa.forfait_logement.taux_3', $1),
                           $2, $3, $4, $5) $$;

-- The prime d'activité of a household on given parameters (code de la sécurité sociale,
-- art. L842-3 and D843-1): BASE x coefficient + PART x REVENUS_ACTIVITE
-- - max(RESSOURCES, BASE x coefficient) - forfait logement (rates TAUX1..3 on BASE, when
-- FORFAIT_APPLIES). RESSOURCES include the earnings. Leaves out the individual bonification and the lone-parent increase
-- (docs/rules.md). NULL when a figure is unknown (GREATEST alone would skip a NULL).
CREATE FUNCTION tznr.ppa_montant(base numeric, part numeric, taux1 numeric, taux2 numeric,
                                 taux3 numeric, couple boolean, enfants integer,
                                 forfait_applies boolean, ressources numeric,
                                 revenus_activite numeric) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = '' AS
$$
DECLARE
    bc numeric := base * tznr.rsa_coefficient(couple, enfants);
BEGIN
    RETURN bc
         + part * revenus_activite
         - GREATEST(ressources, bc)
         - CASE WHEN forfait_applies
                THEN tznr.forfait_logement(base, 1 + CASE WHEN couple THEN 1 ELSE 0 END + GREATEST(enfants, 0),
                                           taux1, taux2, taux3)
                ELSE 0 END;
END
$$;

-- The prime d'activité a household would get on AT, with the parameters in force that day.
CREATE FUNCTION tznr.ppa_estimate(at date, couple boolean, enfants integer,
                                  forfait_applies boolean, ressources numeric,
                                  revenus_activite numeric) RETURNS numeric
LANGUAGE sql STABLE STRICT SET search_path = '' AS
$$ SELECT tznr.ppa_montant(tznr.param('ppa.montant_base', $1),
                           tznr.param('ppa.part_revenus_activite', $1),
                           tznr.param('ppa.forfait_logement.taux_1', $1),
                           tznr.param('ppa.forfait_logement.taux_2', $1),
                           tznr.param('ppa.forfait_logement.taux_3', $1),
                           $2, $3, $4, $5, $6) $$;

-- The yearly resource ceiling of the complémentaire santé solidaire with a contribution
-- (code de la sécurité sociale, art. L861-1 and R861-3) for a household of NB_PERSONNES:
-- the one-person ceiling x (1 + 0.5 for the 2nd person + 0.3 each for the 3rd and 4th
-- + 0.4 each from the 5th).
CREATE FUNCTION tznr.css_plafond(at date, nb_personnes integer) RETURNS numeric
LANGUAGE sql STABLE STRICT SET search_path = '' AS
$$ SELECT tznr.param('css.plafond_1_personne', $1)
        * (1
           + CASE WHEN $2 >= 2 THEN tznr.param('css.coef_2e_personne', $1) ELSE 0 END
           + tznr.param('css.coef_3e_4e_personne', $1) * LEAST(GREATEST($2 - 2, 0), 2)
           + tznr.param('css.coef_5e_personne_et_plus', $1) * GREATEST($2 - 4, 0)) $$;

-- The yearly resource ceiling of the ASPA (code de la sécurité sociale, art. L815-9 and
-- D815-1), alone or a couple; it is also the ASPA's maximum.
CREATE FUNCTION tznr.aspa_plafond(at date, couple boolean) RETURNS numeric
LANGUAGE sql STABLE STRICT SET search_path = '' AS
$$ SELECT CASE WHEN $2 THEN tznr.param('aspa.plafond_couple', $1)
               ELSE tznr.param('aspa.plafond_seul', $1) END $$;

-- The monthly resource ceiling of the housing aid screening, by household size (1 to 5 and
-- more): a proxy tuned by the département, not the aid's legal scale (docs/rules.md).
CREATE FUNCTION tznr.aide_logement_plafond(at date, nb_personnes integer) RETURNS numeric
LANGUAGE sql STABLE STRICT SET search_path = '' AS
$$ SELECT tznr.param('aide_logement.plafond_' || LEAST(GREATEST($2, 1), 5)::text, $1) $$;

-- The monthly resource ceiling of the FSL screening: a base for one person and an amount per
-- further person, set by the département's FSL rules (docs/rules.md).
CREATE FUNCTION tznr.fsl_plafond(at date, nb_personnes integer) RETURNS numeric
LANGUAGE sql STABLE STRICT SET search_path = '' AS
$$ SELECT tznr.param('fsl.plafond_base', $1)
        + tznr.param('fsl.plafond_par_personne', $1) * (GREATEST($2, 1) - 1) $$;

-- Motif helpers (one call per listed household: PL/pgSQL, see above). An amount written the
-- French way, rounded to the cent, cents left out when nil: 540 → '540 €',
-- 1234.5 → '1 234,50 €' (a plain space between thousands).
CREATE FUNCTION tznr.euros(v numeric) RETURNS text
LANGUAGE plpgsql STABLE STRICT SET search_path = '' AS
$$
BEGIN
    RETURN pg_catalog.regexp_replace(
               pg_catalog.translate(pg_catalog.to_char(pg_catalog.round(v, 2), 'FM999,999,999,990.00'),
                                    ',.', ' ,'),
               ',00$', '') || ' €';
END
$$;

-- The benefit's household in words: 'une personne seule', 'un couple sans enfant',
-- 'un couple avec 2 enfants', 'un parent seul avec 1 enfant'.
CREATE FUNCTION tznr.composition(couple boolean, enfants integer) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = '' AS
$$
BEGIN
    RETURN CASE WHEN couple THEN 'un couple'
                WHEN enfants > 0 THEN 'un parent seul'
                ELSE 'une personne seule' END
        || CASE WHEN enfants > 0
                THEN ' avec ' || enfants::text || CASE WHEN enfants > 1 THEN ' enfants' ELSE ' enfant' END
                WHEN couple THEN ' sans enfant'
                ELSE '' END;
END
$$;

-- 'un foyer de 1 personne', 'un foyer de 3 personnes'.
CREATE FUNCTION tznr.foyer_de(nb_personnes integer) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = '' AS
$$
BEGIN
    RETURN 'un foyer de ' || nb_personnes::text || CASE WHEN nb_personnes > 1 THEN ' personnes' ELSE ' personne' END;
END
$$;
