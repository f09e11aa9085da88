/* linkmodel: a linkage model as a CSV file, the table 'tznr links --model' prints
 * (comparison,level,label,m,u,match_weight, the first row 'prior' giving lambda in its m
 * column), read back for [link] model: a model an auditor approved, or one estimated on a
 * larger territory, used as it is instead of estimating one (docs/linking.md). */
#ifndef TZNR_LINKMODEL_H
#define TZNR_LINKMODEL_H

#include <stddef.h>

#include "fs.h"

/* Read PATH into M. Every comparison and level of the linkage must be there once, m and u in
 * (0, 1] summing to 1 for each comparison (within 0.001), the prior strictly between 0 and 1.
 * Return 0, or -1 with "PATH:LINE: reason" in ERR. */
int linkmodel_read(const char *path, fs_model *m, char *err, size_t errlen);

#endif
