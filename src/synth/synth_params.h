/* synth_params: the benefit parameters the ground truth is computed with, in one place.
 *
 * These values mirror config/parameters.csv (to be generated from OpenFisca-France): when
 * that file changes, change them here too. Amounts are integer cents, rates are written as
 * integers with their scale in the name, so that every rule is evaluated in exact integer
 * arithmetic (no floating point: the same on every machine). */
#ifndef SYNTH_PARAMS_H
#define SYNTH_PARAMS_H

#include <stdint.h>

/* Dated parameters: the row in force at date d is the last one whose start is <= d. A row
 * starts wherever one of its values changes and holds all of them (config/parameters.csv):
 *   rsa.montant_base            646.52 from 2025-04-01 (décret n° 2025-293), 651.69 from
 *                               2026-04-01 (décret n° 2026-220)
 *   ppa.montant_base            633.21 from 2025-04-01 (décret n° 2025-294), 638.28 from
 *                               2026-04-01 (décret n° 2026-222 art. 2)
 *   ppa.part_revenus_activite   0.5985 from 2025-04-01 (décret n° 2025-292; CSS art. D843-3)
 *   smic.horaire_brut           11.88 from 2024-11-01 (décret n° 2024-951), 12.02 from
 *                               2026-01-01 (décret n° 2025-1228), 12.31 from 2026-06-01
 *                               (arrêté du 22 mai 2026)
 *   ppa.bonification.plafond    120 SMIC hours from 2018-10-01 (décret n° 2018-1197), 138 from
 *                               2026-04-01 (décret n° 2026-222 art. 1; CSS art. D843-2)
 *   ppa.bonification.taux_max   0.29101 of the base from 2018-10-01 (décret n° 2018-1197),
 *                               0.377 from 2026-04-01 (décret n° 2026-222 art. 1)
 *   aspa.plafond_seul/_couple   12411.44 / 19268.80 from 2025-01-01 (circulaire Cnav 2024-39),
 *                               12523.14 / 19442.21 from 2026-01-01 (circulaire Cnav 2025-29)
 *   the SMIC of 1 January       for the ASPA's earnings allowance (R815-29): 11.88 in 2025,
 *                               12.02 in 2026 */
typedef struct {
    int from_y, from_m, from_d;   /* first day in force */
    int64_t rsa_base_cents;       /* RSA montant forfaitaire, one person */
    int64_t pa_base_cents;        /* prime d'activité montant forfaitaire, one person */
    int64_t pa_pente_10000;       /* share of earnings added (pente), in 1/10000 */
    int64_t smic_h_cents;         /* gross hourly SMIC */
    int64_t pa_bonif_plafond_h;   /* earnings, in SMIC hours, from which the bonus is full */
    int64_t pa_bonif_taux_100000; /* full bonus as a share of pa_base, in 1/100000 */
    int64_t aspa_single_cents;    /* ASPA yearly ceiling (and maximum), alone */
    int64_t aspa_couple_cents;    /* the same, a couple */
    int64_t smic_jan_h_cents;     /* gross hourly SMIC of 1 January of the year */
} synth_period;

#define SYNTH_PERIODS_INIT {                                    \
    {2025, 4, 1, 64652, 63321, 5985, 1188, 120, 29101, 1241144, 1926880, 1188}, \
    {2026, 1, 1, 64652, 63321, 5985, 1202, 120, 29101, 1252314, 1944221, 1202}, \
    {2026, 4, 1, 65169, 63828, 5985, 1202, 138, 37700, 1252314, 1944221, 1202}, \
    {2026, 6, 1, 65169, 63828, 5985, 1231, 138, 37700, 1252314, 1944221, 1202}, \
}

/* Household coefficient c, in tenths: 1 + 0.5 with a partner; children: couple +0.3 each
 * for the first two, lone parent +0.5 for the first then +0.3 for the second, +0.4 each
 * from the third. */
#define SYNTH_C10_BASE 10
#define SYNTH_C10_PARTNER 5
#define SYNTH_C10_CHILD_COUPLE 3
#define SYNTH_C10_CHILD1_ALONE 5
#define SYNTH_C10_CHILD2_ALONE 3
#define SYNTH_C10_CHILD3_PLUS 4

/* The foyer of the RSA, the prime d'activité and the CSS is the claimant, the partner and
 * the dependent children (CASF L262-2, R262-3; CSS L842-3; CSS R861-2): another adult of the
 * household (role A: an adult child of 21 to 32, a relative) is outside it, and so are his or
 * her own earnings and other income. Its size is 1 + partner + children. (The law would count
 * a person under 25 in the claimant's effective charge; the generator takes its other adults
 * as living on their own means.) */

/* Montant forfaitaire majoré of an isolated parent, no partner, with a child under 3 (CASF
 * L262-9, R262-1; CSS D843-1; OpenFisca-France rsa_majore_eligibilite,
 * ppa_montant_forfaitaire_familial_majore): base x (1.28412 + 0.42804 x children) instead of
 * base x c, for the RSA and the prime d'activité alike (rsa.majoration_isolement.* and
 * ppa.majoration_isolement.*, unchanged since 2016-01-01, décret n° 2015-1710), in 1/100000
 * of the base. The pregnancy and the recent separation that also open it are not modelled. */
