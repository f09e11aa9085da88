/* placeholder: being written */
#include <check.h>
Suite *suite_synth(void);
Suite *suite_synth(void) { return suite_create("synth"); }
