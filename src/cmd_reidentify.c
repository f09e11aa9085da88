/* placeholder: being written */
#include "cmd.h"
#include "log.h"
int cmd_reidentify(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    die(TZNR_EXIT_FAIL, "not yet");
}
