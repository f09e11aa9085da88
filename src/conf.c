#include "conf.h"
#include "link.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ini.h"
#include "manifest.h"
#include "sbuf.h"

const char *const conf_benefits[CONF_NBENEFITS] = {"rsa", "prime_activite", "aide_logement", "aah", "css",
                                                   "aspa", "apa", "pch", "fsl"};

/* The registers of the loi 3DS experimentation's usual partners: who pays what
 * (docs/rules.md, « Registres »). */
static const char *const default_registers[CONF_NBENEFITS] = {
    "caf departement", "caf", "caf", "caf", "cpam", "carsat", "departement", "departement", "departement"};

/* [registers] BENEFIT = kinds or source ids, separated by spaces or commas: checked, and
 * kept as one space between items. Return 0, or -1 with the reason in ERR. */
static int set_register(char **dst, const char *key, const char *value, char *err, size_t errlen)
{
    sbuf b;
    sbuf_init(&b);
    const char *p = value;
    while (*p) {
        size_t n = strcspn(p, " ,\t");
        if (n > 0) {
            char item[128];
            if (n >= sizeof item) {
                snprintf(err, errlen, "[registers] %s: '%.*s' is too long", key, (int)n, p);
                sbuf_free(&b);
                return -1;
            }
            memcpy(item, p, n);
            item[n] = '\0';
            if (!(strchr(item, ':') ? manifest_source_valid(item) : manifest_kind_valid(item, n))) {
                snprintf(err, errlen,
                         "[registers] %s: '%s' is neither a source kind (" MANIFEST_KINDS
                         ") nor a source id KIND:NAME",
                         key, item);
                sbuf_free(&b);
                return -1;
            }
            if (b.len)
                sbuf_addc(&b, ' ');
            sbuf_adds(&b, item);
            p += n;
        } else {
            p++;
        }
    }
    free(*dst);
    *dst = b.p;
    return 0;
}

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

/* The plain settings: a string, or a number within bounds, at an offset in the conf. */
enum setting_kind { S_STR, S_DOUBLE, S_INT };
struct setting {
    const char *section, *key;
    enum setting_kind kind;
    size_t offset;
    double min, max;
};
#define STR(sec, key, field) {sec, key, S_STR, offsetof(conf, field), 0, 0}
#define DBL(sec, key, field, lo, hi) {sec, key, S_DOUBLE, offsetof(conf, field), lo, hi}
#define INT(sec, key, field, lo, hi) {sec, key, S_INT, offsetof(conf, field), lo, hi}
static const struct setting settings[] = {
    STR("database", "conninfo", conninfo),
    STR("keys", "key_id", key_id),
    STR("paths", "inbox", inbox),
    STR("paths", "archive", archive),
    STR("paths", "outbox", outbox),
    STR("paths", "rejected", rejected),
    DBL("load", "max_reject_share", max_reject_share, 0, 1),
    DBL("load", "max_drop_share", max_drop_share, 0, 1),
    DBL("link", "match_probability", link_match, 0.5, 1),
    DBL("link", "same_source_probability", link_same_source, 0.5, 1),
    DBL("link", "possible_probability", link_possible, 0.01, 1),
    INT("link", "sample", link_sample, 1000, 10000000),
    STR("link", "model", link_model),
    INT("link", "lsh_bands", lsh_bands, 0, 1000),
    INT("link", "lsh_bits", lsh_bits, 8, 30), /* or "auto", below */
    INT("link", "block_max", block_max, 2, 1000000),
    STR("run", "parameters", parameters),
    INT("run", "cooldown_days", cooldown_days, 0, 3650),
    INT("run", "settled_days", settled_days, 0, 3650),
    INT("run", "pull_timeout", pull_timeout, 1, 86400),
    INT("run", "bom", export_bom, 0, 1),
    INT("registers", "max_age_days", register_max_age_days, 1, 3650),
    INT("statistics", "secret_threshold", secret_threshold, 3, 1000),
    INT("retention", "keep_snapshots_days", keep_snapshots_days, 0, 36500),
    INT("retention", "keep_link_runs", keep_link_runs, 1, 100000),
};
#undef STR
#undef DBL
#undef INT

