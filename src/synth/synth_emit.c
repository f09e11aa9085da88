/* synth_emit: the public side of the emitter (see synth_emit.h): opening the exports and
 * the truth files, one household into the agencies' exports (synth_agency.c) and into
 * truth_eligible.csv with the counts, then closing with sources.txt and truth_summary.txt
 * (docs/synth.md). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "synth_agency.h"
#include "synth_emit.h"
#include "synth_record.h"

#define ID_SALT 0x6C6F63616CULL /* "local" */

static const char *const fault_names[SYNTH_F_COUNT] = {
    "typo_nom", "typo_prenom", "accents_dropped", "day_month_swapped", "nir_wrong_key",
    "nir_missing", "prenom_missing", "duplicate", "address_variant", "birth_name_missing",
};

static const char *const landlord_names[] = {"habitat33", "domofrance"};

/* the kinds of agency that pay each rule's benefit and hold the complete register of its
 * recipients: rsa caf, msa or departement; prime_activite and aide_logement caf or msa;
 * css cpam; aspa carsat; fsl departement */
static const unsigned rule_payers[SYNTH_R_COUNT] = {
    1u << KIND_CAF | 1u << KIND_MSA | 1u << KIND_DEP,
    1u << KIND_CAF | 1u << KIND_MSA,
    1u << KIND_CAF | 1u << KIND_MSA,
    1u << KIND_CPAM,
    1u << KIND_CARSAT,
    1u << KIND_DEP,
};

static char failed_path[4096];

/* ------------------------------------------------------------------ public */

static const char caf_header[] =
    "NUM_ALLOC;ID_INDIVIDU;QUALITE;NIR;NOM_NAISSANCE;NOM_USAGE;PRENOMS;DATE_NAISSANCE;SEXE;"
    "ADR_COMPLEMENT;ADR_VOIE;CODE_POSTAL;CODE_COMMUNE;NB_PERSONNES;NB_ENFANTS;RESS_MENSUELLES;"
    "REV_ACTIVITE;LOYER;DROIT_RSA;DROIT_PPA;DROIT_AL;DROIT_AAH";
static const char dep_header[] =
    "id_individu,id_foyer,role,nir,nom,nom_usage,prenom,date_naissance,sexe,adresse,"
    "code_commune,nb_personnes,nb_enfants,ressources_mensuelles,revenus_activite,loyer,"
    "mois_impayes,rsa,apa,pch,fsl_12_mois,css,aspa,accompagnement_social";
static const char bail_header[] =
    "NUM_BAIL;ID_OCCUPANT;LIEN;CIVILITE;NOM;NOM_NAISSANCE;PRENOM;DATE_NAISSANCE;NUM_SECU;"
    "ADRESSE;CODE_INSEE;CODE_POSTAL;VILLE;NB_OCCUPANTS;NB_ENFANTS;RESSOURCES_MENSUELLES;LOYER;"
    "MOIS_IMPAYES;APL;AIDE_FSL";

static const char cpam_header[] =
    "NUM_DOSSIER_C2S|ID_BENEFICIAIRE|QUALITE_BENEF|NIR_OUVREUR_DROIT|NIR_BENEFICIAIRE|"
    "NOM_FAMILLE|NOM_USAGE|PRENOM|DATE_NAISSANCE|CODE_SEXE|ADRESSE_L3|ADRESSE_L4|CODE_POSTAL|"
    "COMMUNE_INSEE|LIBELLE_COMMUNE|NATURE_DROIT|DATE_DEBUT_DROIT|DATE_FIN_DROIT|"
    "NB_BENEFICIAIRES";
static const char carsat_header[] =
    "NUM_RETRAITE\tMATRICULE_BENEF\tTYPE_BENEF\tNIR\tNOM_PATRONYMIQUE\tNOM_MARITAL\tPRENOM\t"
    "DATE_NAISS\tSEXE\tADRESSE\tCP\tCOMMUNE_INSEE\tSITUATION_FAM\tNB_PERS_FOYER\t"
    "RESSOURCES_TRIMESTRE\tASPA\tMT_ASPA_MENSUEL";
