-- rule: css
-- benefit: Complémentaire santé solidaire (CSS)
-- owners: cpam, caf, msa, departement, ccas, bailleur, autre
-- legal: Code de la sécurité sociale, art. L861-1 et suivants (ressources et forfait logement : R861-5, R861-7 ; présomptions : L861-2)
-- description: Foyer sans autre adulte que le couple, sans complémentaire santé solidaire alors qu'un membre perçoit le RSA, l'ASPA ou l'AAH sans activité, ou que ses ressources annuelles, forfait logement compris, sont sous le plafond de la CSS

WITH g AS MATERIALIZED (
    -- the current registers of the benefit, read once (tznr.run_register)
    SELECT tznr.registres('css') AS registres
), p AS MATERIALIZED (
    -- the parameters in force on the run date, read once
    SELECT tznr.param('rsa.montant_base', $1::date) AS base,
           tznr.param('css.forfait_logement.avec_al.taux_1p', $1::date) AS al1,
           tznr.param('css.forfait_logement.avec_al.taux_2p', $1::date) AS al2,
           tznr.param('css.forfait_logement.avec_al.taux_3p_plus', $1::date) AS al3,
           tznr.param('css.forfait_logement.sans_al.taux_1p', $1::date) AS sa1,
           tznr.param('css.forfait_logement.sans_al.taux_2p', $1::date) AS sa2,
           tznr.param('css.forfait_logement.sans_al.taux_3p_plus', $1::date) AS sa3,
           tznr.param('css.presomption_aspa', $1::date) = 1 AS presomption_aspa,
           tznr.param('css.presomption_aah', $1::date) = 1 AS presomption_aah
), s AS MATERIALIZED (
    -- the yearly ceiling of each household size present, read once a size
    SELECT t.nb_personnes, tznr.css_plafond($1::date, t.nb_personnes) AS plafond
      FROM (SELECT DISTINCT f.nb_personnes FROM tznr.run_foyer f) t
), f AS (
    -- the yearly forfait logement counted in the resources (R861-5; OpenFisca cmu.py and
    -- ressources.py): 12 x the RSA's base x 1, 1.5 or 1.8 by size, at the rate with housing
    -- aid when the household receives it or may (unknown: the higher rates, the prudent
    -- estimate; the aid is taken as at least the forfait), none for a tenant known to have no
    -- housing aid, the rate without aid for an owner or someone housed free (no rent), or a
    -- rent unknown
    SELECT f.*,
           CASE WHEN f.recoit_aide_logement IS NOT FALSE
                THEN tznr.forfait_logement(12 * p.base, f.nb_personnes, p.al1, p.al2, p.al3)
                WHEN f.loyer > 0 THEN 0
                ELSE tznr.forfait_logement(12 * p.base, f.nb_personnes, p.sa1, p.sa2, p.sa3) END AS forfait,
           -- the ASPA's presumption takes unknown earnings as none (recipients are 65 or more,
           -- and the CARSAT sends no earnings); the AAH's needs them known to be none
           f.recoit_aspa AND p.presomption_aspa AND COALESCE(f.revenus_activite, 0) = 0 AS par_aspa,
           f.recoit_aah AND p.presomption_aah AND f.nb_personnes = 1 AND f.revenus_activite = 0 AS par_aah
      FROM tznr.run_foyer f CROSS JOIN p
     WHERE NOT f.recoit_css
       -- an adult who is neither the partner nor a child: the CSS's household cannot be told
       -- from the extract (its own resources), left out
       AND f.nb_adultes <= 1 + CASE WHEN f.couple THEN 1 ELSE 0 END
), x AS MATERIALIZED (
    -- the rule's households, with their motif up to why nobody receives it
    SELECT f.foyer_id, f.sources,
           CASE WHEN f.recoit_rsa
                THEN 'un membre du foyer perçoit le RSA, qui ouvre droit à la CSS sans participation'
                WHEN f.par_aspa
                THEN 'un membre du foyer perçoit l''ASPA, sans revenus d''activité connus : il est présumé avoir droit à la CSS avec participation financière'
                WHEN f.par_aah
                THEN 'la personne, qui vit seule, perçoit l''AAH sans revenus d''activité : elle est présumée avoir droit à la CSS avec participation financière'
                ELSE 'ressources ' || tznr.euros(f.ressources) || '/mois, soit '
                     || tznr.euros(12 * f.ressources) || '/an'
                     || CASE WHEN f.forfait > 0
                             THEN ' et ' || tznr.euros(pg_catalog.round(f.forfait, 2)) || '/an de forfait logement'
                             ELSE '' END
                     || ' pour ' || tznr.foyer_de(f.nb_personnes)
                     || ', sous le plafond de la CSS de ' || tznr.euros(s.plafond) || '/an'
           END AS motif
      FROM f
      JOIN s ON s.nb_personnes = f.nb_personnes
     WHERE f.recoit_rsa OR f.par_aspa OR f.par_aah OR 12 * f.ressources + f.forfait <= s.plafond
), np AS MATERIALIZED (
    -- why nobody receives it (tznr.non_percu), worked out once for each set of sources a
    -- household of the rule's rows is known to (a few hundred), not once a household nor once
    -- for every household of the territory
    SELECT s.sources, tznr.non_percu('css', g.registres, s.sources) AS phrase
      FROM (SELECT DISTINCT x.sources FROM x) s CROSS JOIN g
)
SELECT x.foyer_id,
       NULL::numeric AS estimate,
       x.motif || ', ' || np.phrase AS motif
  FROM x
  JOIN np ON np.sources = x.sources
 ORDER BY x.foyer_id
