-- 005: the prime d'activité as the law computes it (code de la sécurité sociale, art. L842-3
-- and D843-1 to D843-3; OpenFisca-France, openfisca_france/model/prestations/minima_sociaux/
-- ppa.py, variables ppa_fictive, ppa_bonification and ppa_forfait_logement):
--
--   prime = montant forfaitaire familial + pente x revenus d'activité + bonifications
--           - max(ressources + forfait logement, montant forfaitaire familial)
--
-- 003 took the greater of the montant and the resources, then took the forfait off on top,
-- and had no bonification: a single tenant with housing aid earning 500 € a month got 223 €
-- where the law pays 299 €, and no single worker above about 1,550 € was ever listed where the
-- prime is paid up to about 2,150 € (docs/rules.md).

DROP FUNCTION tznr.ppa_estimate(date, boolean, integer, boolean, numeric, numeric);
DROP FUNCTION tznr.ppa_montant(numeric, numeric, numeric, numeric, numeric, boolean, integer, boolean, numeric,
                               numeric);

-- The individual bonification of a worker earning REVENUS a month (D843-2; OpenFisca's
-- ppa_bonification): nothing up to SEUIL x SMIC_H, then rising linearly to its maximum,
-- TAUX_MAX x BASE rounded to the cent, reached at PLAFOND x SMIC_H (SMIC_H the gross hourly
-- SMIC; SEUIL 59, PLAFOND 120 then 138 from 2026-04-01, TAUX_MAX 29.101 % then 37.7 %).
CREATE FUNCTION tznr.ppa_bonification(base numeric, smic_h numeric, seuil numeric, plafond numeric,
                                      taux_max numeric, revenus numeric) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = '' AS
$$
DECLARE
    bmax numeric := pg_catalog.round(taux_max * base, 2);
BEGIN
    RETURN LEAST(GREATEST(bmax * (revenus - seuil * smic_h) / ((plafond - seuil) * smic_h), 0), bmax);
END
$$;

-- The prime d'activité from its parts: MONTANT (the montant forfaitaire, majoré or not, 006) +
-- PART x REVENUS + BONIFICATION - max(RESSOURCES + FORFAIT, MONTANT).
CREATE FUNCTION tznr.ppa_calcul(montant numeric, part numeric, revenus numeric, bonification numeric,
                                ressources numeric, forfait numeric) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = '' AS
$$
BEGIN
    RETURN montant + part * revenus + bonification - GREATEST(ressources + forfait, montant);
END
$$;

-- The prime d'activité of a household on given parameters: tznr.ppa_calcul with BASE x the
-- household coefficient as the montant and the forfait logement (rates TAUX1..3 on BASE, when
-- FORFAIT_APPLIES) inside the comparison. RESSOURCES include the earnings. NULL when a figure
-- is unknown.
CREATE FUNCTION tznr.ppa_montant(base numeric, part numeric, taux1 numeric, taux2 numeric,
                                 taux3 numeric, couple boolean, enfants integer,
                                 forfait_applies boolean, ressources numeric,
                                 revenus_activite numeric, bonification numeric) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = '' AS
$$
BEGIN
    RETURN tznr.ppa_calcul(base * tznr.rsa_coefficient(couple, enfants), part, revenus_activite, bonification,
                           ressources,
                           CASE WHEN forfait_applies
                                THEN tznr.forfait_logement(base, 1 + CASE WHEN couple THEN 1 ELSE 0 END
                                                                 + GREATEST(enfants, 0), taux1, taux2, taux3)
                                ELSE 0 END);
END
$$;

-- The prime d'activité a household would get on AT, with the parameters in force that day.
-- The extract gives the household's earnings, not each worker's: alone, they are the
-- claimant's; in a couple, the bonification is that of the earnings less one threshold (59
-- SMIC hours), never more than the two partners' whatever the split (docs/rules.md, the
-- approximation and its measured error).
CREATE FUNCTION tznr.ppa_estimate(at date, couple boolean, enfants integer,
                                  forfait_applies boolean, ressources numeric,
                                  revenus_activite numeric) RETURNS numeric
LANGUAGE sql STABLE STRICT SET search_path = '' AS
$$ SELECT tznr.ppa_montant(tznr.param('ppa.montant_base', $1),
                           tznr.param('ppa.part_revenus_activite', $1),
                           tznr.param('ppa.forfait_logement.taux_1', $1),
                           tznr.param('ppa.forfait_logement.taux_2', $1),
                           tznr.param('ppa.forfait_logement.taux_3', $1),
                           $2, $3, $4, $5, $6,
                           tznr.ppa_bonification(tznr.param('ppa.montant_base', $1),
                                                 tznr.param('smic.horaire_brut', $1),
                                                 tznr.param('ppa.bonification.seuil', $1),
                                                 tznr.param('ppa.bonification.plafond', $1),
                                                 tznr.param('ppa.bonification.taux_max', $1),
                                                 $6 - CASE WHEN $2 THEN tznr.param('ppa.bonification.seuil', $1)
                                                                        * tznr.param('smic.horaire_brut', $1)
                                                           ELSE 0 END)) $$;
