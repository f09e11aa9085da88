#include "conf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ini.h"
#include "sbuf.h"

static void set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = xstrdup(v);
}

static int parse_double(const char *v, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (errno || end == v || *end || d < min || d > max)
        return -1;
    *out = d;
    return 0;
}

static int parse_int(const char *v, long min, long max, int *out)
{
    char *end;
    errno = 0;
    long l = strtol(v, &end, 10);
    if (errno || end == v || *end || l < min || l > max)
        return -1;
    *out = (int)l;
    return 0;
}

static int on_setting(void *ctx, const char *section, const char *key, const char *value, char *err,
                      size_t errlen)
{
    conf *c = ctx;
#define IS(s, k) (strcmp(section, s) == 0 && strcmp(key, k) == 0)
#define RANGE(fn, lo, hi, dst)                                                                    \
    do {                                                                                          \
        if (fn(value, lo, hi, dst) != 0) {                                                        \
            snprintf(err, errlen, "[%s] %s must be a number from %g to %g, not '%s'", section, key, \
                     (double)(lo), (double)(hi), value);                                          \
            return -1;                                                                            \
        }                                                                                         \
        return 0;                                                                                 \
    } while (0)
    if (IS("database", "conninfo")) {
        set_str(&c->conninfo, value);
        return 0;
    }
    if (IS("keys", "key_id")) {
        set_str(&c->key_id, value);
        return 0;
    }
    if (IS("paths", "inbox")) {
        set_str(&c->inbox, value);
        return 0;
    }
    if (IS("paths", "archive")) {
        set_str(&c->archive, value);
        return 0;
    }
    if (IS("paths", "outbox")) {
        set_str(&c->outbox, value);
        return 0;
    }
    if (IS("paths", "rejected")) {
        set_str(&c->rejected, value);
        return 0;
    }
    if (IS("load", "max_reject_share"))
        RANGE(parse_double, 0, 1, &c->max_reject_share);
    if (IS("load", "max_drop_share"))
        RANGE(parse_double, 0, 1, &c->max_drop_share);
    if (IS("link", "threshold"))
        RANGE(parse_double, 0.5, 1, &c->link_threshold);
    if (IS("link", "grey_low"))
        RANGE(parse_double, 0.3, 1, &c->link_grey);
    if (IS("link", "same_source"))
        RANGE(parse_double, 0.5, 1, &c->link_same_source);
    if (IS("link", "margin"))
        RANGE(parse_double, 0, 1, &c->link_margin);
    if (IS("link", "dob_bonus"))
        RANGE(parse_double, 0, 0.5, &c->link_dob_bonus);
    if (IS("link", "year_penalty"))
        RANGE(parse_double, 0, 1, &c->link_year_penalty);
    if (IS("link", "sex_penalty"))
        RANGE(parse_double, 0, 1, &c->link_sex_penalty);
    if (IS("link", "lsh_bands"))
        RANGE(parse_int, 0, 1000, &c->lsh_bands);
    if (IS("link", "lsh_bits")) {
        if (strcmp(value, "auto") == 0) {
            c->lsh_bits = 0;
            return 0;
        }
        RANGE(parse_int, 8, 30, &c->lsh_bits);
    }
    if (IS("link", "block_max"))
        RANGE(parse_int, 2, 1000000, &c->block_max);
#undef IS
#undef RANGE
    snprintf(err, errlen, "unknown setting '%s' in [%s] (see docs/configuration.md)", key, section);
    return -1;
}

static void defaults(conf *c)
{
    memset(c, 0, sizeof *c);
    c->conninfo = xstrdup("");
    c->inbox = xstrdup("/var/lib/tznr/inbox");
    c->archive = xstrdup("/var/lib/tznr/archive");
    c->outbox = xstrdup("/var/lib/tznr/outbox");
    c->rejected = xstrdup("/var/lib/tznr/rejected");
    c->max_reject_share = 0.01;
    c->max_drop_share = 0.20;
    c->link_threshold = 0.88;
    c->link_grey = 0.80;
    c->link_margin = 0.05;
    c->link_same_source = 0.92;
    c->link_dob_bonus = 0.0;
    c->link_year_penalty = 0.10;
    c->link_sex_penalty = 0.25;
    c->lsh_bands = 64;
    c->lsh_bits = 0;
    c->block_max = 2000;
}

int conf_load(conf *c, const char *path, char *err, size_t errlen)
{
    defaults(c);
    if (!path) {
        const char *env = getenv("TZNR_CONFIG");
        if (env && *env)
            path = env;
        else if (access(CONF_DEFAULT_PATH, F_OK) == 0)
            path = CONF_DEFAULT_PATH;
    }
    if (!path)
        return 0;
    c->path = xstrdup(path);
    if (ini_parse(path, on_setting, c, err, errlen) != 0)
        return -1;
    /* relative paths are relative to the configuration file, not to the working directory */
    char **paths[] = {&c->inbox, &c->archive, &c->outbox, &c->rejected};
    const char *slash = strrchr(path, '/');
    for (size_t i = 0; slash && i < sizeof paths / sizeof paths[0]; i++) {
        if ((*paths[i])[0] == '/')
            continue;
        sbuf b;
        sbuf_init(&b);
        sbuf_add(&b, path, (size_t)(slash - path) + 1);
        sbuf_adds(&b, *paths[i]);
        free(*paths[i]);
        *paths[i] = b.p;
    }
    if (c->link_grey > c->link_threshold) {
        snprintf(err, errlen, "%s: [link] grey_low (%g) must not be above threshold (%g)", path,
                 c->link_grey, c->link_threshold);
        return -1;
    }
    return 0;
}

void conf_free(conf *c)
{
    free(c->path);
    free(c->conninfo);
    free(c->key_id);
    free(c->inbox);
    free(c->archive);
    free(c->outbox);
    free(c->rejected);
    memset(c, 0, sizeof *c);
}
