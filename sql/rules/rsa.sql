-- rule: rsa
-- benefit: Revenu de solidarité active (RSA)
-- owners: departement, caf, msa, ccas, bailleur, france_travail, autre
-- legal: Code de l'action sociale et des familles, art. L262-1 et suivants (montant : L262-2, L262-9, R262-1 ; forfait logement : R262-9 et R262-10 ; âge de la retraite à taux plein : L262-10)
-- description: Foyer dont les ressources connues ouvriraient un RSA d'au moins 6 € par mois, dont le demandeur n'a pas l'âge où l'ASPA passe avant (67 ans depuis juillet 2020), sans autre adulte que le couple, et dont aucun membre ne perçoit le RSA

WITH g AS MATERIALIZED (
    -- the current registers of the benefit, read once (tznr.run_register)
    SELECT tznr.registres('rsa') AS registres
), p AS MATERIALIZED (
    -- the parameters in force on the run date, read once
    SELECT tznr.param('rsa.montant_base', $1::date) AS base,
           tznr.param('rsa.forfait_logement.taux_1', $1::date) AS taux1,
           tznr.param('rsa.forfait_logement.taux_2', $1::date) AS taux2,
           tznr.param('rsa.forfait_logement.taux_3', $1::date) AS taux3,
           tznr.param('rsa.seuil_versement', $1::date) AS seuil,
           tznr.param('rsa.majoration_isolement.base', $1::date) AS maj_base,
           tznr.param('rsa.majoration_isolement.par_enfant', $1::date) AS maj_enfant,
           tznr.param('rsa.age_aspa_prioritaire', $1::date) AS age_retraite
), f AS (
    -- the forfait logement is deducted unless the household is known to rent (rent > 0) and
    -- known to have no housing aid: an unknown rent or aid leaves it deducted (the prudent
    -- estimate); "nobody receives the RSA" must be known (a NULL flag is no candidate). From
    -- the full-rate pension age (67 since 2020-07-01, 65 before) the ASPA comes first
    -- (L262-10): the ASPA rule's household. An
    -- adult who is neither the partner nor a child is outside the RSA's household, whose
    -- resources the extract cannot tell apart: left out.
    SELECT f.*, NOT (COALESCE(f.loyer, 0) > 0 AND f.recoit_aide_logement IS FALSE) AS forfait,
           tznr.parent_isole_jeune_enfant($1::date, f.couple, f.nb_enfants, f.youngest_child_birth_year) AS majore
      FROM tznr.run_foyer f CROSS JOIN p
     WHERE NOT f.recoit_rsa
       AND f.ressources IS NOT NULL
       AND (f.claimant_age >= 25 OR f.nb_enfants > 0)
       AND (f.claimant_age < p.age_retraite OR f.claimant_age IS NULL)
       AND f.nb_adultes <= 1 + CASE WHEN f.couple THEN 1 ELSE 0 END
), c AS MATERIALIZED (
    -- the montant forfaitaire (majoré for an isolated parent with a child under 3), less the
    -- forfait logement (on the base, by size), less the resources
    SELECT f.foyer_id, f.couple, f.nb_enfants, f.ressources, f.forfait, f.majore, f.sources, p.seuil,
           tznr.montant_forfaitaire(p.base, f.couple, f.nb_enfants, f.majore, p.maj_base, p.maj_enfant)
             - CASE WHEN f.forfait
                    THEN tznr.forfait_logement(p.base, 1 + CASE WHEN f.couple THEN 1 ELSE 0 END + GREATEST(f.nb_enfants, 0),
                                               p.taux1, p.taux2, p.taux3)
                    ELSE 0 END
             - f.ressources AS estimate
      FROM f CROSS JOIN p
), np AS MATERIALIZED (
    -- why nobody receives it (tznr.non_percu), worked out once for each set of sources a
    -- household of the rule's rows is known to (a few hundred), not once a household nor once
    -- for every household of the territory
    SELECT s.sources, tznr.non_percu('rsa', g.registres, s.sources) AS phrase
      FROM (SELECT DISTINCT c.sources FROM c) s CROSS JOIN g
)
SELECT c.foyer_id,
       pg_catalog.round(c.estimate, 2) AS estimate,
       'ressources ' || tznr.euros(c.ressources) || '/mois pour '
           || tznr.composition(c.couple, c.nb_enfants)
           || ', RSA ' || CASE WHEN c.majore THEN 'majoré (parent isolé, enfant de moins de 3 ans) ' ELSE '' END
           || 'estimé ' || tznr.euros(pg_catalog.round(c.estimate, 2)) || '/mois'
           || CASE WHEN c.forfait THEN ' (forfait logement déduit)' ELSE '' END
           || ', ' || np.phrase AS motif
  FROM c CROSS JOIN g
  JOIN np ON np.sources = c.sources
 WHERE c.estimate >= c.seuil
 ORDER BY c.foyer_id