#define SYNTH_MAJ_100000_BASE 128412
#define SYNTH_MAJ_100000_CHILD 42804
#define SYNTH_MAJ_CHILD_AGE 3 /* the youngest child under 3 full years on the date */

/* Forfait logement: base x rate, rate in thousandths by the size of the foyer (1 + partner +
 * children): 0.12 for 1, 0.16 for 2, 0.165 for 3 or more (rsa.forfait_logement.*,
 * ppa.forfait_logement.*). Applied unless the household rents (loyer > 0) without
 * receiving aide_logement. Always computed on the base, majoration or not. */
#define SYNTH_FORFAIT_1000_1 120
#define SYNTH_FORFAIT_1000_2 160
#define SYNTH_FORFAIT_1000_3 165

/* RSA: eligible when montant forfaitaire - forfait - ressources >= 6.00, claimant >= 25 or
 * children, claimant under 67: at the full-rate pension age the RSA gives way to the ASPA
 * (CASF L262-10; retraite.age_taux_plein, 67 for the generations born from 1955) */
#define SYNTH_RSA_MIN_CENTS 600
#define SYNTH_RSA_MIN_AGE 25
#define SYNTH_RSA_MAX_AGE 67

/* Prime d'activité (CSS L842-3, D843-1 to D843-3; OpenFisca-France ppa.py):
 *   base*c + pente*revenus_activite + sum of the adults' bonifications
 *   - max(ressources + forfait, base*c) >= 15.00, claimant 18 or older.
 * The bonification of an adult earning e a month: round(taux_max*base, cent) times
 * (e - 59*smic_h) / ((plafond - 59)*smic_h), clamped to [0, that maximum]; the seuil of 59
 * SMIC hours has not changed since 2016-01-01 (décret n° 2015-1710; CSS art. D843-2). */
#define SYNTH_PA_BONIF_SEUIL_H 59
#define SYNTH_PA_MIN_CENTS 1500
#define SYNTH_PA_MIN_AGE 18

/* Aide au logement: the legal scale for a tenant (CCH L823-1, R823-1, D823-16 and D823-17;
 * arrêté du 27 septembre 2019 as revalued; the figures of OpenFisca-France's
 * parameters/prestations_sociales/aides_logement/allocations_logement/locatif/, as
 * config/parameters.csv holds them, docs/rules.md): A = L + C - Pp before degressivity, with
 *   L  = min(loyer, rent ceiling of the zone for: alone, a couple, 1 person in charge + each
 *        further one); persons in charge = every member but the claimant and the partner
 *   C  = charges forfait + one amount per person in charge
 *   Pp = max(8.5 % x (L + C), P0 forfait) + (TF + TL) x max(R - R0, 0), R = 12 x ressources
 *        rounded up to the hundred euros (yearly; R0 yearly, by household)
 *   TF by household; TL = 0.45 % x (RL - 0.45) for RL = L / Lref in [0.45, 0.75), 0.45 % x 0.30
 *        + 0.68 % x (RL - 0.75) above, Lref the zone-2 ceiling of the same household.
 * Degressivity for high rents (D823-16, from 2016-07-01; arrêté du 27 septembre 2019 art. 10,
 * the same coefficients in zones 2 and 3): with P the household's rent ceiling and the real
 * rent loyer, D = round(2.5 x P) and S = round(3.1 x P) to the cent; coefficient 1 if loyer <=
 * D, 1 - (loyer - D) / (S - D) = (S - loyer) / (S - D) if loyer <= S, 0 above. The aid is
 * round(A x coefficient) to the cent less the minoration forfaitaire of 5.00 (art. 11; from
 * 2017-10-01), floored at 0, and paid from 10.00 (the minimum paid, art. 12) on that final
 * amount: entitled when round(A x coefficient) - 5.00 >= 10.00.
 * Dated rows (the rent ceilings, charges and P0 move on 1 October, R0 on 1 January; the
 * generator's dates start on 2025-04-01): amounts in cents, R0 in cents a year. */
typedef struct {
    int from_y, from_m, from_d;
    int64_t z2[4], z3[4];  /* rent ceilings: alone, couple, 1 in charge, each further one */
    int64_t charges, charges_pac, p0;
    int64_t r0[8];         /* alone, couple, 1 to 6 in charge */
    int64_t r0_pac_supp;   /* each person in charge from the 7th */
} synth_al_scale;

