/* pseudonymise: an agency's raw export -> a tznr-extract-v1 file (docs/extract-format.md) and
 * the files that go with it, named after it:
 *   OUT            the extract, to deposit on the platform (mode 0640)
 *   OUT.manifest   its manifest, to deposit with it (mode 0640)
 *   OUT.tokens     local_ref,token: the token map, stays at the agency (mode 0600)
 *   OUT.rejects    line,reason,record: the rows that could not be used, stays at the agency
 * Rows are encoded on worker threads in batches; the extract and the token map keep the
 * export's row order whatever the number of threads. */
#ifndef TZNR_PSEUDONYMISE_H
#define TZNR_PSEUDONYMISE_H

#include <stddef.h>

#define PSEUDONYMISE_MAX_JOBS 64

/* What to do, the command line resolved. */
typedef struct pseudonymise_opts {
    const char *key;          /* the territory's key file (mode 0600) */
    const char *source;       /* the source id, KIND:NAME, already checked (manifest_source_valid) */
    const char *mapping;      /* how to read the export (docs/mapping.md), or NULL: the canonical
                               * raw columns, UTF-8, comma separated */
    const char *raw;          /* the raw export */
    const char *output;       /* the extract to write (OUT) */
    const char *extract_date; /* the export's date for the manifest, YYYY-MM-DD, already checked;
                               * NULL: today (UTC) */
    long jobs;                /* threads encoding, 1 to PSEUDONYMISE_MAX_JOBS */
} pseudonymise_opts;

/* Write the four files, each under a temporary name renamed at the end, the manifest last: its
 * presence says the extract is complete. Logs a summary (log_info) and a warning for fields
 * that are not UTF-8. Dies, removing the files not yet renamed (so never a manifest for an
 * incomplete extract): TZNR_EXIT_REFUSED for an export that is empty or whose header does not
 * fit the mapping, TZNR_EXIT_FAIL for the rest (key file, mapping, unreadable export, a file
 * that cannot be written). */
void pseudonymise(const pseudonymise_opts *o);

/* Whether writing OUTPUT and its side files (OUTPUT.tokens, .rejects, .manifest, and their
 * temporary names) would replace or remove the raw export RAW ("-": standard input when it is
 * a regular file): the same name, or the same file (device and inode) under another name.
 * Return 1 with the reason in WHY, or 0. Nothing is written. */
int pseudonymise_output_clash(const char *raw, const char *output, char *why, size_t whylen);

#endif
