-- rule: aide_logement
-- benefit: Aide personnelle au logement (APL, ALF, ALS)
-- owners: caf, msa, bailleur, departement, ccas, autre
-- legal: Code de la construction et de l'habitation, art. L823-1, R823-1 et D823-16 à D823-17 ; arrêté du 27 septembre 2019
-- description: Foyer locataire sans aide au logement dont l'aide estimée sur le barème légal (loyer plafonné + forfait charges - participation personnelle) atteint le minimum versé

WITH g AS MATERIALIZED (
    -- the current registers of the benefit and the scale's scalar figures, read once
    SELECT tznr.registres('aide_logement') AS registres,
           tznr.param('aide_logement.p0.taux', $1::date) AS p0_taux,
           tznr.param('aide_logement.p0.forfait', $1::date) AS p0_forfait,
           tznr.param('aide_logement.tl.seuil_1', $1::date) AS seuil_1,
           tznr.param('aide_logement.tl.seuil_2', $1::date) AS seuil_2,
           tznr.param('aide_logement.tl.taux_2', $1::date) AS taux_2,
           tznr.param('aide_logement.tl.taux_3', $1::date) AS taux_3,
           tznr.param('aide_logement.seuil_versement', $1::date) AS seuil,
           tznr.param('aide_logement.minoration_forfaitaire', $1::date) AS minoration
), h AS MATERIALIZED (
    -- the tenants without housing aid, their APL zone (2 or 3, from the commune) and the
    -- persons in their charge (every member but the claimant and the partner)
    SELECT f.foyer_id, f.couple, f.nb_personnes, f.loyer, f.ressources, f.sources,
           tznr.aide_logement_zone(f.commune) AS zone,
           GREATEST(f.nb_personnes - 1 - f.couple::int, 0) AS pac
      FROM tznr.run_foyer f
     WHERE NOT f.recoit_aide_logement
       AND f.loyer > 0
       AND f.ressources IS NOT NULL
), b AS MATERIALIZED (
    -- the scale of each (zone, couple, persons in charge) present, read once
    SELECT t.zone, t.couple, t.pac, (tznr.aide_logement_bareme($1::date, t.zone, t.couple, t.pac)).*
      FROM (SELECT DISTINCT h.zone, h.couple, h.pac FROM h) t
), m AS (
    SELECT h.*, b.plafond, b.charges,
           LEAST(h.loyer, b.plafond) AS retenu,
           tznr.aide_logement_montant(h.loyer, h.ressources, b.plafond, b.loyer_reference, b.charges,
                                      b.taux_famille, b.r0, g.p0_taux, g.p0_forfait, g.seuil_1,
                                      g.seuil_2, g.taux_2, g.taux_3) AS montant
      FROM h
      JOIN b ON b.zone = h.zone AND b.couple = h.couple AND b.pac = h.pac
     CROSS JOIN g
)
SELECT m.foyer_id,
       pg_catalog.round(m.montant - g.minoration, 2) AS estimate,
       'loyer ' || tznr.euros(m.loyer) || '/mois (plafond zone ' || m.zone::text || ' pour '
           || tznr.foyer_de(m.nb_personnes) || ' : ' || tznr.euros(m.plafond) || ', loyer retenu '
           || tznr.euros(m.retenu) || '), forfait charges ' || tznr.euros(m.charges)
           || ', participation personnelle ' || tznr.euros(m.retenu + m.charges - m.montant)
           || ' (ressources ' || tznr.euros(m.ressources) || '/mois), aide estimée '
           || tznr.euros(m.montant - g.minoration) || '/mois, '
           || tznr.non_percu('aide_logement', g.registres, m.sources) AS motif
  FROM m
 CROSS JOIN g
 WHERE m.montant >= g.seuil
 ORDER BY m.foyer_id
