/* assign: persons and households on hand-made components. The expected ids follow the rules of
 * assign.h as a data officer would state them ("a person who is split keeps their id in one part
 * only"), worked out by hand for each case. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "assign.h"
#include "testutil.h"

START_TEST(test_unchanged_persons_keep_their_ids)
{
    /* two persons of two records each, linked as before */
    uint32_t root[] = {0, 0, 2, 2};
    int64_t prev[] = {7, 7, 3, 3}, next = 10;
    size_t kept = 0;
    int64_t *id = assign_persons(4, root, prev, &next, &kept);
    ck_assert_int_eq(id[0], 7);
    ck_assert_int_eq(id[1], 7);
    ck_assert_int_eq(id[2], 3);
    ck_assert_int_eq(id[3], 3);
    ck_assert_uint_eq(kept, 2);
    ck_assert_int_eq(next, 10);
    free(id);
}
END_TEST

START_TEST(test_new_records_get_new_ids)
{
    uint32_t root[] = {0, 1, 1};
    int64_t prev[] = {0, 0, 0}, next = 10;
    size_t kept = 0;
    int64_t *id = assign_persons(3, root, prev, &next, &kept);
    ck_assert_int_eq(id[0], 10);
    ck_assert_int_eq(id[1], 11);
    ck_assert_int_eq(id[2], 11);
    ck_assert_int_eq(next, 12);
    ck_assert_uint_eq(kept, 0);
    free(id);
}
END_TEST

START_TEST(test_split_person_keeps_its_id_in_one_part_only)
{
    /* person 7 had four records; the links now make two persons of them */
    uint32_t root[] = {0, 0, 0, 3};
    int64_t prev[] = {7, 7, 7, 7}, next = 20;
    size_t kept = 0;
    int64_t *id = assign_persons(4, root, prev, &next, &kept);
    ck_assert_int_eq(id[0], id[1]);
    ck_assert_int_eq(id[0], id[2]);
    ck_assert_int_ne(id[0], id[3]);
    ck_assert((id[0] == 7) != (id[3] == 7)); /* one part, and one only, keeps 7 */
    ck_assert(id[0] == 20 || id[3] == 20);
    ck_assert_uint_eq(kept, 0);
    free(id);
}
END_TEST

START_TEST(test_split_part_takes_its_other_id_when_the_first_is_taken)
{
    /* person 5 had r0, r1, r2; person 9 had r3. Now {r0, r1} and {r2, r3}: the first part
     * takes 5 (its only id); the second ties 5 and 9, but 5 is taken, so it takes 9. */
    uint32_t root[] = {0, 0, 2, 2};
    int64_t prev[] = {5, 5, 5, 9}, next = 30;
    size_t kept = 0;
    int64_t *id = assign_persons(4, root, prev, &next, &kept);
    ck_assert_int_eq(id[0], 5);
    ck_assert_int_eq(id[1], 5);
    ck_assert_int_eq(id[2], 9);
    ck_assert_int_eq(id[3], 9);
    ck_assert_int_eq(next, 30);
    free(id);
}
END_TEST

START_TEST(test_merged_persons_keep_the_larger_id_then_the_smallest)
{
    /* 9 had two records, 5 one: merged, the person is 9 (most records) */
    uint32_t root[] = {0, 0, 0};
    int64_t prev[] = {5, 9, 9}, next = 40;
    size_t kept = 0;
    int64_t *id = assign_persons(3, root, prev, &next, &kept);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(id[i], 9);
    free(id);
    /* a tie: the smallest id */
    uint32_t root2[] = {0, 0, 2};
    int64_t prev2[] = {9, 5, 0};
    id = assign_persons(3, root2, prev2, &next, &kept);
    ck_assert_int_eq(id[0], 5);
    ck_assert_int_eq(id[1], 5);
    ck_assert_int_eq(id[2], 40);
    free(id);
}
END_TEST

START_TEST(test_kept_counts_only_unchanged_persons)
{
    /* person 4 (r2, r3) is unchanged and kept; person 8 (r0, r1, r4) is split: {r0, r1} takes 8
     * (most records), r4 a new id, and 8 does not count as kept */
    uint32_t root[] = {0, 0, 2, 2, 4};
    int64_t prev[] = {8, 8, 4, 4, 8}, next = 50;
    size_t kept = 0;
    int64_t *id = assign_persons(5, root, prev, &next, &kept);
    ck_assert_int_eq(id[2], 4);
    ck_assert_int_eq(id[3], 4);
    ck_assert_uint_eq(kept, 1); /* 8 was split: not kept */
    ck_assert_int_eq(id[0], 8);
    ck_assert_int_eq(id[4], 50);
    free(id);
}
END_TEST

