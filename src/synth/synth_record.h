/* synth_record: what the agencies' export rows are made of, private to the emitter
 * (synth_emit.c, synth_agency.c), not an interface of the rest of the generator: the fault
 * rates, a member's record at a source (their identity as the source holds it, faults
 * included, and the source's way of writing the address), and the column writers. */
#ifndef SYNTH_RECORD_H
#define SYNTH_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "synth_emit.h"

#define KIND_CAF SYNTH_KIND_CAF
#define KIND_DEP SYNTH_KIND_DEP
#define KIND_BAIL SYNTH_KIND_BAIL
#define KIND_CPAM SYNTH_KIND_CPAM
#define KIND_CARSAT SYNTH_KIND_CARSAT
#define KIND_MSA SYNTH_KIND_MSA
#define KIND_CCAS SYNTH_KIND_CCAS

/* Fault rates in parts per million, by kind of source (docs/synth.md). Denominators: all
 * records, except nir_key (records carrying a NIR), nir_missing (adult records) and
 * birthname_missing (landlord records of people with a usage name). */
extern const uint32_t synth_fault_ppm[SYNTH_KIND_COUNT][SYNTH_F_COUNT];

/* ------------------------------------------------------------------ helpers */

/* bijective scramble of [0, 10^digits): local ids look random but never collide */
uint64_t synth_scramble(uint64_t x, int digits, uint64_t offset);

/* the 8-digit number a source gives a person of the household (not a dossier) */
uint64_t synth_person_number(const synth_source *s, const synth_household *h, int person);

/* V in decimal into out (capacity cap) */
void synth_fmt_int(char *out, size_t cap, int64_t v);

/* the reference date, in days */
long synth_today(const synth_emit *e);

/* ------------------------------------------------------------------ columns */

/* how a source writes a date */
enum {
    DATE_SLASHES, /* 31/12/1980 */
    DATE_ISO,     /* 1980-12-31 */
    DATE_COMPACT, /* 19801231 */
    DATE_DASHES,  /* 31-12-1980 */
};

/* the date D in STYLE (DATE_x) */
void synth_put_date(synth_out *o, synth_date d, int style);

void synth_put_int(synth_out *o, int64_t v);

/* an amount in euros with the decimal separator DEC, thousands set off by a no-break space
 * when NBSP_THOUSANDS */
void synth_put_money(synth_out *o, int64_t cents, char dec, int nbsp_thousands);

/* an amount the source holds only when KNOWN, else a blank */
void synth_put_money_if(synth_out *o, int known, int64_t cents, char dec, int nbsp_thousands);

/* N blank columns */
void synth_put_blanks(synth_out *o, int n);

/* IN upper-cased, and without its accents when ASCII */
void synth_put_upper(synth_out *o, const char *in, int ascii);

/* ------------------------------------------------------------------ identity */

/* a person as a source holds them */
typedef struct {
    char nom[160];
    char usage[160];
    char prenom[200];
    synth_date dob;
    char nir[40]; /* "" when missing */
    int nir_bad;  /* the key was altered */
} ident;

/* ------------------------------------------------------------------ addresses */

/* a way of writing an address */
typedef struct {
    int words;        /* 0 full words, 1 abbreviations, 2 AFNOR postal style */
    int upper;
    int noaccent;
    int nocompl;      /* complement left out */
    int shortsuffix;  /* "12B" rather than "12 bis" */
} astyle;

/* the number and street of A written in style ST, into out (capacity cap) */
void synth_street_str(const synth_address *a, astyle st, char *out, size_t cap);

/* the complement of A (residence, building, flat, "chez") in style ST, "" when none */
void synth_compl_str(const synth_address *a, astyle st, char *out, size_t cap);

/* the street, then the complement after SEP when there is one, in one column */
void synth_put_address_line(synth_out *o, const synth_address *a, astyle st, const char *sep);

/* the complement and the street, in two columns (the postal lines 3 and 4) */
void synth_put_postal_lines(synth_out *o, const synth_address *a, astyle st);

/* the address's postal code: Bordeaux has five, every other commune one */
const char *synth_postcode(const synth_address *a);

/* the postal code, then the commune's INSEE code */
void synth_put_cp_insee(synth_out *o, const synth_address *a);

/* ------------------------------------------------------------------ records */

typedef struct {
    int person;          /* index in h->p */
    const char *role;    /* the source's own code */
    int rank;            /* 1.. within the household record */
} member;

/* One member's record at a source and the row it is written to: the person, their identity
 * as the source holds it (faults included), the source's way of writing the address. */
typedef struct {
    synth_out *o;           /* the source's file */
    const synth_person *p;
    int person;             /* index in h->p */
    ident id;
    astyle st;
    char ref[32];           /* the row's local reference, for truth_persons.csv */
} record;

/* Draw member M's record at source S of KIND: the identity, then the address style (the
 * order the random stream is consumed in). REF is the row's local reference. */
record synth_record_draw(synth_source *s, int kind, synth_rng *r, const synth_household *h,
                         const member *m, const char *ref);

/* the three columns a row opens with: two ids (the dossier's, or file's, and the row's own,
 * in the source's order), then the member's role */
void synth_put_keys(synth_out *o, const char *id1, const char *id2, const char *role);

/* Draw the record of member M of dossier NUM, whose row is referenced as NUM, SEP and the
 * member's rank on RANK_DIGITS digits or more, and open the row with its keys. */
record synth_record_start(synth_source *s, int kind, synth_rng *r, const synth_household *h,
                          const member *m, const char *num, char sep, int rank_digits);

/* End the record's row and write whose it is into truth_persons.csv. */
void synth_record_end(synth_emit *e, synth_source *s, const synth_household *h,
                      const record *rec);

/* the identity as a national register holds it: the NIR, the birth and usage names
 * upper-cased (without accents when ASCII), the first names as typed */
void synth_put_register_identity(const record *rec, int ascii);

/* the date of birth in STYLE, then the sex as MALE or FEMALE */
void synth_put_birth(const record *rec, int style, const char *male, const char *female);

/* the yes/no value V as a flag in the style of KIND */
const char *synth_flag(int v, int kind);

/* whether the household receives benefit B (SYNTH_B_x) */
int synth_has(const synth_household *h, int b);

/* whether the household receives benefit B, as a flag of KIND's style */
void synth_put_has(synth_out *o, const synth_household *h, int b, int kind);

/* the figures the CAF and the MSA hold on a family: composition, resources and earnings,
 * the rent when they pay housing aid, and the four benefits they pay (flags of KIND) */
void synth_put_family_figures(synth_out *o, const synth_household *h, int kind);

#endif
