/* placeholder: being written */
#include <check.h>
Suite *suite_mapping(void);
Suite *suite_mapping(void) { return suite_create("mapping"); }
