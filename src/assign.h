/* assign: persons and households from the linkage's components, as pure functions over
 * in-memory arrays (no database), so the rules that keep ids stable from one night to the
 * next are tested like link.c (tests/unit/check_assign.c).
 *
 * Persons: the records of one component of the links form a person. A component whose records
 * all had the same person id, and which holds every record that id had, keeps it; otherwise it
 * takes the previous id shared by most of its records (the smallest on a tie) if no other
 * component took it; otherwise a new id from NEXT_ID. So a person who is split keeps its id in
 * one part only, and two persons merged keep the id of the larger.
 *
 * Households (foyers): the records of one person, and the records sharing a household key at
 * one source, are one household; its id is the smallest person id among its members. */
#ifndef TZNR_ASSIGN_H
#define TZNR_ASSIGN_H

#include <stddef.h>
#include <stdint.h>

/* N records; ROOT[i] is the component of record i (a record index, as link_result.person);
 * PREV[i] its person id in the previous run (0 when none). Return the person id of each record
 * (malloc'ed, N entries); advance *NEXT_ID past the new ids; *KEPT counts the persons whose
 * records did not change. */
int64_t *assign_persons(size_t n, const uint32_t *root, const int64_t *prev, int64_t *next_id, size_t *kept);

/* N records; SOURCE[i] is the source of record i, HOUSEHOLD[i] the first 16 bytes of its
 * household key (all zero when none), PID[i] its person id. Return the household id of each
 * record (malloc'ed, N entries); *NFOYERS counts the households. */
int64_t *assign_foyers(size_t n, const uint8_t *source, const uint8_t (*household)[16], const int64_t *pid,
                       size_t *nfoyers);

#endif
