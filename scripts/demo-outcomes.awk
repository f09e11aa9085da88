# demo-outcomes.awk: the outreach teams' week of work, for make demo (scripts/demo).
#
# Reads lists the platform wrote (outbox/<team>/<night>/liste.csv) or a list an agency
# re-identified (its statut, date and commentaire columns last), and writes a copy of each with
# the statut and date columns filled for the outcomes of this week: what a team drops into the
# platform's inbox/feedback/ (docs/listes.md, "Renvoyer les résultats"). Rows without an
# outcome this week keep an empty statut, which the platform skips.
#
# Variables (-v): seed; nights, the demo's nights, space-separated (a list's night is the date
# in its path); week, the index (0-based) of the night this week follows; days, six dates, the
# days after that night on which outcomes are dated (before the next night); out, the folder
# to write into. Prints "<files> <outcomes>" at the end.
#
# Each household's story is drawn once, from the seed and the household's number, the night it
# was listed and the rule (srand on a key, so the draws do not depend on the order of the files
# or on the other households), and told week by week: a week's file holds only that week's
# events, and later weeks never contradict earlier ones (a household whose right was opened is
# never 'injoignable' afterwards; 'contacte' comes before the outcome it leads to).
#
# The rates. Source: issue 12 quotes the CAF de la Gironde's 2017 pilot, where about a quarter
# of the households contacted took the right up (25 % below). Every other rate is an
# assumption of this demo, chosen to be plausible, not a measurement:
#   - 0.5 % of households: the record was the wrong person (erreur_rapprochement);
#   - 70 % of the others are reached, in the first, second or third week after the list
#     (half of them the first week, 30 % the second, 20 % the third: a team starts at the
#     top of its list); the other 30 % are reported 'injoignable' that week;
#   - 2 % of those reached object to any contact (opposition);
#   - the others, for each benefit: 25 % droit_ouvert, 15 % non_eligible, 8 % refus,
#     7 % deja_beneficiaire, and 45 % stay 'contacte' (a procedure under way, no outcome
#     known); a final outcome comes the week of the contact (half of them), or one (35 %)
#     or two weeks later (15 %), after a 'contacte'. Outcomes still to come when the demo
#     stops make the take-up rate it shows lower than the 25 % it tends to.
BEGIN {
    FS = ";"
    nn = split(nights, night, " ")
    for (i = 1; i <= nn; i++)
        nightix[night[i]] = i - 1
    split(days, day, " ")
    rule["rsa"] = 1; rule["prime_activite"] = 2; rule["aide_logement"] = 3
    rule["css"] = 4; rule["aspa"] = 5; rule["fsl"] = 6
    files = 0; outcomes = 0
}

# A reproducible stream for KEY (a number).
function reseed(key) { srand((seed * 1000003 + key) % 2147483647); }

# This week's event for household FOYER listed on night J for rule R ("" when none).
function event(foyer, j, r,    w, ue, ur, w1, uo, v, d, fin) {
    w = week - j + 1 # weeks since the list, 1 for the week that follows its night
    if (w < 1)
        return ""
    reseed(foyer * 7919 + j * 104729)
    ue = rand(); ur = rand(); w1 = rand(); uo = rand()
    w1 = w1 < 0.5 ? 1 : w1 < 0.8 ? 2 : 3
    if (ue < 0.005)
        return w == 1 ? "erreur_rapprochement" : ""
    if (ur >= 0.70)
        return w == w1 ? "injoignable" : ""
    if (uo < 0.02)
        return w == w1 ? "opposition" : ""
    reseed(foyer * 7919 + j * 104729 + (r in rule ? rule[r] : 7) * 15485863)
    v = rand(); d = rand()
    d = d < 0.5 ? 0 : d < 0.85 ? 1 : 2
    fin = v < 0.25 ? "droit_ouvert" : v < 0.40 ? "non_eligible" : v < 0.48 ? "refus" : \
          v < 0.55 ? "deja_beneficiaire" : "contacte"
    if (fin == "contacte" || d == 0)
        return w == w1 ? fin : ""
    return w == w1 ? "contacte" : w == w1 + d ? fin : ""
}

function flush(    name) {
    if (nbuf > 0 && nev > 0) {
        name = src
        sub(/.*\//, "", name)
        sub(/\.csv$/, "", name)
        # a platform list is outbox/<team>/<night>/liste.csv: its team and night name it
        name = out "/" (team != "" ? team "-" night[j + 1] "-" : "") name "-retours-" day[1] ".csv"
        for (i = 1; i <= nbuf; i++)
            print buf[i] > name
        close(name)
        files++
        outcomes += nev
    }
    nbuf = 0; nev = 0
}

FNR == 1 {
    flush()
    src = FILENAME
    # the list's night, from its path; the team, from outbox/<team>/<night>/liste.csv
    match(src, /[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]/)
    j = nightix[substr(src, RSTART, RLENGTH)]
    team = ""
    if (src ~ /\/liste\.csv$/) {
        team = src
        sub(/\/[^\/]*\/liste\.csv$/, "", team)
        sub(/.*\//, "", team)
    }
    cr = $0 ~ /\r$/ ? "\r" : ""
    sub(/\r$/, "")
    for (i = 1; i <= NF; i++)
        col[$i] = i
    reid = ($NF == "commentaire")
    cfoyer = col["foyer"]; cregle = col["regle"]
    delete col
    buf[++nbuf] = (reid ? $0 : $0 ";statut;date") cr
    next
}

{
    sub(/\r$/, "")
    ev = event($cfoyer + 0, j, $cregle)
    line = $0
    if (reid) # statut;date;commentaire are the last three columns, empty: fill them in
        line = substr(line, 1, length(line) - 2)
    else
        line = line ";"
    if (ev == "") {
        line = line (reid ? ";;" : ";")
    } else {
        reseed(($cfoyer + 0) * 7919 + j * 104729 + week * 31337)
        line = line ev ";" day[1 + int(rand() * 6)]
        if (reid) # the team's own note: never read, stored or sent on by the platform
            line = line ";" (ev == "contacte" ? "rappeler la semaine prochaine" : "")
        nev++
    }
    buf[++nbuf] = line cr
}

END {
    flush()
    print files, outcomes
}
