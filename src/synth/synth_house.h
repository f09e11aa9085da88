/* synth_house: one household of the synthetic territory, with its true values, generated
 * from (seed, household index) alone apart from the NIR order numbers. */
#ifndef SYNTH_HOUSE_H
#define SYNTH_HOUSE_H

#include <stddef.h>
#include <stdint.h>

#include "synth_params.h"
#include "synth_rng.h"

#define SYNTH_MAX_PERSONS 8
#define SYNTH_MAX_HOUSEHOLDS 5000000
#define SYNTH_MAX_LANDLORDS 20

typedef struct {
    int y, m, d;
} synth_date;

/* days since 1970-01-01 of a proleptic Gregorian date, and back */
long synth_days(int y, int m, int d);
synth_date synth_civil(long days);
/* full years of age on `at` of someone born on `b` */
int synth_age(synth_date b, synth_date at);
/* whether y-m-d is a real calendar date */
int synth_date_valid(int y, int m, int d);

/* Copy src to dst (capacity cap, always terminated), cut to fit. Here rather than in
 * synth_text so that this module and the rules link without it (the rule probe of
 * tests/integration/test_synth.sh builds them alone). */
void synth_copy(char *dst, size_t cap, const char *src);

enum { SYNTH_ROLE_D, SYNTH_ROLE_C, SYNTH_ROLE_E, SYNTH_ROLE_A };

/* benefits, one bit each in synth_household.recv */
enum {
    SYNTH_B_RSA,
    SYNTH_B_PA,
    SYNTH_B_AL,
    SYNTH_B_AAH,
    SYNTH_B_CSS,
    SYNTH_B_ASPA,
    SYNTH_B_APA,
    SYNTH_B_PCH,
    SYNTH_B_FSL,
    SYNTH_B_SUIVI,
    SYNTH_B_COUNT
};
#define SYNTH_BIT(b) (1u << (b))

enum { SYNTH_OWNER, SYNTH_SOCIAL, SYNTH_PRIVATE, SYNTH_HOSTED };

/* internal facts deciding who knows the household */
#define SYNTH_F_CAF_FAMILY 1u   /* receives family benefits (from the CAF, or the MSA) */
#define SYNTH_F_DEP_KNOWN 2u    /* came to a social services office */
#define SYNTH_F_SURVEY 4u       /* answered the landlord's income survey */
#define SYNTH_F_AGRI 8u         /* agricultural household: the MSA pays its CAF-type benefits */
#define SYNTH_F_CCAS 16u        /* asked the CCAS of its commune for help this year */

/* household structures (INSEE's categories, docs/synth.md) */
enum { SYNTH_K_SINGLE, SYNTH_K_COUPLE, SYNTH_K_FAMILY, SYNTH_K_LONE, SYNTH_K_COUNT };

/* age bands of the population summary: 0-14, 15-19, 20-24, 25-39, 40-54, 55-64, 65-79, 80+ */
#define SYNTH_AGE_BANDS 8
int synth_age_band(int age);

typedef struct {
    char nom[64];       /* birth surname */
    char nom_usage[64]; /* usage (married) name, "" when none */
    char prenom[40];    /* first given name */
    char autres[80];    /* further given names, ", " separated, "" when none */
    int sex;            /* 1 male, 2 female */
    synth_date birth;
    int age;            /* full years at the reference date */
    int role;           /* SYNTH_ROLE_* in the true household */
    unsigned own;       /* personal benefits (aah, aspa, apa, pch) held by this person */
    int64_t earn;       /* own monthly earnings (revenus d'activité), cents; 0 for children */
    int64_t other;      /* own monthly other income (pension, benefits, AAH, child support
                         * received), cents; 0 for children */
    char nir[16];       /* 15 characters with a valid key */
} synth_person;

typedef struct {
    int num;            /* 0: no number */
    int suffix;         /* 0 none, 1 bis, 2 ter */
    int type;           /* index in synth_street_types */
    int street;         /* index in synth_street_names */
    int residence;      /* index in synth_residences, -1 none */
    char bat;           /* building letter, 0 none */
    int apt;            /* flat number, 0 none */
    int host;           /* hosted: index of the host's surname, -1 none */
    int commune;        /* index in synth_communes */
    int cp;             /* index of the Bordeaux postal code */
} synth_address;

typedef struct {
    uint64_t index;     /* 0-based; household_id = index + 1 */
    int n;              /* persons */
    int nb_enfants;     /* children (role E) */
    int partner;        /* p[1] is the claimant's partner */
    int kind;           /* SYNTH_K_* */
    int housing;        /* SYNTH_OWNER... */
    int landlord;       /* social housing: landlord index; -1 otherwise */
    synth_person p[SYNTH_MAX_PERSONS];   /* p[0] is the claimant (the older partner) */
    synth_address addr;
    int64_t res;        /* ressources_mensuelles, cents: the sum of p[i].earn + p[i].other */
    int64_t rev;        /* revenus_activite, cents: the sum of the adults' p[i].earn */
    int64_t loyer;      /* cents, 0 for owners and hosted */
    int impaye;         /* months of rent arrears */
    unsigned recv;      /* SYNTH_BIT(b): some member receives b */
    unsigned facts;     /* SYNTH_F_* */
    int caf_d, dep_d, bail_d;   /* person index recorded as claimant by each agency */
} synth_household;

typedef struct {
    uint64_t seed;
    synth_date date;
    int landlords;
    synth_period period;        /* parameters in force at date */
    uint32_t *nir_counters;     /* per (birthplace, sex, yy, mm) order counters */
} synth_ctx;

#define SYNTH_CTX_EDATE (-1)  /* no parameters known at that date */
#define SYNTH_CTX_ENOMEM (-2) /* out of memory */

/* Prepare ctx for (seed, date, landlords): picks the parameters in force. Returns 0 or
 * SYNTH_CTX_E*. */
int synth_ctx_init(synth_ctx *ctx, uint64_t seed, synth_date date, int landlords);
void synth_ctx_free(synth_ctx *ctx);

/* Generate household `index` into *h. Must be called for index 0, 1, 2... in order (the
 * NIR order numbers are counters). */
void synth_house_generate(synth_ctx *ctx, uint64_t index, synth_household *h);

/* Weight of each landlord for `landlords` landlords (per mille, summing to 1000). */
int synth_landlord_weight(int landlords, int k);

#endif
