/* synth_agency: each agency's export of a household, one section per agency (the CAF, the
 * département, the landlords, the CPAM, the CARSAT, the MSA, the CCAS): who it holds, its
 * dossiers and duplicates, its columns (see synth_agency.h and docs/synth.md, which lists
 * every column and rate used here). Private to the emitter. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "synth_agency.h"
#include "synth_data.h"
#include "synth_record.h"

#define STREAM_EMIT 0x656D6974ULL /* "emit" */

/* --- CAF: one row per member of the dossier; figures on the claimant (ALL) row only */

static void caf_row(synth_emit *e, synth_source *s, synth_rng *r, const synth_household *h,
                    const member *m, const char *alloc, int with_figures)
{
    record rec = synth_record_start(s, KIND_CAF, r, h, m, alloc, '-', 2);
    synth_put_register_identity(&rec, 0);
    synth_put_birth(&rec, DATE_SLASHES, "1", "2");
    synth_put_postal_lines(rec.o, &h->addr, rec.st);
    synth_put_cp_insee(rec.o, &h->addr);
    if (with_figures)
        synth_put_family_figures(rec.o, h, KIND_CAF);
    else
        synth_put_blanks(rec.o, 9);
    synth_record_end(e, s, h, &rec);
}

/* members in the order an agency lists them: claimant, partner, children, others */
static int order_members(const synth_household *h, int d, member *ms, const char *const codes[4])
{
    static const int pass_roles[3][2] = {
        {SYNTH_ROLE_D, SYNTH_ROLE_C}, {SYNTH_ROLE_E, SYNTH_ROLE_E}, {SYNTH_ROLE_A, SYNTH_ROLE_A}};
    int k = 0;
    ms[k].person = d;
    ms[k].role = codes[0];
    ms[k].rank = 1;
    k++;
    for (int pass = 0; pass < 3; pass++)
        for (int i = 0; i < h->n; i++) {
            int role = h->p[i].role;
            if (i == d || (role != pass_roles[pass][0] && role != pass_roles[pass][1]))
                continue;
            ms[k].person = i;
            ms[k].role = codes[pass + 1];
            ms[k].rank = k + 1;
            k++;
        }
    return k;
}

/* Writes one member's row of a dossier (the first with the household's figures). */
typedef void (*dossier_row)(synth_emit *e, synth_source *s, synth_rng *r, const synth_household *h,
                            const member *m, const char *dossier, int with_figures);

/* Whether the record just written is followed, at the source's duplicate rate (KIND), by a
 * stale one of the same person; if so, counts the fault and sets *seq to the duplicate's
 * number at the source (from which its ids are made, counting down from the largest). */
static int duplicate(synth_source *s, synth_rng *r, int kind, uint64_t *seq)
{
    if (!synth_rng_chance(r, synth_fault_ppm[kind][SYNTH_F_DUPLICATE]))
        return 0;
    *seq = s->dup_seq++;
    s->faults[SYNTH_F_DUPLICATE]++;
    return 1;
}

/* One household's dossier at a source whose ids are PREFIX and DIGITS scrambled digits: each
 * member of MS[0..K) written by ROW, the first with the figures, each followed, at the
 * source's duplicate rate (KIND), by a stale dossier of the same person under a new id, as
 * DUP_ROLE, without figures. */
static void emit_dossier(synth_emit *e, synth_source *s, synth_rng *r, const synth_household *h,
                         const member *ms, int k, int kind, const char *prefix, int digits,
                         const char *dup_role, dossier_row row)
{
    uint64_t top = 1, seq;
    for (int i = 0; i < digits; i++)
        top *= 10;
    top--;
    char id[24];
    snprintf(id, sizeof id, "%s%0*" PRIu64, prefix, digits,
             synth_scramble(h->index, digits, s->id_offset));
    for (int i = 0; i < k; i++) {
        row(e, s, r, h, &ms[i], id, i == 0);
        s->persons++;
        if (duplicate(s, r, kind, &seq)) {
            char dup[24];
            snprintf(dup, sizeof dup, "%s%0*" PRIu64, prefix, digits,
                     synth_scramble(top - seq, digits, s->id_offset));
            member dm = {ms[i].person, dup_role, 1};
            row(e, s, r, h, &dm, dup, 0);
        }
    }
    s->households++;
}

/* emit_dossier with 7-digit ids for the whole household, listed from the claimant D in the
 * usual order with the roles CODES (claimant, partner, children, others); a duplicate is a
 * claimant's. */
