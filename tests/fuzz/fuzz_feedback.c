/* libFuzzer target: a team's feedback file, the part read without a database
 * (feedback_open_layout: the separator guessed, the header checked, a 4-column feedback file or
 * a list sent back; feedback_row_view then feedback_row_syntax on each row).
 * Invariants: a refused file or row has a message; a row accepted has 4 fields, a token of 64
 * lowercase hex digits and a date of 8 digits. */
#include <string.h>

#include "feedback.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char reason[512];
    memset(reason, 0, sizeof reason);
    feedback_layout l;
    csvio_reader *r = feedback_open_layout(fuzz_file(data, size), &l, reason, sizeof reason);
    if (!r) {
        fuzz_check_message(reason, sizeof reason);
        return 0;
    }
    csvio_record raw, rec;
    while (csvio_next(r, &raw) == 1) {
        if (feedback_row_view(&l, &raw, &rec) != 0) {
            if (!l.list || raw.error) /* only a list row with an empty statut is skipped */
                abort();
            continue;
        }
        char date[9], why[256];
        memset(why, 0, sizeof why);
        if (feedback_row_syntax(&rec, date, why, sizeof why) != 0) {
            fuzz_check_message(why, sizeof why);
            continue;
        }
        if (rec.nfields != 4 || rec.len[0] != 64 || strlen(date) != 8 || strspn(date, "0123456789") != 8)
            abort();
    }
    csvio_close(r);
    return 0;
}
