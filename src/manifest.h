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

/* Return 1 when S is a valid source id: KIND:NAME, KIND caf, departement, bailleur, autre. */
int manifest_source_valid(const char *s);

#endif
