/* tznr keygen: a new key file for the whole territory (extract-v1 section 1). */
#include <getopt.h>
#include <stdio.h>

#include "cmd.h"
#include "log.h"
#include "pseudo.h"

static void usage(void)
{
    printf("usage: tznr keygen --id KEY_ID -o FILE\n\n"
           "Create a new pseudonymisation key: 32 bytes from the OpenSSL CSPRNG, written as\n"
           "'tznr-key-v1 KEY_ID HEX' to FILE with mode 0600. FILE must not exist: a key is never\n"
           "overwritten. Every agency of the territory then receives a copy of this one file\n"
           "(see docs/keys.md); the platform never does.\n\n"
           "  --id KEY_ID   key identifier, 1-32 of A-Z a-z 0-9 . _ - (e.g. gironde-2026)\n"
           "  -o FILE       the key file to create\n");
}

int cmd_keygen(int argc, char **argv)
{
    static const struct option opts[] = {
        {"id", required_argument, NULL, 'i'}, {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *id = NULL, *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "i:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'i': id = optarg; break;
        case 'o': out = optarg; break;
        case 'h': usage(); return 0;
        default: die_usage("keygen", NULL);
        }
    }
    if (optind != argc)
        die_usage("keygen", "unexpected argument '%s'", argv[optind]);
    if (!id || !out)
        die_usage("keygen", "--id and -o are required");
    char err[512];
    if (pseudo_key_generate(out, id, err, sizeof err) != 0)
        die(TZNR_EXIT_FAIL, "%s", err);
    log_info("wrote key '%s' to '%s' (mode 0600): copy it to each agency by a secure channel, never to the platform", id, out);
    return 0;
}
