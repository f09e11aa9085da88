-- rule: aspa
-- benefit: Allocation de solidarité aux personnes âgées (ASPA)
-- owners: carsat, departement, ccas, caf, msa, bailleur, autre
-- legal: Code de la sécurité sociale, art. L815-1 et suivants
-- description: Demandeur de 65 ans ou plus, seul ou en couple sans autre personne au foyer, dont les ressources sont sous le plafond de l'ASPA et dont aucun membre ne la perçoit

WITH g AS MATERIALIZED (
    -- the current registers of the benefit, read once (tznr.run_register)
    SELECT tznr.registres('aspa') AS registres
), p AS MATERIALIZED (
    -- the two yearly ceilings in force on the run date, read once
    SELECT tznr.aspa_plafond($1::date, false) AS seul, tznr.aspa_plafond($1::date, true) AS couple
), c AS MATERIALIZED (
    -- alone, or a couple of two adults with nobody else
    SELECT f.foyer_id, f.claimant_age, f.nb_personnes, f.ressources, f.sources,
           CASE WHEN f.nb_personnes = 2 THEN p.couple ELSE p.seul END AS plafond
      FROM tznr.run_foyer f CROSS JOIN p
     WHERE NOT f.recoit_aspa
       AND f.claimant_age >= 65
       AND f.nb_enfants = 0
       AND (f.nb_personnes = 1 OR (f.nb_personnes = 2 AND f.couple))
       AND f.ressources IS NOT NULL
)
SELECT c.foyer_id,
       pg_catalog.round(c.plafond / 12 - c.ressources, 2) AS estimate,
       'demandeur de ' || c.claimant_age::text || ' ans '
           || CASE WHEN c.nb_personnes = 2 THEN 'en couple' ELSE 'vivant seul' END
           || ', ressources ' || tznr.euros(c.ressources) || '/mois sous le plafond de l''ASPA de '
           || tznr.euros(c.plafond / 12) || '/mois, ASPA estimée '
           || tznr.euros(c.plafond / 12 - c.ressources) || '/mois, '
           || tznr.non_percu('aspa', g.registres, c.sources) AS motif
  FROM c CROSS JOIN g
 WHERE 12 * c.ressources < c.plafond
 ORDER BY c.foyer_id
