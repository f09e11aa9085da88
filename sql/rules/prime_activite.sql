-- rule: prime_activite
-- benefit: Prime d'activité
-- owners: caf, msa, departement, ccas, bailleur, france_travail, autre
-- legal: Code de la sécurité sociale, art. L841-1 et suivants
-- description: Foyer qui a des revenus d'activité, dont la prime d'activité estimée atteint 15 € par mois et dont aucun membre ne la perçoit

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
           tznr.param('ppa.seuil_versement', $1::date) AS seuil
), f AS (
    -- the forfait logement as for the RSA, deducted unless the household is known to rent
    -- (rent > 0) and known to have no housing aid
    SELECT f.*, NOT (COALESCE(f.loyer, 0) > 0 AND f.recoit_aide_logement IS FALSE) AS forfait
      FROM tznr.run_foyer f
     WHERE NOT f.recoit_prime_activite
       AND f.revenus_activite > 0
       AND f.ressources IS NOT NULL
), c AS MATERIALIZED (
    -- tznr.ppa_estimate's formula (tznr.ppa_montant) on these parameters
    SELECT f.foyer_id, f.couple, f.nb_enfants, f.ressources, f.revenus_activite, f.forfait, p.seuil, f.sources,
           tznr.ppa_montant(p.base, p.part, p.taux1, p.taux2, p.taux3, f.couple, f.nb_enfants,
                            f.forfait, f.ressources, f.revenus_activite) AS estimate
      FROM f CROSS JOIN p
)
SELECT c.foyer_id,
       pg_catalog.round(c.estimate, 2) AS estimate,
       'revenus d''activité ' || tznr.euros(c.revenus_activite) || '/mois (ressources '
           || tznr.euros(c.ressources) || '/mois) pour '
           || tznr.composition(c.couple, c.nb_enfants)
           || ', prime d''activité estimée ' || tznr.euros(pg_catalog.round(c.estimate)) || '/mois'
           || CASE WHEN c.forfait THEN ' (forfait logement déduit)' ELSE '' END
           || ', ' || tznr.non_percu('prime_activite', g.registres, c.sources) AS motif
  FROM c CROSS JOIN g
 WHERE c.estimate >= c.seuil
 ORDER BY c.foyer_id