static int set_plain(conf *c, const struct setting *st, const char *value, char *err, size_t errlen)
{
    void *dst = (char *)c + st->offset;
    int bad = 0;
    switch (st->kind) {
    case S_STR: set_str(dst, value); break;
    case S_DOUBLE: bad = parse_double(value, st->min, st->max, dst); break;
    case S_INT: bad = parse_int(value, (long)st->min, (long)st->max, dst); break;
    }
    if (bad)
        snprintf(err, errlen, "[%s] %s must be a number from %g to %g, not '%s'", st->section, st->key, st->min,
                 st->max, value);
    return bad ? -1 : 0;
}

/* [team.NAME] source, communes */
static int set_team(conf *c, const char *name, const char *key, const char *value, char *err, size_t errlen)
{
    int t;
    for (t = 0; t < c->nteams && strcmp(c->teams[t].name, name) != 0; t++)
        ;
    if (t == c->nteams) {
        for (const char *q = name; *q; q++)
            if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_' || *q == '-')) {
                snprintf(err, errlen, "team name '%s' may only hold a-z 0-9 _ - (it names a folder)", name);
                return -1;
            }
        c->teams = xrealloc(c->teams, (size_t)(c->nteams + 1) * sizeof *c->teams);
        memset(&c->teams[t], 0, sizeof c->teams[t]);
        c->teams[t].name = xstrdup(name);
        c->nteams++;
    }
    if (strcmp(key, "source") == 0 || strcmp(key, "communes") == 0) {
        set_str(strcmp(key, "source") == 0 ? &c->teams[t].source : &c->teams[t].communes, value);
        if (strcmp(key, "source") == 0)
            c->teams[t].source_line = ini_line();
        return 0;
    }
    snprintf(err, errlen, "unknown setting '%s' in [team.%s] (source, communes)", key, name);
    return -1;
}

/* [source.ID] pull */
static int set_source(conf *c, const char *id, const char *key, const char *value, char *err, size_t errlen)
{
    int t;
    for (t = 0; t < c->nsources && strcmp(c->sources[t].id, id) != 0; t++)
        ;
    if (t == c->nsources) {
        c->sources = xrealloc(c->sources, (size_t)(c->nsources + 1) * sizeof *c->sources);
        memset(&c->sources[t], 0, sizeof c->sources[t]);
        c->sources[t].id = xstrdup(id);
        c->nsources++;
    }
    if (strcmp(key, "pull") == 0) {
        set_str(&c->sources[t].pull, value);
        return 0;
    }
    snprintf(err, errlen, "unknown setting '%s' in [source.%s] (pull)", key, id);
    return -1;
}

