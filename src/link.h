/* link: the linkage core, in memory and without the database, so the same code runs in
 * 'tznr link' and in the quality benchmark (docs/linking.md).
 *
 * 1. exact: records sharing k_nir, or k_ident/k_ident_alt (either against either), are
 *    linked (a star from the first record of each group), unless a pair an identity key alone
 *    joins is weighed as namesakes born the same day (link_ident_probability);
 * 2. fuzzy: candidate pairs come from two blockings, records with the same k_dob and records
 *    colliding in one of B LSH bands (R sampled CLK bits each, so a typo in the date of birth
 *    still finds its pair); a Fellegi-Sunter model (fs.h), estimated on a sample of the same
 *    records, gives each pair a match probability; a pair at or above the threshold links
 *    when it is the most probable partner of one of its records in the other's source and
 *    either mutual or without a rival there (the same source counts: duplicates), and when no
 *    exact link already ties the record to that source (two records of one household in one
 *    source are never compared: an export lists each member once); pairs from the possible probability
 *    up that stay apart are kept as possible links;
 * 3. persons are the connected components of the links, forbidden pairs excepted. */
#ifndef TZNR_LINK_H
#define TZNR_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "fs.h"

#define LINK_MAX_SOURCES 64

enum link_method { LM_NIR, LM_IDENT, LM_IDENT_ALT, LM_CLK };
const char *link_method_name(enum link_method m);

enum { LK_NIR = 1, LK_IDENT = 2, LK_IDENT_ALT = 4, LK_DOB = 8, LK_CLK = 16, LK_CLK_ALT = 32 };

/* One record: its source index, which keys it has, the keys (first 16 bytes of each HMAC:
 * collisions are out of reach at any territory's size) and the filters. */
typedef struct link_rec {
    uint64_t clk[16];
    uint64_t alt[16];
    uint8_t nir[16], ident[16], ident_alt[16], dob[16];
    uint16_t pop, pop_alt;
    uint16_t birth_year;  /* 0 when unknown */
    uint8_t sex;          /* 1, 2, or 0 when unknown */
    char commune[6];      /* INSEE code, "" when unknown; NUL-padded (compared as 6 bytes) */
    uint64_t household;   /* the household key's first 8 bytes within its source, 0 when none */
    uint8_t source;
    uint8_t flags;
} link_rec;

/* How the model's m-probabilities were estimated (link_model.training). */
enum link_training {
    LT_NONE,  /* no model: no fuzzy link this run (link_model.why says why) */
    LT_KEYS,  /* from the pairs an exact key joins (k_nir; k_ident for the NIR's own m) */
    LT_EM,    /* by expectation-maximisation over the candidate pairs */
    LT_GIVEN, /* handed in by the caller (link_params.model) */
};

typedef struct link_params {
    double match;       /* match probability at or above which a pair links */
    double same_source; /* the same between two records of one source (duplicates) */
    double possible;    /* from which a pair left apart is kept as a possible link, for review */
    int bands, bits;    /* LSH: bands of bits sampled positions (8-30; 0: from the number of records) */
    int block_max;      /* blocks larger than this are skipped (and counted) */
    int threads;        /* threads for the fuzzy stage (1 or more; the result does not depend on it) */
    size_t sample;      /* records the model is estimated on (0: LINK_SAMPLE) */
    long last_search;   /* comparisons the last records' search may make in all (0: LINK_LAST_BUDGET;
                         * < 0: no search; link.c, last_records) */
    const struct fs_model *model; /* NULL: estimate the model from the records; else use it */
} link_params;

#define LINK_SAMPLE 250000     /* records the model is estimated on, at most */
#define LINK_LAST_BUDGET (1L << 24) /* a few seconds' comparisons */
#define LINK_RANDOM_PAIRS 200000 /* random pairs the u-probabilities come from */
#define LINK_DOB_PAIRS 8e6       /* pairs of the k_dob blocks the u of clk_dice_dob, sex_dob and commune_dob
                                  * come from, about */
#define LINK_MIN_TRAINING 20   /* key-joined pairs needed to take m from them rather than EM */
#define LINK_MIN_PAIRS 500     /* candidate pairs in the sample needed to estimate a model at all */
/* the share of the matches its model expects among the pairs the exact stage left that a run
 * must link, or its model is refused and the run keeps its exact links only */
#define LINK_MIN_FUZZY_RECALL 0.7
/* The reasons a run has no model (link_model.why) that are not fs_em_status_text's: readers
 * that say them in another language (the report) parse them with these formats. */
#define LINK_WHY_FEW_PAIRS "too few candidate pairs to estimate a model from (%zu, %d needed)"
#define LINK_WHY_REFUSED_HEAD "the model refused: "
#define LINK_WHY_REFUSED                                                                                        \
    LINK_WHY_REFUSED_HEAD "of the matches it expects among the pairs the exact keys left, the run would link %.1f " \
                          "%% (at least %.0f %% needed), so its matches are not one person's records"
