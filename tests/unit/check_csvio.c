/* placeholder: being written */
#include <check.h>
Suite *suite_csvio(void);
Suite *suite_csvio(void) { return suite_create("csvio"); }