static const char msa_header[] =
    "NUM_DOSSIER;NUM_INDIVIDU;LIEN;NIR;NOM;NOM_EPOUSE;PRENOM;AUTRES_PRENOMS;DATE_NAISSANCE;"
    "SEXE;NUM_VOIE;LIB_VOIE;COMPL_ADRESSE;CODE_POSTAL;CODE_INSEE;REGIME;NB_PERS;NB_ENF;"
    "RESSOURCES_MENS;REVENUS_PRO;LOYER_MENS;RSA;PPA;AL;AAH;PF";
static const char ccas_header[] =
    "N° dossier,Réf. personne,Lien,Civilité,Nom,Nom de naissance,Prénom,Né(e) le,N° sécu,"
    "Adresse,Code postal,Ville,Composition,Dont enfants,Ressources mensuelles,Loyer,"
    "Mois d'impayés,Date de la demande,Nature de l'aide";

static int open_one(synth_out *o, const char *dir, const char *name, int charset, char sep,
                    const char *eol, int bom, const char *header, const char **failed)
{
    if (synth_out_open(o, dir, name, charset, sep, eol, bom) != 0) {
        snprintf(failed_path, sizeof failed_path, "%s/%s", dir, name);
        *failed = failed_path;
        return -1;
    }
    synth_out_raw(o, header);
    synth_out_end(o);
    return 0;
}

/* the exports that are not landlords', in source order */
static const struct {
    const char *file, *id, *mapping, *header;
    int charset;
    char sep;
    const char *eol;
    int bom;
} fixed_sources[SYNTH_SRC_BAIL] = {
    {"caf.csv", "caf:gironde", "mapping-caf.ini", caf_header, SYNTH_UTF8, ';', "\r\n", 1},
    {"departement.csv", "departement:gironde", "mapping-departement.ini", dep_header,
     SYNTH_UTF8, ',', "\n", 0},
    {"cpam.csv", "cpam:gironde", "mapping-cpam.ini", cpam_header, SYNTH_LATIN1, '|', "\r\n", 0},
    {"carsat.csv", "carsat:aquitaine", "mapping-carsat.ini", carsat_header, SYNTH_UTF8, '\t',
     "\r\n", 1},
    {"msa.csv", "msa:gironde", "mapping-msa.ini", msa_header, SYNTH_LATIN9, ';', "\n", 0},
    {"ccas_bordeaux.csv", "ccas:bordeaux", "mapping-ccas.ini", ccas_header, SYNTH_UTF8, ',',
     "\r\n", 0},
};

int synth_emit_open(synth_emit *e, synth_ctx *ctx, const char *dir, const char **failed)
{
    memset(e, 0, sizeof *e);
    e->ctx = ctx;
    e->nsources = SYNTH_SRC_BAIL + ctx->landlords;
    for (int i = 0; i < e->nsources; i++) {
        synth_source *s = &e->src[i];
        s->id_offset = synth_mix3(ctx->seed, ID_SALT, (uint64_t)i);
        int rc;
        if (i < SYNTH_SRC_BAIL) {
            synth_copy(s->file, sizeof s->file, fixed_sources[i].file);
            synth_copy(s->id, sizeof s->id, fixed_sources[i].id);
            synth_copy(s->mapping, sizeof s->mapping, fixed_sources[i].mapping);
            rc = open_one(&s->out, dir, s->file, fixed_sources[i].charset, fixed_sources[i].sep,
                          fixed_sources[i].eol, fixed_sources[i].bom, fixed_sources[i].header,
                          failed);
        } else {
            int k = i - SYNTH_SRC_BAIL;
            char name[32];
            if (k < 2)
                synth_copy(name, sizeof name, landlord_names[k]);
            else
                snprintf(name, sizeof name, "bailleur%d", k + 1);
            snprintf(s->file, sizeof s->file, "bailleur_%s.csv", name);
            snprintf(s->id, sizeof s->id, "bailleur:%s", name);
            synth_copy(s->mapping, sizeof s->mapping, "mapping-bailleur.ini");
            rc = open_one(&s->out, dir, s->file, SYNTH_CP1252, ';', "\r\n", 0, bail_header,
                          failed);
        }
        if (rc != 0) {
            e->nsources = i;
            synth_emit_abort(e);
            return -1;
        }
    }
    if (open_one(&e->truth_persons, dir, "truth_persons.csv", SYNTH_UTF8, ',', "\n", 0,
                 "source,local_ref,person_id,household_id", failed) != 0 ||
        open_one(&e->truth_eligible, dir, "truth_eligible.csv", SYNTH_UTF8, ',', "\n", 0,
                 "household_id,rule,payer_knows,known,by_year_only", failed) != 0) {
        synth_emit_abort(e);
        return -1;
    }
    return 0;
}

