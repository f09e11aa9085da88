/* synth_agency: the agencies' exports, private to the emitter (synth_emit.c), not an
 * interface of the rest of the generator. */
#ifndef SYNTH_AGENCY_H
#define SYNTH_AGENCY_H

#include "synth_emit.h"

/* Write household H into the export of every agency that knows it, with the agency's
 * faults and duplicates, and each row's line of truth_persons.csv. Returns a bit
 * (1u << SYNTH_KIND_x) per kind of agency whose export now holds a member. */
unsigned synth_agency_emit(synth_emit *e, const synth_household *h);

#endif
