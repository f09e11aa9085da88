/* ini: a small strict INI reader shared by the mapping files and the platform configuration. */
#ifndef TZNR_INI_H
#define TZNR_INI_H

#include <stddef.h>

/* Called for each "key = value"; SECTION and KEY are lower-cased, VALUE trimmed.
 * Return 0 to go on, or -1 after writing a reason into ERR (ERRLEN bytes). */
typedef int (*ini_handler)(void *ctx, const char *section, const char *key, const char *value,
                           char *err, size_t errlen);

/* Parse PATH; on failure return -1 with "PATH:LINE: reason" in ERR. Lines starting with
 * '#' or ';' are comments; a value may not continue on the next line. */
int ini_parse(const char *path, ini_handler fn, void *ctx, char *err, size_t errlen);
/* The line of the setting being handed to the handler (for a handler that keeps it). */
long ini_line(void);

#endif