static void emit_household(synth_emit *e, synth_source *s, synth_rng *r, const synth_household *h,
                           int d, const char *const codes[4], int kind, const char *prefix,
                           dossier_row row)
{
    member ms[SYNTH_MAX_PERSONS];
    int k = order_members(h, d, ms, codes);
    emit_dossier(e, s, r, h, ms, k, kind, prefix, 7, codes[0], row);
}

static void emit_caf(synth_emit *e, synth_rng *r, const synth_household *h)
{
    static const char *const codes[4] = {"ALL", "CJT", "ENF", "AUT"};
    emit_household(e, &e->src[SYNTH_SRC_CAF], r, h, h->caf_d, codes, KIND_CAF, "", caf_row);
}

/* --- département: household records (RSA, FSL, follow-up, known) or personal ones (APA, PCH) */

static void nir_dep(char *out, size_t cap, const char *nir, synth_rng *r, int *keyless)
{
    int k = (int)synth_rng_below(r, 100);
    *keyless = 0;
    if (!nir[0]) {
        out[0] = 0;
    } else if (k < 70) {
        snprintf(out, cap, "%.1s %.2s %.2s %.2s %.3s %.3s %.2s", nir, nir + 1, nir + 3, nir + 5,
                 nir + 7, nir + 10, nir + 13);
    } else if (k < 90) {
        synth_copy(out, cap, nir);
    } else {
        snprintf(out, cap, "%.13s", nir);
        *keyless = 1;
    }
}

/* what a département household record carries */
#define DF_FIGURES 1u   /* composition and resources */
#define DF_REV 2u       /* earnings (RSA declarations, social workers) */
#define DF_RENT 4u      /* rent and arrears (FSL file, social workers) */
#define DF_RIGHTS 8u    /* css and aspa as reviewed by a social worker */

static void dep_row(synth_emit *e, synth_source *s, synth_rng *r, const synth_household *h,
                    const member *m, uint64_t ind, uint64_t foyer, unsigned figures)
{
    char buf[512], ref[32], fid[32];
    snprintf(ref, sizeof ref, "IND%08" PRIu64, ind);
    snprintf(fid, sizeof fid, "FOY%07" PRIu64, foyer);
    record rec = synth_record_draw(s, KIND_DEP, r, h, m, ref);
    synth_out *o = rec.o;
    synth_put_keys(o, ref, fid, m->role);
    int keyless;
    nir_dep(buf, sizeof buf, rec.id.nir, r, &keyless);
    if (keyless && rec.id.nir_bad)
        s->faults[SYNTH_F_NIR_KEY]--; /* the 13-character form has no key to be wrong */
    synth_out_field(o, buf);
    if (synth_rng_below(r, 100) < 30)
        synth_put_upper(o, rec.id.nom, 0);
    else
        synth_out_field(o, rec.id.nom);
    synth_out_field(o, rec.id.usage);
    synth_out_field(o, rec.id.prenom);
    synth_put_birth(&rec, DATE_ISO, "M", "F");
    synth_put_address_line(o, &h->addr, rec.st, ", ");
    synth_out_field(o, synth_communes[h->addr.commune].insee);
    if (figures) {
        synth_put_int(o, h->n);
        synth_put_int(o, h->nb_enfants);
        synth_put_money(o, h->res, '.', 0);
        synth_put_money_if(o, figures & DF_REV, h->rev, '.', 0);
        if (figures & DF_RENT) {
            synth_put_money(o, h->loyer, '.', 0);
            synth_put_int(o, h->impaye);
        } else {
            synth_put_blanks(o, 2);
        }
        synth_put_has(o, h, SYNTH_B_RSA, KIND_DEP);
        synth_put_has(o, h, SYNTH_B_APA, KIND_DEP);
        synth_put_has(o, h, SYNTH_B_PCH, KIND_DEP);
        synth_put_has(o, h, SYNTH_B_FSL, KIND_DEP);
        /* the département pays none of these: only a social worker who reviewed the
         * household's rights knows */
        synth_out_field(o, figures & DF_RIGHTS ? synth_flag(synth_has(h, SYNTH_B_CSS), KIND_DEP)
                                               : "");
        synth_out_field(o, figures & DF_RIGHTS ? synth_flag(synth_has(h, SYNTH_B_ASPA), KIND_DEP)
                                               : "");
        synth_put_has(o, h, SYNTH_B_SUIVI, KIND_DEP);
    } else {
        synth_put_blanks(o, 13);
    }
    synth_record_end(e, s, h, &rec);
}

