/* synth_rules: the six rules in exact integer arithmetic (see synth_params.h). */
#include "synth_rules.h"

#include <string.h>

#include "synth_data.h"

const char *const synth_rule_names[SYNTH_R_COUNT] = {
    "rsa", "prime_activite", "aide_logement", "css", "aspa", "fsl",
};

int synth_rule_benefit(int rule)
{
    static const int b[SYNTH_R_COUNT] = {
        SYNTH_B_RSA, SYNTH_B_PA, SYNTH_B_AL, SYNTH_B_CSS, SYNTH_B_ASPA, SYNTH_B_FSL,
    };
    return b[rule];
}

int64_t synth_rule_coef10(const synth_household *h)
{
    int64_t c = SYNTH_C10_BASE + (h->partner ? SYNTH_C10_PARTNER : 0);
    for (int i = 0; i < h->nb_enfants; i++) {
        if (i >= 2)
            c += SYNTH_C10_CHILD3_PLUS;
        else if (h->partner)
            c += SYNTH_C10_CHILD_COUPLE;
        else
            c += i == 0 ? SYNTH_C10_CHILD1_ALONE : SYNTH_C10_CHILD2_ALONE;
    }
    return c;
}

/* ------------------------------------------------------------------ the foyer */

/* The foyer of the RSA, the prime d'activité and the CSS: the claimant, the partner and the
 * children; another adult (role A) and his or her own resources are outside it
 * (synth_params.h). The household's figures, which every export writes, keep them. */
static int foyer_size(const synth_household *h)
{
    return 1 + h->partner + h->nb_enfants;
}

static int64_t foyer_res(const synth_household *h)
{
    int64_t r = h->res;
    for (int i = 0; i < h->n; i++)
        if (h->p[i].role == SYNTH_ROLE_A)
            r -= h->p[i].earn + h->p[i].other;
    return r;
}

static int64_t foyer_rev(const synth_household *h)
{
    int64_t r = h->rev;
    for (int i = 0; i < h->n; i++)
        if (h->p[i].role == SYNTH_ROLE_A)
            r -= h->p[i].earn;
    return r;
}

int synth_rule_majore(const synth_household *h)
{
    if (h->partner)
        return 0;
    for (int i = 0; i < h->n; i++)
        if (h->p[i].role == SYNTH_ROLE_E && h->p[i].age < SYNTH_MAJ_CHILD_AGE)
            return 1;
    return 0;
}

int64_t synth_rule_mf100000(const synth_household *h)
{
    if (synth_rule_majore(h))
        return SYNTH_MAJ_100000_BASE + (int64_t)SYNTH_MAJ_100000_CHILD * h->nb_enfants;
    return synth_rule_coef10(h) * 10000;
}

/* forfait logement of the RSA and the prime as a multiple of the base, in 1/10000: the rate
 * for the foyer's size (thousandths) times the coefficient of a foyer of that size capped at
 * three persons (tenths: 1, 1.5, 1.8), as OpenFisca-France computes it
 * (tests/formulas/rsa.yaml: a couple pays 550.93 x 1.5 x 16 %); 0 when it does not apply */
static int64_t forfait10000(const synth_household *h)
{
    if (h->loyer > 0 && !(h->recv & SYNTH_BIT(SYNTH_B_AL)))
        return 0;
    int size = foyer_size(h);
    return size == 1 ? 10 * SYNTH_FORFAIT_1000_1 : size == 2 ? 15 * SYNTH_FORFAIT_1000_2
                                                             : 18 * SYNTH_FORFAIT_1000_3;
}

static int64_t css_c10(int n)
{
    int64_t c = SYNTH_C10_BASE;
    for (int i = 2; i <= n; i++)
        c += i == 2 ? SYNTH_CSS_C10_2ND : i <= 4 ? SYNTH_CSS_C10_3RD_4TH
                                                 : SYNTH_CSS_C10_5TH_PLUS;
    return c;
}

/* the CSS's yearly forfait logement as a multiple of 12 x the RSA base, in 1/10000 */
static int64_t css_forfait10000(const synth_household *h)
{
    int size = foyer_size(h);
    int64_t k10 = size == 1 ? 10 : size == 2 ? 15 : 18;
    if (h->recv & SYNTH_BIT(SYNTH_B_AL))
        return k10 * (size == 1 ? SYNTH_CSS_FL_AL_1000_1 : size == 2 ? SYNTH_CSS_FL_AL_1000_2
                                                                     : SYNTH_CSS_FL_AL_1000_3);
    if (h->loyer > 0)
        return 0;
    return k10 * (size == 1 ? SYNTH_CSS_FL_FREE_1000_1 : size == 2 ? SYNTH_CSS_FL_FREE_1000_2
                                                                   : SYNTH_CSS_FL_FREE_1000_3);
}

