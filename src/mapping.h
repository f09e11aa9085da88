/* mapping: how to read an agency's raw export (docs/mapping.md): columns, encoding,
 * separator, date format, decimal mark and value maps; or the canonical raw format. */
#ifndef TZNR_MAPPING_H
#define TZNR_MAPPING_H

#include <stddef.h>

#include "csvio.h"
#include "extract.h"

typedef struct mapping mapping;

/* Load a mapping file. NULL with "FILE:LINE: reason" in ERR on failure. */
mapping *mapping_load(const char *path, char *err, size_t errlen);
/* The canonical raw format (docs/mapping.md, first paragraph). */
mapping *mapping_canonical(void);
void mapping_free(mapping *m);

/* Reader options and value formats the mapping asks for. */
void mapping_csv_options(const mapping *m, csvio_options *opt);
void mapping_format(const mapping *m, extract_format *fmt);

/* Match the export's header; return 0, or -1 with a one-line reason in ERR naming the
 * missing or unexpected column. */
int mapping_bind(mapping *m, const csvio_record *header, char *err, size_t errlen);

/* Copy the canonical fields of REC into ARENA and set ROW; value maps are applied.
 * Return 0, or -1 with the reason the row cannot be used in WHY (wrong column count, missing
 * local_ref...). */
int mapping_apply(const mapping *m, const csvio_record *rec, sbuf *arena, extract_row *row,
                  char *why, size_t whylen);

/* Open the raw export PATH through the mapping file MAPFILE (the canonical layout when NULL)
 * and bind its header, left in *HEADER. Dies with exit 1 when the file or the mapping cannot be
 * read, 3 when the file is empty or its header does not fit. */
csvio_reader *mapping_open_export(const char *mapfile, const char *path, mapping **map, csvio_record *header);

#endif