static void emit_dep(synth_emit *e, synth_rng *r, const synth_household *h, int household_level)
{
    static const char *const codes[4] = {"DEMANDEUR", "CONJOINT", "ENFANT", "AUTRE"};
    synth_source *s = &e->src[SYNTH_SRC_DEP];
    member ms[SYNTH_MAX_PERSONS];
    int k;
    unsigned figures = DF_FIGURES;
    if (household_level) {
        k = order_members(h, h->dep_d, ms, codes);
        if (synth_has(h, SYNTH_B_FSL) || synth_has(h, SYNTH_B_SUIVI))
            figures |= DF_RENT;
        if (synth_has(h, SYNTH_B_RSA) || synth_has(h, SYNTH_B_SUIVI))
            figures |= DF_REV;
        if (synth_has(h, SYNTH_B_SUIVI))
            figures |= DF_RIGHTS;
    } else {
        k = 0;
        for (int i = 0; i < h->n; i++)
            if (h->p[i].own & (SYNTH_BIT(SYNTH_B_APA) | SYNTH_BIT(SYNTH_B_PCH))) {
                ms[k].person = i;
                ms[k].role = codes[k ? 1 : 0];
                ms[k].rank = k + 1;
                k++;
            }
    }
    uint64_t foyer = synth_scramble(h->index, 7, s->id_offset);
    for (int i = 0; i < k; i++) {
        uint64_t seq;
        dep_row(e, s, r, h, &ms[i], synth_person_number(s, h, ms[i].person), foyer,
                i == 0 ? figures : 0);
        s->persons++;
        if (duplicate(s, r, KIND_DEP, &seq)) {
            /* the same person created again under another household file: a person's id
             * and a household's of their own, which emit_dossier's one id cannot give */
            member dm = {ms[i].person, codes[0], 1};
            dep_row(e, s, r, h, &dm, synth_scramble(99999999u - seq, 8, s->id_offset),
                    synth_scramble(9999999u - seq, 7, s->id_offset), 0);
        }
    }
    s->households++;
}

/* --- landlords: tenant of record, co-tenant or spouse, occupants; Windows-1252 */

static void bail_row(synth_emit *e, synth_source *s, synth_rng *r, const synth_household *h,
                     const member *m, const char *bail, int with_figures)
{
    record rec = synth_record_start(s, KIND_BAIL, r, h, m, bail, '-', 2);
    synth_out *o = rec.o;
    synth_out_field(o, rec.p->sex == 1 ? "M" : rec.p->age < 18 ? "MLLE" : "MME");
    /* NOM is the name in use (the married name), NOM_NAISSANCE often left blank */
    int noacc = synth_rng_below(r, 100) < 55;
    synth_put_upper(o, rec.id.usage[0] ? rec.id.usage : rec.id.nom, noacc);
    int birth_name;
    if (rec.id.usage[0]) {
        s->with_usage++;
        birth_name = !synth_rng_chance(r, synth_fault_ppm[KIND_BAIL][SYNTH_F_BIRTHNAME_MISSING]);
        if (!birth_name)
            s->faults[SYNTH_F_BIRTHNAME_MISSING]++;
    } else {
        birth_name = synth_rng_below(r, 100) < 20;
    }
    if (birth_name)
        synth_put_upper(o, rec.id.nom, 0);
    else
        synth_out_field(o, "");
    if (synth_rng_below(r, 100) < 40)
        synth_put_upper(o, rec.id.prenom, 0);
    else
        synth_out_field(o, rec.id.prenom);
    synth_put_date(o, rec.id.dob, DATE_SLASHES);
    synth_out_field(o, rec.id.nir);
    synth_put_address_line(o, &h->addr, rec.st, " - ");
    const synth_commune *c = &synth_communes[h->addr.commune];
    synth_out_field(o, c->insee);
    synth_out_field(o, synth_postcode(&h->addr));
    synth_put_upper(o, c->name, 1);
    if (with_figures) {
        synth_put_int(o, h->n);
        synth_put_int(o, h->nb_enfants);
        synth_put_money_if(o, (h->facts & SYNTH_F_SURVEY) != 0, h->res, ',', 1);
        synth_put_money(o, h->loyer, ',', 1);
        synth_put_int(o, h->impaye);
        synth_put_has(o, h, SYNTH_B_AL, KIND_BAIL);
        synth_put_has(o, h, SYNTH_B_FSL, KIND_BAIL);
    } else {
        synth_put_blanks(o, 7);
    }
    synth_record_end(e, s, h, &rec);
}