/* WHY in French for the data officers' report, into BUF (a reason not known here is copied). */
void link_why_fr(const char *why, char *buf, size_t cap);
#define LINK_MIN_NAMESAKE_PAIRS 1000 /* pairs of two NIRs born the same day needed to weigh the identity keys */

typedef struct link_edge {
    uint32_t a, b;     /* a < b, record indexes */
    uint8_t method;
    float score;       /* the match probability (1 for an exact link) */
} link_edge;

/* The model of a run and how it was estimated. */
typedef struct link_model {
    fs_model fs;
    enum link_training training;
    enum fs_em_status status;  /* of the EM (m and lambda, or lambda alone) */
    char why[256];             /* LT_NONE: the reason, in words */
    int refused;               /* LT_NONE because the run refused the model EM estimated (why says so) */
    size_t sample_records, sample_pairs, random_pairs, training_pairs;
    size_t dob_pairs;          /* pairs of the k_dob blocks counted for the u of the *_dob comparisons */
    int u_from_candidates;     /* u of the CLK, sex and commune from candidate pairs born apart */
    /* The identity keys: a pair sharing one (k_ident or k_ident_alt, either against either) is
     * linked unless the rest of the model says they are two people (namesakes born the same
     * day). Among the pairs born the same day, with one pair more each way: ident_m, how often
     * two records of one NIR share a key; ident_u, how often two people do (the pairs sharing a
     * key with two NIRs, less those of one person mistyped, told apart by their commune, over
     * ident_two_nirs, the pairs of two NIRs born the same day with keys). ident_pairs: the
     * pairs sharing a key; ident_namesakes: ident_u times the pairs born the same day with
     * keys, the namesakes expected among them. ident_m 0 (no NIR to learn from, or fewer than
     * LINK_MIN_NAMESAKE_PAIRS pairs of two NIRs): identity keys link unconditionally. */
    double ident_m, ident_u, ident_pairs, ident_namesakes, ident_two_nirs;
} link_model;

/* How the dates of birth of two records of one person not born the same day stand: both known
 * (and different), one unknown, both unknown. The blocking's misses are measured for each
 * kind on its own (link.c, dob_kind). */
enum link_date_kind { LINK_DK_DIFFER, LINK_DK_ONE_UNKNOWN, LINK_DK_BOTH_UNKNOWN, LINK_DK_N };

typedef struct link_stats {
    unsigned long long exact_edges, clk_edges, possible;
    unsigned long long comparisons, candidate_pairs_dob, candidate_pairs_lsh;
    unsigned long long blocks_skipped, records_in_skipped_blocks;
    unsigned long long ident_vetoed;  /* pairs an identity key joined that the model kept apart */
    unsigned long long last_edges;    /* of clk_edges, those the last records' search added (link.c) */
    size_t persons;
    int lsh_bits;      /* the bits a band actually used */
    /* the run's own estimate of its quality across sources (no ground truth): precision, the
     * mean probability of the pairs it put together; recall, their probability mass over the
     * mass of every candidate pair; fuzzy_recall, the same without the exact links: the share
     * of the matches the model expects among the pairs the exact stage left that the run links,
     * and est_missed the matches it expects and does not link; of those, est_blocking_missed
     * the matches no blocking brought together, kind by kind of date (enum link_date_kind):
     * measured against the pairs born the same day for the kinds whose bit (1 << kind) is set
     * in est_blocking_from_dob, else (too few of them, or fewer than that floor) from the
     * pairs found alone (link.c, blocking_missed) */
    double est_precision, est_recall, est_fuzzy_recall, est_missed, est_blocking_missed;
    /* the probability mass the last records' search linked (link.c, last_records): counted in
     * est_precision, est_recall and est_missed, not in est_fuzzy_recall (the decision's share,
     * which judges the model) nor in est_blocking_missed (measured before the search) */
    double est_last;
    int est_blocking_from_dob;
} link_stats;

/* Does the run link less than LINK_MIN_FUZZY_RECALL of the matches its model expects among the
 * pairs the exact stage left (with at least one expected and unlinked)? An EM model is then
 * refused; a NIR-learned one is warned about. */
int link_share_under_bar(const link_stats *st);
/* That share in percent, one decimal, rounded down (as the refusal and the warning say it). */
double link_share_percent(const link_stats *st);

/* The filter bits the clear fields explain (link.c, "the clear fields' bits"). */
typedef struct link_clear link_clear;

typedef struct link_result {
    link_edge *edges;      /* the links kept, sorted by (a, b) */
    size_t nedges;
    link_edge *possible;   /* pairs from params.possible up left in two persons, sorted, unique */
    size_t npossible;
    uint32_t *person;      /* per record: the smallest record index of its component */
    link_model model;
    link_stats stats;
    link_clear *clear;     /* what the run learned of the filters' clear bits (link_compare_in) */
} link_result;