/* ------------------------------------------------------------------ housing aid */

/* The scale in force on the context's date (synth_params.h), the last row whose start is on
 * or before it. */
static const synth_al_scale *al_scale(const synth_ctx *ctx)
{
    static const synth_al_scale rows[] = SYNTH_AL_SCALES_INIT;
    long d = (long)ctx->date.y * 10000 + ctx->date.m * 100 + ctx->date.d;
    const synth_al_scale *best = &rows[0];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if ((long)rows[i].from_y * 10000 + rows[i].from_m * 100 + rows[i].from_d <= d)
            best = &rows[i];
    return best;
}

static int al_zone2(const synth_household *h)
{
    static const char *const zone2[] = SYNTH_AL_ZONE2_INIT;
    const char *insee = synth_communes[h->addr.commune].insee;
    for (size_t i = 0; i < sizeof zone2 / sizeof zone2[0]; i++)
        if (strcmp(zone2[i], insee) == 0)
            return 1;
    return 0;
}

/* The rent ceiling of a household of PAC persons in charge, alone or a COUPLE, from the
 * zone's four amounts Z (alone, couple, 1 in charge, each further one), cents. */
static int64_t al_ceiling(const int64_t z[4], int couple, int pac)
{
    return pac == 0 ? (couple ? z[1] : z[0]) : z[2] + (int64_t)(pac - 1) * z[3];
}

/* The aid before degressivity A = L + C - Pp, times K = 1,000,000 x Lref, in cents, an exact
 * integer (*KP gets K, *PLAFOND the household's rent ceiling P). With Lref the zone-2
 * ceiling in cents (under 10^5 for 9 persons in charge), K < 10^11; (L + C) x K < 10^16; the
 * rate terms (TF + TL) x K stay under 10^10 and R - R0 under 10^9 cents (ten million euros a
 * year): every product is below 2^63. */
static int64_t al_before_degr(const synth_ctx *ctx, const synth_household *h, int64_t *kp,
                              int64_t *plafond_p)
{
    static const int64_t tf[] = SYNTH_AL_TF_INIT;
    const synth_al_scale *sc = al_scale(ctx);
    int pac = h->n - 1 - (h->partner ? 1 : 0);
    if (pac < 0)
        pac = 0;
    int64_t lref = al_ceiling(sc->z2, h->partner, pac);
    int64_t plafond = al_zone2(h) ? lref : al_ceiling(sc->z3, h->partner, pac);
    int64_t l = h->loyer < plafond ? h->loyer : plafond;
    int64_t c = sc->charges + (int64_t)pac * sc->charges_pac;
    int64_t k = 1000000 * lref;
    *kp = k;
    *plafond_p = plafond;
    /* P0 x K: max(85 / 1000 x (L + C), P0 forfait) */
    int64_t p0a = SYNTH_AL_P0_TAUX_1000 * (l + c) * (k / 1000), p0b = sc->p0 * k;
    int64_t p0k = p0a > p0b ? p0a : p0b;
    /* TF x K, TF in 1/10000: K / 10000 = 100 x Lref */
    int ti = pac == 0 ? (h->partner ? 1 : 0) : pac < 6 ? pac + 1 : 7;
    int64_t tfk = (tf[ti] - (pac > 6 ? (int64_t)(pac - 6) * SYNTH_AL_TF_BAISSE : 0)) * 100 * lref;
    /* TL x K, RL = L / Lref against the thresholds in hundredths: 100 x RL x Lref = 100 L */
    int64_t tlk;
    if (100 * l < SYNTH_AL_TL_SEUIL1_100 * lref)
        tlk = 0;
    else if (100 * l < SYNTH_AL_TL_SEUIL2_100 * lref)
        tlk = SYNTH_AL_TL_TAUX2_10000 * (100 * l - SYNTH_AL_TL_SEUIL1_100 * lref);
    else
        tlk = SYNTH_AL_TL_TAUX2_10000 * (SYNTH_AL_TL_SEUIL2_100 - SYNTH_AL_TL_SEUIL1_100) * lref +
              SYNTH_AL_TL_TAUX3_10000 * (100 * l - SYNTH_AL_TL_SEUIL2_100 * lref);
    /* R: 12 x ressources rounded up to the hundred euros (10000 cents); R0 */
    int64_t r = 12 * h->res;
    r = r <= 0 ? 0 : (r + 9999) / 10000 * 10000;
    int64_t r0 = sc->r0[ti] + (pac > 6 ? (int64_t)(pac - 6) * sc->r0_pac_supp : 0);
    int64_t x = r > r0 ? r - r0 : 0;
    return (l + c) * k - p0k - (tfk + tlk) * x;
}

