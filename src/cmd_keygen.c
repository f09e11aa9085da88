/* tznr keygen: a new key file for the whole territory (extract-v1 section 1). */
#include <stdio.h>

#include "cmd.h"
#include "log.h"
#include "opt.h"
#include "pseudo.h"

static const char synopsis[] = "tznr keygen --id KEY_ID -o FILE";
static const char description[] =
    "Create a new pseudonymisation key: 32 bytes from the OpenSSL CSPRNG, written as\n"
    "'tznr-key-v1 KEY_ID HEX' to FILE with mode 0600. FILE must not exist: a key is never\n"
    "overwritten. Every agency of the territory then receives a copy of this one file\n"
    "(see docs/keys.md); the platform never does.";

int cmd_keygen(int argc, char **argv)
{
    char perr[256];
    /* first: what this command holds (the key, names, the token map) stays out of any core */
    if (pseudo_protect_process(perr, sizeof perr) != 0)
        die(TZNR_EXIT_FAIL, "%s", perr);
    const char *id = NULL, *out = NULL;
    const struct opt opts[] = {
        OPT_STRING('i', "id", &id, "KEY_ID", "key identifier, 1-32 of A-Z a-z 0-9 . _ - (e.g. gironde-2026)"),
        OPT_STRING('o', "output", &out, "FILE", "the key file to create"),
        OPT_END};
    const struct opt_cmd cmd = {.name = "keygen", .usage = synopsis, .description = description,
                                .exits = "Exit: 0 done, 1 failure (the file exists or cannot be written), 2 usage.",
                                .opts = opts};
    opt_parse(&cmd, argc, argv, 0);
    if (!id || !out)
        die_usage("keygen", "--id and -o are required");
    char err[512];
    if (pseudo_key_generate(out, id, err, sizeof err) != 0)
        die(TZNR_EXIT_FAIL, "%s", err);
    log_info("wrote key '%s' to '%s' (mode 0600): copy it to each agency by a secure channel, never to the platform", id, out);
    return 0;
}
