/* reidentify: an outreach list from the platform -> the same list with the agency's own
 * local_ref next to each token (from the token map) and, optionally, contact columns taken from
 * the agency's raw export. Runs at the agency only (docs/extract-format.md).
 *
 * Memory follows the list, not the inputs: the token map and the raw export are streamed once
 * and only what the list's tokens need is kept. */
#ifndef TZNR_REIDENTIFY_H
#define TZNR_REIDENTIFY_H

/* What to do, the command line resolved. */
typedef struct reidentify_args {
    const char *list;    /* the outreach list, as the platform wrote it (export.h's columns; a
                          * list from before the last column, inconnu_de, is read as well) */
    const char *tokens;  /* the token map pseudonymise wrote for the list's extract */
    const char *raw;     /* the raw export that extract was made from, or NULL: no contact columns */
    const char *mapping; /* how to read RAW (docs/mapping.md), or NULL: the canonical raw format */
    const char *columns; /* RAW's columns to add, "COL,COL..." by its own names, or NULL: those the
                          * mapping gives nom, nom_usage, prenom, date_naissance, adresse, commune */
    const char *output;  /* the file to write; none of the inputs (the caller checks that) */
} reidentify_args;

/* Die (exit TZNR_EXIT_USAGE) on the platform: where $TZNR_CONFIG is set or the default
 * configuration exists. The token map must never meet the platform's data. */
void reidentify_refuse_on_platform(void);

/* Write A->output: the list, same rows, order, separator, quoting, line ends and byte order
 * mark, with a local_ref column after token (empty for a token the map does not have) and,
 * with A->raw, the contact columns appended (empty where the export has no row). It holds
 * personal data: written with mode 0600 under a temporary name renamed at the end, so it is
 * whole or absent. Logs a summary (log_info) and warnings for tokens or local_refs not found.
 * Dies on error: TZNR_EXIT_USAGE for an empty or repeated name in A->columns (and on the
 * platform), TZNR_EXIT_REFUSED for an input that is not what it should be (not a list,
 * malformed token map, a raw export without the columns asked for, a mapping without contact
 * columns), TZNR_EXIT_FAIL for the rest (unreadable or unwritable files). */
void reidentify(const reidentify_args *a);

/* The file of the statut codes written beside OUTPUT: OUTPUT with ".csv" replaced by
 * "-statuts.csv" (malloc'ed). */
char *reidentify_statuts_path(const char *output);

#endif