static void emit_bail(synth_emit *e, synth_rng *r, const synth_household *h)
{
    const char *codes[4] = {"TITULAIRE", "COTITULAIRE", "ENFANT", "OCCUPANT"};
    if (synth_rng_below(r, 100) < 20)
        codes[1] = "CONJOINT"; /* the partner is not on the lease */
    emit_household(e, &e->src[SYNTH_SRC_BAIL + h->landlord], r, h, h->bail_d, codes, KIND_BAIL,
                   "T", bail_row);
}

/* --- CPAM: the CSS (complémentaire santé solidaire) recipients, every member covered.
 * Latin-1, '|', CRLF, dates YYYYMMDD; names as the national register writes them (upper case,
 * no accents), first names as typed; the NIR of the insured person who opens the right
 * (NIR_OUVREUR_DROIT) is repeated on every row beside the member's own. */

static void cpam_row(synth_emit *e, synth_source *s, synth_rng *r, const synth_household *h,
                     const member *m, const char *dossier, const char *nir_od, uint64_t ref_n,
                     synth_date from, synth_date to, int with_figures)
{
    char ref[32];
    snprintf(ref, sizeof ref, "B%08" PRIu64, ref_n);
    record rec = synth_record_draw(s, KIND_CPAM, r, h, m, ref);
    synth_out *o = rec.o;
    synth_put_keys(o, dossier, ref, m->role);
    synth_out_field(o, nir_od);
    synth_put_register_identity(&rec, 1);
    synth_put_birth(&rec, DATE_COMPACT, "1", "2");
    synth_put_postal_lines(o, &h->addr, rec.st);
    synth_put_cp_insee(o, &h->addr);
    synth_put_upper(o, synth_communes[h->addr.commune].name, 1);
    synth_out_field(o, "C2S");
    synth_put_date(o, from, DATE_COMPACT);
    synth_put_date(o, to, DATE_COMPACT);
    if (with_figures)
        synth_put_int(o, h->n);
    else
        synth_out_field(o, "");
    synth_record_end(e, s, h, &rec);
}

static void emit_cpam(synth_emit *e, synth_rng *r, const synth_household *h)
{
    static const char *const codes[4] = {"ASSURE", "CONJOINT", "ENFANT", "AUTRE"};
    synth_source *s = &e->src[SYNTH_SRC_CPAM];
    member ms[SYNTH_MAX_PERSONS];
    int k = order_members(h, 0, ms, codes);
    char dossier[16];
    snprintf(dossier, sizeof dossier, "%08" PRIu64, synth_scramble(h->index, 8, s->id_offset));
    /* the right runs for twelve months from a date in the last year */
    long start = synth_today(e) - (long)synth_rng_below(r, 365);
    synth_date from = synth_civil(start);
    synth_date to = synth_civil(synth_days(from.y + 1, from.m, from.m == 2 && from.d == 29 ? 28
                                                                                  : from.d) - 1);
    for (int i = 0; i < k; i++) {
        uint64_t seq;
        cpam_row(e, s, r, h, &ms[i], dossier, h->p[0].nir, synth_person_number(s, h, ms[i].person),
                 from, to, i == 0);
        s->persons++;
        if (duplicate(s, r, KIND_CPAM, &seq)) {
            /* a beneficiary left attached to an old dossier, of which they open the right:
             * per-member references and the opener's NIR, which emit_dossier cannot give */
            char dup[16];
            snprintf(dup, sizeof dup, "%08" PRIu64,
                     synth_scramble(99999999u - seq, 8, s->id_offset));
            member dm = {ms[i].person, codes[0], 1};
            cpam_row(e, s, r, h, &dm, dup, h->p[ms[i].person].nir,
                     synth_scramble(89999999u - seq, 8, s->id_offset), from, to, 0);
        }
    }
    s->households++;
}

/* --- CARSAT: the ASPA recipients (and their spouse). UTF-8 with BOM, tab separated, CRLF,
 * dates DD-MM-YYYY, decimal comma; resources over the last quarter, as the ASPA assesses
 * them (three months, not one). */

