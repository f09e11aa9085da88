/* strtab: the string -> index table (insert, lookup, growth, collisions, missing keys). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strtab.h"
#include "testutil.h"

#define PUT(t, s, v) strtab_put((t), (s), strlen(s), (v))
#define GET(t, s) strtab_get((t), (s), strlen(s))

START_TEST(test_insert_lookup)
{
    strtab t;
    strtab_init(&t);
    ck_assert_uint_eq(PUT(&t, "alpha", 7), 7);
    ck_assert_uint_eq(PUT(&t, "beta", 8), 8);
    ck_assert_uint_eq(t.n, 2);
    ck_assert_uint_eq(GET(&t, "alpha"), 7);
    ck_assert_uint_eq(GET(&t, "beta"), 8);
    /* a key already there keeps its value: put returns it */
    ck_assert_uint_eq(PUT(&t, "alpha", 99), 7);
    ck_assert_uint_eq(GET(&t, "alpha"), 7);
    ck_assert_uint_eq(t.n, 2);
    /* a key is its bytes, wherever they are: another copy finds it */
    char copy[] = "beta";
    ck_assert_uint_eq(strtab_get(&t, copy, 4), 8);
    /* the empty key is a key like another */
    ck_assert_uint_eq(strtab_put(&t, "", 0, 3), 3);
    ck_assert_uint_eq(strtab_get(&t, "", 0), 3);
    strtab_free(&t);
}
END_TEST

START_TEST(test_missing_key)
{
    strtab t;
    strtab_init(&t);
    ck_assert_uint_eq(GET(&t, "nothing"), STRTAB_NONE);
    ck_assert_uint_eq(strtab_get(&t, "", 0), STRTAB_NONE);
    PUT(&t, "alpha", 1);
    /* a prefix, a longer key, another case: not the key */
    ck_assert_uint_eq(GET(&t, "alph"), STRTAB_NONE);
    ck_assert_uint_eq(GET(&t, "alphab"), STRTAB_NONE);
    ck_assert_uint_eq(GET(&t, "Alpha"), STRTAB_NONE);
    /* the length counts, NUL bytes included */
    ck_assert_uint_eq(strtab_get(&t, "alpha\0", 6), STRTAB_NONE);
    ck_assert_uint_eq(strtab_put(&t, "alpha\0", 6, 2), 2);
    ck_assert_uint_eq(strtab_get(&t, "alpha", 5), 1);
    ck_assert_uint_eq(strtab_get(&t, "alpha\0", 6), 2);
    strtab_free(&t);
}
END_TEST

START_TEST(test_growth)
{
    enum { N = 20000 };
    char (*key)[16] = malloc(N * sizeof *key);
    ck_assert_ptr_nonnull(key);
    strtab t;
    strtab_init(&t);
    size_t cap0 = t.cap;
    for (size_t i = 0; i < N; i++) {
        snprintf(key[i], sizeof key[i], "k%zu", i);
        ck_assert_uint_eq(PUT(&t, key[i], i), i);
        /* at most half full, a power of two */
        ck_assert_msg(t.n * 2 <= t.cap && (t.cap & (t.cap - 1)) == 0, "n %zu cap %zu", t.n, t.cap);
    }
    ck_assert_uint_eq(t.n, N);
    ck_assert_uint_gt(t.cap, cap0);
    /* every key moved with its value */
    for (size_t i = 0; i < N; i++)
        ck_assert_uint_eq(GET(&t, key[i]), i);
    ck_assert_uint_eq(GET(&t, "k20000"), STRTAB_NONE);
    strtab_free(&t);
    free(key);
}
END_TEST

START_TEST(test_collisions)
{
    /* keys of the same length whose hashes start at the same slot of the first table (64) */
    strtab t;
    strtab_init(&t);
    size_t mask = t.cap - 1;
    enum { K = 5 };
    char key[K][16];
    int n = 0;
    uint64_t slot = strtab_hash("c0000", 5) & mask;
    for (int i = 0; n < K && i < 100000; i++) {
        snprintf(key[n], sizeof key[n], "c%04d", i);
        if ((strtab_hash(key[n], 5) & mask) == slot)
            n++;
    }
    ck_assert_int_eq(n, K);
    for (int i = 0; i < K - 1; i++)
        ck_assert_uint_eq(strtab_put(&t, key[i], 5, (size_t)i * 10), (size_t)i * 10);
    ck_assert_uint_eq(t.cap, mask + 1); /* no growth: the keys really share the slots */
    for (int i = 0; i < K - 1; i++)
        ck_assert_uint_eq(strtab_get(&t, key[i], 5), (size_t)i * 10);
    /* the last one starts at the same slot, is not there, then is */
    ck_assert_uint_eq(strtab_get(&t, key[K - 1], 5), STRTAB_NONE);
    ck_assert_uint_eq(strtab_put(&t, key[K - 1], 5, 40), 40);
    ck_assert_uint_eq(strtab_put(&t, key[2], 5, 77), 20);
    for (int i = 0; i < K; i++)
        ck_assert_uint_eq(strtab_get(&t, key[i], 5), (size_t)i * 10);
    strtab_free(&t);
}
END_TEST

Suite *suite_strtab(void)
{
    Suite *s = suite_create("strtab");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_insert_lookup);
    tcase_add_test(tc, test_missing_key);
    tcase_add_test(tc, test_growth);
    tcase_add_test(tc, test_collisions);
    suite_add_tcase(s, tc);
    return s;
}