/* The housing aid's margin (synth_params.h): floor(2 x A x coefficient) - 2999 in half
 * cents, >= 0 exactly when round(A x coefficient) to the cent, half up, less the minoration
 * (5.00), reaches the minimum paid (10.00), i.e. when A x coefficient >= 14.995. The
 * coefficient is NUM / DEN (1/1, (S - loyer) / (S - D), 0/1). With A x K = N = a x K + rA
 * (0 <= rA < K), 2 x N x NUM / (K x DEN) = q1 + (r1 x K + 2 x rA x NUM) / (K x DEN), q1 and r1
 * the quotient and remainder of 2 x a x NUM by DEN: a is under 10^6 cents, NUM and DEN under
 * 4 x 10^5 (3.1 x a ceiling under 10^5), K under 10^11, so every term stays under 10^17. */
static int64_t al_margin(const synth_ctx *ctx, const synth_household *h)
{
    int64_t k, plafond;
    int64_t n = al_before_degr(ctx, h, &k, &plafond);
    int64_t threshold = 2 * (SYNTH_AL_MIN_CENTS + SYNTH_AL_MINORATION_CENTS) - 1;
    if (n < 0)
        return n;  /* no aid (and the sign alone matters) */
    /* D and S to the cent, half up (P > 0) */
    int64_t dg = (SYNTH_AL_DEGRESSIVITE_10 * plafond + 5) / 10;
    int64_t sp = (SYNTH_AL_SUPPRESSION_10 * plafond + 5) / 10;
    int64_t num, den;
    if (h->loyer <= dg)
        num = den = 1;
    else if (h->loyer <= sp)
        num = sp - h->loyer, den = sp - dg;
    else
        num = 0, den = 1;
    int64_t a = n / k, ra = n % k;
    int64_t t1 = 2 * a * num;
    int64_t q1 = t1 / den, r1 = t1 % den;
    int64_t q2 = (r1 * k + 2 * ra * num) / (k * den);
    return q1 + q2 - threshold;
}

/* ------------------------------------------------------------------ margins */

/* The prime d'activité minus 15.00, as the law computes it (synth_params.h), in cents times
 * 100000 x D, D = (plafond - seuil) x smic_h in cents: the bonification of an adult is
 * bmax x (e - seuil x smic_h) / D with its numerator clamped to [0, D], so every term is an
 * integer at this scale and the sign of the result is exact. D is under 10^5 and the other
 * terms stay under 10^12 units of 1/100000 cent (100,000 euros a month): the products are
 * some 90 times below 2^63. */
static int64_t pa_margin(const synth_ctx *ctx, const synth_household *h)
{
    const synth_period *pp = &ctx->period;
    int64_t base = pp->pa_base_cents;
    int64_t seuil = SYNTH_PA_BONIF_SEUIL_H * pp->smic_h_cents;
    int64_t d = (pp->pa_bonif_plafond_h - SYNTH_PA_BONIF_SEUIL_H) * pp->smic_h_cents;
    /* round(taux_max x base) to the cent, half away from zero (both are positive) */
    int64_t bmax = (pp->pa_bonif_taux_100000 * base + 50000) / 100000;
    /* the foyer's adults: the claimant and the partner (an adult child, role A, is not) */
    int64_t bonif = 0;
    for (int i = 0; i <= (h->partner ? 1 : 0); i++) {
        int64_t num = h->p[i].earn - seuil;
        bonif += bmax * (num < 0 ? 0 : num > d ? d : num);
    }
    /* the rest in 1/100000 cent, as the rsa's margin: the montant forfaitaire (majoré or
     * not) in the + term and inside the max, the forfait logement inside it */
    int64_t mf = base * synth_rule_mf100000(h);
    int64_t res_fl = foyer_res(h) * 100000 + base * forfait10000(h) * 10;
    int64_t rest = mf + pp->pa_pente_10000 * 10 * foyer_rev(h) - (res_fl > mf ? res_fl : mf) -
                   (int64_t)SYNTH_PA_MIN_CENTS * 100000;
    return rest * d + 100000 * bonif;
}

