#include "detect.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "audit.h"
#include "csvio.h"
#include "db.h"
#include "hex.h"
#include "log.h"
#include "manifest.h"
#include "norm.h"
#include "sbuf.h"

int detect_read_parameters(const char *path, sbuf *copy, int *nrows_out, char *err, size_t errlen)
{
    csvio_options opt = {.sep = ','};
    csvio_reader *r = csvio_open(path, &opt, err, errlen);
    if (!r)
        return -1;
    csvio_record rec;
    int rc = csvio_next(r, &rec);
    if (rc != 1 || rec.nfields != 4 || strcmp(rec.field[0], "name") != 0 || strcmp(rec.field[1], "valid_from") != 0 ||
        strcmp(rec.field[2], "value") != 0 || strcmp(rec.field[3], "reference") != 0) {
        snprintf(err, errlen, "'%s': the header must be name,valid_from,value,reference", path);
        csvio_close(r);
        return -1;
    }
    sbuf amount;
    sbuf_init(&amount);
    int nrows = 0;
    while ((rc = csvio_next(r, &rec)) == 1) {
        char d[9];
        if (rec.error || rec.nfields != 4 || rec.len[0] == 0 || rec.len[3] == 0 ||
            norm_date(rec.field[1], rec.len[1], DATE_ISO, d) != 1 ||
            norm_amount(rec.field[2], rec.len[2], '.', &amount) != 1) {
            snprintf(err, errlen, "'%s' line %ld: expected name,YYYY-MM-DD,number,reference", path, rec.line);
            rc = -2;
            break;
        }
        for (int f = 0; f < 4; f++) {
            if (f)
                sbuf_addc(copy, '\t');
            for (size_t i = 0; i < rec.len[f]; i++) {
                char ch = rec.field[f][i];
                if (ch == '\\' || ch == '\t' || ch == '\n' || ch == '\r')
                    sbuf_addc(copy, ch == '\\' ? '\\' : ' ');
                else
                    sbuf_addc(copy, ch);
            }
        }
        sbuf_addc(copy, '\n');
        nrows++;
    }
    if (rc == -1)
        snprintf(err, errlen, "%s", csvio_error(r));
    csvio_close(r);
    sbuf_free(&amount);
    if (rc < 0 || nrows == 0) {
        if (rc == 0)
            snprintf(err, errlen, "'%s' has no parameters", path);
        return -1;
    }
    *nrows_out = nrows;
    return 0;
}

int detect_load_parameters(PGconn *conn, const char *path, char *err, size_t errlen)
{
    sbuf copy;
    sbuf_init(&copy);
    int nrows = 0;
    if (detect_read_parameters(path, &copy, &nrows, err, errlen) != 0) {
        sbuf_free(&copy);
        return -1;
    }
    unsigned char h[32];
    unsigned int hl;
    char hex[65];
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    EVP_DigestUpdate(md, copy.p, copy.len);
    EVP_DigestFinal_ex(md, h, &hl);
    EVP_MD_CTX_free(md);
    hex_encode(h, 32, hex);
    db_begin(conn);
    db_exec(conn, "DELETE FROM tznr.parameter");
    db_copy_start(conn, "COPY tznr.parameter (name, valid_from, value, reference) FROM STDIN");
    db_copy_put(conn, copy.p, copy.len);
    db_copy_end(conn);
    sbuf_free(&copy);
    const char *last = db_value(conn,
        "SELECT details FROM tznr.audit_log WHERE action = 'parameters' ORDER BY id DESC LIMIT 1", 0, NULL);
    if (!strstr(last, hex)) {
        char details[256];
        snprintf(details, sizeof details, "{\"sha256\": \"%s\", \"rows\": %d}", hex, nrows);
        audit_log(conn, "parameters", path, details);
    }
    db_commit(conn);
    return 0;
}

