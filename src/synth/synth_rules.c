/* synth_rules: the six rules in exact integer arithmetic (see synth_params.h). */
#include "synth_rules.h"

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
    case SYNTH_R_AL: {
        static const int64_t ceil[] = SYNTH_AL_CEILINGS_INIT;
        int k = h->n < 5 ? h->n : 5;
        *strict = 1;
        return ceil[k - 1] - h->res;
    }
    case SYNTH_R_CSS:
        /* 13957.00 x c x 10000 vs 12 x ressources x 10000 + 12 x base x forfait10000 */
        return (int64_t)SYNTH_CSS_YEAR_CENTS * css_c10(foyer_size(h)) * 1000 -
               120000 * foyer_res(h) - 12 * ctx->period.rsa_base_cents * css_forfait10000(h);
    case SYNTH_R_ASPA:
        *strict = 1;
        return (h->n == 1 ? SYNTH_ASPA_YEAR_SINGLE_CENTS : SYNTH_ASPA_YEAR_COUPLE_CENTS) -
               12 * h->res;
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
