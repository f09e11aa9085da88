-- rule: aide_logement
-- benefit: Aide personnelle au logement (APL, ALF, ALS)
-- owners: caf, msa, bailleur, departement, ccas, autre
-- legal: Code de la construction et de l'habitation, art. L821-1 et suivants
-- description: Foyer locataire sans aide au logement dont les ressources sont sous le plafond de repérage fixé pour sa taille

WITH g AS MATERIALIZED (
    -- the current registers of the benefit, read once (tznr.run_register)
    SELECT tznr.registres('aide_logement') AS registres
), s AS MATERIALIZED (
    -- the ceiling of each household size present, read once a size
    SELECT t.nb_personnes, tznr.aide_logement_plafond($1::date, t.nb_personnes) AS plafond
      FROM (SELECT DISTINCT f.nb_personnes FROM tznr.run_foyer f) t
)
SELECT f.foyer_id,
       NULL::numeric AS estimate,
       'loyer ' || tznr.euros(f.loyer) || '/mois, ressources ' || tznr.euros(f.ressources)
           || '/mois pour ' || tznr.foyer_de(f.nb_personnes)
           || ' (plafond de repérage ' || tznr.euros(s.plafond)
           || '/mois), ' || tznr.non_percu('aide_logement', g.registres, f.sources) AS motif
  FROM tznr.run_foyer f
  JOIN s ON s.nb_personnes = f.nb_personnes
 CROSS JOIN g
 WHERE NOT f.recoit_aide_logement
   AND f.loyer > 0
   AND f.ressources < s.plafond
 ORDER BY f.foyer_id
