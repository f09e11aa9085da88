/* synth_rules: the six detection rules, evaluated on a household's true values. */
#ifndef SYNTH_RULES_H
#define SYNTH_RULES_H

#include <stdint.h>

#include "synth_house.h"

enum {
    SYNTH_R_RSA,
    SYNTH_R_PA,
    SYNTH_R_AL,
    SYNTH_R_CSS,
    SYNTH_R_ASPA,
    SYNTH_R_FSL,
    SYNTH_R_COUNT
};

extern const char *const synth_rule_names[SYNTH_R_COUNT];

/* The benefit (SYNTH_B_*) a rule is about. */
int synth_rule_benefit(int rule);

/* The resource test of a rule as a signed margin in the rule's own scaled units: the test
 * passes when margin >= 0 (rsa, prime_activite, aide_logement, css) or margin > 0 (the others, whose
 * ceiling is strict). *strict says which. */
int64_t synth_rule_margin(const synth_ctx *ctx, const synth_household *h, int rule, int *strict);

/* Household coefficient c of the RSA and the prime d'activité, in tenths: the foyer's
 * (claimant, partner, children). */
int64_t synth_rule_coef10(const synth_household *h);

/* Whether the foyer's montant forfaitaire is majoré: no partner, a child under 3. */
int synth_rule_majore(const synth_household *h);

/* The montant forfaitaire of the RSA and the prime d'activité as a multiple of the base, in
 * 1/100000: 1.28412 + 0.42804 x children when majoré, c otherwise. */
int64_t synth_rule_mf100000(const synth_household *h);

/* Whether the household is eligible to the rule's benefit and nobody receives it. */
int synth_rule_eligible(const synth_ctx *ctx, const synth_household *h, int rule);

/* Same, ignoring whether someone already receives it (used for take-up). */
int synth_rule_entitled(const synth_ctx *ctx, const synth_household *h, int rule);

#endif