/* Copy the value of "-- KEY: value" from the header into DST. */
static int header_value(const char *text, const char *key, char *dst, size_t cap)
{
    size_t kl = strlen(key);
    for (const char *line = text; line && *line;) {
        if (strncmp(line, "-- ", 3) != 0)
            break; /* the header is the first comment lines */
        if (strncmp(line + 3, key, kl) == 0 && line[3 + kl] == ':') {
            const char *v = line + 3 + kl + 1;
            while (*v == ' ')
                v++;
            const char *e = strchr(v, '\n');
            size_t n = e ? (size_t)(e - v) : strlen(v);
            while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\r'))
                n--;
            if (n == 0 || n >= cap)
                return -1;
            memcpy(dst, v, n);
            dst[n] = '\0';
            return 0;
        }
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return -1;
}

int detect_parse_rule(const char *text, detect_rule *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    static const char *const keys[] = {"rule", "benefit", "owners", "legal", "description"};
    char *dst[] = {r->id, r->benefit, r->owners, r->legal, r->description};
    size_t caps[] = {sizeof r->id, sizeof r->benefit, sizeof r->owners, sizeof r->legal, sizeof r->description};
    for (int k = 0; k < 5; k++) {
        if (header_value(text, keys[k], dst[k], caps[k]) != 0) {
            snprintf(err, errlen, "its header has no '-- %s: ...' line (or it is empty or too long)", keys[k]);
            return -1;
        }
    }
    /* owners: kinds of source, comma separated */
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s", r->owners);
    char *save = NULL;
    for (char *t = strtok_r(tmp, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        if (!manifest_kind_valid(t, strlen(t))) {
            snprintf(err, errlen, "owner '%s' is not one of " MANIFEST_KINDS, t);
            return -1;
        }
    }
    /* receives: the run_foyer flag the rule tests (its registers), by default its id when
     * that is a benefit; none for a rule about no benefit of the contract */
    if (header_value(text, "receives", r->receives, sizeof r->receives) != 0)
        snprintf(r->receives, sizeof r->receives, "%s", r->id);
    int known = 0;
    for (int b = 0; b < CONF_NBENEFITS; b++)
        known |= strcmp(r->receives, conf_benefits[b]) == 0;
    if (!known) {
        if (header_value(text, "receives", r->receives, sizeof r->receives) == 0) {
            snprintf(err, errlen, "receives '%s' is not a benefit of the extract (rsa, prime_activite, "
                     "aide_logement, aah, css, aspa, apa, pch, fsl)", r->receives);
            return -1;
        }
        r->receives[0] = '\0';
    }
    /* the body: after the header's comment lines */
    const char *b = text;
    while (strncmp(b, "--", 2) == 0) {
        const char *e = strchr(b, '\n');
        if (!e) {
            b += strlen(b);
            break;
        }
        b = e + 1;
    }
    r->body = b;
    if (!strstr(b, "SELECT") && !strstr(b, "select")) {
        snprintf(err, errlen, "no SELECT after the header");
        return -1;
    }
    return 0;
}

/* The households' facts (tznr.run_foyer): figures from the claimant's records (role D), each
 * from the kind of source that knows it best, the latest extract first, then by source and
 * line (a tie, two extracts of one kind on one date, goes to the same record every night); which sources hold a
 * record of the household; for each benefit, whether someone receives it and why we think so:
 * a record that says 1 (any member, any source), else a record that says 0, else the absence
 * from every current register of the benefit (tznr.run_register), else unknown (NULL). The
 * confidence comes from the links that made the household.
 * One pass over the records (2.5 million for 1.1 million households): sorted once by
 * household then in the general order (general_rank, extract_date DESC, source_id, line; a
 * source's place among the ids sorted stands for its id),
 * they reach the aggregates in that order, so "the first value" is the first of array_agg
 * without an ORDER BY of its own (the ordered aggregates sorted every household's records
 * once each, 12 times; docs/benchmarks.md). The housing order differs from the general one
 * by its first kind only (bailleur): its first value is a bailleur's when one has it, else
 * the first in the general order. */
static const char *const build_foyers_sql =
    /* each current source's ranks, worked out once a source rather than once a record; the
     * sort below then compares integers and a date, and the amounts stay in cents (bigint)
     * until a household's figure is chosen */
    "WITH src AS MATERIALIZED ("
    "  SELECT s.id AS source_id, s.current_snapshot AS snapshot_id, n.extract_date,"
    "         pg_catalog.array_position(ARRAY['caf','msa','departement','ccas','bailleur','france_travail',"
    "                                         'cpam','carsat','autre'],"
    "                                   pg_catalog.split_part(s.id, ':', 1)) AS general_rank,"
    "         pg_catalog.array_position(ARRAY['bailleur','caf','msa','departement','ccas','france_travail',"
    "                                         'cpam','carsat','autre'],"
    "                                   pg_catalog.split_part(s.id, ':', 1)) AS housing_rank,"
    "         pg_catalog.row_number() OVER (ORDER BY s.id) AS source_rank"
    "    FROM tznr.source s JOIN tznr.snapshot n ON n.id = s.current_snapshot),"
    " rec AS ("
    "  SELECT p.foyer_id, p.person_id, r.source_id, r.role, r.birth_year, r.commune, r.nb_personnes,"
    "         r.nb_enfants, r.ressources_cents AS ressources_mensuelles, r.revenus_activite_cents AS revenus_activite,"
    "         r.loyer_cents AS loyer, r.impaye_mois, r.rsa,"
    "         r.prime_activite, r.aide_logement, r.aah, r.css, r.aspa, r.apa, r.pch, r.fsl, r.suivi_social,"
    "         c.housing_rank"
    "    FROM tznr.record r"
    "    JOIN src c ON c.snapshot_id = r.snapshot_id" /* the current records */
    "    JOIN tznr.person_record p ON p.source_id = r.source_id AND p.token = r.token"
    "   ORDER BY p.foyer_id, c.general_rank, c.extract_date DESC, c.source_rank, r.line),"
    " everyone AS ("
    "  SELECT foyer_id,"
    /* the claimant's figures: the first known, general order */
    "    (pg_catalog.array_agg(nb_personnes) FILTER (WHERE role = 'D' AND nb_personnes IS NOT NULL))[1] AS nb_personnes,"
    "    (pg_catalog.array_agg(nb_enfants) FILTER (WHERE role = 'D' AND nb_enfants IS NOT NULL))[1] AS nb_enfants,"
    "    (pg_catalog.array_agg(ressources_mensuelles) FILTER (WHERE role = 'D' AND ressources_mensuelles IS NOT NULL))[1] AS ressources,"
    "    (pg_catalog.array_agg(revenus_activite) FILTER (WHERE role = 'D' AND revenus_activite IS NOT NULL))[1] AS revenus_activite,"
    "    (pg_catalog.array_agg(birth_year) FILTER (WHERE role = 'D' AND birth_year IS NOT NULL))[1] AS birth_year,"
    /* housing order: a bailleur's first, else the general order (the same for the other kinds) */
    "    COALESCE((pg_catalog.array_agg(loyer) FILTER (WHERE role = 'D' AND loyer IS NOT NULL AND housing_rank = 1))[1],"
    "             (pg_catalog.array_agg(loyer) FILTER (WHERE role = 'D' AND loyer IS NOT NULL))[1]) AS loyer,"
    "    COALESCE((pg_catalog.array_agg(impaye_mois) FILTER (WHERE role = 'D' AND impaye_mois IS NOT NULL AND housing_rank = 1))[1],"
    "             (pg_catalog.array_agg(impaye_mois) FILTER (WHERE role = 'D' AND impaye_mois IS NOT NULL))[1]) AS impaye_mois,"
    "    COALESCE((pg_catalog.array_agg(commune) FILTER (WHERE role = 'D' AND commune IS NOT NULL AND housing_rank = 1))[1],"
    "             (pg_catalog.array_agg(commune) FILTER (WHERE role = 'D' AND commune IS NOT NULL))[1]) AS claimant_commune,"
    /* every member's records */
    "    pg_catalog.count(DISTINCT person_id) AS persons,"
    "    pg_catalog.count(DISTINCT person_id) FILTER (WHERE role = 'E') AS children,"
    "    COALESCE(pg_catalog.bool_or(role = 'C'), false) AS has_partner,"
    "    pg_catalog.bool_or(role IS NOT NULL) AS roles_known,"
    "    pg_catalog.array_agg(DISTINCT source_id) AS sources,"
    "    pg_catalog.max(birth_year) FILTER (WHERE role = 'E') AS youngest_child_birth_year,"
    "    pg_catalog.max(birth_year) FILTER (WHERE role = 'C') AS partner_birth_year,"
    "    COALESCE((pg_catalog.array_agg(commune) FILTER (WHERE commune IS NOT NULL AND housing_rank = 1))[1],"
    "             (pg_catalog.array_agg(commune) FILTER (WHERE commune IS NOT NULL))[1]) AS commune,"
    /* bool_or ignores NULLs: NULL when no record reports the benefit (unknown) */
    "    pg_catalog.bool_or(rsa) AS rsa, pg_catalog.bool_or(prime_activite) AS prime_activite,"
    "    pg_catalog.bool_or(aide_logement) AS aide_logement, pg_catalog.bool_or(aah) AS aah,"
    "    pg_catalog.bool_or(css) AS css, pg_catalog.bool_or(aspa) AS aspa,"
    "    pg_catalog.bool_or(apa) AS apa, pg_catalog.bool_or(pch) AS pch,"
    "    pg_catalog.bool_or(fsl) AS fsl, COALESCE(pg_catalog.bool_or(suivi_social), false) AS suivi_social"
    "    FROM rec GROUP BY foyer_id),"
    " linked AS ("
    "  SELECT pa.foyer_id, pg_catalog.min(CASE l.method WHEN 'nir' THEN 1.0 WHEN 'ident' THEN 0.95"
    "                                      WHEN 'ident_alt' THEN 0.95 ELSE l.score END) AS score,"
    "         pg_catalog.bool_or(l.method = 'clk') AS fuzzy, pg_catalog.bool_or(l.method LIKE 'ident%') AS ident"
    "    FROM tznr.link l"
    "    JOIN tznr.person_record pa ON pa.source_id = l.source_a AND pa.token = l.token_a"
    "   WHERE l.run_id = (SELECT pg_catalog.max(id) FROM tznr.link_run WHERE finished_at IS NOT NULL)"
    "   GROUP BY pa.foyer_id),"
    /* the benefits with at least one current register: absence from them is a "no" */
    " reg AS (SELECT"
    "    pg_catalog.bool_or(benefit = 'rsa') AS rsa,"
    "    pg_catalog.bool_or(benefit = 'prime_activite') AS prime_activite,"
    "    pg_catalog.bool_or(benefit = 'aide_logement') AS aide_logement,"
    "    pg_catalog.bool_or(benefit = 'aah') AS aah,"
    "    pg_catalog.bool_or(benefit = 'css') AS css,"
    "    pg_catalog.bool_or(benefit = 'aspa') AS aspa,"
    "    pg_catalog.bool_or(benefit = 'apa') AS apa,"
    "    pg_catalog.bool_or(benefit = 'pch') AS pch,"
    "    pg_catalog.bool_or(benefit = 'fsl') AS fsl"
    "    FROM tznr.run_register WHERE current)"
    " INSERT INTO tznr.run_foyer (foyer_id, commune, nb_personnes, nb_enfants, nb_adultes, couple,"
    "   claimant_birth_year, claimant_age, ressources, revenus_activite, loyer, impaye_mois,"
    "   recoit_rsa, recoit_prime_activite, recoit_aide_logement, recoit_aah, recoit_css, recoit_aspa,"
    "   recoit_apa, recoit_pch, recoit_fsl, suivi_social, confiance, confiance_score, sources,"
    "   pourquoi_rsa, pourquoi_prime_activite, pourquoi_aide_logement, pourquoi_aah, pourquoi_css,"
    "   pourquoi_aspa, pourquoi_apa, pourquoi_pch, pourquoi_fsl, youngest_child_birth_year, partner_birth_year)"
    " SELECT e.foyer_id, COALESCE(e.claimant_commune, e.commune),"
    "   GREATEST(COALESCE(e.nb_personnes, e.persons), 1),"
    "   LEAST(COALESCE(e.nb_enfants, e.children), GREATEST(COALESCE(e.nb_personnes, e.persons), 1) - 1),"
    "   GREATEST(COALESCE(e.nb_personnes, e.persons), 1) - LEAST(COALESCE(e.nb_enfants, e.children), GREATEST(COALESCE(e.nb_personnes, e.persons), 1) - 1),"
    /* a couple: a partner's record (role C); only without any role, two adults or more */
    "   e.has_partner OR (e.roles_known IS NOT TRUE"
    "     AND GREATEST(COALESCE(e.nb_personnes, e.persons), 1) - COALESCE(e.nb_enfants, e.children) >= 2),"
    "   e.birth_year, pg_catalog.date_part('year', $1::date)::integer - e.birth_year,"
    /* cents to euros as tznr.current_record does it */
    "   (e.ressources / 100.0)::numeric(14, 2), (e.revenus_activite / 100.0)::numeric(14, 2),"
    "   (e.loyer / 100.0)::numeric(14, 2), e.impaye_mois,"
    "   CASE WHEN e.rsa IS NOT NULL THEN e.rsa WHEN g.rsa THEN false END,"
    "   CASE WHEN e.prime_activite IS NOT NULL THEN e.prime_activite WHEN g.prime_activite THEN false END,"
    "   CASE WHEN e.aide_logement IS NOT NULL THEN e.aide_logement WHEN g.aide_logement THEN false END,"
    "   CASE WHEN e.aah IS NOT NULL THEN e.aah WHEN g.aah THEN false END,"
    "   CASE WHEN e.css IS NOT NULL THEN e.css WHEN g.css THEN false END,"
    "   CASE WHEN e.aspa IS NOT NULL THEN e.aspa WHEN g.aspa THEN false END,"
    "   CASE WHEN e.apa IS NOT NULL THEN e.apa WHEN g.apa THEN false END,"
    "   CASE WHEN e.pch IS NOT NULL THEN e.pch WHEN g.pch THEN false END,"
    "   CASE WHEN e.fsl IS NOT NULL THEN e.fsl WHEN g.fsl THEN false END,"
    "   e.suivi_social,"
    "   CASE WHEN k.foyer_id IS NULL THEN 'source unique'"
    "        WHEN k.fuzzy THEN 'rapprochement approché (score ' || pg_catalog.replace(pg_catalog.to_char(k.score, 'FM0.00'), '.', ',') || ')'"
    "        WHEN k.ident THEN 'identité exacte' ELSE 'NIR' END,"
    "   COALESCE(k.score, 1.0), e.sources,"
    "   CASE WHEN e.rsa IS NOT NULL THEN 'source' WHEN g.rsa THEN 'registre' END,"
    "   CASE WHEN e.prime_activite IS NOT NULL THEN 'source' WHEN g.prime_activite THEN 'registre' END,"
    "   CASE WHEN e.aide_logement IS NOT NULL THEN 'source' WHEN g.aide_logement THEN 'registre' END,"
    "   CASE WHEN e.aah IS NOT NULL THEN 'source' WHEN g.aah THEN 'registre' END,"
    "   CASE WHEN e.css IS NOT NULL THEN 'source' WHEN g.css THEN 'registre' END,"
    "   CASE WHEN e.aspa IS NOT NULL THEN 'source' WHEN g.aspa THEN 'registre' END,"
    "   CASE WHEN e.apa IS NOT NULL THEN 'source' WHEN g.apa THEN 'registre' END,"
    "   CASE WHEN e.pch IS NOT NULL THEN 'source' WHEN g.pch THEN 'registre' END,"
    "   CASE WHEN e.fsl IS NOT NULL THEN 'source' WHEN g.fsl THEN 'registre' END,"
    "   e.youngest_child_birth_year, e.partner_birth_year"
    "   FROM everyone e LEFT JOIN linked k ON k.foyer_id = e.foyer_id"
    "   CROSS JOIN reg g";

/* tznr.run_register from [registers]: each declaration, the loaded sources it names, and
 * whether their current snapshot is recent enough to count as a register on DATE. */
static void build_registers(PGconn *conn, const conf *cf, const char *date, detect_summary *sum)
{
    sbuf benefits, declared;
    sbuf_init(&benefits);
    sbuf_init(&declared);
    for (int b = 0; b < CONF_NBENEFITS; b++) {
        const char *p = cf->registers[b];
        while (*p) {
            size_t n = strcspn(p, " ");
            if (n) {
                if (benefits.len) {
                    sbuf_addc(&benefits, ' ');
                    sbuf_addc(&declared, ' ');
                }
                sbuf_adds(&benefits, conf_benefits[b]);
                sbuf_add(&declared, p, n);
            }
            p += n + (p[n] == ' ');
        }
    }
    char age[16];
    snprintf(age, sizeof age, "%d", cf->register_max_age_days);
    const char *pr[] = {benefits.p, declared.p, date, age};
    db_exec(conn, "TRUNCATE tznr.run_register");
    PQclear(db_query(conn,
        "WITH d AS (SELECT * FROM ROWS FROM (pg_catalog.unnest(pg_catalog.string_to_array($1, ' ')),"
        "                                   pg_catalog.unnest(pg_catalog.string_to_array($2, ' ')))"
        "             AS d(benefit, declared)),"
        " m AS (SELECT d.benefit, d.declared, s.id AS source_id, n.id AS snapshot_id, n.extract_date"
        "         FROM d LEFT JOIN tznr.source s ON s.current_snapshot IS NOT NULL"
        "              AND (s.id = d.declared OR (pg_catalog.strpos(d.declared, ':') = 0"
        "                                         AND pg_catalog.split_part(s.id, ':', 1) = d.declared))"
        "         LEFT JOIN tznr.snapshot n ON n.id = s.current_snapshot)"
        " INSERT INTO tznr.run_register (benefit, declared, source_id, extract_date, fresh, reports, current)"
        " SELECT m.benefit, m.declared, m.source_id, m.extract_date,"
        "        COALESCE(m.extract_date >= $3::date - $4::integer, false),"
        "        m.snapshot_id IS NOT NULL AND EXISTS ("
        "          SELECT 1 FROM tznr.record r WHERE r.snapshot_id = m.snapshot_id"
        "             AND CASE m.benefit WHEN 'rsa' THEN r.rsa WHEN 'prime_activite' THEN r.prime_activite"
        "                                WHEN 'aide_logement' THEN r.aide_logement WHEN 'aah' THEN r.aah"
        "                                WHEN 'css' THEN r.css WHEN 'aspa' THEN r.aspa WHEN 'apa' THEN r.apa"
        "                                WHEN 'pch' THEN r.pch WHEN 'fsl' THEN r.fsl END),"
        "        false"
        "   FROM m", 4, pr));
    db_exec(conn,
        "UPDATE tznr.run_register r SET current = true"
        "  FROM (SELECT benefit, declared FROM tznr.run_register GROUP BY benefit, declared"
        "         HAVING pg_catalog.bool_and(source_id IS NOT NULL AND fresh AND reports)) ok"
        " WHERE r.benefit = ok.benefit AND r.declared = ok.declared");
    sbuf_free(&benefits);
    sbuf_free(&declared);
    /* one line for the summary: each register with its age and benefits, then what does not
     * count and why (an extract newer than a replayed night shows 0 days; in French,
     * read by data officers: 'j' for jours) */
    const char *pd[] = {date};
    const char *line = db_value(conn,
        "WITH r AS (SELECT *, GREATEST($1::date - extract_date, 0)::text || ' j' AS age FROM tznr.run_register)"
        " SELECT pg_catalog.concat_ws(' ; ',"
        "  (SELECT pg_catalog.string_agg(x.source_id || ' ' || x.age || ' (' || x.b || ')', ', ' ORDER BY x.source_id)"
        "     FROM (SELECT source_id, age, pg_catalog.string_agg(DISTINCT benefit, ' ') AS b"
        "             FROM r WHERE current GROUP BY source_id, age) x),"
        "  'trop anciens : ' || (SELECT pg_catalog.string_agg(DISTINCT source_id || ' ' || age, ', ')"
        "                    FROM r WHERE source_id IS NOT NULL AND NOT fresh),"
        "  'aucun bénéficiaire dans l''extrait : ' || (SELECT pg_catalog.string_agg(x.source_id || ' (' || x.b || ')', ', '"
        "                                                               ORDER BY x.source_id)"
        "     FROM (SELECT source_id, pg_catalog.string_agg(benefit, ' ' ORDER BY benefit) AS b"
        "             FROM r WHERE source_id IS NOT NULL AND fresh AND NOT reports GROUP BY source_id) x),"
        "  'écartés avec une autre source du même type : ' || (SELECT pg_catalog.string_agg(x.source_id || ' (' || x.b || ')',"
        "                                                                             ', ' ORDER BY x.source_id)"
        "     FROM (SELECT source_id, pg_catalog.string_agg(benefit, ' ' ORDER BY benefit) AS b"
        "             FROM r WHERE source_id IS NOT NULL AND fresh AND reports AND NOT current GROUP BY source_id) x),"
        "  'aucun extrait chargé : ' || (SELECT pg_catalog.string_agg(x.declared || ' (' || x.b || ')', ', ' ORDER BY x.declared)"
        "     FROM (SELECT declared, pg_catalog.string_agg(benefit, ' ' ORDER BY benefit) AS b"
        "             FROM r WHERE source_id IS NULL GROUP BY declared) x))", 1, pd);
    sum->registers = xstrdup(line);
}

/* Record the rule in tznr.rule (its header and the SHA-256 of its file), then insert its
 * candidates for RUN on DATE; return how many. */
static long long run_rule(PGconn *conn, const struct db_sqlfile *file, const char *runs, const char *date)
{
    detect_rule r;
    char err[512];
    if (detect_parse_rule(file->text, &r, err, sizeof err) != 0)
        die(TZNR_EXIT_FAIL, "rule file '%s': %s", file->name, err);
    unsigned char h[32];
    unsigned int hl;
    char hex[65];
    EVP_Digest(file->text, strlen(file->text), h, &hl, EVP_sha256(), NULL);
    hex_encode(h, 32, hex);
    const char *pr[] = {r.id, r.benefit, r.owners, r.legal, r.description, hex, r.receives[0] ? r.receives : NULL};
    PQclear(db_query(conn,
        "INSERT INTO tznr.rule (id, benefit, owners, legal_basis, description, sha256, receives)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET benefit = EXCLUDED.benefit,"
        " owners = EXCLUDED.owners, legal_basis = EXCLUDED.legal_basis,"
        " description = EXCLUDED.description, sha256 = EXCLUDED.sha256, receives = EXCLUDED.receives", 7, pr));
    sbuf q;
    sbuf_init(&q);
    size_t bl = strlen(r.body);
    while (bl > 0 && strchr("; \n\r\t", r.body[bl - 1]))
        bl--;
    sbuf_adds(&q, "INSERT INTO tznr.candidate (run_id, rule_id, foyer_id, estimate, motif)"
                  " SELECT $2::bigint, $3::text, r.foyer_id, r.estimate, r.motif FROM (");
    sbuf_add(&q, r.body, bl);
    sbuf_adds(&q, "\n) AS r");
    const char *pq[] = {date, runs, r.id};
    char dberr[2048];
    PGresult *res = db_try_query(conn, q.p, 3, pq, dberr, sizeof dberr);
    if (!res)
        die(TZNR_EXIT_FAIL, "rule '%s' (%s) failed: %s", r.id, file->name, dberr);
    long long n = atoll(PQcmdTuples(res));
    PQclear(res);
    sbuf_free(&q);
    return n;
}

void detect_run(PGconn *conn, const conf *cf, long long run, const char *date, detect_summary *sum)
{
    memset(sum, 0, sizeof *sum);
    char runs[32];
    snprintf(runs, sizeof runs, "%lld", run);
    const char *pd[] = {date};
    build_registers(conn, cf, date, sum);
    db_exec(conn, "TRUNCATE tznr.run_foyer");
    /* The roll-up's "first value" needs each household's records to reach its aggregates in
     * the sorted order. A parallel plan would combine partial aggregates in whatever order
     * its workers finish (array_agg has a combine function from PostgreSQL 16): none for it.
     * SET LOCAL: the caller's transaction (step_detect) ends it. */
    db_exec(conn, "SET LOCAL max_parallel_workers_per_gather = 0");
    PQclear(db_query(conn, build_foyers_sql, 1, pd));
    db_exec(conn, "RESET max_parallel_workers_per_gather");
    /* fresh tables: without statistics the planner would pick nested loops over them */
    db_exec(conn, "SELECT tznr.analyze('tznr.run_foyer')"); /* the owner's table: migration 009 */
    /* the rules carried by the binary */
    for (size_t i = 0; i < db_nsqlfiles; i++) {
        if (strncmp(db_sqlfiles[i].name, "rules/", 6) != 0)
            continue;
        sum->candidates += run_rule(conn, &db_sqlfiles[i], runs, date);
        sum->rules++;
    }
    db_exec(conn, "SELECT tznr.analyze('tznr.candidate')");
}
