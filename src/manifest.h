/* manifest: the extract's manifest file (extract-v1 section 5). */
#ifndef TZNR_MANIFEST_H
#define TZNR_MANIFEST_H

#include <stddef.h>

typedef struct manifest {
    char source[64];
    char extract_date[11];
    char key_id[33];
    long long rows;
    char sha256[65];
    char created_at[32];
} manifest;

/* Read and check PATH. Return 0, or -1 with a one-line reason in ERR. */
int manifest_read(const char *path, manifest *m, char *err, size_t errlen);

/* The source kinds of extract-v1 section 5, for messages. */
#define MANIFEST_KINDS "caf, departement, bailleur, cpam, msa, carsat, france_travail, ccas, autre"

/* Return 1 when the LEN bytes at KIND are one of MANIFEST_KINDS. */
int manifest_kind_valid(const char *kind, size_t len);

/* Return 1 when S is a valid source id: KIND:NAME, KIND one of MANIFEST_KINDS, NAME
 * [a-z0-9_-]{1,32}. */
int manifest_source_valid(const char *s);

#endif
