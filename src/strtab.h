/* strtab: a string -> index table (open addressing, linear probing, FNV-1a), for the
 * distinct keys of a file read once: keys are byte strings of a given length (NULs allowed),
 * not copied: each must stay valid, unchanged, as long as the table. */
#ifndef TZNR_STRTAB_H
#define TZNR_STRTAB_H

#include <stddef.h>
#include <stdint.h>

/* No value: the key is not in the table. */
#define STRTAB_NONE SIZE_MAX

typedef struct strtab {
    struct strtab_slot {
        const char *key; /* NULL: free */
        size_t len;
        size_t val;
    } *slot;
    size_t cap; /* a power of two, at least twice n */
    size_t n;   /* keys held */
} strtab;

/* An empty table (aborts on allocation failure, like every call that grows it). */
void strtab_init(strtab *t);
/* Release the slots (not the keys); the table can be initialised again. */
void strtab_free(strtab *t);

/* The value of KEY (LEN bytes), or STRTAB_NONE. */
size_t strtab_get(const strtab *t, const char *key, size_t len);
/* Add KEY with VAL unless the table has it; return its value either way (VAL when added). */
size_t strtab_put(strtab *t, const char *key, size_t len, size_t val);

/* The hash of a key: its slot is the hash modulo the capacity (for tests of collisions). */
uint64_t strtab_hash(const char *key, size_t len);

#endif
