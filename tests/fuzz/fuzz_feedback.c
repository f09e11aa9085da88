/* libFuzzer target: a team's feedback file, the part read without a database (feedback_open:
 * the separator guessed, the header checked; feedback_row_syntax on each row).
 * Invariants: a refused file or row has a message; a row accepted has 4 fields, a token of 64
 * lowercase hex digits and a date of 8 digits. */
#include <string.h>

#include "feedback.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char reason[512];
    memset(reason, 0, sizeof reason);
    csvio_reader *r = feedback_open(fuzz_file(data, size), reason, sizeof reason);
    if (!r) {
        fuzz_check_message(reason, sizeof reason);
        return 0;
    }
    csvio_record rec;
    while (csvio_next(r, &rec) == 1) {
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
