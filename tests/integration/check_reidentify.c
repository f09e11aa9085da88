/* placeholder: being written */
#include <check.h>
Suite *suite_reidentify(void);
Suite *suite_reidentify(void) { return suite_create("reidentify"); }
