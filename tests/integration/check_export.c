/* Export end to end: a list is whole or absent. A landlord's tenant with 300 €/month and no
 * benefit, unknown to the CAF (whose register pays the RSA to someone else), is listed by a
 * first night; then the export of that run fails halfway (the database
 * refuses the list's query after the file was opened): the command must fail, leave no
 * temporary file in the outbox, and leave the list the first night wrote as it was. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define NIGHT "2026-11-26"

static const char HEADER[] = "local_ref,household_ref,role,nir,nom,prenom,date_naissance,sexe,commune,"
                             "nb_personnes,nb_enfants,ressources_mensuelles,revenus_activite,loyer,impaye_mois,"
                             "rsa,prime_activite,aide_logement,aah,css\n";

/* Files under DIR (recursively) whose name ends in .tmp. */
static int count_tmp(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        size_t l = strlen(e->d_name);
        const char *path = tu_fmt("%s/%s", dir, e->d_name);
        char *copy = strdup(path);
        if (l > 4 && strcmp(e->d_name + l - 4, ".tmp") == 0)
            n++;
        else
            n += count_tmp(copy);
        free(copy);
    }
    closedir(d);
    return n;
}

START_TEST(test_failed_export_leaves_no_partial_list)
{
    char *dir = strdup(tu_tmpdir());
    char *db = strdup(tu_db(1));
    char *conf = strdup(tu_conf_params(dir, db, NULL));
    char *key = strdup(tu_test_key(dir));
    char *body = strdup(tu_fmt("L1,HL1,D,%s,LEFEVRE,Sophie,1978-03-14,2,33063,1,0,300,0,450,0,,,,,\n",
                               tu_nir15("2780333063101")));
    tu_deposit_canonical(dir, key, "bailleur:aquitanis", "2026-11-20", HEADER, body);
    free(body);
    /* the CAF's register: it pays the RSA to someone else, so its silence on the tenant says
     * she is not paid */
    body = strdup(tu_fmt("C1,HC1,D,%s,MARTIN,Paul,1969-07-02,1,33063,1,0,200,0,400,0,1,0,0,0,0\n",
                         tu_nir15("1690733063102")));
    tu_deposit_canonical(dir, key, "caf:gironde", "2026-11-20", HEADER, body);
    free(body);
    char *out = NULL, *err = NULL;
    int rc = tu_tznr(&out, &err, "run -c '%s' --date " NIGHT, conf);
    ck_assert_msg(rc == 0, "tznr run: exit %d: %s%s", rc, out, err);
    free(out);
    free(err);
    char *list = strdup(tu_fmt("%s/outbox/bailleur_aquitanis/" NIGHT "/liste.csv", dir));
    char *before = tu_read(list, NULL);
    ck_assert_msg(before && strstr(before, "rsa"), "the first night lists the tenant for the RSA: %s",
                  before ? before : "(no list)");
    /* the list's query now fails, after the file was opened */
    long long renamed = tu_sqln(db, "ALTER TABLE tznr.list_entry RENAME COLUMN motif TO motif_x; SELECT 1");
    ck_assert_int_eq(renamed, 1);
    out = err = NULL;
    rc = tu_tznr(&out, &err, "export -c '%s' --date " NIGHT, conf);
    ck_assert_msg(rc == 1, "a failed export exits 1, not %d: %s%s", rc, out, err);
    ck_assert_msg(count_tmp(tu_fmt("%s/outbox", dir)) == 0, "a failed export left a temporary file");
    char *after = tu_read(list, NULL);
    ck_assert_msg(after && strcmp(before, after) == 0, "the earlier list was changed by a failed export");
    free(out);
    free(err);
    free(before);
    free(after);
    free(list);
    free(conf);
    free(key);
    free(db);
    free(dir);
}
END_TEST

Suite *suite_export(void)
{
    Suite *s = suite_create("export");
    TCase *tc = tcase_create("atomic");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_failed_export_leaves_no_partial_list);
    suite_add_tcase(s, tc);
    return s;
}
