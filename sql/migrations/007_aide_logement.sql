-- 007: the housing aid's legal scale for a tenant (issue 8), which replaces the screening
-- ceiling by household size of 003 (tznr.aide_logement_plafond, dropped here: no rule reads it
-- any more). Code de la construction et de l'habitation, L823-1, R823-1 and D823-16 to
-- D823-17; arrêté du 27 septembre 2019 as revalued; the figures from OpenFisca-France
-- (model/prestations/aides_logement.py and parameters/prestations_sociales/aides_logement/,
-- cited per row in config/parameters.csv). docs/rules.md (`aide_logement`) gives the formula,
-- a worked example and what stays a proxy. Amounts are monthly euros, R and R0 yearly.

-- The APL zone of the Gironde's communes in zone 2 (INSEE codes); every other commune of the
-- département is in zone 3, none in zone 1. Source: OpenFisca-France
-- openfisca_france/assets/apl/20110914_zonage.csv (the zoning of the arrêté du 17 mars 1978
-- as amended, file of 14 September 2011), its 52 rows of département 33 whose Zonage is 2:
-- 27 of Bordeaux Métropole's 28 communes (Martignas-sur-Jalle, 33273, is zone 3 in that file)
-- and 25 communes around it. A commune missing here, or
-- unknown, is taken as zone 3, whose lower rent ceilings never raise the estimate.
CREATE TABLE tznr.aide_logement_zone_2 (
    commune text PRIMARY KEY
);
INSERT INTO tznr.aide_logement_zone_2 (commune) VALUES
    ('33003'), ('33004'), ('33013'), ('33015'), ('33032'), ('33039'), ('33056'), ('33061'),
    ('33063'), ('33065'), ('33069'), ('33075'), ('33080'), ('33085'), ('33090'), ('33096'),
    ('33099'), ('33118'), ('33119'), ('33122'), ('33162'), ('33165'), ('33167'), ('33192'),
    ('33200'), ('33207'), ('33234'), ('33238'), ('33245'), ('33249'), ('33281'), ('33293'),
    ('33312'), ('33318'), ('33322'), ('33330'), ('33349'), ('33376'), ('33397'), ('33422'),
    ('33433'), ('33434'), ('33449'), ('33483'), ('33487'), ('33496'), ('33519'), ('33522'),
    ('33535'), ('33539'), ('33550'), ('33554');

DROP FUNCTION tznr.aide_logement_plafond(date, integer);

-- The APL zone of COMMUNE (an INSEE code): 2 or 3.
CREATE FUNCTION tznr.aide_logement_zone(commune text) RETURNS integer
LANGUAGE sql STABLE SET search_path = '' AS
$$ SELECT CASE WHEN EXISTS (SELECT 1 FROM tznr.aide_logement_zone_2 z WHERE z.commune = $1) THEN 2 ELSE 3 END $$;

-- The scale's figures on AT for a household of ZONE (2 or 3), COUPLE and PAC persons in its
-- charge (every member but the claimant and the partner): the rent ceiling L (D823-16 and the
-- arrêté: alone, a couple, one person in charge, each further one), the reference rent
-- of TL (the zone-2 ceiling of the same household), the charges forfait C (one amount, plus
-- one per person in charge), the rate TF by household (arrêté art. 14: from the 7th person in
-- charge, 0.0006 less each: OpenFisca's maj_par_enf_supp of -0.0006, stored positive as
-- the file holds no negative value) and the yearly abattement R0 (arrêté art. 15). No NULL
-- figure when a parameter is unknown: tznr.param raises instead.
CREATE FUNCTION tznr.aide_logement_bareme(at date, zone integer, couple boolean, pac integer,
                                          OUT plafond numeric, OUT loyer_reference numeric,
                                          OUT charges numeric, OUT taux_famille numeric,
                                          OUT r0 numeric)
LANGUAGE plpgsql STABLE STRICT SET search_path = '' AS
$$
DECLARE
    p integer := GREATEST(pac, 0);
    z2 numeric;
    z3 numeric;
