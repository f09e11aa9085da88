/* conf: the platform's configuration file (INI), with defaults for every setting.
 * Looked up as -c FILE, else $TZNR_CONFIG, else /etc/tznr/tznr.conf (docs/configuration.md). */
#ifndef TZNR_CONF_H
#define TZNR_CONF_H

#include <stddef.h>

#define CONF_DEFAULT_PATH "/etc/tznr/tznr.conf"

/* The benefits a source can report (extract-v1 section 5), in the order of tznr.run_foyer. */
#define CONF_NBENEFITS 9
extern const char *const conf_benefits[CONF_NBENEFITS];

typedef struct conf {
    char *path;            /* the file read, or NULL when none was found (all defaults) */
    char *conninfo;        /* [database] conninfo: a libpq connection string or URI */
    char *key_id;          /* [keys] key_id: the key id extracts must carry */
    char *inbox;           /* [paths] inbox */
    char *archive;         /* [paths] archive */
    char *outbox;          /* [paths] outbox */
    char *rejected;        /* [paths] rejected */
    double max_reject_share; /* [load] max_reject_share: bad rows above which an extract is refused */
    double max_drop_share;   /* [load] max_drop_share: row-count fall that refuses a snapshot */
    double link_match;       /* [link] match_probability: at or above which two records link */
    double link_same_source; /* [link] same_source_probability: the same within one source */
    double link_possible;    /* [link] possible_probability: from which a pair left apart is possible */
    int link_sample;         /* [link] sample: records the model is estimated on */
    char *link_model;        /* [link] model: a model file to use instead of estimating (NULL) */
    int lsh_bands;           /* [link] lsh_bands */
    int lsh_bits;            /* [link] lsh_bits (0: from the number of records) */
    int block_max;           /* [link] block_max: larger blocks are skipped and counted */
    /* [run] */
    char *parameters;        /* [run] parameters: the dated benefit parameters (CSV) */
    int cooldown_days;       /* [run] cooldown_days: a household is not listed again for a rule */
    int settled_days;        /* [run] settled_days: after an outcome that settles it */
    int pull_timeout;        /* [run] pull_timeout: seconds a source's pull command may take */
    char *export_separator;  /* [run] separator of the lists (";") */
    char export_decimal;     /* [run] decimal mark of the lists (',') */
    int export_bom;          /* [run] bom: write a UTF-8 byte order mark (1) */
    /* [registers]: for each benefit of conf_benefits, the source kinds or ids ("kind:name")
     * whose extract is a complete register of its recipients in the territory, space
     * separated ("" for none); a household absent from a current register does not receive
     * the benefit from that payer */
    char *registers[CONF_NBENEFITS];
    int register_max_age_days; /* [registers] max_age_days: an older snapshot is no register */
    /* [statistics] */
    int secret_threshold;    /* [statistics] secret_threshold: counts below it are hidden (11) */
    /* [retention] */
    int keep_snapshots_days; /* superseded snapshots are dropped after this many days */
    int keep_link_runs;      /* link runs whose links are kept (the latest N) */
    /* [team.NAME] sections */
    struct conf_team {
        char *name;
        char *source;        /* source id whose tokens the team can reach */
        long source_line;    /* its line in the configuration file */
        char *communes;      /* space or comma separated INSEE codes, or NULL for all */
    } *teams;
    int nteams;
    /* [source.ID] sections */
    struct conf_source {
        char *id;
        char *pull;          /* a command fetching the source's files into the inbox */
    } *sources;
    int nsources;
} conf;

/* Fill C with the defaults, then read the file: PATH if not NULL (must exist), else
 * $TZNR_CONFIG (must exist), else /etc/tznr/tznr.conf if it exists. Return 0, or -1 with
 * "FILE:LINE: reason" in ERR. */
int conf_load(conf *c, const char *path, char *err, size_t errlen);
void conf_free(conf *c);

#endif
