/* util: small helpers several commands share. */
#ifndef TZNR_UTIL_H
#define TZNR_UTIL_H

/* Seconds on the monotonic clock (for durations). */
double util_now(void);
/* mkdir -p PATH with mode 0750; return 0, or -1 with errno set. */
int util_mkdirs(const char *path);
/* Move the file FROM to TO (a full path): rename, or across file systems copy to TO.tmp, fsync,
 * rename to TO, fsync TO's folder, then unlink FROM. Return 0, or -1 with errno set (FROM is
 * then left where it was, and no TO.tmp remains). */
int util_move(const char *from, const char *to);
/* The night's date: GIVEN (a --date already checked as YYYY-MM-DD) or today's local date, as
 * YYYY-MM-DD into OUT. */
void util_night_date(char out[11], const char *given);

#endif
