#include "manifest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "norm.h"
#include "sbuf.h"

/* extract-v1 section 5, amended 2026-12-01 (more payers); MANIFEST_KINDS says the same */
static const char *const kinds[] = {"caf", "departement", "bailleur", "cpam", "msa",
                                    "carsat", "france_travail", "ccas", "autre"};

int manifest_kind_valid(const char *kind, size_t len)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strlen(kinds[i]) == len && strncmp(kind, kinds[i], len) == 0)
            return 1;
    return 0;
}

int manifest_source_valid(const char *s)
{
    const char *colon = strchr(s, ':');
    if (!colon || !manifest_kind_valid(s, (size_t)(colon - s)))
        return 0;
    const char *name = colon + 1;
    size_t n = strlen(name);
    if (n < 1 || n > 32)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
              name[i] == '_' || name[i] == '-'))
            return 0;
    return 1;
}

static int copy(char *dst, size_t cap, const char *v)
{
    if (strlen(v) >= cap)
        return -1;
    strcpy(dst, v);
    return 0;
}

int manifest_read(const char *path, manifest *m, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    m->rows = -1;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "manifest '%s' %s", path,
                 errno == ENOENT ? "is missing" : strerror(errno));
        return -1;
    }
    /* getline, not fgets: the line's length is known, so a NUL byte inside it is seen (and
     * refused below) rather than silently cutting the value short */
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    int lineno = 0, have_format = 0, rc = 0;
    while ((got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        size_t n = (size_t)got;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n > 510) { /* no manifest value comes near: a file that is not a manifest */
            snprintf(err, errlen, "manifest '%s' line %d is too long", path, lineno);
            rc = -1;
            break;
        }
        if (n == 0)
            continue;
        /* the values go into the database and the audit log: text, UTF-8, no control byte */
        size_t bad_at = 0;
        for (size_t i = 0, k; i < n && !bad_at; i += k ? k : 1) {
            k = sbuf_utf8_seq(line + i, n - i);
            if (k == 0 || (unsigned char)line[i] < 0x20 || line[i] == 0x7F)
                bad_at = i + 1;
        }
        if (bad_at) {
            snprintf(err, errlen, "manifest '%s' line %d column %zu: byte 0x%02X is not UTF-8 text", path, lineno,
                     bad_at, (unsigned char)line[bad_at - 1]);
            rc = -1;
            break;
        }
        char *eq = strstr(line, " = ");
        if (!eq) {
            snprintf(err, errlen, "manifest '%s' line %d is not 'name = value'", path, lineno);
            rc = -1;
            break;
        }
        *eq = '\0';
        const char *k = line, *v = eq + 3;
        int bad = 0;
        if (strcmp(k, "format") == 0) {
            if (strcmp(v, "tznr-extract-v1") != 0) {
                snprintf(err, errlen, "manifest '%s': format '%s' is not tznr-extract-v1", path, v);
                rc = -1;
                break;
            }
            have_format = 1;
        } else if (strcmp(k, "source") == 0) {
            bad = copy(m->source, sizeof m->source, v) || !manifest_source_valid(v);
        } else if (strcmp(k, "extract_date") == 0) {
            char d[9];
            bad = copy(m->extract_date, sizeof m->extract_date, v) ||
                  norm_date(v, strlen(v), DATE_ISO, d) != 1;
        } else if (strcmp(k, "key_id") == 0) {
            bad = copy(m->key_id, sizeof m->key_id, v) || !*v;
        } else if (strcmp(k, "rows") == 0) {
            char *end;
            errno = 0;
            m->rows = strtoll(v, &end, 10);
            bad = errno || end == v || *end || m->rows < 0;
        } else if (strcmp(k, "sha256") == 0) {
            bad = strlen(v) != 64 || !hex_valid(v, 64) || copy(m->sha256, sizeof m->sha256, v);
        } else if (strcmp(k, "created_at") == 0) {
            bad = copy(m->created_at, sizeof m->created_at, v) || strlen(v) < 10;
        } else {
            snprintf(err, errlen, "manifest '%s' line %d: unknown name '%s'", path, lineno, k);
            rc = -1;
            break;
        }
        if (bad) {
            snprintf(err, errlen, "manifest '%s' line %d: invalid %s '%s'", path, lineno, k, v);
            rc = -1;
            break;
        }
    }
    fclose(f);
    free(line);
    if (rc == 0) {
        const char *missing = !have_format ? "format" : !m->source[0] ? "source"
                              : !m->extract_date[0] ? "extract_date" : !m->key_id[0] ? "key_id"
                              : m->rows < 0 ? "rows" : !m->sha256[0] ? "sha256"
                              : !m->created_at[0] ? "created_at" : NULL;
        if (missing) {
            snprintf(err, errlen, "manifest '%s' is malformed: '%s' is missing", path, missing);
            rc = -1;
        }
    }
    return rc;
}
