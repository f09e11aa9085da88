/* select: from candidates to list entries (see select.h). */
#include "select.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"

/* People who objected stay objected: every record of their person, now and later. */
static const char *const oppositions_sql =
    "INSERT INTO tznr.opposition (source_id, token)"
    " SELECT q.source_id, q.token FROM tznr.opposition o"
    "   JOIN tznr.person_record p ON p.source_id = o.source_id AND p.token = o.token"
    "   JOIN tznr.person_record q ON q.person_id = p.person_id"
    " ON CONFLICT DO NOTHING";

/* Suppression: people who objected (forever, and every record of their person: the tokens
 * the linkage gives them later too), the cooldown since the household was last listed for the
 * rule in a list that was written (tznr.list_file: a run that failed before writing a team's
 * list contacted nobody), and outcomes that settle the case (docs/listes.md). */
static void suppress(PGconn *conn, const conf *cf, const char *runs, const char *date, select_summary *sum)
{
    char cool[16], settled[16];
    snprintf(cool, sizeof cool, "%d", cf->cooldown_days);
    snprintf(settled, sizeof settled, "%d", cf->settled_days);
    db_exec(conn, oppositions_sql);
    const char *ps[] = {runs};
    PGresult *res = db_query(conn,
        "UPDATE tznr.candidate c SET suppressed = 'opposition' WHERE c.run_id = $1 AND EXISTS ("
        " SELECT 1 FROM tznr.opposition o JOIN tznr.person_record p ON p.source_id = o.source_id AND p.token = o.token"
        " WHERE p.foyer_id = c.foyer_id)", 1, ps);
    sum->suppressed_opposition = atoll(PQcmdTuples(res));
    PQclear(res);
    const char *pc[] = {runs, date, cool};
    res = db_query(conn,
        "UPDATE tznr.candidate c SET suppressed = 'cooldown' WHERE c.run_id = $1 AND c.suppressed IS NULL AND EXISTS ("
        " SELECT 1 FROM tznr.list_entry e"
        "   JOIN tznr.list_file w ON w.run_id = e.run_id AND w.team = e.team" /* a list that left */
        "   JOIN tznr.person_record p ON p.source_id = e.source_id AND p.token = e.token"
        " WHERE e.rule_id = c.rule_id AND p.foyer_id = c.foyer_id"
        "   AND e.run_date < $2::date AND e.run_date > $2::date - $3::integer)", 3, pc);
    sum->suppressed_cooldown = atoll(PQcmdTuples(res));
    PQclear(res);
    const char *pst[] = {runs, date, settled};
    res = db_query(conn,
        "UPDATE tznr.candidate c SET suppressed = 'settled' WHERE c.run_id = $1 AND c.suppressed IS NULL AND EXISTS ("
        " SELECT 1 FROM tznr.outcome o JOIN tznr.person_record p ON p.token = o.token"
        "   AND (o.source_id IS NULL OR p.source_id = o.source_id)"
        " WHERE o.rule_id = c.rule_id AND p.foyer_id = c.foyer_id"
        "   AND o.statut IN ('droit_ouvert', 'non_eligible', 'refus', 'deja_beneficiaire')"
        "   AND o.outcome_date <= $2::date AND o.outcome_date > $2::date - $3::integer)", 3, pst);
    sum->suppressed_settled = atoll(PQcmdTuples(res));
    PQclear(res);
}

/* Routing: the first owner kind of the rule holding a record of the household, its
 * claimant's record first; when none of the owners knows it, the first source that does
 * (only a source holding a record can re-identify: never nobody); then the team of that
 * source for the household's commune. Each entry says which payers do not know it.
 * The candidates meet their household's facts once (c). The records of the candidate
 * households (held) are picked from person_record by a semi-join on the candidates
 * themselves, whose statistics the planner has, before they meet the records for their role:
 * joined the other way round, every record met every person first (2.5 million rows hashed
 * for 200,000 candidates: 13 s of the 1.1M-household night; docs/benchmarks.md). */