static int on_setting(void *ctx, const char *section, const char *key, const char *value, char *err,
                      size_t errlen)
{
    conf *c = ctx;
    static const char *const retired[] = {"threshold", "grey_low", "same_source", "margin", "dob_bonus",
                                          "year_penalty", "sex_penalty", "commune_bonus"};
    for (size_t i = 0; strcmp(section, "link") == 0 && i < sizeof retired / sizeof retired[0]; i++)
        if (strcmp(key, retired[i]) == 0) {
            snprintf(err, errlen,
                     "[link] %s is gone: the linkage now estimates its own model and links on a match "
                     "probability (match_probability; docs/linking.md)", key);
            return -1;
        }
    if (strcmp(section, "link") == 0 && strcmp(key, "lsh_bits") == 0 && strcmp(value, "auto") == 0) {
        c->lsh_bits = 0;
        return 0;
    }
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        if (strcmp(section, settings[i].section) == 0 && strcmp(key, settings[i].key) == 0)
            return set_plain(c, &settings[i], value, err, errlen);
    if (strcmp(section, "run") == 0 && strcmp(key, "separator") == 0) {
        if (strcmp(value, ";") != 0 && strcmp(value, ",") != 0 && strcmp(value, "tab") != 0) {
            snprintf(err, errlen, "[run] separator must be ; , or tab, not '%s'", value);
            return -1;
        }
        set_str(&c->export_separator, strcmp(value, "tab") == 0 ? "\t" : value);
        return 0;
    }
    if (strcmp(section, "run") == 0 && strcmp(key, "decimal") == 0) {
        if (strcmp(value, ",") != 0 && strcmp(value, ".") != 0) {
            snprintf(err, errlen, "[run] decimal must be , or ., not '%s'", value);
            return -1;
        }
        c->export_decimal = value[0];
        return 0;
    }
    if (strcmp(section, "registers") == 0) {
        for (int b = 0; b < CONF_NBENEFITS; b++)
            if (strcmp(key, conf_benefits[b]) == 0)
                return set_register(&c->registers[b], key, value, err, errlen);
        snprintf(err, errlen,
                 "unknown setting '%s' in [registers] (max_age_days, rsa, prime_activite, aide_logement, aah, "
                 "css, aspa, apa, pch, fsl)",
                 key);
        return -1;
    }
    if (strncmp(section, "team.", 5) == 0 && section[5])
        return set_team(c, section + 5, key, value, err, errlen);
    if (strncmp(section, "source.", 7) == 0 && section[7])
        return set_source(c, section + 7, key, value, err, errlen);
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
    c->link_match = 0.9;
    c->link_same_source = 0.999;
    c->link_possible = 0.5;
    c->link_sample = LINK_SAMPLE;
    c->parameters = xstrdup("parameters.csv");
    c->cooldown_days = 90;
    c->settled_days = 365;
    c->pull_timeout = 600;
    c->export_separator = xstrdup(";");
    c->export_decimal = ',';
    c->export_bom = 1;
    c->secret_threshold = 11;
    c->keep_snapshots_days = 30;
    c->keep_link_runs = 30;
    for (int b = 0; b < CONF_NBENEFITS; b++)
        c->registers[b] = xstrdup(default_registers[b]);
    c->register_max_age_days = 45;
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
    if (c->link_model && !*c->link_model) { /* "model =" says none */
        free(c->link_model);
        c->link_model = NULL;
    }
    /* relative paths are relative to the configuration file, not to the working directory */
    char **paths[] = {&c->inbox, &c->archive, &c->outbox, &c->rejected, &c->parameters, &c->link_model};
    const char *slash = strrchr(path, '/');
    for (size_t i = 0; slash && i < sizeof paths / sizeof paths[0]; i++) {
        if (!*paths[i] || (*paths[i])[0] == '/')
            continue;
        sbuf b;
        sbuf_init(&b);
        sbuf_add(&b, path, (size_t)(slash - path) + 1);
        sbuf_adds(&b, *paths[i]);
        free(*paths[i]);
        *paths[i] = b.p;
    }
    for (int t = 0; t < c->nteams; t++) {
        if (!c->teams[t].source) {
            snprintf(err, errlen, "%s: [team.%s] needs 'source = KIND:NAME'", path, c->teams[t].name);
            return -1;
        }
    }
    if (c->link_possible > c->link_match) {
        snprintf(err, errlen, "%s: [link] possible_probability (%g) must not be above match_probability (%g)",
                 path, c->link_possible, c->link_match);
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
    free(c->parameters);
    free(c->link_model);
    free(c->export_separator);
    for (int b = 0; b < CONF_NBENEFITS; b++)
        free(c->registers[b]);
    for (int t = 0; t < c->nteams; t++) {
        free(c->teams[t].name);
        free(c->teams[t].source);
        free(c->teams[t].communes);
    }
    free(c->teams);
    for (int t = 0; t < c->nsources; t++) {
        free(c->sources[t].id);
        free(c->sources[t].pull);
    }
    free(c->sources);
    memset(c, 0, sizeof *c);
}