#define SYNTH_AL_SCALES_INIT {                                                              \
    /* ceilings, charges, P0 of 2024-10-01 (arrêté du 27/09/2024); R0 of 2025-01-01      */ \
    {2025, 4, 1, {28735, 35172, 39577, 5761}, {26932, 32648, 36607, 5247}, 5997, 1360, 3915, \
     {523500, 750100, 894700, 914800, 949800, 985100, 1020200, 1055400}, 34600},            \
    /* ceilings, charges, P0 of 2025-10-01 (arrêté du 05/09/2025); R0 unchanged in 2026   */ \
    {2025, 10, 1, {29034, 35538, 39989, 5821}, {27212, 32988, 36988, 5301}, 6059, 1374, 3956, \
     {523500, 750100, 894700, 914800, 949800, 985100, 1020200, 1055400}, 34600},            \
}
/* TF in 1/10000: alone, couple, 1 to 6 in charge; 0.0006 less for each from the 7th */
#define SYNTH_AL_TF_INIT {283, 315, 270, 238, 201, 185, 179, 173}
#define SYNTH_AL_TF_BAISSE 6
#define SYNTH_AL_P0_TAUX_1000 85
#define SYNTH_AL_TL_SEUIL1_100 45
#define SYNTH_AL_TL_SEUIL2_100 75
#define SYNTH_AL_TL_TAUX2_10000 45
#define SYNTH_AL_TL_TAUX3_10000 68
#define SYNTH_AL_MIN_CENTS 1000
#define SYNTH_AL_MINORATION_CENTS 500
#define SYNTH_AL_DEGRESSIVITE_10 25
#define SYNTH_AL_SUPPRESSION_10 31
/* The APL zone 2 communes of the Gironde (INSEE codes), every other one in zone 3:
 * OpenFisca-France openfisca_france/assets/apl/20110914_zonage.csv, as
 * sql/migrations/007_aide_logement.sql. */
#define SYNTH_AL_ZONE2_INIT { \
    "33003", "33004", "33013", "33015", "33032", "33039", "33056", "33061", "33063", \
    "33065", "33069", "33075", "33080", "33085", "33090", "33096", "33099", "33118", \
    "33119", "33122", "33162", "33165", "33167", "33192", "33200", "33207", "33234", \
    "33238", "33245", "33249", "33281", "33293", "33312", "33318", "33322", "33330", \
    "33349", "33376", "33397", "33422", "33433", "33434", "33449", "33483", "33487", \
    "33496", "33519", "33522", "33535", "33539", "33550", "33554" \
}

/* Complémentaire santé solidaire (the ceiling of the CSS with a contribution, which
 * includes the free one; CSS L861-1, R861-3): 12 x ressources + forfait <= 13957 x (1 + 0.5
 * for the 2nd person + 0.3 each for the 3rd and 4th + 0.4 each from the 5th), the persons and
 * the resources being the foyer's. */
#define SYNTH_CSS_YEAR_CENTS 1395700
#define SYNTH_CSS_C10_2ND 5
#define SYNTH_CSS_C10_3RD_4TH 3
#define SYNTH_CSS_C10_5TH_PLUS 4
/* The yearly forfait logement of the CSS (R861-5, R861-7; OpenFisca-France cmu.py,
 * ressources.py): 12 x the RSA base x 1, 1.5, 1.8 for 1, 2, 3 or more persons x a rate, in
 * thousandths: with housing aid 0.12, 0.16, 0.165 (css.forfait_logement.avec_al.*: the law
 * takes the smaller of the year's aid and this amount; the generator has no aid amount and
 * takes this one); without, for an owner or someone housed free (no rent), 0.12, 0.14, 0.14
 * (css.forfait_logement.sans_al.*); a tenant without housing aid has none. */
#define SYNTH_CSS_FL_AL_1000_1 120
#define SYNTH_CSS_FL_AL_1000_2 160
#define SYNTH_CSS_FL_AL_1000_3 165
#define SYNTH_CSS_FL_FREE_1000_1 120
#define SYNTH_CSS_FL_FREE_1000_2 140
#define SYNTH_CSS_FL_FREE_1000_3 140
/* Presumptions of entitlement (L861-2), as yyyymmdd of their first day: a foyer where someone
 * receives the ASPA and nobody has earnings, from 2022-04-01 (loi n° 2021-1754 art. 88, décret
 * n° 2022-579; css.presomption_aspa); a person living alone without children who receives the
 * AAH and has no earnings, from 2025-07-01 (loi n° 2023-1250 art. 45; css.presomption_aah). */
#define SYNTH_CSS_PRESUME_ASPA_FROM 20220401
#define SYNTH_CSS_PRESUME_AAH_FROM 20250701

/* ASPA: claimant >= 65, alone or a couple of two, 12 x resources < the yearly ceiling of the
 * period, the earnings disregarded up to 0.9 (alone) or 1.5 (couple) times the monthly gross
 * SMIC of 1 January (hourly x 151.67) a quarter (CSS R815-29; aspa.abattement_revenus_activite.*,
 * smic.heures_mensuelles) */
#define SYNTH_ASPA_MIN_AGE 65
#define SYNTH_ASPA_ABAT10_SINGLE 9
#define SYNTH_ASPA_ABAT10_COUPLE 15
#define SYNTH_SMIC_HOURS_100 15167

/* FSL: rent, arrears >= 2 months, ressources < 1600 + 500 per extra person */
#define SYNTH_FSL_MIN_ARREARS 2
#define SYNTH_FSL_BASE_CENTS 160000
#define SYNTH_FSL_PER_PERSON_CENTS 50000

#endif