static const char *const routing_sql =
    "WITH c AS MATERIALIZED ("
    "  SELECT k.rule_id, k.foyer_id, k.estimate, k.motif, f.sources, f.commune, f.confiance"
    "    FROM tznr.candidate k JOIN tznr.run_foyer f ON f.foyer_id = k.foyer_id"
    "   WHERE k.run_id = $1 AND k.suppressed IS NULL),"
    " regs AS MATERIALIZED (SELECT ru.id AS rule_id, tznr.registres(COALESCE(ru.receives, '')) AS registres,"
    "                              pg_catalog.regexp_split_to_array(pg_catalog.btrim(ru.owners), '[ ,]+') AS owners"
    "                         FROM tznr.rule ru),"
    /* the payers that do not know the household: a few hundred distinct (rule, sources), each
     * worked out once (per entry, it took 10 s of 55 on 200,000 entries) */
    " inc AS MATERIALIZED (SELECT x.rule_id, x.sources, tznr.inconnu_de(g.registres, x.sources) AS inconnu_de"
    "   FROM (SELECT DISTINCT c.rule_id, c.sources FROM c) x JOIN regs g ON g.rule_id = x.rule_id),"
    " held AS ("
    "  SELECT pr.foyer_id, pr.source_id, pr.token, CASE r.role WHEN 'D' THEN 0 WHEN 'C' THEN 1 ELSE 2 END AS role_rank"
    "    FROM tznr.person_record pr"
    "    JOIN tznr.current_record r ON r.source_id = pr.source_id AND r.token = pr.token"
    "   WHERE pr.foyer_id IN (SELECT k.foyer_id FROM tznr.candidate k WHERE k.run_id = $1 AND k.suppressed IS NULL)),"
    " holder AS ("
    "  SELECT c.rule_id, c.foyer_id, h.source_id, h.token,"
    "         COALESCE(pg_catalog.array_position(ru.owners,"
    "                                            pg_catalog.split_part(h.source_id, ':', 1)),"
    "                  100 + pg_catalog.array_position(ARRAY['departement','caf','msa','ccas','bailleur',"
    "                                                        'france_travail','cpam','carsat','autre'],"
    "                                                  pg_catalog.split_part(h.source_id, ':', 1))) AS kind_rank,"
    "         h.role_rank"
    "    FROM c JOIN regs ru ON ru.rule_id = c.rule_id"
    "    JOIN held h ON h.foyer_id = c.foyer_id),"
    " chosen AS ("
    "  SELECT DISTINCT ON (rule_id, foyer_id) rule_id, foyer_id, source_id, token FROM holder"
    "   ORDER BY rule_id, foyer_id, kind_rank, role_rank, source_id, token),"
    " routed AS ("
    "  SELECT ch.*, c.commune, c.confiance, c.estimate, c.motif, i.inconnu_de,"
    "         COALESCE((SELECT t.name FROM run_team t WHERE t.source_id = ch.source_id"
    "                    ORDER BY (t.communes IS NOT NULL AND c.commune = ANY (t.communes)) DESC,"
    "                             (t.communes IS NULL) DESC, t.name LIMIT 1),"
    "                  pg_catalog.replace(ch.source_id, ':', '_')) AS team"
    "    FROM chosen ch JOIN c ON c.rule_id = ch.rule_id AND c.foyer_id = ch.foyer_id"
    "    JOIN inc i ON i.rule_id = c.rule_id AND i.sources = c.sources),"
    " first_seen AS ("
    "  SELECT h.rule_id, h.foyer_id, pg_catalog.min(n.run_date) AS d"
    "    FROM tznr.candidate h JOIN tznr.run n ON n.id = h.run_id"
    "    JOIN c ON c.rule_id = h.rule_id AND c.foyer_id = h.foyer_id GROUP BY h.rule_id, h.foyer_id)"
    " INSERT INTO tznr.list_entry (run_id, run_date, team, rule_id, foyer_id, source_id, token, estimate, motif,"
    "                              confiance, priority, first_detected, inconnu_de, commune)"
    " SELECT $1, $2::date, routed.team, routed.rule_id, routed.foyer_id, routed.source_id, routed.token,"
    "        routed.estimate, routed.motif, routed.confiance,"
    "        pg_catalog.row_number() OVER (PARTITION BY routed.team ORDER BY routed.estimate DESC NULLS LAST,"
    "                                      routed.rule_id, routed.foyer_id),"
    "        LEAST($2::date, COALESCE(fs.d, $2::date)), routed.inconnu_de, routed.commune"
    "   FROM routed LEFT JOIN first_seen fs ON fs.rule_id = routed.rule_id AND fs.foyer_id = routed.foyer_id";

static void route(PGconn *conn, const conf *cf, const char *runs, const char *date, select_summary *sum)
{
    const char *ps[] = {runs};
    PGresult *res;
    /* teams from the configuration */
    db_exec(conn, "CREATE TEMP TABLE IF NOT EXISTS run_team (name text, source_id text, communes text[]);"
                  "TRUNCATE run_team");
    for (int t = 0; t < cf->nteams; t++) {
        const char *pt[] = {cf->teams[t].name, cf->teams[t].source, cf->teams[t].communes};
        PQclear(db_query(conn,
            "INSERT INTO run_team VALUES ($1, $2, CASE WHEN $3::text IS NULL THEN NULL ELSE"
            " pg_catalog.regexp_split_to_array(pg_catalog.btrim($3::text), '[ ,;]+') END)", 3, pt));
    }
    const char *pr2[] = {runs, date};
    res = db_query(conn, routing_sql, 2, pr2);
    sum->listed = atoll(PQcmdTuples(res));
    PQclear(res);
    sum->listed_unknown_to_payer = atoll(db_value(conn,
        "SELECT pg_catalog.count(*) FROM tznr.list_entry WHERE run_id = $1 AND inconnu_de <> ''", 1, ps));
    res = db_query(conn,
        "UPDATE tznr.candidate c SET suppressed = 'unreachable' WHERE c.run_id = $1 AND c.suppressed IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM tznr.list_entry e WHERE e.run_id = c.run_id AND e.rule_id = c.rule_id"
        "                 AND e.foyer_id = c.foyer_id)", 1, ps);
    sum->suppressed_unreachable = atoll(PQcmdTuples(res));
    PQclear(res);
}

void select_run(PGconn *conn, const conf *cf, long long run, const char *date, select_summary *sum)
{
    memset(sum, 0, sizeof *sum);
    char runs[32];
    snprintf(runs, sizeof runs, "%lld", run);
    suppress(conn, cf, runs, date, sum);
    route(conn, cf, runs, date, sum);
}