int64_t synth_rule_margin(const synth_ctx *ctx, const synth_household *h, int rule, int *strict)
{
    /* the rsa margin is in units of 1/100000 cent, the prime_activite's of 1/(100000 x D)
     * cent (pa_margin), the css's of 1/10000 cent */
    *strict = 0;
    switch (rule) {
    case SYNTH_R_RSA: {
        int64_t base = ctx->period.rsa_base_cents;
        return base * synth_rule_mf100000(h) - base * forfait10000(h) * 10 -
               foyer_res(h) * 100000 - (int64_t)SYNTH_RSA_MIN_CENTS * 100000;
    }
    case SYNTH_R_PA:
        return pa_margin(ctx, h);
    case SYNTH_R_AL:
        return al_margin(ctx, h);
    case SYNTH_R_CSS:
        /* 13957.00 x c x 10000 vs 12 x ressources x 10000 + 12 x base x forfait10000 */
        return (int64_t)SYNTH_CSS_YEAR_CENTS * css_c10(foyer_size(h)) * 1000 -
               120000 * foyer_res(h) - 12 * ctx->period.rsa_base_cents * css_forfait10000(h);
    case SYNTH_R_ASPA: {
        /* scaled by 3000: the monthly allowance is k/10 x SMIC x 151.67 / 3 */
        *strict = 1;
        int64_t k10 = h->n == 1 ? SYNTH_ASPA_ABAT10_SINGLE : SYNTH_ASPA_ABAT10_COUPLE;
        int64_t abat = k10 * ctx->period.smic_jan_h_cents * SYNTH_SMIC_HOURS_100;
        int64_t earn = h->rev * 3000;
        int64_t ceiling = h->n == 1 ? ctx->period.aspa_single_cents : ctx->period.aspa_couple_cents;
        return ceiling * 3000 - 12 * (h->res * 3000 - (earn < abat ? earn : abat));
    }
    default:
        *strict = 1;
        return SYNTH_FSL_BASE_CENTS + (int64_t)SYNTH_FSL_PER_PERSON_CENTS * (h->n - 1) - h->res;
    }
}

/* the CSS's presumptions (L861-2), each from its date */
static int css_presumed(const synth_ctx *ctx, const synth_household *h)
{
    long d = (long)ctx->date.y * 10000 + ctx->date.m * 100 + ctx->date.d;
    if (d >= SYNTH_CSS_PRESUME_ASPA_FROM && (h->recv & SYNTH_BIT(SYNTH_B_ASPA)) &&
        foyer_rev(h) == 0)
        return 1;
    return d >= SYNTH_CSS_PRESUME_AAH_FROM && h->n == 1 &&
           (h->p[0].own & SYNTH_BIT(SYNTH_B_AAH)) && h->p[0].earn == 0;
}

int synth_rule_entitled(const synth_ctx *ctx, const synth_household *h, int rule)
{
    int strict;
    int64_t m = synth_rule_margin(ctx, h, rule, &strict);
    int pass = strict ? m > 0 : m >= 0;
    switch (rule) {
    case SYNTH_R_RSA:
        return pass && (h->p[0].age >= SYNTH_RSA_MIN_AGE || h->nb_enfants > 0) &&
               h->p[0].age < SYNTH_RSA_MAX_AGE;
    case SYNTH_R_PA:
        return pass && foyer_rev(h) > 0 && h->p[0].age >= SYNTH_PA_MIN_AGE;
    case SYNTH_R_AL:
        return pass && h->loyer > 0;
    case SYNTH_R_CSS:
        return pass || (h->recv & SYNTH_BIT(SYNTH_B_RSA)) || css_presumed(ctx, h);
    case SYNTH_R_ASPA:
        return pass && h->p[0].age >= SYNTH_ASPA_MIN_AGE &&
               (h->n == 1 || (h->n == 2 && h->partner));
    default:
        return pass && h->loyer > 0 && h->impaye >= SYNTH_FSL_MIN_ARREARS;
    }
}

int synth_rule_eligible(const synth_ctx *ctx, const synth_household *h, int rule)
{
    return !(h->recv & SYNTH_BIT(synth_rule_benefit(rule))) &&
           synth_rule_entitled(ctx, h, rule);
}