static void carsat_row(synth_emit *e, synth_source *s, synth_rng *r, const synth_household *h,
                       const member *m, const char *num, int with_figures)
{
    record rec = synth_record_start(s, KIND_CARSAT, r, h, m, num, '-', 1);
    synth_out *o = rec.o;
    synth_put_register_identity(&rec, 0);
    synth_put_birth(&rec, DATE_DASHES, "H", "F");
    synth_put_address_line(o, &h->addr, rec.st, " ");
    synth_put_cp_insee(o, &h->addr);
    if (with_figures) {
        synth_out_field(o, h->n == 1 ? "ISOLE" : "COUPLE");
        synth_put_int(o, h->n);
        synth_put_money(o, 3 * h->res, ',', 0);
        synth_out_field(o, synth_flag(1, KIND_CARSAT));
        int64_t ceil = h->n == 1 ? e->ctx->period.aspa_single_cents
                                 : e->ctx->period.aspa_couple_cents;
        int64_t amount = (ceil - 12 * h->res) / 12;
        synth_put_money(o, amount > 0 ? amount : 0, ',', 0);
    } else {
        synth_put_blanks(o, 5);
    }
    synth_record_end(e, s, h, &rec);
}

static void emit_carsat(synth_emit *e, synth_rng *r, const synth_household *h)
{
    synth_source *s = &e->src[SYNTH_SRC_CARSAT];
    int holder = h->p[0].own & SYNTH_BIT(SYNTH_B_ASPA) ? 0 : 1;
    const member ms[2] = {{holder, "TITULAIRE", 1}, {1 - holder, "CONJOINT", 2}};
    /* a duplicate: a pension file opened twice (a second career) */
    emit_dossier(e, s, r, h, ms, h->partner && h->n == 2 ? 2 : 1, KIND_CARSAT, "R", 8,
                 "TITULAIRE", carsat_row);
}

/* --- MSA: the CAF's benefits paid to agricultural households. ISO-8859-15, ';', LF, dates
 * DD/MM/YYYY, decimal comma, flags 1/0, sex M/F; the address in three columns (number,
 * street, complement); figures and flags on the responsible person's (RESP) row only. */

static void msa_row(synth_emit *e, synth_source *s, synth_rng *r, const synth_household *h,
                    const member *m, const char *dossier, int with_figures)
{
    char buf[512], tmp[512];
    record rec = synth_record_start(s, KIND_MSA, r, h, m, dossier, '/', 2);
    synth_out *o = rec.o;
    synth_put_register_identity(&rec, 0);
    synth_out_field(o, rec.id.prenom[0] ? rec.p->autres : "");
    synth_put_birth(&rec, DATE_SLASHES, "M", "F");
    /* the street with its number, split at the first space after the number */
    synth_street_str(&h->addr, rec.st, tmp, sizeof tmp);
    const char *sp = tmp;
    if (h->addr.num) {
        sp = strchr(tmp, ' ');
        if (sp && h->addr.suffix && !rec.st.shortsuffix)
            sp = strchr(sp + 1, ' ');
        sp = sp ? sp + 1 : tmp + strlen(tmp);
    }
    snprintf(buf, sizeof buf, "%.*s", (int)(sp > tmp ? sp - tmp - 1 : 0), tmp);
    synth_out_field(o, buf);
    synth_out_field(o, sp);
    synth_compl_str(&h->addr, rec.st, buf, sizeof buf);
    synth_out_field(o, buf);
    synth_put_cp_insee(o, &h->addr);
    if (with_figures) {
        synth_out_field(o, synth_rng_below(r, 100) < 30 ? "NSA" : "SA");
        synth_put_family_figures(o, h, KIND_MSA);
        synth_out_field(o, synth_flag((h->facts & SYNTH_F_CAF_FAMILY) != 0, KIND_MSA));
    } else {
        synth_put_blanks(o, 11);
    }
    synth_record_end(e, s, h, &rec);
}

static void emit_msa(synth_emit *e, synth_rng *r, const synth_household *h)
{
    static const char *const codes[4] = {"RESP", "CONJ", "ENF", "AUT"};
    emit_household(e, &e->src[SYNTH_SRC_MSA], r, h, h->caf_d, codes, KIND_MSA, "M", msa_row);
}

/* --- CCAS of Bordeaux: households that asked for help this year, with the resources the
 * CCAS assessed. An office spreadsheet: UTF-8, ',' separated (amounts with a decimal comma
 * are therefore quoted), CRLF, dates DD/MM/YYYY, French column titles; names as typed, the
 * NIR rarely asked for. */

