/* libFuzzer target: the extract's manifest (manifest_read, extract-v1 section 5).
 * Invariants: a manifest read without error has every field of the contract, each as the
 * contract writes it (a valid source id, a date of 10 characters, 64 hex digits, rows >= 0);
 * a refused one has a message. */
#include <string.h>

#include "fuzz.h"
#include "hex.h"
#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size);
    manifest m;
    char err[512];
    memset(err, 0, sizeof err);
    if (manifest_read(path, &m, err, sizeof err) != 0) {
        fuzz_check_message(err, sizeof err);
        return 0;
    }
    if (!manifest_source_valid(m.source) || strlen(m.extract_date) != 10 || !m.key_id[0] || m.rows < 0 ||
        strlen(m.sha256) != 64 || !hex_valid(m.sha256, 64) || strlen(m.created_at) < 10)
        abort();
    return 0;
}
