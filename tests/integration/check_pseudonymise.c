/* placeholder: being written */
#include <check.h>
Suite *suite_pseudonymise(void);
Suite *suite_pseudonymise(void) { return suite_create("pseudonymise"); }
