/* synth_data: the embedded reference tables of tznr-synth (communes, names, streets).
 * All strings are UTF-8. Tables are read-only and shared. */
#ifndef SYNTH_DATA_H
#define SYNTH_DATA_H

#include <stddef.h>

typedef struct {
    const char *insee;   /* INSEE code of the commune, e.g. "33063" */
    const char *name;    /* official name, UTF-8 */
    const char *cp;      /* main postal code */
    int weight;          /* population in hundreds (sampling weight) */
} synth_commune;

typedef struct {
    const char *code;    /* two characters of the NIR: "33", "2A", "99"... */
    int commune_min;     /* first commune (or country) code used */
    int commune_count;   /* how many consecutive codes may be drawn */
    int weight;          /* sampling weight among the adult births */
} synth_birthplace;

extern const synth_commune synth_communes[];
extern const size_t synth_communes_n;

extern const synth_birthplace synth_birthplaces[];
extern const size_t synth_birthplaces_n;

extern const char *const synth_surnames[];
extern const size_t synth_surnames_n;

/* first names by sex (0 male, 1 female) and generation (0 born before 1960,
 * 1 born 1960-1989, 2 born 1990 and later) */
extern const char *const *const synth_firstnames[2][3];
extern const size_t synth_firstnames_n[2][3];

/* street types: the full word, the abbreviation used by careful typists
 * ("bd"), the AFNOR postal abbreviation ("BD"); name == NULL ends the table */
typedef struct {
    const char *full;
    const char *abbr;
    const char *afnor;
    int weight;
} synth_street_type;

extern const synth_street_type synth_street_types[];
extern const size_t synth_street_types_n;

extern const char *const synth_street_names[];
extern const size_t synth_street_names_n;

extern const char *const synth_residences[];
extern const size_t synth_residences_n;

/* Bordeaux has several postal codes */
extern const char *const synth_bordeaux_cps[];
extern const size_t synth_bordeaux_cps_n;

#endif