static void hh(uint8_t (*h)[16], size_t i, uint8_t v)
{
    memset(h[i], 0, 16);
    h[i][0] = v;
}

START_TEST(test_household_key_joins_persons_at_one_source)
{
    /* three persons at source 0; 11 and 12 share household key 1, 13 has key 2 */
    uint8_t src[] = {0, 0, 0};
    uint8_t h[3][16];
    hh(h, 0, 1);
    hh(h, 1, 1);
    hh(h, 2, 2);
    int64_t pid[] = {12, 11, 13};
    size_t n = 0;
    int64_t *f = assign_foyers(3, src, (const uint8_t (*)[16])h, pid, &n);
    ck_assert_int_eq(f[0], 11);
    ck_assert_int_eq(f[1], 11);
    ck_assert_int_eq(f[2], 13);
    ck_assert_uint_eq(n, 2);
    free(f);
}
END_TEST

START_TEST(test_household_keys_of_two_sources_are_not_the_same_household)
{
    /* the same 16 bytes at two agencies are two agencies' own references: not shared */
    uint8_t src[] = {0, 1};
    uint8_t h[2][16];
    hh(h, 0, 1);
    hh(h, 1, 1);
    int64_t pid[] = {21, 22};
    size_t n = 0;
    int64_t *f = assign_foyers(2, src, (const uint8_t (*)[16])h, pid, &n);
    ck_assert_int_eq(f[0], 21);
    ck_assert_int_eq(f[1], 22);
    ck_assert_uint_eq(n, 2);
    free(f);
}
END_TEST

START_TEST(test_households_follow_persons_across_sources)
{
    /* person 31 is at source 0 (key 1, with 33) and at source 1 (key 1, with 32); person 34 has
     * no household key: one household {31, 32, 33} with id 31, and 34 alone */
    uint8_t src[] = {0, 1, 1, 0, 0};
    uint8_t h[5][16];
    hh(h, 0, 1);
    hh(h, 1, 1);
    hh(h, 2, 1);
    hh(h, 3, 1);
    hh(h, 4, 0);
    int64_t pid[] = {33, 31, 32, 31, 34};
    size_t n = 0;
    int64_t *f = assign_foyers(5, src, (const uint8_t (*)[16])h, pid, &n);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(f[i], 31);
    ck_assert_int_eq(f[4], 34);
    ck_assert_uint_eq(n, 2);
    free(f);
}
END_TEST

START_TEST(test_records_without_household_key_stay_apart)
{
    uint8_t src[] = {0, 0};
    uint8_t h[2][16];
    hh(h, 0, 0);
    hh(h, 1, 0);
    int64_t pid[] = {41, 42};
    size_t n = 0;
    int64_t *f = assign_foyers(2, src, (const uint8_t (*)[16])h, pid, &n);
    ck_assert_int_eq(f[0], 41);
    ck_assert_int_eq(f[1], 42);
    ck_assert_uint_eq(n, 2);
    free(f);
}
END_TEST

Suite *suite_assign(void)
{
    Suite *s = suite_create("assign");
    TCase *tc = tcase_create("persons");
    tcase_add_test(tc, test_unchanged_persons_keep_their_ids);
    tcase_add_test(tc, test_new_records_get_new_ids);
    tcase_add_test(tc, test_split_person_keeps_its_id_in_one_part_only);
    tcase_add_test(tc, test_split_part_takes_its_other_id_when_the_first_is_taken);
    tcase_add_test(tc, test_merged_persons_keep_the_larger_id_then_the_smallest);
    tcase_add_test(tc, test_kept_counts_only_unchanged_persons);
    suite_add_tcase(s, tc);
    tc = tcase_create("households");
    tcase_add_test(tc, test_household_key_joins_persons_at_one_source);
    tcase_add_test(tc, test_household_keys_of_two_sources_are_not_the_same_household);
    tcase_add_test(tc, test_households_follow_persons_across_sources);
    tcase_add_test(tc, test_records_without_household_key_stay_apart);
    suite_add_tcase(s, tc);
    return s;
}
