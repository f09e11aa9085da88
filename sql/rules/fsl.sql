-- rule: fsl
-- benefit: Fonds de solidarité pour le logement (FSL), aide au maintien dans le logement
-- owners: departement, bailleur, caf, msa, ccas, autre
-- legal: Loi n° 90-449 du 31 mai 1990 visant à la mise en oeuvre du droit au logement, art. 6 et suivants
-- description: Foyer locataire avec au moins 2 mois de loyer impayé, aux ressources sous le plafond du FSL, qui n'a pas eu d'aide du FSL

WITH g AS MATERIALIZED (
    -- the current registers of the benefit, read once (tznr.run_register)
    SELECT tznr.registres('fsl') AS registres
), s AS MATERIALIZED (
    -- the ceiling of each household size present, read once a size
    SELECT t.nb_personnes, tznr.fsl_plafond($1::date, t.nb_personnes) AS plafond
      FROM (SELECT DISTINCT f.nb_personnes FROM tznr.run_foyer f) t
), x AS MATERIALIZED (
    -- the rule's households, with their motif up to why nobody receives it
    SELECT f.foyer_id, f.sources,
           'loyer impayé depuis ' || f.impaye_mois::text || ' mois (loyer ' || tznr.euros(f.loyer)
           || '/mois), ressources ' || tznr.euros(f.ressources) || '/mois pour '
           || tznr.foyer_de(f.nb_personnes) || ' (plafond FSL ' || tznr.euros(s.plafond)
           || '/mois), ' AS motif
      FROM tznr.run_foyer f
      JOIN s ON s.nb_personnes = f.nb_personnes
     WHERE NOT f.recoit_fsl
       AND f.loyer > 0
       AND f.impaye_mois >= 2
       AND f.ressources < s.plafond
), np AS MATERIALIZED (
    -- why nobody receives it (tznr.non_percu), worked out once for each set of sources a
    -- household of the rule's rows is known to (a few hundred), not once a household nor once
    -- for every household of the territory
    SELECT s.sources, tznr.non_percu('fsl', g.registres, s.sources) AS phrase
      FROM (SELECT DISTINCT x.sources FROM x) s CROSS JOIN g
)
SELECT x.foyer_id,
       NULL::numeric AS estimate,
       x.motif || np.phrase AS motif
  FROM x
  JOIN np ON np.sources = x.sources
 ORDER BY x.foyer_id
