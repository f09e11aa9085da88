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
 *                               0.377 from 2026-04-01 (décret n° 2026-222 art. 1) */
typedef struct {
    int from_y, from_m, from_d;   /* first day in force */
    int64_t rsa_base_cents;       /* RSA montant forfaitaire, one person */
    int64_t pa_base_cents;        /* prime d'activité montant forfaitaire, one person */
    int64_t pa_pente_10000;       /* share of earnings added (pente), in 1/10000 */
    int64_t smic_h_cents;         /* gross hourly SMIC */
    int64_t pa_bonif_plafond_h;   /* earnings, in SMIC hours, from which the bonus is full */
    int64_t pa_bonif_taux_100000; /* full bonus as a share of pa_base, in 1/100000 */
} synth_period;

#define SYNTH_PERIODS_INIT {                                    \
    {2025, 4, 1, 64652, 63321, 5985, 1188, 120, 29101},         \
    {2026, 1, 1, 64652, 63321, 5985, 1202, 120, 29101},         \
    {2026, 4, 1, 65169, 63828, 5985, 1202, 138, 37700},         \
    {2026, 6, 1, 65169, 63828, 5985, 1231, 138, 37700},         \
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

/* Forfait logement: base x rate, rate in thousandths by the size used by the coefficient
 * (1 + partner + children): 0.12 for 1, 0.16 for 2, 0.165 for 3 or more. Applied unless
 * the household rents (loyer > 0) without receiving aide_logement. */
#define SYNTH_FORFAIT_1000_1 120
#define SYNTH_FORFAIT_1000_2 160
#define SYNTH_FORFAIT_1000_3 165

/* RSA: eligible when base*c - forfait - ressources >= 6.00 and claimant >= 25 or children */
#define SYNTH_RSA_MIN_CENTS 600
#define SYNTH_RSA_MIN_AGE 25

/* Prime d'activité (CSS L842-3, D843-1 to D843-3; OpenFisca-France ppa.py):
 *   base*c + pente*revenus_activite + sum of the adults' bonifications
 *   - max(ressources + forfait, base*c) >= 15.00, claimant 18 or older.
 * The bonification of an adult earning e a month: round(taux_max*base, cent) times
 * (e - 59*smic_h) / ((plafond - 59)*smic_h), clamped to [0, that maximum]; the seuil of 59
 * SMIC hours has not changed since 2016-01-01 (décret n° 2015-1710; CSS art. D843-2). */
#define SYNTH_PA_BONIF_SEUIL_H 59
#define SYNTH_PA_MIN_CENTS 1500
#define SYNTH_PA_MIN_AGE 18

/* Aide au logement (screening proxy): ressources_mensuelles below a ceiling by household
 * size 1, 2, 3, 4, 5 and more */
#define SYNTH_AL_CEILINGS_INIT {140000, 190000, 230000, 270000, 310000}

/* Complémentaire santé solidaire (the ceiling of the CSS with a contribution, which
 * includes the free one): 12 * ressources <= 13957 x (1 + 0.5 for the 2nd
 * person + 0.3 each for the 3rd and 4th + 0.4 each from the 5th) */
#define SYNTH_CSS_YEAR_CENTS 1395700
#define SYNTH_CSS_C10_2ND 5
#define SYNTH_CSS_C10_3RD_4TH 3
#define SYNTH_CSS_C10_5TH_PLUS 4

/* ASPA: claimant >= 65, alone or a couple of two, 12 * ressources < yearly ceiling */
#define SYNTH_ASPA_MIN_AGE 65
#define SYNTH_ASPA_YEAR_SINGLE_CENTS 1252314
#define SYNTH_ASPA_YEAR_COUPLE_CENTS 1944221

/* FSL: rent, arrears >= 2 months, ressources < 1600 + 500 per extra person */
#define SYNTH_FSL_MIN_ARREARS 2
#define SYNTH_FSL_BASE_CENTS 160000
#define SYNTH_FSL_PER_PERSON_CENTS 50000

#endif