static void ccas_row(synth_emit *e, synth_source *s, synth_rng *r, const synth_household *h,
                     const member *m, const char *dossier, int with_figures)
{
    static const char *const aids[] = {"Aide alimentaire", "Secours financier",
                                       "Aide énergie", "Aide au loyer", "Domiciliation"};
    record rec = synth_record_start(s, KIND_CCAS, r, h, m, dossier, '-', 1);
    synth_out *o = rec.o;
    synth_out_field(o, rec.p->sex == 1 ? "M." : rec.p->age < 18 ? "Mlle" : "Mme");
    synth_out_field(o, rec.id.usage[0] ? rec.id.usage : rec.id.nom);
    synth_out_field(o, rec.id.usage[0] ? rec.id.nom : "");
    synth_out_field(o, rec.id.prenom);
    synth_put_date(o, rec.id.dob, DATE_SLASHES);
    /* the NIR of adults, when asked (30 %; the nir_missing fault of this source) */
    synth_out_field(o, rec.p->role != SYNTH_ROLE_E ? rec.id.nir : "");
    synth_put_address_line(o, &h->addr, rec.st, ", ");
    synth_out_field(o, synth_postcode(&h->addr));
    synth_out_field(o, synth_communes[h->addr.commune].name);
    if (with_figures) {
        synth_put_int(o, h->n);
        synth_put_int(o, h->nb_enfants);
        synth_put_money(o, h->res, ',', 0);
        synth_put_money(o, h->loyer, ',', 0);
        synth_put_int(o, h->impaye);
        synth_put_date(o, synth_civil(synth_today(e) - (long)synth_rng_below(r, 365)),
                       DATE_SLASHES);
        synth_out_field(o, aids[synth_rng_below(r, sizeof aids / sizeof aids[0])]);
    } else {
        synth_put_blanks(o, 7);
    }
    synth_record_end(e, s, h, &rec);
}

static void emit_ccas(synth_emit *e, synth_rng *r, const synth_household *h)
{
    static const char *const codes[4] = {"Demandeur", "Conjoint", "Enfant", "Autre"};
    char prefix[8]; /* requests are numbered by year: 26-0012345 */
    snprintf(prefix, sizeof prefix, "%02d-", e->ctx->date.y % 100);
    emit_household(e, &e->src[SYNTH_SRC_CCAS], r, h, h->dep_d, codes, KIND_CCAS, prefix, ccas_row);
}

/* ------------------------------------------------------------------ all agencies */

unsigned synth_agency_emit(synth_emit *e, const synth_household *h)
{
    synth_rng rr, *r = &rr;
    synth_rng_seed(r, e->ctx->seed, STREAM_EMIT, h->index);
    unsigned held = 0; /* a bit per kind of agency whose export holds a member */

    /* the CAF, or the MSA for agricultural households, pays the RSA, the prime d'activité,
     * housing aid, the AAH and family benefits */
    if ((h->recv & (SYNTH_BIT(SYNTH_B_RSA) | SYNTH_BIT(SYNTH_B_PA) | SYNTH_BIT(SYNTH_B_AL) |
                    SYNTH_BIT(SYNTH_B_AAH))) ||
        (h->facts & SYNTH_F_CAF_FAMILY)) {
        if (h->facts & SYNTH_F_AGRI) {
            emit_msa(e, r, h);
            held |= 1u << KIND_MSA;
        } else {
            emit_caf(e, r, h);
            held |= 1u << KIND_CAF;
        }
    }

    int dep_household = (h->recv & (SYNTH_BIT(SYNTH_B_RSA) | SYNTH_BIT(SYNTH_B_FSL) |
                                    SYNTH_BIT(SYNTH_B_SUIVI))) ||
                        (h->facts & SYNTH_F_DEP_KNOWN);
    if (dep_household || (h->recv & (SYNTH_BIT(SYNTH_B_APA) | SYNTH_BIT(SYNTH_B_PCH)))) {
        emit_dep(e, r, h, dep_household);
        held |= 1u << KIND_DEP;
    }

    if (synth_has(h, SYNTH_B_CSS)) {
        emit_cpam(e, r, h);
        held |= 1u << KIND_CPAM;
    }

    if (synth_has(h, SYNTH_B_ASPA)) {
        emit_carsat(e, r, h);
        held |= 1u << KIND_CARSAT;
    }

    if (h->facts & SYNTH_F_CCAS) {
        emit_ccas(e, r, h);
        held |= 1u << KIND_CCAS;
    }

    if (h->housing == SYNTH_SOCIAL && h->landlord >= 0) {
        emit_bail(e, r, h);
        held |= 1u << KIND_BAIL;
    }
    return held;
}
