/* linkmodel: read a linkage model from its CSV table (see linkmodel.h). */
#include "linkmodel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "link.h"

static int number(const char *s, double *v)
{
    char *end;
    *v = strtod(s, &end);
    return *s != '\0' && *end == '\0' && isfinite(*v);
}

int linkmodel_read(const char *path, fs_model *m, char *err, size_t errlen)
{
    link_fs_init(m);
    csvio_options o = {.sep = ','};
    csvio_reader *r = csvio_open(path, &o, err, errlen);
    if (!r)
        return -1;
    int seen[FS_MAX_COMP][FS_MAX_LEVELS] = {{0}}, prior = 0, rc = 0;
    long line = 0;
    csvio_record rec;
    int got;
    while (rc == 0 && (got = csvio_next(r, &rec)) == 1) {
        line = rec.line;
        if (line == 1) {
            if (rec.nfields < 5 || strcmp(rec.field[0], "comparison") != 0 || strcmp(rec.field[3], "m") != 0 ||
                strcmp(rec.field[4], "u") != 0) {
                snprintf(err, errlen, "%s:1: not a linkage model (want the header of 'tznr links --model': "
                         "comparison,level,label,m,u,match_weight)", path);
                rc = -1;
            }
            continue;
        }
        double mv, uv;
        if (rec.nfields < 5 || !number(rec.field[3], &mv) || !number(rec.field[4], &uv)) {
            snprintf(err, errlen, "%s:%ld: m and u must be numbers", path, line);
            rc = -1;
            break;
        }
        if (strcmp(rec.field[0], "identity_key") == 0) /* the run's measure of its keys: a given model has no */
            continue;                                 /* weight for them (identity keys link unconditionally) */
        if (strcmp(rec.field[0], "prior") == 0) {
            if (!(mv > 0 && mv < 1)) {
                snprintf(err, errlen, "%s:%ld: the prior (share of matches) must be between 0 and 1", path, line);
                rc = -1;
            }
            m->lambda = mv;
            prior++;
            continue;
        }
        int k = 0;
        while (k < LINK_FS_NCOMP && strcmp(link_fs_names[k], rec.field[0]) != 0)
            k++;
        char *end;
        long l = strtol(rec.field[1], &end, 10);
        if (k == LINK_FS_NCOMP || *rec.field[1] == '\0' || *end != '\0' || l < 0 || l >= link_fs_nlevels[k]) {
            snprintf(err, errlen, "%s:%ld: no comparison '%s' level '%s' in the linkage", path, line, rec.field[0],
                     rec.field[1]);
            rc = -1;
        } else if (!(mv > 0 && mv <= 1 && uv > 0 && uv <= 1)) {
            snprintf(err, errlen, "%s:%ld: m and u must be in (0, 1]", path, line);
            rc = -1;
        } else if ((k == LC_DICE || k == LC_DICE_DOB) && rec.nfields > 2 && *rec.field[2] &&
                   strcmp(rec.field[2], link_fs_level_label(k, (int)l)) != 0) {
            /* a table saved before 2026-12-03: its Dice was of the whole filters, in other bands */
            snprintf(err, errlen, "%s:%ld: %s level %ld is '%s' here but '%s' now: the Dice leaves the clear "
                     "fields' bits out since 2026-12-03, in other bands, so this table's m and u no longer apply; "
                     "save a run's model anew (tznr links --model)", path, line, rec.field[0], l, rec.field[2],
                     link_fs_level_label(k, (int)l));
            rc = -1;
        } else if (seen[k][l]++) {
            snprintf(err, errlen, "%s:%ld: %s level %ld given twice", path, line, rec.field[0], l);
            rc = -1;
        } else {
            m->m[k][l] = mv;
            m->u[k][l] = uv;
        }
    }
    if (rc == 0 && got < 0) {
        snprintf(err, errlen, "%s", csvio_error(r));
        rc = -1;
    }
    csvio_close(r);
    if (rc == 0 && prior != 1) {
        snprintf(err, errlen, "%s: the 'prior' row must be there once", path);
        rc = -1;
    }
    /* a table saved before the pairs born the same day had their own sex and commune
     * (2026-12-02): those pairs weigh their sex and commune as the others did */
    static const int dob[][2] = {{LC_SEX_DOB, LC_SEX}, {LC_COMMUNE_DOB, LC_COMMUNE}};
    for (size_t i = 0; rc == 0 && i < sizeof dob / sizeof dob[0]; i++) {
        int k = dob[i][0], b = dob[i][1], any = 0;
        for (int l = 0; l < link_fs_nlevels[k]; l++)
            any |= seen[k][l];
        if (!any) {
            memcpy(m->m[k], m->m[b], sizeof m->m[k]);
            memcpy(m->u[k], m->u[b], sizeof m->u[k]);
            for (int l = 0; l < link_fs_nlevels[k]; l++)
                seen[k][l] = seen[b][l];
        }
    }
    for (int k = 0; rc == 0 && k < LINK_FS_NCOMP; k++) {
        double sm = 0, su = 0;
        for (int l = 0; l < link_fs_nlevels[k]; l++) {
            if (!seen[k][l]) {
                snprintf(err, errlen, "%s: %s level %d is missing", path, link_fs_names[k], l);
                rc = -1;
                break;
            }
            sm += m->m[k][l];
            su += m->u[k][l];
        }
        if (rc == 0 && (fabs(sm - 1) > 0.001 || fabs(su - 1) > 0.001)) {
            snprintf(err, errlen, "%s: the m or the u of %s do not sum to 1 (%.4f, %.4f)", path, link_fs_names[k], sm,
                     su);
            rc = -1;
        }
    }
    return rc;
}