/* Called for every candidate pair compared (for the benchmark's pair completeness). */
typedef void (*link_pair_fn)(void *ctx, uint32_t a, uint32_t b);

/* Fill the popcounts and the CLK flags of R from its filters (call after setting clk/alt). */
void link_rec_finish(link_rec *r);

/* Link N records. FORBIDDEN holds N_FORBIDDEN pairs (a << 32 | b, a < b) never to link, sorted.
 * ON_PAIR may be NULL. Return 0, or -1 on bad parameters. Free with link_result_free. */
int link_run(const link_rec *recs, size_t n, const link_params *p, const uint64_t *forbidden,
             size_t n_forbidden, link_pair_fn on_pair, void *ctx, link_result *out);
void link_result_free(link_result *r);

/* The match probability of a pair an identity key joins, under the model LM (ident_m > 0). */
double link_ident_probability(const link_model *lm, const link_rec *a, const link_rec *b);
/* The prior weight of a pair sharing an identity key, under LM (ident_m > 0). */
double link_ident_weight(const link_model *lm);

/* Dice of the best of clk/alt against clk/alt (0 when either has no filter), over all the
 * filters' bits. */
double link_score(const link_rec *a, const link_rec *b);
/* The same, and link_compare, as the run RES weighed the pair: A and B among the records it
 * linked, the Dice left with the bits of the clear fields they hold (their commune, birth
 * year and sex) out. */
double link_score_in(const link_result *res, const link_rec *a, const link_rec *b);
void link_compare_in(const link_result *res, const link_rec *a, const link_rec *b, fs_vec *v);

/* Whether the LSH may gather a band's bits with the BMI2 instruction PEXT where the processor
 * runs it fast (the default, 1), or must take them one by one (0). The links are the same
 * either way; the tests run both. */
void link_allow_pext(int allow);
/* For tests: how many pairs under the floor the recall's estimate samples at most (0: the
 * default, 1,048,576). */
void link_set_sample_cap(size_t cap);

/* For the tests: does the fuzzy stage's pattern id of the pair (straight from its facts)
 * agree with the one link_compare's vector gives? */
int link_pattern_agrees(const link_rec *a, const link_rec *b);

/* The comparisons of a pair for the Fellegi-Sunter model (fs.h), each from the least alike
 * level (0) up, FS_NULL when either record lacks the field:
 *   LC_DICE     the CLKs' Dice without the bits of the clear fields either record holds
 *               (commune, birth year, sex: link.c, "the clear fields' bits"), in ten bands:
 *               < 0.56, 0.56, 0.60 (strangers' mode), 0.64, 0.68 (strangers reach here), 0.72,
 *               0.76, 0.80, 0.85, 0.90 and up, for pairs without the same k_dob
 *   LC_DICE_DOB the same bands for pairs with the same k_dob: the filter holds the date of
 *               birth, so twins and strangers born the same day are more alike than others,
 *               and a pair is weighed against those (two comparisons, one of them null)
 *   LC_BIRTH    birth years more than one apart, one apart, equal, the same k_dob (one
 *               comparison: an equal date of birth implies an equal year, and counting both
 *               would count the same evidence twice)
 *   LC_SEX      different, same
 *   LC_COMMUNE  different, same
 *   LC_NIR      k_nir different, equal
 *   LC_SEX_DOB, LC_COMMUNE_DOB  the sex and the commune of pairs with the same k_dob (and
 *               LC_SEX, LC_COMMUNE then null): most such candidates are strangers whom the
 *               k_dob blocks brought together, as often of one sex as of two and seldom of
 *               one commune, where the other candidates are mostly relatives, of one
 *               commune; one u for both overstated how common agreement is among the
 *               former, and a same-day pair in one commune weighed 2 bits too little
 * The identity keys are not a comparison: a pair sharing one is linked before the model, so
 * among the pairs it weighs they always differ and say nothing.
 * The CLK holds bits of the date of birth, sex and commune; those of the commune, the birth
 * year and the sex are left out of the Dice, so it stays about independent of those
 * comparisons. The day and month of birth are not held in clear and stay in. */
enum { LC_DICE, LC_DICE_DOB, LC_BIRTH, LC_SEX, LC_COMMUNE, LC_NIR, LC_SEX_DOB, LC_COMMUNE_DOB, LINK_FS_NCOMP };
extern const int link_fs_nlevels[LINK_FS_NCOMP];
extern const char *const link_fs_names[LINK_FS_NCOMP];
void link_compare(const link_rec *a, const link_rec *b, fs_vec *v);
/* M set up for the linkage's comparisons (fs_model_init), the Dice's and the birth's marked
 * ordinal (a level never weighs more than the next). */
void link_fs_init(fs_model *m);
/* What level L of comparison K means, in words ("0.90-0.95", "born the same year"). */
const char *link_fs_level_label(int k, int l);
/* How the model was estimated, as stored: "none", "keys", "em", "given". */
const char *link_training_name(enum link_training t);

#endif