static void truth_eligible_line(synth_emit *e, const char *hid, int rule, int payer, int known,
                                int by_year)
{
    synth_out_field(&e->truth_eligible, hid);
    synth_out_field(&e->truth_eligible, synth_rule_names[rule]);
    synth_out_field(&e->truth_eligible, payer ? "1" : "0");
    synth_out_field(&e->truth_eligible, known ? "1" : "0");
    synth_out_field(&e->truth_eligible, by_year ? "1" : "0");
    synth_out_end(&e->truth_eligible);
}

void synth_emit_household(synth_emit *e, const synth_household *h)
{
    unsigned held = synth_agency_emit(e, h); /* a bit per kind of agency holding a member */

    e->households++;
    e->persons += (uint64_t)h->n;
    e->kinds[h->kind]++;
    for (int i = 0; i < h->n; i++)
        e->ages[synth_age_band(h->p[i].age)]++;
    e->agri += (h->facts & SYNTH_F_AGRI) != 0;
    e->known += held != 0;
    for (int b = 0; b < SYNTH_B_COUNT; b++)
        e->received[b] += synth_has(h, b);

    /* The truth, from the household's true values: entitled and nobody paid, whoever
     * knows it; and, for the rules with an age condition, households eligible only when the
     * age is counted as (year of the reference date - year of birth), as a platform that
     * sees birth years only must count it. */
    char hid[32];
    synth_fmt_int(hid, sizeof hid, (int64_t)(h->index + 1));
    int by_year_age = e->ctx->date.y - h->p[0].birth.y;
    for (int rule = 0; rule < SYNTH_R_COUNT; rule++) {
        int payer = (held & rule_payers[rule]) != 0, known = held != 0;
        /* synth_rule_eligible() is entitled and unpaid: entitlement once, the receipt here */
        int entitled = synth_rule_entitled(e->ctx, h, rule);
        e->entitled[rule] += (uint64_t)entitled;
        if (entitled && !synth_has(h, synth_rule_benefit(rule))) {
            e->truth[rule]++;
            e->payer_knows[rule] += (uint64_t)payer;
            e->truth_known[rule] += (uint64_t)known;
            truth_eligible_line(e, hid, rule, payer, known, 0);
        } else if ((rule == SYNTH_R_RSA || rule == SYNTH_R_ASPA) && by_year_age != h->p[0].age) {
            static synth_household y;
            y = *h;
            y.p[0].age = by_year_age;
            if (synth_rule_eligible(e->ctx, &y, rule)) {
                e->by_year_only[rule]++;
                truth_eligible_line(e, hid, rule, payer, known, 1);
            }
        }
    }
}

/* ------------------------------------------------------------------ closing */

static int close_one(synth_out *o, const char **failed)
{
    int rc = 0;
    if (o->overflow) {
        errno = EOVERFLOW;
        rc = -1;
    }
    if (synth_out_close(o) != 0)
        rc = -1;
    if (rc != 0) {
        synth_copy(failed_path, sizeof failed_path, o->path ? o->path : "?");
        *failed = failed_path;
    }
    synth_out_abort(o);
    return rc;
}

