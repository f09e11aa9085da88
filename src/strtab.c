#include "strtab.h"

#include <stdlib.h>
#include <string.h>

#include "sbuf.h"

uint64_t strtab_hash(const char *key, size_t len)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

/* The slot holding KEY, or the free slot where it would go. */
static struct strtab_slot *find(const strtab *t, const char *key, size_t len)
{
    size_t i = (size_t)strtab_hash(key, len) & (t->cap - 1);
    while (t->slot[i].key && !(t->slot[i].len == len && memcmp(t->slot[i].key, key, len) == 0))
        i = (i + 1) & (t->cap - 1);
    return &t->slot[i];
}

void strtab_init(strtab *t)
{
    t->cap = 64;
    t->n = 0;
    t->slot = xcalloc(t->cap, sizeof *t->slot);
}

void strtab_free(strtab *t)
{
    free(t->slot);
    t->slot = NULL;
    t->cap = t->n = 0;
}

size_t strtab_get(const strtab *t, const char *key, size_t len)
{
    const struct strtab_slot *s = find(t, key, len);
    return s->key ? s->val : STRTAB_NONE;
}

size_t strtab_put(strtab *t, const char *key, size_t len, size_t val)
{
    struct strtab_slot *s = find(t, key, len);
    if (s->key)
        return s->val;
    s->key = key;
    s->len = len;
    s->val = val;
    if (++t->n * 2 > t->cap) {
        strtab old = *t;
        t->cap *= 2;
        t->slot = xcalloc(t->cap, sizeof *t->slot);
        for (size_t i = 0; i < old.cap; i++)
            if (old.slot[i].key)
                *find(t, old.slot[i].key, old.slot[i].len) = old.slot[i];
        free(old.slot);
    }
    return val;
}
