-- 006: the RSA's, the prime d'activité's and the ASPA's household rules of issue 8: the majoration for an
-- isolated parent (CASF L262-9 and R262-1; CSS L842-3 and D843-1; OpenFisca-France
-- rsa_majore_eligibilite, ppa_montant_forfaitaire_familial_majore), the RSA's end at the
-- full-rate pension age (CASF L262-10: from then the ASPA comes first), and the household's
-- youngest child, which the majoration needs.

-- The birth year of the household's youngest child (role E), NULL when none is known; the
-- partner's (role C), which the ASPA's amount for a couple needs.
ALTER TABLE tznr.run_foyer ADD COLUMN youngest_child_birth_year integer;
ALTER TABLE tznr.run_foyer ADD COLUMN partner_birth_year integer;

-- Whether a household is an isolated parent with a child under 3 as far as birth years tell:
-- alone, with children, the youngest born in the run's year or the two before (a child born
-- three years before the run's year may still be 2: it is not counted, so the majoration is
-- never given where it may not be due; docs/rules.md).
CREATE FUNCTION tznr.parent_isole_jeune_enfant(at date, couple boolean, enfants integer,
                                               youngest_child_birth_year integer) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE SET search_path = '' AS
$$
BEGIN
    RETURN couple IS FALSE AND enfants > 0 AND youngest_child_birth_year IS NOT NULL
       AND pg_catalog.date_part('year', at)::integer - youngest_child_birth_year <= 2;
END
$$;

-- The montant forfaitaire of a household: BASE x the household coefficient, or, for an
-- isolated parent with a young child (MAJORE), BASE x (MAJ_BASE + MAJ_ENFANT x ENFANTS).
CREATE FUNCTION tznr.montant_forfaitaire(base numeric, couple boolean, enfants integer, majore boolean,
                                         maj_base numeric, maj_enfant numeric) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = '' AS
$$
BEGIN
    IF majore THEN
        RETURN base * (maj_base + maj_enfant * GREATEST(enfants, 0));
    END IF;
    RETURN base * tznr.rsa_coefficient(couple, enfants);
END
$$;
