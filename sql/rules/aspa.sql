-- rule: aspa
-- benefit: Allocation de solidarité aux personnes âgées (ASPA)
-- owners: carsat, departement, ccas, caf, msa, bailleur, autre
-- legal: Code de la sécurité sociale, art. L815-1 et suivants (montant : L815-4, D815-1 ; abattement sur les revenus d'activité : R815-29)
-- description: Demandeur de 65 ans ou plus, seul ou en couple sans autre personne au foyer, dont les ressources, revenus d'activité abattus, sont sous le plafond de l'ASPA et dont aucun membre ne la perçoit

WITH g AS MATERIALIZED (
    -- the current registers of the benefit, read once (tznr.run_register)
    SELECT tznr.registres('aspa') AS registres
), p AS MATERIALIZED (
    -- the yearly ceilings in force on the run date (the maxima are equal to them), and the
    -- monthly share of the quarterly allowance on earnings: 0.9 (alone) or 1.5 (couple) times
    -- the monthly gross SMIC of 1 January, a quarter (R815-29; OpenFisca asi_aspa.py)
    SELECT tznr.aspa_plafond($1::date, false) AS seul, tznr.aspa_plafond($1::date, true) AS couple,
           tznr.param('smic.horaire_brut', pg_catalog.make_date(pg_catalog.date_part('year', $1::date)::integer, 1, 1))
             * tznr.param('smic.heures_mensuelles', $1::date) / 3 AS smic_mois_par_trimestre,
           tznr.param('aspa.abattement_revenus_activite.seul', $1::date) AS abat_seul,
           tznr.param('aspa.abattement_revenus_activite.couple', $1::date) AS abat_couple,
           pg_catalog.date_part('year', $1::date)::integer AS annee
), f AS (
    -- alone, or a couple of two adults with nobody else
    SELECT f.foyer_id, f.claimant_age, f.nb_personnes, f.sources, f.couple,
           -- the resources include the earnings; the two figures may come from two agencies
           GREATEST(f.ressources, COALESCE(f.revenus_activite, 0)) AS ressources,
           f.nb_personnes = 2 AS en_couple,
           -- the partner of age as well (by birth year): the couple's maximum; else, or when
           -- the partner's age is unknown, at most a single person's (L815-4; OpenFisca's
           -- tests/formulas/aspa.yaml, "Cas N°1")
           f.nb_personnes = 2 AND p.annee - f.partner_birth_year >= 65 AS deux_allocataires,
           LEAST(COALESCE(f.revenus_activite, 0),
                 CASE WHEN f.nb_personnes = 2 THEN p.abat_couple ELSE p.abat_seul END * p.smic_mois_par_trimestre)
             AS abattement
      FROM tznr.run_foyer f CROSS JOIN p
     WHERE NOT f.recoit_aspa
       AND f.claimant_age >= 65
       AND f.nb_enfants = 0
       AND (f.nb_personnes = 1 OR (f.nb_personnes = 2 AND f.couple))
       AND f.ressources IS NOT NULL
), c AS MATERIALIZED (
    SELECT f.*, f.ressources - f.abattement AS ressources_aspa,
           CASE WHEN f.en_couple THEN p.couple ELSE p.seul END AS plafond,
           CASE WHEN f.deux_allocataires THEN p.couple ELSE p.seul END AS maximum
      FROM f CROSS JOIN p
), np AS MATERIALIZED (
    -- why nobody receives it (tznr.non_percu), worked out once for each set of sources a
    -- household of the rule's rows is known to (a few hundred), not once a household nor once
    -- for every household of the territory
    SELECT s.sources, tznr.non_percu('aspa', g.registres, s.sources) AS phrase
      FROM (SELECT DISTINCT c.sources FROM c) s CROSS JOIN g
)
SELECT c.foyer_id,
       pg_catalog.round(LEAST(c.maximum / 12, c.plafond / 12 - c.ressources_aspa), 2) AS estimate,
       'demandeur de ' || c.claimant_age::text || ' ans '
           || CASE WHEN c.en_couple THEN 'en couple' ELSE 'vivant seul' END
           || ', ressources ' || tznr.euros(c.ressources) || '/mois'
           || CASE WHEN c.abattement > 0
                   THEN ', dont ' || tznr.euros(pg_catalog.round(c.abattement, 2))
                        || ' de revenus d''activité non comptés, soit ' || tznr.euros(pg_catalog.round(c.ressources_aspa, 2))
                        || ' retenus,'
                   ELSE '' END
           || ' sous le plafond de l''ASPA de '
           || tznr.euros(c.plafond / 12) || '/mois, ASPA estimée '
           || tznr.euros(LEAST(c.maximum / 12, c.plafond / 12 - c.ressources_aspa)) || '/mois'
           || CASE WHEN c.maximum / 12 < c.plafond / 12 - c.ressources_aspa
                   THEN ' (au plus le montant d''une personne seule : le conjoint n''a pas 65 ans ou son âge n''est pas connu)'
                   ELSE '' END
           || ', ' || np.phrase AS motif
  FROM c CROSS JOIN g
  JOIN np ON np.sources = c.sources
 WHERE 12 * c.ressources_aspa < c.plafond
 ORDER BY c.foyer_id