static double rate(uint64_t n, uint64_t d)
{
    return d ? 100.0 * (double)n / (double)d : 0.0;
}

static void write_summary(synth_emit *e, FILE *f)
{
    const synth_ctx *c = e->ctx;
    static const char *const bnames[SYNTH_B_COUNT] = {
        "rsa", "prime_activite", "aide_logement", "aah", "css", "aspa", "apa", "pch", "fsl",
        "suivi_social",
    };
    static const char *const knames[SYNTH_K_COUNT] = {"single", "couple_without_children",
                                                       "couple_with_children", "lone_parent"};
    static const char *const anames[SYNTH_AGE_BANDS] = {"0-14", "15-19", "20-24", "25-39",
                                                         "40-54", "55-64", "65-79", "80+"};
    fprintf(f, "# tznr-synth ground truth summary\n");
    fprintf(f, "seed = %" PRIu64 "\n", c->seed);
    fprintf(f, "date = %04d-%02d-%02d\n", c->date.y, c->date.m, c->date.d);
    fprintf(f, "params.rsa_base = %" PRId64 ".%02" PRId64 "\n", c->period.rsa_base_cents / 100,
            c->period.rsa_base_cents % 100);
    fprintf(f, "params.prime_activite_base = %" PRId64 ".%02" PRId64 "\n",
            c->period.pa_base_cents / 100, c->period.pa_base_cents % 100);
    fprintf(f, "params.smic_horaire_brut = %" PRId64 ".%02" PRId64 "\n",
            c->period.smic_h_cents / 100, c->period.smic_h_cents % 100);
    fprintf(f, "households = %" PRIu64 "\n", e->households);
    fprintf(f, "persons = %" PRIu64 "\n", e->persons);
    fprintf(f, "landlords = %d\n", c->landlords);
    fprintf(f, "\n# the territory: households by structure, persons by age\n");
    for (int k = 0; k < SYNTH_K_COUNT; k++)
        fprintf(f, "households.%s = %" PRIu64 " (%.2f%%)\n", knames[k], e->kinds[k],
                rate(e->kinds[k], e->households));
    fprintf(f, "households.agricultural = %" PRIu64 " (%.2f%%)\n", e->agri,
            rate(e->agri, e->households));
    fprintf(f, "households.in_some_export = %" PRIu64 " (%.2f%%)\n", e->known,
            rate(e->known, e->households));
    for (int a = 0; a < SYNTH_AGE_BANDS; a++)
        fprintf(f, "persons.age_%s = %" PRIu64 " (%.2f%%)\n", anames[a], e->ages[a],
                rate(e->ages[a], e->persons));
    fprintf(f, "\n# benefits received (households where some member receives it)\n");
    for (int b = 0; b < SYNTH_B_COUNT; b++)
        fprintf(f, "received.%s = %" PRIu64 " (%.2f%%)\n", bnames[b], e->received[b],
                rate(e->received[b], e->households));
    fprintf(f, "\n# per rule: entitled households (paid or not); truth = entitled and nobody "
               "paid (truth_eligible.csv, by_year_only = 0), its share of the entitled "
               "(non-take-up), the share a payer's export holds (payer_knows) and the share "
               "some export holds (known); by_year_only = eligible only on the birth year\n");
    for (int i = 0; i < SYNTH_R_COUNT; i++) {
        const char *n = synth_rule_names[i];
        fprintf(f, "rule.%s.entitled = %" PRIu64 " (%.2f%% of households)\n", n, e->entitled[i],
                rate(e->entitled[i], e->households));
        fprintf(f, "rule.%s.truth = %" PRIu64 " (%.2f%% of households, non-take-up %.1f%%)\n", n,
                e->truth[i], rate(e->truth[i], e->households), rate(e->truth[i], e->entitled[i]));
        fprintf(f, "rule.%s.payer_knows = %" PRIu64 " (%.2f%%)\n", n, e->payer_knows[i],
                rate(e->payer_knows[i], e->truth[i]));
        fprintf(f, "rule.%s.known = %" PRIu64 " (%.2f%%)\n", n, e->truth_known[i],
                rate(e->truth_known[i], e->truth[i]));
        if (i == SYNTH_R_RSA || i == SYNTH_R_ASPA)
            fprintf(f, "rule.%s.by_year_only = %" PRIu64 "\n", n, e->by_year_only[i]);
    }
    for (int i = 0; i < e->nsources; i++) {
        const synth_source *s = &e->src[i];
        uint64_t rows = s->out.rows ? s->out.rows - 1 : 0;
        fprintf(f, "\n# %s (%s)\n", s->id, s->file);
        fprintf(f, "source.%s.rows = %" PRIu64 "\n", s->id, rows);
        fprintf(f, "source.%s.persons = %" PRIu64 "\n", s->id, s->persons);
        fprintf(f, "source.%s.households = %" PRIu64 " (%.2f%%)\n", s->id, s->households,
                rate(s->households, e->households));
        fprintf(f, "source.%s.records_with_nir = %" PRIu64 " (%.2f%%)\n", s->id, s->with_nir,
                rate(s->with_nir, rows));
        if (s->out.unmapped)
            fprintf(f, "source.%s.unmapped_characters = %" PRIu64 "\n", s->id, s->out.unmapped);
        for (int k = 0; k < SYNTH_F_COUNT; k++) {
            uint64_t d = k == SYNTH_F_NIR_KEY ? s->with_nir
                       : k == SYNTH_F_NIR_MISSING ? s->adults
                       : k == SYNTH_F_BIRTHNAME_MISSING ? s->with_usage : rows;
            const char *dn = k == SYNTH_F_NIR_KEY ? "records with a NIR"
                           : k == SYNTH_F_NIR_MISSING ? "adult records"
                           : k == SYNTH_F_BIRTHNAME_MISSING ? "records with a usage name"
                                                            : "records";
            if (k == SYNTH_F_BIRTHNAME_MISSING && i < SYNTH_SRC_BAIL)
                continue;
            fprintf(f, "fault.%s.%s = %" PRIu64 " (%.2f%% of %s)\n", s->id, fault_names[k],
                    s->faults[k], rate(s->faults[k], d), dn);
        }
    }
}

