-- rule: rsa
-- benefit: Revenu de solidarité active (RSA)
-- owners: departement, caf, msa, ccas, bailleur, france_travail, autre
-- legal: Code de l'action sociale et des familles, art. L262-1 et suivants
-- description: Foyer dont les ressources connues ouvriraient un RSA d'au moins 6 € par mois et dont aucun membre ne perçoit le RSA

WITH g AS MATERIALIZED (
    -- the current registers of the benefit, read once (tznr.run_register)
    SELECT tznr.registres('rsa') AS registres
), p AS MATERIALIZED (
    -- the parameters in force on the run date, read once
    SELECT tznr.param('rsa.montant_base', $1::date) AS base,
           tznr.param('rsa.forfait_logement.taux_1', $1::date) AS taux1,
           tznr.param('rsa.forfait_logement.taux_2', $1::date) AS taux2,
           tznr.param('rsa.forfait_logement.taux_3', $1::date) AS taux3,
           tznr.param('rsa.seuil_versement', $1::date) AS seuil
), f AS (
    -- the forfait logement is deducted unless the household is known to rent (rent > 0) and
    -- known to have no housing aid: an unknown rent or aid leaves it deducted (the prudent
    -- estimate); "nobody receives the RSA" must be known (a NULL flag is no candidate)
    SELECT f.*, NOT (COALESCE(f.loyer, 0) > 0 AND f.recoit_aide_logement IS FALSE) AS forfait
      FROM tznr.run_foyer f
     WHERE NOT f.recoit_rsa
       AND f.ressources IS NOT NULL
       AND (f.claimant_age >= 25 OR f.nb_enfants > 0)
), c AS MATERIALIZED (
    -- tznr.rsa_estimate's formula (tznr.rsa_montant) on these parameters
    SELECT f.foyer_id, f.couple, f.nb_enfants, f.ressources, f.forfait, p.seuil, f.sources,
           tznr.rsa_montant(p.base, p.taux1, p.taux2, p.taux3, f.couple, f.nb_enfants, f.forfait,
                            f.ressources) AS estimate
      FROM f CROSS JOIN p
)
SELECT c.foyer_id,
       pg_catalog.round(c.estimate, 2) AS estimate,
       'ressources ' || tznr.euros(c.ressources) || '/mois pour '
           || tznr.composition(c.couple, c.nb_enfants)
           || ', RSA estimé ' || tznr.euros(pg_catalog.round(c.estimate)) || '/mois'
           || CASE WHEN c.forfait THEN ' (forfait logement déduit)' ELSE '' END
           || ', ' || tznr.non_percu('rsa', g.registres, c.sources) AS motif
  FROM c CROSS JOIN g
 WHERE c.estimate >= c.seuil
 ORDER BY c.foyer_id
