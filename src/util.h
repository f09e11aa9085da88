/* util: small helpers several commands share. */
#ifndef TZNR_UTIL_H
#define TZNR_UTIL_H

/* Seconds on the monotonic clock (for durations). */
double util_now(void);
/* mkdir -p PATH with mode 0750; return 0, or -1 with errno set. */
int util_mkdirs(const char *path);

#endif
