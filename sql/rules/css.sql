-- rule: css
-- benefit: Complémentaire santé solidaire (CSS)
-- owners: cpam, caf, msa, departement, ccas, bailleur, autre
-- legal: Code de la sécurité sociale, art. L861-1 et suivants
-- description: Foyer sans autre adulte que le couple, sans complémentaire santé solidaire alors qu'un membre perçoit le RSA ou que ses ressources annuelles sont sous le plafond de la CSS

WITH g AS MATERIALIZED (
    -- the current registers of the benefit, read once (tznr.run_register)
    SELECT tznr.registres('css') AS registres
), s AS MATERIALIZED (
    -- the yearly ceiling of each household size present, read once a size
    SELECT t.nb_personnes, tznr.css_plafond($1::date, t.nb_personnes) AS plafond
      FROM (SELECT DISTINCT f.nb_personnes FROM tznr.run_foyer f) t
)
SELECT f.foyer_id,
       NULL::numeric AS estimate,
       CASE WHEN f.recoit_rsa
            THEN 'un membre du foyer perçoit le RSA, qui ouvre droit à la CSS sans participation'
            ELSE 'ressources ' || tznr.euros(f.ressources) || '/mois, soit '
                 || tznr.euros(12 * f.ressources) || '/an pour ' || tznr.foyer_de(f.nb_personnes)
                 || ', sous le plafond de la CSS de ' || tznr.euros(s.plafond) || '/an'
       END || ', ' || tznr.non_percu('css', g.registres, f.sources) AS motif
  FROM tznr.run_foyer f
  JOIN s ON s.nb_personnes = f.nb_personnes
 CROSS JOIN g
 WHERE NOT f.recoit_css
   AND (f.recoit_rsa OR 12 * f.ressources <= s.plafond)
   -- an adult who is neither the partner nor a child: the CSS's household cannot be told from
   -- the extract (its own resources), left out
   AND f.nb_adultes <= 1 + CASE WHEN f.couple THEN 1 ELSE 0 END
 ORDER BY f.foyer_id
