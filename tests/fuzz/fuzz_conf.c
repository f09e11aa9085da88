/* libFuzzer target: the platform's configuration (conf_load over the INI reader ini_parse).
 * Invariants: a configuration read without error has its numbers within their documented
 * bounds (docs/configuration.md), a source for every team and possible_probability not above
 * match_probability; a refused one has a message; conf_free releases everything (LeakSanitizer). */
#include <string.h>

#include "conf.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size);
    conf c;
    char err[1024];
    memset(err, 0, sizeof err);
    if (conf_load(&c, path, err, sizeof err) != 0) {
        fuzz_check_message(err, sizeof err);
        conf_free(&c);
        return 0;
    }
    if (!c.conninfo || !c.inbox || !c.archive || !c.outbox || !c.rejected || !c.parameters ||
        !c.export_separator || (c.link_model && !*c.link_model))
        abort();
    if (c.max_reject_share < 0 || c.max_reject_share > 1 || c.max_drop_share < 0 || c.max_drop_share > 1 ||
        c.link_match < 0.5 || c.link_match > 1 || c.link_possible < 0.01 || c.link_possible > c.link_match ||
        c.cooldown_days < 0 || c.cooldown_days > 3650 || c.pull_timeout < 1 || c.export_bom < 0 ||
        c.export_bom > 1 || (c.lsh_bits != 0 && (c.lsh_bits < 8 || c.lsh_bits > 30)))
        abort();
    if (strcmp(c.export_separator, ";") != 0 && strcmp(c.export_separator, ",") != 0 &&
        strcmp(c.export_separator, "\t") != 0)
        abort();
    if (c.export_decimal != ',' && c.export_decimal != '.')
        abort();
    for (int t = 0; t < c.nteams; t++)
        if (!c.teams[t].name || !c.teams[t].source)
            abort();
    for (int b = 0; b < CONF_NBENEFITS; b++)
        if (!c.registers[b])
            abort();
    conf_free(&c);
    return 0;
}
