/* synth_emit: writes each household into the raw exports of the agencies that know it
 * (with their faults), into truth_persons.csv and truth_eligible.csv, and keeps the counts
 * for truth_summary.txt. */
#ifndef SYNTH_EMIT_H
#define SYNTH_EMIT_H

#include <stdint.h>

#include "synth_house.h"
#include "synth_out.h"
#include "synth_rules.h"

/* kinds of agency, each with its own format and fault rates */
enum {
    SYNTH_KIND_CAF,
    SYNTH_KIND_DEP,
    SYNTH_KIND_BAIL,
    SYNTH_KIND_CPAM,
    SYNTH_KIND_CARSAT,
    SYNTH_KIND_MSA,
    SYNTH_KIND_CCAS,
    SYNTH_KIND_COUNT
};

/* sources, in the order of sources.txt: the CAF, the département, the CPAM, the CARSAT, the
 * MSA, the CCAS of Bordeaux, then the landlords */
#define SYNTH_SRC_CAF 0
#define SYNTH_SRC_DEP 1
#define SYNTH_SRC_CPAM 2
#define SYNTH_SRC_CARSAT 3
#define SYNTH_SRC_MSA 4
#define SYNTH_SRC_CCAS 5
#define SYNTH_SRC_BAIL 6
#define SYNTH_MAX_SOURCES (SYNTH_SRC_BAIL + SYNTH_MAX_LANDLORDS)

enum {
    SYNTH_F_TYPO_NOM,
    SYNTH_F_TYPO_PRENOM,
    SYNTH_F_ACCENTS,
    SYNTH_F_SWAP_DM,
    SYNTH_F_NIR_KEY,
    SYNTH_F_NIR_MISSING,
    SYNTH_F_PRENOM_MISSING,
    SYNTH_F_DUPLICATE,
    SYNTH_F_ADDRESS,
    SYNTH_F_BIRTHNAME_MISSING,
    SYNTH_F_COUNT
};

typedef struct {
    char file[64];          /* caf.csv */
    char id[64];            /* caf:gironde */
    char mapping[64];       /* mapping-caf.ini */
    synth_out out;
    uint64_t households;    /* claimant records (duplicates excluded) */
    uint64_t persons;       /* records that are not duplicates */
    uint64_t adults;        /* adult records, duplicates included */
    uint64_t with_nir;      /* records carrying a NIR */
    uint64_t with_usage;    /* records of people with a usage name */
    uint64_t faults[SYNTH_F_COUNT];
    uint64_t dup_seq;       /* duplicates so far: numbering of their local ids */
    uint64_t id_offset;     /* seed-dependent offset of the local id scramble */
} synth_source;

typedef struct {
    synth_ctx *ctx;
    int nsources;
    synth_source src[SYNTH_MAX_SOURCES];
    synth_out truth_persons;
    synth_out truth_eligible;
    uint64_t households;
    uint64_t persons;
    uint64_t kinds[SYNTH_K_COUNT];          /* households by structure */
    uint64_t ages[SYNTH_AGE_BANDS];         /* persons by age band */
    uint64_t agri;                          /* agricultural households */
    uint64_t known;                         /* households some export holds */
    uint64_t entitled[SYNTH_R_COUNT];       /* entitled, paid or not */
    uint64_t truth[SYNTH_R_COUNT];          /* entitled and nobody paid */
    uint64_t payer_knows[SYNTH_R_COUNT];    /* of truth: a payer's export holds a member */
    uint64_t truth_known[SYNTH_R_COUNT];    /* of truth: some export holds a member */
    uint64_t by_year_only[SYNTH_R_COUNT];   /* eligible only on (year - birth year) */
    uint64_t received[SYNTH_B_COUNT];
} synth_emit;

/* Open every output file under dir and write the headers. On failure returns -1 with errno
 * set and *failed naming the path. */
int synth_emit_open(synth_emit *e, synth_ctx *ctx, const char *dir, const char **failed);

/* Write one household everywhere it belongs. */
void synth_emit_household(synth_emit *e, const synth_household *h);

/* Close the exports and truth files, then write sources.txt and truth_summary.txt.
 * Returns 0, or -1 with errno set and *failed naming the path. */
int synth_emit_close(synth_emit *e, const char *dir, const char **failed);

/* Release everything without reporting (error paths). */
void synth_emit_abort(synth_emit *e);

#endif
