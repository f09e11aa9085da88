#include "ini.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

static long current_line;

long ini_line(void) { return current_line; }

int ini_parse(const char *path, ini_handler fn, void *ctx, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "could not open '%s': %s", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    char section[128] = "";
    int rc = 0;
    while ((n = getline(&line, &cap, f)) != -1) {
        lineno++;
        char *s = line;
        if (lineno == 1 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
            (unsigned char)s[2] == 0xBF)
            s += 3;
        if (memchr(s, '\0', (size_t)n - (size_t)(s - line))) {
            snprintf(err, errlen, "%s:%ld: not a text file (NUL byte)", path, lineno);
            rc = -1;
            break;
        }
        s = trim(s);
        if (*s == '\0' || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *e = strchr(s, ']');
            if (!e || e[1] != '\0') {
                snprintf(err, errlen, "%s:%ld: malformed section header '%s'", path, lineno, s);
                rc = -1;
                break;
            }
            *e = '\0';
            char *name = trim(s + 1);
            if (strlen(name) >= sizeof section || *name == '\0') {
                snprintf(err, errlen, "%s:%ld: bad section name", path, lineno);
                rc = -1;
                break;
            }
            strcpy(section, name);
            lower(section);
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, errlen, "%s:%ld: expected 'key = value', got '%s'", path, lineno, s);
            rc = -1;
            break;
        }
        *eq = '\0';
        char *key = trim(s);
        char *value = trim(eq + 1);
        if (*key == '\0') {
            snprintf(err, errlen, "%s:%ld: empty key", path, lineno);
            rc = -1;
            break;
        }
        lower(key);
        char why[512];
        why[0] = '\0';
        current_line = lineno;
        if (fn(ctx, section, key, value, why, sizeof why) != 0) {
            snprintf(err, errlen, "%s:%ld: %s", path, lineno, why[0] ? why : "invalid setting");
            rc = -1;
            break;
        }
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "could not read '%s': %s", path, strerror(errno));
        rc = -1;
    }
    free(line);
    fclose(f);
    return rc;
}
