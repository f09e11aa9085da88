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
           tznr.param('aide_logement.minoration_forfaitaire', $1::date) AS minoration,
           tznr.param('aide_logement.degressivite.zone_2', $1::date) AS degr_2,
           tznr.param('aide_logement.degressivite.zone_3', $1::date) AS degr_3,
           tznr.param('aide_logement.suppression.zone_2', $1::date) AS suppr_2,
           tznr.param('aide_logement.suppression.zone_3', $1::date) AS suppr_3
), h AS MATERIALIZED (
    -- the tenants without housing aid, their APL zone (2 when the commune is in the zone-2
    -- table, else 3) and the persons in their charge (every member but the claimant and the
    -- partner); a household with another adult (a co-tenant, a lodger, an adult child with
    -- earnings) would raise the ceilings and the allowance of a dependant it may not be: left out
    SELECT f.foyer_id, f.couple, f.nb_personnes, f.loyer, f.ressources, f.sources,
           CASE WHEN z.commune IS NULL THEN 3 ELSE 2 END AS zone,
           GREATEST(f.nb_personnes - 1 - f.couple::int, 0) AS pac
      FROM tznr.run_foyer f
      LEFT JOIN tznr.aide_logement_zone_2 z ON z.commune = f.commune
     WHERE NOT f.recoit_aide_logement
       AND f.loyer > 0
       AND f.ressources IS NOT NULL
       AND f.nb_adultes <= 1 + CASE WHEN f.couple THEN 1 ELSE 0 END
), b AS MATERIALIZED (
    -- the scale of each (zone, couple, persons in charge) present, read once
    SELECT t.zone, t.couple, t.pac, (tznr.aide_logement_bareme($1::date, t.zone, t.couple, t.pac)).*
      FROM (SELECT DISTINCT h.zone, h.couple, h.pac FROM h) t
), m AS (
    SELECT h.*, b.plafond, b.charges,
           LEAST(h.loyer, b.plafond) AS retenu,
           tznr.aide_logement_montant(h.loyer, h.ressources, b.plafond, b.loyer_reference, b.charges,
                                      b.taux_famille, b.r0, g.p0_taux, g.p0_forfait, g.seuil_1,
                                      g.seuil_2, g.taux_2, g.taux_3) AS montant,
           -- high rents (D823-16; OpenFisca aide_logement_montant): the aid falls linearly from
           -- 2.5 times the ceiling to nothing at 3.1 times
           pg_catalog.round(b.plafond * CASE WHEN h.zone = 2 THEN g.degr_2 ELSE g.degr_3 END, 2) AS loyer_degressivite,
           pg_catalog.round(b.plafond * CASE WHEN h.zone = 2 THEN g.suppr_2 ELSE g.suppr_3 END, 2) AS loyer_suppression
      FROM h
      JOIN b ON b.zone = h.zone AND b.couple = h.couple AND b.pac = h.pac
     CROSS JOIN g
), d AS MATERIALIZED (
    -- the aid paid: after the degressivity and the 5 € minoration; the minimum paid applies
    -- to this last amount (D823-16)
    SELECT m.*,
           GREATEST(pg_catalog.round(m.montant * CASE WHEN m.loyer <= m.loyer_degressivite THEN 1
                                                      WHEN m.loyer <= m.loyer_suppression
                                                      THEN 1 - (m.loyer - m.loyer_degressivite)
                                                               / (m.loyer_suppression - m.loyer_degressivite)
                                                      ELSE 0 END, 2) - g.minoration, 0) AS verse
      FROM m CROSS JOIN g
), np AS MATERIALIZED (
    -- why nobody receives it (tznr.non_percu), worked out once for each set of sources a
    -- household of the rule's rows is known to (a few hundred), not once a household nor once
    -- for every household of the territory
    SELECT s.sources, tznr.non_percu('aide_logement', g.registres, s.sources) AS phrase
      FROM (SELECT DISTINCT d.sources FROM d) s CROSS JOIN g
)
SELECT d.foyer_id,
       pg_catalog.round(d.verse, 2) AS estimate,
       'loyer ' || tznr.euros(d.loyer) || '/mois (plafond de la zone ' || d.zone::text || ' pour '
           || tznr.foyer_de(d.nb_personnes) || ' : ' || tznr.euros(d.plafond) || ', loyer retenu '
           || tznr.euros(d.retenu) || '), forfait charges ' || tznr.euros(d.charges)
           || ', participation personnelle ' || tznr.euros(d.retenu + d.charges - d.montant)
           || ' (ressources ' || tznr.euros(d.ressources) || '/mois)'
           || CASE WHEN d.loyer > d.loyer_degressivite
                   THEN ', aide réduite pour un loyer au-delà de ' || tznr.euros(d.loyer_degressivite) ELSE '' END
           || ', aide estimée ' || tznr.euros(d.verse) || '/mois, '
           || np.phrase AS motif
  FROM d
 CROSS JOIN g
  JOIN np ON np.sources = d.sources
 WHERE d.verse >= g.seuil
 ORDER BY d.foyer_id
