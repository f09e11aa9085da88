-- 014: the small formulas a rule calls for each household, as SQL functions PostgreSQL inlines
-- into the rule's query (issue 10, scale). Each was a PL/pgSQL function: a call costs an
-- interpreter round trip whatever its body. On 1.1 million households the six rules made
-- 1.66 million calls of tznr.forfait_logement (2.4 s), 963,000 of tznr.euros (3.3 s), and
-- tznr.montant_forfaitaire, tznr.rsa_coefficient, tznr.parent_isole_jeune_enfant and
-- tznr.ppa_bonification 1.1 to 2.0 s each (pg_stat_user_functions, self time).
--
-- The planner inlines a LANGUAGE sql function whose body is one expression when it has no SET
-- clause (the PL/pgSQL ones had SET search_path = ''), no SECURITY DEFINER, a body no more
-- volatile than the function, and, for a STRICT one, a body of strict constructs only. So:
--   - the bodies are SQL-standard (RETURN …): parsed once, here, their functions and
--     operators bound at creation, so the caller's search_path never changes what they call;
--     the names are qualified all the same;
--   - tznr.euros keeps STRICT (its body is strict: every function in it is);
--   - the others, whose CASE is not a strict construct, are no longer STRICT and return NULL
--     themselves when an argument is NULL, as STRICT did: the same value for every input.
-- Each function's arguments, result and formula are those of 003, 005 and 006.

CREATE OR REPLACE FUNCTION tznr.euros(v numeric) RETURNS text
LANGUAGE sql STABLE STRICT
RETURN pg_catalog.regexp_replace(
           pg_catalog.translate(pg_catalog.to_char(pg_catalog.round(v, 2), 'FM999,999,999,990.00'), ',.', ' ,'),
           ',00$', '') || ' €';

CREATE OR REPLACE FUNCTION tznr.rsa_coefficient(couple boolean, enfants integer) RETURNS numeric
LANGUAGE sql IMMUTABLE
RETURN CASE WHEN couple IS NULL OR enfants IS NULL THEN NULL
            ELSE 1.0
                 + CASE WHEN couple THEN 0.5 ELSE 0.0 END
                 + CASE WHEN couple THEN 0.3 * LEAST(GREATEST(enfants, 0), 2)
                        ELSE 0.5 * LEAST(GREATEST(enfants, 0), 1) + 0.3 * LEAST(GREATEST(enfants - 1, 0), 1) END
                 + 0.4 * GREATEST(enfants - 2, 0) END;

CREATE OR REPLACE FUNCTION tznr.forfait_logement(base numeric, nb_personnes integer, taux1 numeric,
                                                 taux2 numeric, taux3 numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE
RETURN CASE WHEN base IS NULL OR nb_personnes IS NULL OR taux1 IS NULL OR taux2 IS NULL OR taux3 IS NULL
            THEN NULL
            ELSE base * CASE WHEN nb_personnes <= 1 THEN taux1
                             WHEN nb_personnes = 2 THEN 1.5 * taux2
                             ELSE 1.8 * taux3 END END;

CREATE OR REPLACE FUNCTION tznr.montant_forfaitaire(base numeric, couple boolean, enfants integer, majore boolean,
                                                    maj_base numeric, maj_enfant numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE
RETURN CASE WHEN base IS NULL OR couple IS NULL OR enfants IS NULL OR majore IS NULL OR maj_base IS NULL
                 OR maj_enfant IS NULL THEN NULL
            WHEN majore THEN base * (maj_base + maj_enfant * GREATEST(enfants, 0))
            ELSE base * tznr.rsa_coefficient(couple, enfants) END;

-- not STRICT in 006 either: a NULL argument gives what the expression gives
CREATE OR REPLACE FUNCTION tznr.parent_isole_jeune_enfant(at date, couple boolean, enfants integer,
                                                          youngest_child_birth_year integer) RETURNS boolean
LANGUAGE sql IMMUTABLE
RETURN couple IS FALSE AND enfants > 0 AND youngest_child_birth_year IS NOT NULL
       AND pg_catalog.date_part('year', at)::integer - youngest_child_birth_year <= 2;

CREATE OR REPLACE FUNCTION tznr.ppa_bonification(base numeric, smic_h numeric, seuil numeric, plafond numeric,
                                                 taux_max numeric, revenus numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE
RETURN CASE WHEN base IS NULL OR smic_h IS NULL OR seuil IS NULL OR plafond IS NULL OR taux_max IS NULL
                 OR revenus IS NULL THEN NULL
            ELSE LEAST(GREATEST(pg_catalog.round(taux_max * base, 2) * (revenus - seuil * smic_h)
                                / ((plafond - seuil) * smic_h), 0),
                       pg_catalog.round(taux_max * base, 2)) END;