BEGIN
    IF p = 0 AND NOT couple THEN
        z2 := tznr.param('aide_logement.loyer_plafond.zone_2.seul', at);
        z3 := tznr.param('aide_logement.loyer_plafond.zone_3.seul', at);
        taux_famille := tznr.param('aide_logement.tf.seul', at);
        r0 := tznr.param('aide_logement.r0.seul', at);
    ELSIF p = 0 THEN
        z2 := tznr.param('aide_logement.loyer_plafond.zone_2.couple', at);
        z3 := tznr.param('aide_logement.loyer_plafond.zone_3.couple', at);
        taux_famille := tznr.param('aide_logement.tf.couple', at);
        r0 := tznr.param('aide_logement.r0.couple', at);
    ELSE
        z2 := tznr.param('aide_logement.loyer_plafond.zone_2.un_enfant', at)
            + (p - 1) * tznr.param('aide_logement.loyer_plafond.zone_2.par_enfant_supp', at);
        z3 := tznr.param('aide_logement.loyer_plafond.zone_3.un_enfant', at)
            + (p - 1) * tznr.param('aide_logement.loyer_plafond.zone_3.par_enfant_supp', at);
        taux_famille := CASE LEAST(p, 6)
                            WHEN 1 THEN tznr.param('aide_logement.tf.pac_1', at)
                            WHEN 2 THEN tznr.param('aide_logement.tf.pac_2', at)
                            WHEN 3 THEN tznr.param('aide_logement.tf.pac_3', at)
                            WHEN 4 THEN tznr.param('aide_logement.tf.pac_4', at)
                            WHEN 5 THEN tznr.param('aide_logement.tf.pac_5', at)
                            ELSE tznr.param('aide_logement.tf.pac_6', at) END
                      - GREATEST(p - 6, 0) * tznr.param('aide_logement.tf.pac_supp_baisse', at);
        r0 := CASE LEAST(p, 6)
                  WHEN 1 THEN tznr.param('aide_logement.r0.pac_1', at)
                  WHEN 2 THEN tznr.param('aide_logement.r0.pac_2', at)
                  WHEN 3 THEN tznr.param('aide_logement.r0.pac_3', at)
                  WHEN 4 THEN tznr.param('aide_logement.r0.pac_4', at)
                  WHEN 5 THEN tznr.param('aide_logement.r0.pac_5', at)
                  ELSE tznr.param('aide_logement.r0.pac_6', at) END
            + GREATEST(p - 6, 0) * tznr.param('aide_logement.r0.pac_supp', at);
    END IF;
    plafond := CASE WHEN zone = 2 THEN z2 ELSE z3 END;
    loyer_reference := z2;
    charges := tznr.param('aide_logement.charges.base', at)
             + p * tznr.param('aide_logement.charges.par_enfant', at);
END
$$;

-- The rate TL of the rent L against the reference rent LREF (arrêté art. 14, 2°): 0 while
-- RL = L / LREF is under SEUIL_1, TAUX_2 x (RL - SEUIL_1) up to SEUIL_2, and above it
-- TAUX_2 x (SEUIL_2 - SEUIL_1) + TAUX_3 x (RL - SEUIL_2). RL is not rounded (the arrêté
-- rounds it to the hundredth of a percent, OpenFisca's aide_logement_taux_loyer does not).
CREATE FUNCTION tznr.aide_logement_taux_loyer(l numeric, lref numeric, seuil_1 numeric, seuil_2 numeric,
                                              taux_2 numeric, taux_3 numeric) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = '' AS
$$
DECLARE
    rl numeric := l / lref;
BEGIN
    RETURN CASE WHEN rl < seuil_1 THEN 0
                WHEN rl < seuil_2 THEN taux_2 * (rl - seuil_1)
                ELSE taux_2 * (seuil_2 - seuil_1) + taux_3 * (rl - seuil_2) END;
END
$$;

-- The aid before the minimum paid and the minoration, for a tenant paying LOYER a month with
-- monthly RESSOURCES, on the scale's figures (tznr.aide_logement_bareme and the scalar
-- parameters): L + C - Pp, with L = min(LOYER, PLAFOND), Pp = P0 + (TF + TL) x max(R - R0, 0),
-- P0 = max(P0_TAUX x (L + C), P0_FORFAIT), R = 12 x RESSOURCES rounded up to the hundred
-- euros (as OpenFisca's aide_logement_base_ressources). Negative when the household's
-- participation exceeds its capped rent and charges. A rule calls it once per household.
CREATE FUNCTION tznr.aide_logement_montant(loyer numeric, ressources numeric, plafond numeric,
                                           loyer_reference numeric, charges numeric,
                                           taux_famille numeric, r0 numeric, p0_taux numeric,
                                           p0_forfait numeric, seuil_1 numeric, seuil_2 numeric,
                                           taux_2 numeric, taux_3 numeric) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = '' AS
$$
DECLARE
    l numeric := LEAST(loyer, plafond);
    r numeric := pg_catalog.ceil(12 * ressources / 100) * 100;
BEGIN
    RETURN l + charges
         - GREATEST(p0_taux * (l + charges), p0_forfait)
         - (taux_famille + tznr.aide_logement_taux_loyer(l, loyer_reference, seuil_1, seuil_2, taux_2, taux_3))
           * GREATEST(r - r0, 0);
END
$$;

-- The aid (before the minimum paid and the minoration) a tenant would get on AT, with the
-- parameters in force that day: the definition the rule is tested against.
CREATE FUNCTION tznr.aide_logement_estimate(at date, commune text, couple boolean, pac integer,
                                            loyer numeric, ressources numeric) RETURNS numeric
LANGUAGE sql STABLE SET search_path = '' AS
$$ SELECT tznr.aide_logement_montant($5, $6, b.plafond, b.loyer_reference, b.charges, b.taux_famille, b.r0,
                                     tznr.param('aide_logement.p0.taux', $1),
                                     tznr.param('aide_logement.p0.forfait', $1),
                                     tznr.param('aide_logement.tl.seuil_1', $1),
                                     tznr.param('aide_logement.tl.seuil_2', $1),
                                     tznr.param('aide_logement.tl.taux_2', $1),
                                     tznr.param('aide_logement.tl.taux_3', $1))
     FROM tznr.aide_logement_bareme($1, tznr.aide_logement_zone($2), $3, $4) b $$;
