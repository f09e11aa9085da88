/* Shared by the libFuzzer targets whose parser reads a named file (the manifest, the
 * configuration, the mapping, the feedback file): the input is written to an anonymous
 * in-memory file, and the parser opens it by its /proc/self/fd path, as it would open a file
 * on disk. */
#ifndef TZNR_FUZZ_H
#define TZNR_FUZZ_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The path of a file holding exactly the SIZE bytes at DATA (valid until the next call). */
static inline const char *fuzz_file(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("fuzz-input", 0);
        if (fd < 0) {
            perror("memfd_create");
            abort();
        }
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size)) {
        perror("fuzz input");
        abort();
    }
    return path;
}

/* ERR, a message the parser wrote, is a non-empty C string within its ERRLEN bytes. */
static inline void fuzz_check_message(const char *err, size_t errlen)
{
    size_t n = 0;
    while (n < errlen && err[n])
        n++;
    if (n == 0 || n == errlen)
        abort();
}

#endif