static int write_text(const char *dir, const char *name, synth_emit *e, int summary,
                      const char **failed)
{
    snprintf(failed_path, sizeof failed_path, "%s/%s", dir, name);
    FILE *f = fopen(failed_path, "w");
    if (!f) {
        *failed = failed_path;
        return -1;
    }
    if (summary) {
        write_summary(e, f);
    } else {
        for (int i = 0; i < e->nsources; i++)
            fprintf(f, "%s %s %s\n", e->src[i].file, e->src[i].id, e->src[i].mapping);
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        if (bad)
            errno = EIO;
        *failed = failed_path;
        return -1;
    }
    return 0;
}

int synth_emit_close(synth_emit *e, const char *dir, const char **failed)
{
    int rc = 0;
    for (int i = 0; i < e->nsources; i++)
        if (e->src[i].out.f && close_one(&e->src[i].out, failed) != 0 && rc == 0)
            rc = -1;
    if (rc == 0 && close_one(&e->truth_persons, failed) != 0)
        rc = -1;
    if (rc == 0 && close_one(&e->truth_eligible, failed) != 0)
        rc = -1;
    if (rc != 0) {
        int err = errno;
        synth_emit_abort(e);
        errno = err;
        return -1;
    }
    if (write_text(dir, "sources.txt", e, 0, failed) != 0 ||
        write_text(dir, "truth_summary.txt", e, 1, failed) != 0)
        return -1;
    return 0;
}

void synth_emit_abort(synth_emit *e)
{
    for (int i = 0; i < SYNTH_MAX_SOURCES; i++)
        synth_out_abort(&e->src[i].out);
    synth_out_abort(&e->truth_persons);
    synth_out_abort(&e->truth_eligible);
}
