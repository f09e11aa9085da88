-- rule: prime_activite
-- benefit: Prime d'activité
-- owners: caf, msa, departement, ccas, bailleur, france_travail, autre
-- legal: Code de la sécurité sociale, art. L841-1 et suivants, L842-3, D843-1 à D843-3
-- description: Foyer qui a des revenus d'activité, dont le demandeur a au moins 18 ans, sans autre adulte que le couple, dont la prime d'activité estimée atteint 15 € par mois et dont aucun membre ne la perçoit

WITH g AS MATERIALIZED (
    -- the current registers of the benefit, read once (tznr.run_register)
    SELECT tznr.registres('prime_activite') AS registres
), p AS MATERIALIZED (
    -- the parameters in force on the run date, read once
    SELECT tznr.param('ppa.montant_base', $1::date) AS base,
           tznr.param('ppa.part_revenus_activite', $1::date) AS part,
           tznr.param('ppa.forfait_logement.taux_1', $1::date) AS taux1,
           tznr.param('ppa.forfait_logement.taux_2', $1::date) AS taux2,
           tznr.param('ppa.forfait_logement.taux_3', $1::date) AS taux3,
           tznr.param('ppa.seuil_versement', $1::date) AS seuil,
           tznr.param('ppa.age_minimum', $1::date) AS age_min,
           tznr.param('smic.horaire_brut', $1::date) AS smic_h,
           tznr.param('ppa.bonification.seuil', $1::date) AS bonif_seuil,
           tznr.param('ppa.bonification.plafond', $1::date) AS bonif_plafond,
           tznr.param('ppa.bonification.taux_max', $1::date) AS bonif_taux,
           tznr.param('ppa.majoration_isolement.base', $1::date) AS maj_base,
           tznr.param('ppa.majoration_isolement.par_enfant', $1::date) AS maj_enfant
), f AS (
    -- the forfait logement as for the RSA, counted unless the household is known to rent
    -- (rent > 0) and known to have no housing aid; the claimant of age (L842-2); an adult who
    -- is neither the partner nor a child is outside the prime's household: left out
    SELECT f.foyer_id, f.couple, f.nb_enfants, f.revenus_activite, f.sources,
           -- the resources include the earnings; the two figures may come from two agencies
           GREATEST(f.ressources, f.revenus_activite) AS ressources,
           NOT (COALESCE(f.loyer, 0) > 0 AND f.recoit_aide_logement IS FALSE) AS forfait,
           tznr.parent_isole_jeune_enfant($1::date, f.couple, f.nb_enfants, f.youngest_child_birth_year) AS majore
      FROM tznr.run_foyer f CROSS JOIN p
     WHERE NOT f.recoit_prime_activite
       AND f.revenus_activite > 0
       AND f.ressources IS NOT NULL
       AND f.claimant_age >= p.age_min
       AND f.nb_adultes <= 1 + CASE WHEN f.couple THEN 1 ELSE 0 END
), b AS (
    -- the bonification is each worker's (D843-2) and the extract gives the household's
    -- earnings only: alone, the claimant's; in a couple, the bonification of the earnings
    -- less one threshold (59 SMIC hours), never more than the two partners' bonifications
    -- whatever the split (docs/rules.md)
    SELECT f.*, tznr.ppa_bonification(p.base, p.smic_h, p.bonif_seuil, p.bonif_plafond, p.bonif_taux,
                                      f.revenus_activite
                                      - CASE WHEN f.couple THEN p.bonif_seuil * p.smic_h ELSE 0 END) AS bonification
      FROM f CROSS JOIN p
), c AS (
    -- the montant forfaitaire (majoré for an isolated parent with a child under 3) and the
    -- forfait logement (on the base, by size), then tznr.ppa_calcul
    SELECT b.foyer_id, b.couple, b.nb_enfants, b.ressources, b.revenus_activite, b.forfait, b.sources,
           b.bonification, b.majore, p.seuil, p.part,
           tznr.montant_forfaitaire(p.base, b.couple, b.nb_enfants, b.majore, p.maj_base, p.maj_enfant) AS montant,
           CASE WHEN b.forfait
                THEN tznr.forfait_logement(p.base, 1 + CASE WHEN b.couple THEN 1 ELSE 0 END + GREATEST(b.nb_enfants, 0),
                                           p.taux1, p.taux2, p.taux3)
                ELSE 0 END AS forfait_logement
      FROM b CROSS JOIN p
), e AS MATERIALIZED (
    SELECT c.*, tznr.ppa_calcul(c.montant, c.part, c.revenus_activite, c.bonification, c.ressources,
                                c.forfait_logement) AS estimate
      FROM c
), np AS MATERIALIZED (
    -- why nobody receives it (tznr.non_percu), worked out once for each set of sources a
    -- household of the rule's rows is known to (a few hundred), not once a household nor once
    -- for every household of the territory
    SELECT s.sources, tznr.non_percu('prime_activite', g.registres, s.sources) AS phrase
      FROM (SELECT DISTINCT e.sources FROM e) s CROSS JOIN g
)
SELECT c.foyer_id,
       pg_catalog.round(c.estimate, 2) AS estimate,
       'revenus d''activité ' || tznr.euros(c.revenus_activite) || '/mois (ressources '
           || tznr.euros(c.ressources) || '/mois) pour '
           || tznr.composition(c.couple, c.nb_enfants)
           || ', prime d''activité estimée ' || tznr.euros(pg_catalog.round(c.estimate, 2)) || '/mois'
           || ' (montant forfaitaire ' || CASE WHEN c.majore THEN 'majoré pour un parent isolé ' ELSE '' END
           || tznr.euros(pg_catalog.round(c.montant, 2))
           || ' + ' || pg_catalog.replace(pg_catalog.rtrim(pg_catalog.to_char(100 * c.part, 'FM990.99'), '.'), '.', ',')
           || ' % des revenus d''activité, soit ' || tznr.euros(pg_catalog.round(c.part * c.revenus_activite, 2))
           || CASE WHEN c.bonification > 0
                   THEN ' + bonification ' || tznr.euros(pg_catalog.round(c.bonification, 2)) ELSE '' END
           || ' − '
           || CASE WHEN c.ressources + c.forfait_logement > c.montant
                   THEN 'ressources ' || tznr.euros(pg_catalog.round(c.ressources, 2))
                        || CASE WHEN c.forfait_logement > 0
                                THEN ' et forfait logement ' || tznr.euros(pg_catalog.round(c.forfait_logement, 2))
                                ELSE '' END
                   ELSE 'montant forfaitaire, plus élevé que les ressources'
                        || CASE WHEN c.forfait_logement > 0 THEN ' et le forfait logement' ELSE '' END END
           || ')'
           || ', ' || np.phrase AS motif
  FROM e AS c CROSS JOIN g
  JOIN np ON np.sources = c.sources
 WHERE c.estimate >= c.seuil
 ORDER BY c.foyer_id
