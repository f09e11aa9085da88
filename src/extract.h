/* extract: one raw record (canonical fields) to one line of a tznr-extract-v1 file. */
#ifndef TZNR_EXTRACT_H
#define TZNR_EXTRACT_H

#include <stddef.h>

#include "norm.h"
#include "pseudo.h"
#include "sbuf.h"

/* The canonical raw fields, identity first, then the spec's attributes in extract order. */
enum raw_field {
    RF_LOCAL_REF, RF_HOUSEHOLD_REF, RF_NIR, RF_NOM, RF_NOM_USAGE, RF_PRENOM,
    RF_DATE_NAISSANCE, RF_SEXE, RF_ADRESSE, RF_COMMUNE, RF_ROLE,
    RF_ATTR_FIRST,
    RF_NB_PERSONNES = RF_ATTR_FIRST, RF_NB_ENFANTS, RF_RESSOURCES, RF_REVENUS, RF_LOYER,
    RF_IMPAYE, RF_RSA, RF_PRIME_ACTIVITE, RF_AIDE_LOGEMENT, RF_AAH, RF_CSS, RF_ASPA, RF_APA,
    RF_PCH, RF_FSL, RF_SUIVI_SOCIAL,
    RF_COUNT
};

/* The canonical name of field F ("date_naissance"). */
const char *extract_field_name(enum raw_field f);
/* The field named NAME, or -1. */
int extract_field_lookup(const char *name);
/* Return 1 for the 0/1 benefit flags. */
int extract_field_is_flag(enum raw_field f);

/* The columns of a tznr-extract-v1 file, in order (extract-v1 section 5): written by
 * extract_encode, read by the loader (load.c). The ten 0/1 flags follow X_FLAG_FIRST. */
enum extract_column {
    X_TOKEN, X_HOUSEHOLD, X_ROLE, X_K_NIR, X_K_IDENT, X_K_IDENT_ALT, X_K_DOB, X_CLK, X_CLK_ALT,
    X_SEX, X_BIRTH_YEAR, X_COMMUNE, X_NB_PERSONNES, X_NB_ENFANTS, X_RESSOURCES, X_REVENUS,
    X_LOYER, X_IMPAYE, X_FLAG_FIRST, X_NCOLS = X_FLAG_FIRST + 10
};
extern const char *const extract_columns[X_NCOLS];

/* The extract's header line (the columns joined by commas), without the line end. */
const char *extract_header(void);

/* A token: the HMAC-SHA256 of a record's identity, written as 64 lowercase hex digits (in the
 * extract, the token map, the lists and the feedback files). */
#define EXTRACT_TOKEN_HEX 64
/* Return 1 when S (LEN bytes) is a token as the spec writes it. */
int extract_token_valid(const char *s, size_t len);

/* One row to encode: each field as an offset and length into an arena (so a batch of rows
 * can live in one buffer while worker threads encode them). */
typedef struct extract_row {
    size_t off[RF_COUNT];
    size_t len[RF_COUNT];
    long line;
} extract_row;

/* How the source writes dates and decimals. */
typedef struct extract_format {
    enum norm_date_format date;
    char decimal;
} extract_format;

/* The kinds of invalid values (the row is kept, the field left out) whose lines are noted. */
enum extract_fault {
    XF_NIR, XF_DATE, XF_UTF8, XF_SEXE, XF_COMMUNE, XF_ROLE, XF_ATTR, XF_COUNT
};
/* How many lines of each kind are noted: the first ones, for the summary. */
#define EXTRACT_FAULT_LINES 5

/* What was found invalid (the row is kept; the field is left out). */
typedef struct extract_stats {
    long at[XF_COUNT][EXTRACT_FAULT_LINES]; /* the first lines of each kind, increasing */
    int nat[XF_COUNT];                      /* how many of at[kind] are set */
    unsigned long long rows;
    unsigned long long nir_invalid, nir_missing;
    unsigned long long date_invalid, date_missing;
    unsigned long long utf8_invalid;
    unsigned long long sexe_invalid, commune_invalid, role_invalid, attr_invalid;
    unsigned long long ident_missing; /* rows without k_ident */
    unsigned long long hmacs;       /* HMACs computed */
    unsigned long long hmacs_saved; /* HMACs the CLK cache spared (computed + saved = the spec's) */
} extract_stats;

/* Per-thread scratch space and HMAC state. */
typedef struct extract_worker extract_worker;

/* A worker over MASTER for source SOURCE. NULL on failure. */
extract_worker *extract_worker_new(const unsigned char master[PSEUDO_MASTER_LEN], const char *source,
                                   const extract_format *fmt);
void extract_worker_free(extract_worker *w);

/* Append the extract line of ROW (fields in ARENA) and a LF to OUT; add to ST. The caller has
 * checked that local_ref is present and valid UTF-8. */
void extract_encode(extract_worker *w, const char *arena, const extract_row *row, sbuf *out,
                    extract_stats *st);

/* Add the counts of B into A; the lines noted are the first ones of both. */
void extract_stats_add(extract_stats *a, const extract_stats *b);

#endif
