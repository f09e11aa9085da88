-- 016: the last formulas a rule calls for each household, as SQL functions PostgreSQL inlines
-- into the rule's query, as 014 did for the others (issue 10, scale). On 1.1 million
-- households one run of the six rules called tznr.aide_logement_montant and
-- tznr.aide_logement_taux_loyer 184,652 times each (1.07 s in all), tznr.composition 60,321
-- and tznr.foyer_de 80,982 times (0.11 s each; pg_stat_user_functions with track_functions =
-- 'pl', total time).
--
-- tznr.ppa_calcul stays PL/pgSQL: inlined, each of its arguments is written out where the
-- body uses it, and the prime d'activité rule passes it expressions (the montant forfaitaire,
-- the bonification: themselves inlined formulas) that the body uses two or three times; the
-- rule's estimates for its 184,124 households took 3.4-3.9 s with it inlined against
-- 2.7-3.5 s with the PL/pgSQL function (two runs each, alternated).
--
-- As in 014: SQL-standard bodies (RETURN …), no SET clause, names qualified; their CASE is not
-- a strict construct, so the functions are no longer STRICT and return NULL themselves when an
-- argument is NULL, as STRICT did. The local variables of the PL/pgSQL bodies (l, r, rl) are
-- written out where they were used: the same numeric operations on the same values. Each
-- function's arguments, result and formula are those of 003 and 007.

-- 007: TL of the rent L against the reference rent LREF, RL = L / LREF not rounded
CREATE OR REPLACE FUNCTION tznr.aide_logement_taux_loyer(l numeric, lref numeric, seuil_1 numeric, seuil_2 numeric,
                                                         taux_2 numeric, taux_3 numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE
RETURN CASE WHEN l IS NULL OR lref IS NULL OR seuil_1 IS NULL OR seuil_2 IS NULL OR taux_2 IS NULL
                 OR taux_3 IS NULL THEN NULL
            WHEN l / lref < seuil_1 THEN 0
            WHEN l / lref < seuil_2 THEN taux_2 * (l / lref - seuil_1)
            ELSE taux_2 * (seuil_2 - seuil_1) + taux_3 * (l / lref - seuil_2) END;

-- 007: L + C - Pp, with L = min(LOYER, PLAFOND), R = 12 x RESSOURCES rounded up to the hundred
CREATE OR REPLACE FUNCTION tznr.aide_logement_montant(loyer numeric, ressources numeric, plafond numeric,
                                                      loyer_reference numeric, charges numeric,
                                                      taux_famille numeric, r0 numeric, p0_taux numeric,
                                                      p0_forfait numeric, seuil_1 numeric, seuil_2 numeric,
                                                      taux_2 numeric, taux_3 numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE
RETURN CASE WHEN loyer IS NULL OR ressources IS NULL OR plafond IS NULL OR loyer_reference IS NULL
                 OR charges IS NULL OR taux_famille IS NULL OR r0 IS NULL OR p0_taux IS NULL
                 OR p0_forfait IS NULL OR seuil_1 IS NULL OR seuil_2 IS NULL OR taux_2 IS NULL
                 OR taux_3 IS NULL THEN NULL
            ELSE LEAST(loyer, plafond) + charges
                 - GREATEST(p0_taux * (LEAST(loyer, plafond) + charges), p0_forfait)
                 - (taux_famille + tznr.aide_logement_taux_loyer(LEAST(loyer, plafond), loyer_reference, seuil_1,
                                                                 seuil_2, taux_2, taux_3))
                   * GREATEST(pg_catalog.ceil(12 * ressources / 100) * 100 - r0, 0) END;

-- 003: 'une personne seule', 'un couple sans enfant', 'un parent seul avec 1 enfant' …
CREATE OR REPLACE FUNCTION tznr.composition(couple boolean, enfants integer) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN CASE WHEN couple IS NULL OR enfants IS NULL THEN NULL
            ELSE CASE WHEN couple THEN 'un couple'
                      WHEN enfants > 0 THEN 'un parent seul'
                      ELSE 'une personne seule' END
                 || CASE WHEN enfants > 0
                         THEN ' avec ' || enfants::text || CASE WHEN enfants > 1 THEN ' enfants' ELSE ' enfant' END
                         WHEN couple THEN ' sans enfant'
                         ELSE '' END END;

-- 003: 'un foyer de 1 personne', 'un foyer de 3 personnes'
CREATE OR REPLACE FUNCTION tznr.foyer_de(nb_personnes integer) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN CASE WHEN nb_personnes IS NULL THEN NULL
            ELSE 'un foyer de ' || nb_personnes::text
                 || CASE WHEN nb_personnes > 1 THEN ' personnes' ELSE ' personne' END END;
