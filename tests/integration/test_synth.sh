#!/usr/bin/env bash
# Integration test of tznr-synth: determinism, file formats, truth files against the raw
# exports, mapping files against the headers, and the command line. Given the path of a built
# tznr as well, every export also goes through `tznr pseudonymise` with its mapping file.
# usage: tests/integration/test_synth.sh path/to/tznr-synth [path/to/tznr]
set -euo pipefail

bin=${1:?usage: $0 path/to/tznr-synth [path/to/tznr]}
tznr=${2:-}
[ -x "$bin" ] || { echo "FAIL: '$bin' is not an executable"; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
config=$(cd "$here/../../config" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass=0
fail=0
ok() { echo "ok - $*"; pass=$((pass + 1)); }
bad() { echo "FAIL - $*"; fail=$((fail + 1)); }
check() { # check "description" command...
    local what=$1
    shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}

n=3000
"$bin" --households "$n" --seed 42 --landlords 3 -o "$tmp/a"
"$bin" --households "$n" --seed 42 --landlords 3 -o "$tmp/b"
"$bin" --households "$n" --seed 43 --landlords 3 -o "$tmp/c"
"$bin" --households 1000 --seed 42 --landlords 3 -o "$tmp/small"

exports=(caf.csv departement.csv cpam.csv carsat.csv msa.csv ccas_bordeaux.csv
         bailleur_habitat33.csv bailleur_domofrance.csv bailleur_bailleur3.csv)
files=("${exports[@]}" truth_persons.csv truth_eligible.csv truth_summary.txt sources.txt)

# --- determinism
for f in "${files[@]}"; do
    if [ ! -s "$tmp/a/$f" ]; then
        bad "$f written"
        continue
    fi
    ha=$(sha256sum < "$tmp/a/$f")
    hb=$(sha256sum < "$tmp/b/$f")
    check "$f identical for the same seed" test "$ha" = "$hb"
done
for f in "${exports[@]}" truth_persons.csv truth_eligible.csv; do
    ha=$(sha256sum < "$tmp/a/$f")
    hc=$(sha256sum < "$tmp/c/$f")
    check "$f differs for another seed" test "$ha" != "$hc"
done
# household i does not depend on --households: a smaller run is a prefix of a larger one
for f in "${exports[@]}" truth_persons.csv truth_eligible.csv; do
    size=$(wc -c < "$tmp/small/$f")
    check "$f of 1000 households is a prefix of 3000" cmp -s -n "$size" "$tmp/small/$f" "$tmp/a/$f"
done

# --- sources.txt and the mapping files
check "sources.txt lists nine exports" test "$(wc -l < "$tmp/a/sources.txt")" -eq 9
check "sources.txt names the CAF" grep -qx 'caf.csv caf:gironde mapping-caf.ini' "$tmp/a/sources.txt"
check "sources.txt names the CPAM" grep -qx 'cpam.csv cpam:gironde mapping-cpam.ini' "$tmp/a/sources.txt"
check "sources.txt names the CARSAT" \
    grep -qx 'carsat.csv carsat:aquitaine mapping-carsat.ini' "$tmp/a/sources.txt"
check "sources.txt names the MSA" grep -qx 'msa.csv msa:gironde mapping-msa.ini' "$tmp/a/sources.txt"
check "sources.txt names the CCAS" \
    grep -qx 'ccas_bordeaux.csv ccas:bordeaux mapping-ccas.ini' "$tmp/a/sources.txt"
check "sources.txt names the third landlord" \
    grep -qx 'bailleur_bailleur3.csv bailleur:bailleur3 mapping-bailleur.ini' "$tmp/a/sources.txt"
while read -r file id mapping; do
    [ -f "$tmp/a/$file" ] || { bad "$file listed in sources.txt exists"; continue; }
    [ -f "$config/$mapping" ] || { bad "$mapping exists in config/"; continue; }
    sep=$(sed -n 's/^separator *= *//p' "$config/$mapping")
    [ "$sep" = tab ] && sep=$'\t'
    [ "$sep" = '|' ] && sep='\\|'
    enc=$(sed -n 's/^encoding *= *//p' "$config/$mapping")
    header=$(head -n 1 "$tmp/a/$file" | iconv -f "${enc:-utf-8}" -t UTF-8 | sed 's/^\xEF\xBB\xBF//' | tr -d '\r')
    # every column named in [columns] is in the header
    missing=$(awk -v hdr="$header" -v sep="$sep" '
        BEGIN { n = split(hdr, h, sep); for (i = 1; i <= n; i++) have[h[i]] = 1 }
        /^\[/ { in_cols = ($0 == "[columns]"); next }
        in_cols && /=/ {
            v = $0; sub(/^[^=]*= */, "", v)
            k = split(v, parts, /\+/)
            for (i = 1; i <= k; i++) { c = parts[i]; gsub(/^ +| +$/, "", c); if (!(c in have)) print c }
        }' "$config/$mapping")
    check "$mapping columns all in the header of $file ($id)" test -z "$missing"
done < "$tmp/a/sources.txt"

# --- encodings and line ends
check "caf.csv starts with a UTF-8 BOM" \
    test "$(head -c 3 "$tmp/a/caf.csv" | od -An -tx1 | tr -d ' \n')" = "efbbbf"
check "caf.csv is valid UTF-8" iconv -f UTF-8 -t UTF-8 -o /dev/null "$tmp/a/caf.csv"
check "departement.csv is valid UTF-8" iconv -f UTF-8 -t UTF-8 -o /dev/null "$tmp/a/departement.csv"
check "departement.csv has no BOM" \
    test "$(head -c 3 "$tmp/a/departement.csv" | od -An -tx1 | tr -d ' \n')" != "efbbbf"
for f in bailleur_habitat33.csv bailleur_domofrance.csv bailleur_bailleur3.csv; do
    check "$f is not UTF-8" bash -c "! iconv -f UTF-8 -t UTF-8 -o /dev/null '$tmp/a/$f' 2>/dev/null"
    check "$f has bytes >= 0x80" bash -c "LC_ALL=C grep -q \$'[\x80-\xff]' '$tmp/a/$f'"
    check "$f decodes as Windows-1252" iconv -f WINDOWS-1252 -t UTF-8 -o /dev/null "$tmp/a/$f"
    check "$f has no unmapped '?'" bash -c "! grep -q '?' '$tmp/a/$f'"
    check "$f has CRLF line ends" \
        test "$(grep -c $'\r$' "$tmp/a/$f")" -eq "$(wc -l < "$tmp/a/$f")"
done
check "caf.csv has CRLF line ends" \
    test "$(grep -c $'\r$' "$tmp/a/caf.csv")" -eq "$(wc -l < "$tmp/a/caf.csv")"
check "departement.csv has LF line ends" test "$(grep -c $'\r' "$tmp/a/departement.csv")" -eq 0
check "Œ is written as its Windows-1252 byte 0x8C in a landlord file" bash -c \
    "'$bin' --households 20000 -o '$tmp/oe' && LC_ALL=C grep -q \$'\x8c' '$tmp/oe/bailleur_habitat33.csv'"
check "Œ is written as its ISO-8859-15 byte 0xBC in the MSA file" \
    bash -c "LC_ALL=C grep -q \$'\xbc' '$tmp/oe/msa.csv'"
check "cpam.csv is not UTF-8" bash -c "! iconv -f UTF-8 -t UTF-8 -o /dev/null '$tmp/a/cpam.csv' 2>/dev/null"
check "cpam.csv has Latin-1 letters (bytes >= 0xC0)" bash -c "LC_ALL=C grep -q \$'[\xc0-\xff]' '$tmp/a/cpam.csv'"
check "cpam.csv has no byte 0x80-0x9f (not Windows-1252)" bash -c "! LC_ALL=C grep -q \$'[\x80-\x9f]' '$tmp/a/cpam.csv'"
check "cpam.csv has CRLF line ends" \
    test "$(grep -c $'\r$' "$tmp/a/cpam.csv")" -eq "$(wc -l < "$tmp/a/cpam.csv")"
check "cpam.csv is '|' separated, 19 fields a row" \
    test "$(awk -F'|' 'NF != 19' "$tmp/a/cpam.csv" | wc -l)" -eq 0
check "msa.csv is not UTF-8" bash -c "! iconv -f UTF-8 -t UTF-8 -o /dev/null '$tmp/a/msa.csv' 2>/dev/null"
check "msa.csv decodes as ISO-8859-15" iconv -f ISO-8859-15 -t UTF-8 -o /dev/null "$tmp/a/msa.csv"
check "msa.csv has LF line ends" test "$(grep -c $'\r' "$tmp/a/msa.csv")" -eq 0
check "carsat.csv starts with a UTF-8 BOM" \
    test "$(head -c 3 "$tmp/a/carsat.csv" | od -An -tx1 | tr -d ' \n')" = "efbbbf"
check "carsat.csv is valid UTF-8, tab separated, 17 fields a row" bash -c \
    "iconv -f UTF-8 -t UTF-8 -o /dev/null '$tmp/a/carsat.csv' && test \$(awk -F'\t' 'NF != 17' '$tmp/a/carsat.csv' | wc -l) -eq 0"
check "ccas_bordeaux.csv is valid UTF-8 without BOM, CRLF" bash -c \
    "iconv -f UTF-8 -t UTF-8 -o /dev/null '$tmp/a/ccas_bordeaux.csv' && test \"\$(head -c 3 '$tmp/a/ccas_bordeaux.csv' | od -An -tx1 | tr -d ' \n')\" != efbbbf && test \$(grep -c \$'\r\$' '$tmp/a/ccas_bordeaux.csv') -eq \$(wc -l < '$tmp/a/ccas_bordeaux.csv')"
check "ccas_bordeaux.csv quotes its decimal-comma amounts" grep -qE ',"[0-9]+,[0-9]{2}",' "$tmp/a/ccas_bordeaux.csv"
check "ccas_bordeaux.csv holds only Bordeaux (postal codes 330xx, 332xx, 338xx)" \
    test "$(tr -d '\r' < "$tmp/a/ccas_bordeaux.csv" | awk -F, 'NR > 1 && $0 !~ /,33(000|100|200|300|800),Bordeaux,/' | wc -l)" -eq 0

# --- truth files against the raw exports
raw=0
for f in "${exports[@]}"; do
    raw=$((raw + $(wc -l < "$tmp/a/$f") - 1))
done
truth=$(($(wc -l < "$tmp/a/truth_persons.csv") - 1))
check "truth_persons.csv has one line per raw record ($truth = $raw)" test "$truth" -eq "$raw"
check "truth_persons.csv header" \
    test "$(head -n 1 "$tmp/a/truth_persons.csv")" = "source,local_ref,person_id,household_id"
check "truth_eligible.csv header" \
    test "$(head -n 1 "$tmp/a/truth_eligible.csv")" = "household_id,rule,payer_knows,known,by_year_only"
check "no truth_planted.csv any more" test ! -e "$tmp/a/truth_planted.csv"
dups=$(tail -n +2 "$tmp/a/truth_persons.csv" | cut -d, -f1,2 | sort | uniq -d | wc -l)
check "local refs are unique within each source" test "$dups" -eq 0
for f in "${exports[@]}"; do
    src=$(awk -v f="$f" '$1 == f { print $2 }' "$tmp/a/sources.txt")
    a=$(tr -d '\r' < "$tmp/a/$f" | awk 'BEGIN { q = 0 } { n = gsub(/"/, "\""); if (!q) r++; if (n % 2) q = !q } END { print r - 1 }')
    b=$(grep -c "^$src," "$tmp/a/truth_persons.csv" || true)
    check "$f has as many records as truth_persons.csv says ($a = $b)" test "$a" -eq "$b"
done
for rule in rsa prime_activite aide_logement css aspa fsl; do
    k=$(grep -c ",$rule,[01],[01],0\$" "$tmp/a/truth_eligible.csv" || true)
    check "rule $rule: entitled and unpaid in 0.5-15% of households ($k of $n)" \
        test "$k" -ge $((n / 200)) -a "$k" -le $((n * 15 / 100))
done
other=$(tail -n +2 "$tmp/a/truth_eligible.csv" |
        grep -cvE '^[0-9]+,(rsa|prime_activite|aide_logement|css|aspa|fsl),[01],[01],0$|^[0-9]+,(rsa|aspa),[01],[01],1$' || true)
check "truth_eligible.csv lines are well formed (by_year_only only for rsa and aspa)" test "$other" -eq 0
dups=$(tail -n +2 "$tmp/a/truth_eligible.csv" | cut -d, -f1,2 | sort | uniq -d | wc -l)
check "truth_eligible.csv has one line at most per household and rule" test "$dups" -eq 0
byyear=$(grep -c ',1$' "$tmp/a/truth_eligible.csv" || true)
check "truth_eligible.csv has by_year_only lines ($byyear)" test "$byyear" -gt 0

# payer_knows and known against the exports: payer_knows = 1 exactly when an export of the
# benefit's payer holds a member of the household, known = 1 exactly when any export does
wrong=$(awk -F, '
    FNR == 1 { file++; next }
    file == 1 { split($1, k, ":"); at[$4 "," k[1]] = 1; any[$4] = 1; next }
    {
        split("caf msa departement", rsa, " ")
        if ($2 == "rsa") p = (($1 ",caf") in at) || (($1 ",msa") in at) || (($1 ",departement") in at)
        else if ($2 == "prime_activite" || $2 == "aide_logement") p = (($1 ",caf") in at) || (($1 ",msa") in at)
        else if ($2 == "css") p = ($1 ",cpam") in at
        else if ($2 == "aspa") p = ($1 ",carsat") in at
        else p = ($1 ",departement") in at
        if (p != $3 + 0) bad++
        if ((($1 in any) ? 1 : 0) != $4 + 0) bad++
        if ($3 == 1) payers++
        if ($4 == 0) unknown++
    }
    END { print (payers > 0 && unknown > 0 ? bad + 0 : -1) }' \
    "$tmp/a/truth_persons.csv" "$tmp/a/truth_eligible.csv")
check "payer_knows and known in truth_eligible.csv agree with the exports" test "$wrong" -eq 0

# every CPAM record is a CSS right, and its household receives the CSS: no css line
wrong=$(iconv -f LATIN1 -t UTF-8 "$tmp/a/cpam.csv" | tr -d '\r' | awk -F'|' '
    FNR == 1 { file++; next }
    file == 1 && $1 == "cpam:gironde" { hh[$2] = $4; next }
    file == 1 { next }
    file == 2 { if ($2 == "css" && $5 == 0) css[$1] = 1; next }
    { if ($16 != "C2S" || !($2 in hh) || (hh[$2] in css)) bad++; seen++ }
    END { print (seen > 0 ? bad + 0 : -1) }' FS=, "$tmp/a/truth_persons.csv" FS=, "$tmp/a/truth_eligible.csv" FS='|' -)
check "every cpam.csv record has NATURE_DROIT C2S and its household has the CSS" test "$wrong" -eq 0
# every CARSAT recipient row says ASPA = 1, and its household receives the ASPA
wrong=$(tr -d '\r' < "$tmp/a/carsat.csv" | awk '
    FNR == 1 { file++; next }
    file == 1 && $1 == "carsat:aquitaine" { hh[$2] = $4; next }
    file == 1 { next }
    file == 2 { if ($2 == "aspa" && $5 == 0) aspa[$1] = 1; next }
    { if (($3 == "TITULAIRE" && $13 != "" && $16 != "1") || !($2 in hh) || (hh[$2] in aspa)) bad++; seen++ }
    END { print (seen > 0 ? bad + 0 : -1) }' FS=, "$tmp/a/truth_persons.csv" FS=, "$tmp/a/truth_eligible.csv" FS='\t' -)
check "every carsat.csv recipient row has ASPA 1 and its household has the ASPA" test "$wrong" -eq 0
# the CAF holds no agricultural household's benefits: nobody is both in caf.csv and msa.csv
both=$(awk -F, 'NR > 1 && $1 == "caf:gironde" { c[$4] = 1 } NR > 1 && $1 == "msa:gironde" { m[$4] = 1 }
    END { for (h in m) if (h in c) n++; print n + 0 }' "$tmp/a/truth_persons.csv")
check "no household is in both caf.csv and msa.csv" test "$both" -eq 0

# by_year_only lines are not eligible on the true dates: the claimant has not yet had the
# birthday that (year - birth year) counts (25 for the rsa, 65 for the aspa). Checked on the
# claimant's records in the exports with unambiguous dates (a record with a day-month swap
# fault may disagree: one agreeing record is enough)
ref=$(sed -n 's/^date = //p' "$tmp/a/truth_summary.txt")
wrong=$(
    { tr -d '\r' < "$tmp/a/caf.csv" | awk -F';' 'NR > 1 { print $2 "|caf:gironde|" $8 }'
      iconv -f LATIN1 -t UTF-8 "$tmp/a/cpam.csv" | tr -d '\r' |
          awk -F'|' 'NR > 1 { print $2 "|cpam:gironde|" substr($9, 7, 2) "/" substr($9, 5, 2) "/" substr($9, 1, 4) }'
      for f in bailleur_habitat33.csv bailleur_domofrance.csv bailleur_bailleur3.csv; do
          src=$(awk -v f="$f" '$1 == f { print $2 }' "$tmp/a/sources.txt")
          iconv -f WINDOWS-1252 -t UTF-8 "$tmp/a/$f" | tr -d '\r' | awk -F';' -v s="$src" 'NR > 1 { print $2 "|" s "|" $8 }'
      done
    } | awk -F'|' -v ref="$ref" -v persons="$tmp/a/truth_persons.csv" -v elig="$tmp/a/truth_eligible.csv" '
        BEGIN {
            split(ref, d, "-"); ry = d[1]; rmd = d[2] d[3]
            while ((getline l < elig) > 0) {
                split(l, f, ",")
                if (f[5] == "1") { want[f[1] * 10 + 1] = f[2]; lines++ }
                else if (f[5] == "0" && (f[2] == "rsa" || f[2] == "aspa")) elig0[f[1] "," f[2]] = 1
            }
            while ((getline l < persons) > 0) { split(l, f, ","); pid[f[1] "|" f[2]] = f[3] }
        }
        {
            p = pid[$2 "|" $1]; if (!(p in want)) next
            split($3, d, "/"); age = ry - d[3]; md = d[2] d[1]
            rule = want[p]; need = rule == "rsa" ? 25 : 65
            if (age == need && md > rmd) ok[p] = 1
            seen[p] = 1
        }
        END {
            for (p in seen) { checked++; if (!(p in ok)) bad++ }
            for (p in want) if (((p - 1) / 10 "," want[p]) in elig0) bad++
            print (checked > 0 ? bad + 0 : -1)
        }')
check "by_year_only lines: the claimant has not yet had the birthday the birth year counts" test "$wrong" -eq 0

# aide_logement and fsl recomputed from the landlords' own records (they carry every figure
# these rules need: the commune, the occupants, the children, the resources, the rent; a
# couple is a lease with a COTITULAIRE or CONJOINT row): they must agree with
# truth_eligible.csv exactly. aide_logement is the legal scale for a tenant (docs/rules.md),
# recomputed here in floating point with the parameters in force at the truth's date read
# from config/parameters.csv, the zone-2 communes from sql/migrations/007_aide_logement.sql:
#   L = min(loyer, ceiling of the zone for alone / couple / 1 in charge + each further one),
#   C = charges + per person in charge, P0 = max(p0.taux x (L + C), p0.forfait),
#   RL = L / zone-2 ceiling, TL = 0 under tl.seuil_1, taux_2 x (RL - seuil_1) under seuil_2,
#   taux_2 x (seuil_2 - seuil_1) + taux_3 x (RL - seuil_2) above, TF and R0 by household,
#   R = 12 x resources rounded up to the hundred, A = L + C - P0 - (TF + TL) x max(R - R0, 0);
#   degressivity (D823-16): P the zone's ceiling, D = round(degressivite.zone_Z x P) and
#   S = round(suppression.zone_Z x P) to the cent, coefficient 1 if loyer <= D,
#   (S - loyer) / (S - D) if loyer <= S, 0 above: entitled when the final amount
#   round(A x coefficient) - minoration_forfaitaire >= seuil_versement
ref=$(sed -n 's/^date = //p' "$tmp/a/truth_summary.txt")
zone2=$(grep -oE "\('33[0-9]{3}'\)" "$here/../../sql/migrations/007_aide_logement.sql" | tr -d "()'" | tr '\n' ' ')
if [ "$(echo "$zone2" | wc -w)" -eq 52 ]; then
    ok "52 zone-2 communes read from 007_aide_logement.sql"
else
    bad "52 zone-2 communes read from 007_aide_logement.sql (got $(echo "$zone2" | wc -w))"
fi
al_checked=0
for f in bailleur_habitat33.csv bailleur_domofrance.csv; do
    src=$(awk -v f="$f" '$1 == f { print $2 }' "$tmp/a/sources.txt")
    iconv -f WINDOWS-1252 -t UTF-8 "$tmp/a/$f" | tr -d '\r' | sed 's/\xC2\xA0//g' > "$tmp/l.csv"
    awk -F, -v src="$src" '$1 == src { print $2 "," $4 }' "$tmp/a/truth_persons.csv" > "$tmp/ref.csv"
    out=$(awk -F';' -v refs="$tmp/ref.csv" -v elig="$tmp/a/truth_eligible.csv" -v d="$ref" \
              -v params="$config/parameters.csv" -v zone2="$zone2" '
        function val(name) {
            if (!(name in v)) { missing = missing " " name; return 0 }
            return v[name]
        }
        function ceil100(x) { return x <= 0 ? 0 : (x / 100 == int(x / 100) ? x : (int(x / 100) + 1) * 100) }
        function plafond(z, couple, pac) {
            if (pac == 0) return val("aide_logement.loyer_plafond.zone_" z (couple ? ".couple" : ".seul"))
            return val("aide_logement.loyer_plafond.zone_" z ".un_enfant") + \
                   (pac - 1) * val("aide_logement.loyer_plafond.zone_" z ".par_enfant_supp")
        }
        function aide(commune, couple, pac, loyer, res,    z, pl, lref, l, c, p0, rl, tl, tf, r0, r, x, a, dg, sp, lc, coef, f) {
            z = (commune in z2) ? 2 : 3
            lref = plafond(2, couple, pac); pl = plafond(z, couple, pac)
            l = loyer < pl ? loyer : pl
            c = val("aide_logement.charges.base") + pac * val("aide_logement.charges.par_enfant")
            p0 = val("aide_logement.p0.taux") * (l + c)
            if (p0 < val("aide_logement.p0.forfait")) p0 = val("aide_logement.p0.forfait")
            rl = l / lref; s1 = val("aide_logement.tl.seuil_1"); s2 = val("aide_logement.tl.seuil_2")
            tl = rl < s1 ? 0 : rl < s2 ? val("aide_logement.tl.taux_2") * (rl - s1) : \
                 val("aide_logement.tl.taux_2") * (s2 - s1) + val("aide_logement.tl.taux_3") * (rl - s2)
            if (pac == 0) { tf = val("aide_logement.tf." (couple ? "couple" : "seul")); r0 = val("aide_logement.r0." (couple ? "couple" : "seul")) }
            else {
                tf = val("aide_logement.tf.pac_" (pac < 6 ? pac : 6)) - (pac > 6 ? (pac - 6) * val("aide_logement.tf.pac_supp_baisse") : 0)
                r0 = val("aide_logement.r0.pac_" (pac < 6 ? pac : 6)) + (pac > 6 ? (pac - 6) * val("aide_logement.r0.pac_supp") : 0)
            }
            r = ceil100(12 * res)
            x = r > r0 ? r - r0 : 0
            a = l + c - p0 - (tf + tl) * x
            # degressivity for high rents and the minoration, in cents (half up)
            # (the coefficients from config/parameters.csv when it holds them, otherwise the
            # 2.5 and 3.1 of the arrêté du 27 septembre 2019 art. 10, zones 2 and 3, from 2016-07-01)
            dg = "aide_logement.degressivite.zone_" z; sp = "aide_logement.suppression.zone_" z
            dg = int(((dg in v) ? v[dg] : 2.5) * pl * 100 + 0.5)
            sp = int(((sp in v) ? v[sp] : 3.1) * pl * 100 + 0.5)
            lc = int(loyer * 100 + 0.5)
            coef = lc <= dg ? 1 : lc <= sp ? (sp - lc) / (sp - dg) : 0
            f = a * coef * 100; f = f > 0 ? int(f + 0.5) : 0
            f -= val("aide_logement.minoration_forfaitaire") * 100
            return f > 0 ? f / 100 : 0
        }
        BEGIN {
            FS = ","; while ((getline l < refs) > 0) { split(l, p, ","); hh[p[1]] = p[2] }
            while ((getline l < elig) > 0) { split(l, p, ","); if (p[5] == "0") got[p[1] "," p[2]] = 1 }
            while ((getline l < params) > 0) {
                split(l, q, ",")
                if (q[2] <= d && q[2] >= from[q[1]]) { from[q[1]] = q[2]; v[q[1]] = q[3] }
            }
            n2 = split(zone2, zz, " "); for (i = 1; i <= n2; i++) z2[zz[i]] = 1
            FS = ";"
        }
        FNR == NR { if ($3 == "COTITULAIRE" || $3 == "CONJOINT") cpl[$1] = 1; next }
        FNR > 1 && $3 == "TITULAIRE" && $14 != "" && $16 != "" {
            h = hh[$2]; n = $14 + 0
            res = $16; sub(",", ".", res); res += 0
            loyer = $17; sub(",", ".", loyer); loyer += 0
            couple = ($1 in cpl) ? 1 : 0; pac = n - 1 - couple
            al = loyer > 0 && $19 == "NON" && aide($11, couple, pac, loyer, res) >= val("aide_logement.seuil_versement")
            fsl = loyer > 0 && $18 >= 2 && $20 == "NON" && res < 1600 + 500 * (n - 1)
            if (al != (h ",aide_logement" in got)) bad++
            if (fsl != (h ",fsl" in got)) bad++
            seen++; if (al) nal++; if (couple) ncpl++; if (pac > 0 && !((($11) in z2))) nz3++
        }
        END { print (seen > 0 && missing == "" ? bad + 0 : -1), nal + 0, ncpl + 0, nz3 + 0 }' "$tmp/l.csv" "$tmp/l.csv")
    read -r wrong nal ncpl nz3 <<< "$out"
    al_checked=$((al_checked + nal))
    echo "# $f: aide_logement recomputed for $nal households; $ncpl couples, $nz3 in zone 3 with persons in charge"
    check "aide_logement and fsl in truth_eligible.csv agree with $f" test "$wrong" -eq 0
done
check "aide_logement's legal scale is exercised on the landlords' records ($al_checked listed)" test "$al_checked" -ge 10

# prime_activite and rsa against the law recomputed here in floating point, with the
# parameters in force at the run's date read from config/parameters.csv, on the CAF
# households with a single adult (NB_PERSONNES - NB_ENFANTS = 1: the allocataire is the
# claimant, REV_ACTIVITE his or her own earnings, no other adult):
#   montant forfaitaire mf = base x c, or base x (majoration base + par_enfant x children) for
#       a parent alone with a child under 3 on the date (CASF L262-9, CSS D843-1)
#   prime = mf + pente x earnings + bonification(earnings) - max(res + forfait, mf)
#       (CSS L842-3, D843-1 to D843-3; OpenFisca-France ppa.py)
#   bonification(e) = round(taux_max x base, cent) x (e - seuil x smic) / ((plafond - seuil) x smic)
#                     in [0, that maximum]
#   rsa = mf - forfait - res (the forfait on the base by size), claimant aged 25 or more or
#       with children, and under retraite.age_taux_plein (CASF L262-4, L262-10)
# entitled (DROIT_PPA = O, or a prime_activite line in the truth) => prime >= 15 - 0.01;
# otherwise (DROIT_PPA = N and no line) => prime < 15 + 0.01; the same for the rsa and 6. The
# forfait logement applies with housing aid (DROIT_AL = O), or to a household whose rent the
# département (households it follows) or the CCAS writes as 0 (owner, housed free); not when
# they or a landlord write a rent and the CAF pays no housing aid. Otherwise the CAF does not
# say whether the household rents (no forfait) or not (forfait), and both are tried. The
# dates of birth are the CAF's, whose day and month may be swapped (a fault): where the day
# is 12 or less both readings are tried. The entitled are checked against the highest amount
# the readings allow, the others against the lowest. Also counted, so that the check is known
# to see them: the entitled the bonification decides (not entitled without it), the entitled
# the want of a forfait decides (tenants without housing aid, not entitled with one), the
# others the forfait decides (entitled without it), the entitled the majoration decides (for
# either benefit) and, for the rsa, the households the age of 67 alone keeps out.
law_check() { # law_check DIR: prints "wrong entitled others by_bonif by_forfait by_no_forfait
              #   by_majoration rsa_wrong rsa_entitled rsa_others rsa_by_majoration rsa_by_67"
    local dir=$1 d
    d=$(sed -n 's/^date = //p' "$dir/truth_summary.txt")
    # household_id and rent, from the claimant rows of the département and the CCAS that
    # write one (comma separated, quoted fields), and of the landlords
    { awk '{ print "departement:gironde," $0 }' "$dir/departement.csv"
      tr -d '\r' < "$dir/ccas_bordeaux.csv" | awk '{ print "ccas:bordeaux," $0 }'
      while read -r file id mapping; do
          case $id in bailleur:*) ;; *) continue ;; esac
          # the landlords: ';' separated, no quotes; LOYER is the 17th column
          iconv -f WINDOWS-1252 -t UTF-8 "$dir/$file" | tr -d '\r' | sed 's/\xC2\xA0//g' |
              awk -F';' -v s="$id" 'NR > 1 && $3 == "TITULAIRE" { print s ",x," $2 ",TITULAIRE," $17 }'
      done < "$dir/sources.txt"; } |
    awk -v persons="$dir/truth_persons.csv" '
        function csv(line, f,   n, i, c, q, cur) {
            n = 0; cur = ""; q = 0
            for (i = 1; i <= length(line); i++) {
                c = substr(line, i, 1)
                if (c == "\"") q = !q
                else if (c == "," && !q) { f[++n] = cur; cur = "" }
                else cur = cur c
            }
            f[++n] = cur
            return n
        }
        BEGIN { while ((getline l < persons) > 0) { split(l, p, ","); hh[p[1] "," p[2]] = p[4] } }
        {
            csv($0, f)
            # local_ref: id_individu (1st column), Réf. personne (2nd)
            if (f[1] == "departement:gironde" && f[4] == "DEMANDEUR" && f[17] != "") ref = f[2]
            else if (f[1] == "ccas:bordeaux" && f[4] == "Demandeur" && f[17] != "") ref = f[3]
            else if (f[1] ~ /^bailleur:/ && f[5] != "") { ref = f[3]; f[17] = f[5] }
            else next
            rent = f[17]; sub(",", ".", rent)
            if ((f[1] "," ref) in hh) print hh[f[1] "," ref], rent + 0
        }' > "$dir/rent.txt"
    tr -d '\r' < "$dir/caf.csv" > "$dir/caf.lf"
    awk -F';' -v d="$d" -v params="$config/parameters.csv" \
        -v persons="$dir/truth_persons.csv" -v elig="$dir/truth_eligible.csv" \
        -v rents="$dir/rent.txt" '
        function val(name) {
            if (!(name in v)) { missing = missing " " name; return 0 }
            return v[name]
        }
        function bonif(e,   b) {
            b = bmax * (e - seuil * smic) / ((plafond - seuil) * smic)
            return b < 0 ? 0 : b > bmax ? bmax : b
        }
        # full years on the date of someone born on DD/MM/YYYY, the day and month swapped or not
        function age(dob, swap,   p, dd, mm) {
            split(dob, p, "/"); dd = p[1] + 0; mm = p[2] + 0
            if (swap) { dd = p[2] + 0; mm = p[1] + 0 }
            return ry - p[3] - (rmd < mm * 100 + dd ? 1 : 0)
        }
        function swappable(dob,   p) { split(dob, p, "/"); return p[1] + 0 <= 12 && p[1] + 0 != p[2] + 0 }
        function min2(a, b) { return a < b ? a : b }
        # the amounts with the forfait (fl = 1) or not, majoré (mj = 1) or not, for the
        # household being read (k children, c, res, rev)
        function prime(fl, mj,   mf) {
            mf = base * (mj ? mb + mk * k : c)
            return mf + pente * rev + bonif(rev) - max2(res + fl * base * (k == 0 ? t[1] : k == 1 ? 1.5 * t[2] : 1.8 * t[3]), mf)
        }
        function rsa(fl, mj) {
            return rbase * (mj ? rmb + rmk * k : c) - fl * rbase * (k == 0 ? rt[1] : k == 1 ? 1.5 * rt[2] : 1.8 * rt[3]) - res
        }
        function max2(a, b) { return a > b ? a : b }
        BEGIN {
            FS = ","
            while ((getline l < params) > 0) {
                split(l, f, ",")
                if (f[2] <= d && f[2] >= from[f[1]]) { from[f[1]] = f[2]; v[f[1]] = f[3] }
            }
            base = val("ppa.montant_base"); pente = val("ppa.part_revenus_activite")
            smic = val("smic.horaire_brut"); seuil = val("ppa.bonification.seuil")
            plafond = val("ppa.bonification.plafond"); taux = val("ppa.bonification.taux_max")
            t[1] = val("ppa.forfait_logement.taux_1"); t[2] = val("ppa.forfait_logement.taux_2")
            t[3] = val("ppa.forfait_logement.taux_3"); min = val("ppa.seuil_versement")
            mb = val("ppa.majoration_isolement.base"); mk = val("ppa.majoration_isolement.par_enfant")
            rbase = val("rsa.montant_base"); rmin = val("rsa.seuil_versement")
            rt[1] = val("rsa.forfait_logement.taux_1"); rt[2] = val("rsa.forfait_logement.taux_2")
            rt[3] = val("rsa.forfait_logement.taux_3")
            rmb = val("rsa.majoration_isolement.base"); rmk = val("rsa.majoration_isolement.par_enfant")
            agemax = val("retraite.age_taux_plein")
            bmax = int(taux * base * 100 + 0.5) / 100
            split(d, p, "-"); ry = p[1] + 0; rmd = p[2] * 100 + p[3]
            while ((getline l < persons) > 0) { split(l, f, ","); if (f[1] == "caf:gironde") hh[f[2]] = f[4] }
            while ((getline l < elig) > 0) {
                split(l, f, ",")
                if (f[2] == "prime_activite" && f[5] == "0") got[f[1]] = 1
                if (f[2] == "rsa" && f[5] == "0") rgot[f[1]] = 1
            }
            while ((getline l < rents) > 0) { split(l, f, " "); rent[f[1]] = f[2] }
            FS = ";"
        }
        # first reading: the children of each dossier, under 3 on either reading of the date
        # (maj_hi) or on both (maj_lo)
        NR == FNR {
            if (FNR > 1 && $3 == "ENF") {
                a = age($8, 0) < 3; b = swappable($8) ? age($8, 1) < 3 : a
                if (a || b) maj_hi[$1] = 1
                if (a && b) maj_lo[$1] = 1
            }
            next
        }
        FNR > 1 && $3 == "ALL" && $14 != "" && $14 - $15 == 1 {
            k = $15 + 0
            res = $16; sub(",", ".", res); res += 0
            rev = $17; sub(",", ".", rev); rev += 0
            c = 1
            for (i = 0; i < k; i++) c += i == 0 ? 0.5 : i == 1 ? 0.3 : 0.4
            h = hh[$2]
            # the readings: forfait (1) or not (0), majoré (1) or not (0)
            nfl = 0
            if ($21 == "O" || (h in rent && rent[h] == 0)) fls[++nfl] = 1
            else if (h in rent) fls[++nfl] = 0
            else { fls[++nfl] = 1; fls[++nfl] = 0 }
            nmj = 0
            if (k > 0 && ($1 in maj_hi)) mjs[++nmj] = 1
            if (!($1 in maj_lo)) mjs[++nmj] = 0
            lo = rlo = 1e9; hi = rhi = -1e9
            for (i = 1; i <= nfl; i++) for (j = 1; j <= nmj; j++) {
                lo = min2(lo, prime(fls[i], mjs[j])); hi = max2(hi, prime(fls[i], mjs[j]))
                rlo = min2(rlo, rsa(fls[i], mjs[j])); rhi = max2(rhi, rsa(fls[i], mjs[j]))
            }
            # one reading: F the forfait, M the majoration
            sure = nfl == 1 && nmj == 1; F = fls[1]; M = mjs[1]
            if ($20 == "O" || h in got) {
                ent++
                if (rev <= 0 || hi < min - 0.01) { bad++; print "prime entitled: " $0 " prime " hi > "/dev/stderr" }
                if (sure && hi - bonif(rev) < min) by_bonif++
                if (sure && !F && prime(1, M) < min) by_nofl++
                if (sure && M && prime(F, 0) < min) by_maj++
            } else {
                other++
                if (rev > 0 && lo >= min + 0.01) { bad++; print "prime not entitled: " $0 " prime " lo > "/dev/stderr" }
                if (sure && F && rev > 0 && prime(0, M) >= min) by_fl++
            }
            # rsa: the age condition on both readings of the date of birth
            a = age($8, 0); cond_hi = cond_lo = (a >= 25 || k > 0) && a < agemax
            if (swappable($8)) {
                a = age($8, 1); cb = (a >= 25 || k > 0) && a < agemax
                cond_hi = cond_hi || cb; cond_lo = cond_lo && cb
            }
            if ($19 == "O" || h in rgot) {
                rent_++
                if (!cond_hi || rhi < rmin - 0.01) { rbad++; print "rsa entitled: " $0 " rsa " rhi > "/dev/stderr" }
                if (sure && M && rsa(F, 0) < rmin) rby_maj++
            } else {
                rother++
                if (cond_lo && rlo >= rmin + 0.01) { rbad++; print "rsa not entitled: " $0 " rsa " rlo > "/dev/stderr" }
                if (!cond_hi && age($8, 0) >= agemax && rlo >= rmin + 0.01) rby_67++
            }
        }
        END {
            if (missing != "") { print "parameters missing:" missing > "/dev/stderr"; print -1, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0; exit }
            print bad + 0, ent + 0, other + 0, by_bonif + 0, by_fl + 0, by_nofl + 0, by_maj + 0,
                  rbad + 0, rent_ + 0, rother + 0, rby_maj + 0, rby_67 + 0
        }' "$dir/caf.lf" "$dir/caf.lf"
}
"$bin" --households 20000 -o "$tmp/d2026"
"$bin" --households 20000 --date 2025-06-01 -o "$tmp/d2025"
for dir in "$tmp/d2026" "$tmp/d2025"; do
    read -r wrong ent other by_bonif by_fl by_nofl by_maj rwrong rent_ rother rby_maj rby_67 < <(law_check "$dir")
    when=$(sed -n 's/^date = //p' "$dir/truth_summary.txt")
    check "prime_activite on $when agrees with the law on $ent entitled and $other other single-adult CAF households" \
        test "$wrong" -eq 0 -a "$ent" -gt 0 -a "$other" -gt 0
    check "prime_activite on $when: $by_bonif entitled by the bonification, $by_nofl by the want of a forfait, $by_fl not by the forfait" \
        test "$by_bonif" -gt 0 -a "$((by_fl + by_nofl))" -gt 0
    check "rsa on $when agrees with the law on $rent_ entitled and $rother other single-adult CAF households" \
        test "$rwrong" -eq 0 -a "$rent_" -gt 0 -a "$rother" -gt 0
    check "rsa on $when: $rby_maj entitled by the majoration ($by_maj to the prime), $rby_67 kept out by the age of 67 alone" \
        test "$((rby_maj + by_maj))" -gt 0 -a "$rby_67" -gt 0
done

# The rules are also run on households made here, at the law's edges, against the law's
# amounts worked out exactly (in comments): the forfait's place inside the max decides no
# household of a territory (earnings start at 350 EUR, and 0.5985 x 350 exceeds the largest
# forfait, 189.57, by more than 15), the rounding of the full bonification to the cent is
# below the exports' cent, and a territory has too few households at a birthday or a date to
# show an edge. The probe is built from src/synth's sources (ages from dates of birth with the
# generator's synth_age), so it is the code under test.
src_synth=$(cd "$here/../../src/synth" && pwd)
cat > "$tmp/law_probe.c" <<'EOF_PROBE'
#include <stdio.h>
#include <string.h>

#include "synth_data.h"
#include "synth_rules.h"

typedef struct {
    const char *name;
    int rule;              /* SYNTH_R_RSA, SYNTH_R_PA, SYNTH_R_CSS, SYNTH_R_ASPA */
    int y, m, d;           /* date: the parameters in force */
    int partner, kids, other_adult;
    const char *born0;     /* the claimant's date of birth, "" for 40 years old */
    const char *kid_born;  /* every child's date of birth, "" for 5 years old */
    int64_t earn0, other0; /* the claimant's own earnings and other income */
    int64_t earn1, other1; /* the partner's, or the other adult's (role A) */
    int64_t res;           /* the household's ressources_mensuelles (every adult's) */
    int64_t loyer;
    int al;                /* receives housing aid */
    unsigned recv;         /* further benefits received: SYNTH_BIT(SYNTH_B_*) */
    int aah0;              /* the claimant holds the AAH */
    int expect;
} law_case;

#define RSA SYNTH_R_RSA
#define PA SYNTH_R_PA
#define CSS SYNTH_R_CSS
#define ASPA SYNTH_R_ASPA
#define NOV26 2026, 11, 1

/* at 2026-11-01: prime d'activité base 638.28, smic 12.31, bonification from 59 x 12.31 =
 * 726.29 to 138 x 12.31 = 1698.78, full 240.63 (0.377 x 638.28 = 240.63156); at 2025-06-01:
 * base 633.21, smic 11.88, from 700.92 to 1425.60, full 184.27 (0.29101 x 633.21 = 184.2694).
 * RSA base 651.69; the montant forfaitaire majoré of a parent alone with one child:
 * 651.69 x (1.28412 + 0.42804) = 1115.7975504 (RSA), 638.28 x 1.71216 = 1092.8374848 (prime),
 * against 977.535 and 957.42 unmajoré (c = 1.5). CSS ceiling 13957 a year for one person. */
static const law_case cases[] = {
    /* --- prime d'activité: the forfait 76.59 inside the max: 638.28 + 59.85 - max(600 +
     * 76.5936, 638.28) = 21.5364 (outside: 638.28 + 59.85 - 638.28 - 76.5936 < 0) */
    {"forfait inside the max", PA, NOV26, 0, 0, 0, "", "", 10000, 50000, 0, 0, 60000, 0, 0, 0, 0, 1},
    {"forfait inside, 15.0064", PA, NOV26, 0, 0, 0, "", "", 10000, 50653, 0, 0, 60653, 0, 0, 0, 0, 1},
    {"forfait inside, 14.9964", PA, NOV26, 0, 0, 0, "", "", 10000, 50654, 0, 0, 60654, 0, 0, 0, 0, 0},
    {"forfait inside, res below base", PA, NOV26, 0, 0, 0, "", "", 10000, 0, 0, 0, 10000, 0, 0, 0, 0, 1},
    /* with housing aid the forfait applies (15.0064 as above); a tenant without it has none:
     * 638.28 + 59.85 - 683.12 = 15.01 (with it: -61.58) */
    {"forfait with housing aid", PA, NOV26, 0, 0, 0, "", "", 10000, 50653, 0, 0, 60653, 50000, 1, 0, 0, 1},
    {"no forfait, tenant without aid", PA, NOV26, 0, 0, 0, "", "", 10000, 58312, 0, 0, 68312, 50000, 0, 0, 0, 1},
    /* lone parent of two children of 5, owner: 1148.904 + 897.75 + 191.4493 - (res + 189.56916) */
    {"lone parent, 15.0093", PA, NOV26, 0, 2, 0, "", "", 150000, 53352, 0, 0, 203352, 0, 0, 0, 0, 1},
    {"lone parent, 14.9993", PA, NOV26, 0, 2, 0, "", "", 150000, 53353, 0, 0, 203353, 0, 0, 0, 0, 0},
    /* full bonification: 638.28 + 1197 + 240.63 - 2000 = 75.91 (without it: < 0) */
    {"full bonification", PA, NOV26, 0, 0, 0, "", "", 200000, 0, 0, 0, 200000, 50000, 0, 0, 0, 1},
    /* each partner's: 957.42 + 1795.5 + 2 x 191.4493 - 3000 = 135.81 (one only: < 0) */
    {"the partner's bonification", PA, NOV26, 1, 0, 0, "", "", 150000, 0, 150000, 0, 300000, 50000, 0, 0, 0, 1},
    /* linear part, exact: 15 + 1.7e-7 and 15 - 8.5e-8 */
    {"bonification, 15 + 1.7e-7", PA, NOV26, 0, 0, 0, "", "", 113044, 26941, 0, 0, 139985, 50000, 0, 0, 0, 1},
    {"bonification, 15 - 8.5e-8", PA, NOV26, 0, 0, 0, "", "", 127233, 24755, 0, 0, 151988, 50000, 0, 0, 0, 0},
    /* the full bonification rounded to the cent: 638.28 + 1017.479925 + 240.63 - 1881.39 =
     * 14.999925 (15.0015 unrounded); 2025: 633.21 + 1185.03 + 184.27 - 1987.51 = 15.00
     * (14.99944 unrounded) */
    {"bonification rounded down", PA, NOV26, 0, 0, 0, "", "", 170005, 18134, 0, 0, 188139, 50000, 0, 0, 0, 0},
    {"bonification rounded up", PA, 2025, 6, 1, 0, 0, 0, "", "", 198000, 751, 0, 0, 198751, 50000, 0, 0, 0, 1},
    {"bonification rounded up, 14.99", PA, 2025, 6, 1, 0, 0, 0, "", "", 198000, 752, 0, 0, 198752, 50000, 0, 0, 0, 0},
    /* the claimant must be 18: 17 on the day before the 18th birthday */
    {"claimant of 17", PA, NOV26, 0, 0, 0, "2008-11-02", "", 10000, 0, 0, 0, 10000, 0, 0, 0, 0, 0},
    {"claimant of 18", PA, NOV26, 0, 0, 0, "2008-11-01", "", 10000, 0, 0, 0, 10000, 0, 0, 0, 0, 1},
    /* the majoration (D843-1), tenant without aid, 500 of earnings (no bonification) and 800
     * of other income: 1092.8374848 + 299.25 - 1300 = 92.09 with a child of 2 years 11 months
     * (957.42 + 299.25 - 1300 = -43.33 with one of 3 years 0 months); at the edge,
     * 1092.8374848 + 299.25 - 1377.08 - 15 = 0.0075, - 1377.09: -0.0025 */
    {"majoré, child of 2 years 11 months", PA, NOV26, 0, 1, 0, "", "2023-12-01", 50000, 80000, 0, 0, 130000, 50000, 0, 0, 0, 1},
    {"majoré, child 3 years 0 months", PA, NOV26, 0, 1, 0, "", "2023-11-01", 50000, 80000, 0, 0, 130000, 50000, 0, 0, 0, 0},
    {"majoré, child a day short of 3", PA, NOV26, 0, 1, 0, "", "2023-11-02", 50000, 80000, 0, 0, 130000, 50000, 0, 0, 0, 1},
    {"majoré, 15.0075", PA, NOV26, 0, 1, 0, "", "2025-01-15", 50000, 87708, 0, 0, 137708, 50000, 0, 0, 0, 1},
    {"majoré, 14.9975", PA, NOV26, 0, 1, 0, "", "2025-01-15", 50000, 87709, 0, 0, 137709, 50000, 0, 0, 0, 0},
    /* the montant majoré inside the max too: resources 1000, between 957.42 and 1092.84:
     * 1092.84 + 0.5985 x 25 - max(1000, 1092.84) = 14.9625 (with 957.42 in the max: 107.80);
     * 26 of earnings: 15.561 */
    {"majoré inside the max, 14.9625", PA, NOV26, 0, 1, 0, "", "2025-01-15", 2500, 97500, 0, 0, 100000, 50000, 0, 0, 0, 0},
    {"majoré inside the max, 15.561", PA, NOV26, 0, 1, 0, "", "2025-01-15", 2600, 97400, 0, 0, 100000, 50000, 0, 0, 0, 1},
    /* no majoration in a couple: with two children under 3, 638.28 x 2.1 + 299.25 - 1630 =
     * 9.64 (majoré, 638.28 x 2.1402: 35.30) */
    {"couple with two babies, not majoré", PA, NOV26, 1, 2, 0, "", "2025-01-15", 50000, 113000, 0, 0, 163000, 50000, 0, 0, 0, 0},
    /* an adult child is outside the foyer, and so are his or her earnings and bonification:
     * the claimant earns nothing, so no prime (the household's 1500 of earnings would give
     * 638.28 + 897.75 + 191.45 - 1530 = 197.47) */
    {"role A's earnings are not the foyer's", PA, NOV26, 0, 0, 1, "1976-05-05", "", 0, 3000, 150000, 0, 153000, 50000, 0, 0, 0, 0},
    /* the claimant earns 1000 and the adult child 1500 and 400 of other income: the foyer's
     * 638.28 + 598.5 + 240.63 x 273.71 / 972.49 - 1000 = 304.51 (the household's: 638.28 +
     * 1496.25 + 67.73 - 2900 < 0) */
    {"role A's resources are not the foyer's", PA, NOV26, 0, 0, 1, "1976-05-05", "", 100000, 0, 150000, 40000, 290000, 50000, 0, 0, 0, 1},

    /* --- RSA, 651.69: the majoration (L262-9), tenant without aid: 1115.7975504 - 1109.79 =
     * 6.0075504 with a child of 2 years 11 months (977.535 - 1109.79 < 0 at 3 years 0
     * months), - 1109.80: 5.9975504 */
    {"majoré, child of 2 years 11 months", RSA, NOV26, 0, 1, 0, "", "2023-12-01", 0, 110979, 0, 0, 110979, 50000, 0, 0, 0, 1},
    {"majoré, child 3 years 0 months", RSA, NOV26, 0, 1, 0, "", "2023-11-01", 0, 110979, 0, 0, 110979, 50000, 0, 0, 0, 0},
    {"majoré, 5.9975504", RSA, NOV26, 0, 1, 0, "", "2023-12-01", 0, 110980, 0, 0, 110980, 50000, 0, 0, 0, 0},
    /* owner: the forfait stays the base's for 2 persons, 651.69 x 1.5 x 0.16 = 156.4056:
     * 1115.7975504 - 156.4056 - 953.39 = 6.0019504; 953.40: 5.9919504 */
    {"majoré owner, 6.0019504", RSA, NOV26, 0, 1, 0, "", "2024-06-30", 0, 95339, 0, 0, 95339, 0, 0, 0, 0, 1},
    {"majoré owner, 5.9919504", RSA, NOV26, 0, 1, 0, "", "2024-06-30", 0, 95340, 0, 0, 95340, 0, 0, 0, 0, 0},
    /* two children, the younger under 3: 651.69 x (1.28412 + 2 x 0.42804) = 1394.746 */
    {"majoré, two children", RSA, NOV26, 0, 2, 0, "", "2024-06-30", 0, 138874, 0, 0, 138874, 50000, 0, 0, 0, 1},
    /* the age of the full-rate pension (L262-10): alone, owner, no resources, 651.69 -
     * 78.2028 = 573.49 at 66, none at 67 */
    {"claimant of 66", RSA, NOV26, 0, 0, 0, "1959-11-02", "", 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
    {"claimant of 67", RSA, NOV26, 0, 0, 0, "1959-11-01", "", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {"claimant of 24", RSA, NOV26, 0, 0, 0, "2001-11-02", "", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {"claimant of 25", RSA, NOV26, 0, 0, 0, "2001-11-01", "", 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
    /* an adult child's income is not the foyer's: 651.69 - 645.69 = 6.00 exactly, 645.70:
     * 5.99, whatever the adult child's 1000 of earnings and 900 of AAH */
    {"role A excluded, 6.00", RSA, NOV26, 0, 0, 1, "1970-03-03", "", 0, 64569, 100000, 90000, 254569, 50000, 0, 0, 0, 1},
    {"role A excluded, 5.99", RSA, NOV26, 0, 0, 1, "1970-03-03", "", 0, 64570, 100000, 90000, 254570, 50000, 0, 0, 0, 0},
    /* an owner with an adult child: the forfait of a foyer of one, 651.69 x 0.12 = 78.2028:
     * 651.69 - 78.2028 - 567.48 = 6.0072 (two persons' 156.4056: < 0) */
    {"role A excluded, the forfait of one", RSA, NOV26, 0, 0, 1, "1970-03-03", "", 0, 56748, 100000, 0, 156748, 0, 0, 0, 0, 1},

    /* --- CSS: alone, 12 x 1084.88 + the owner's forfait 12 x 651.69 x 0.12 = 938.4336 is
     * 13956.9936 <= 13957; 1084.89: 13957.1136 > 13957; a tenant without housing aid has no
     * forfait: 12 x 1163.08 = 13956.96, 1163.09: 13957.08 */
    {"owner, 13956.9936", CSS, NOV26, 0, 0, 0, "", "", 0, 108488, 0, 0, 108488, 0, 0, 0, 0, 1},
    {"owner, 13957.1136", CSS, NOV26, 0, 0, 0, "", "", 0, 108489, 0, 0, 108489, 0, 0, 0, 0, 0},
    {"tenant without aid, 13957.1136 - forfait", CSS, NOV26, 0, 0, 0, "", "", 0, 108489, 0, 0, 108489, 50000, 0, 0, 0, 1},
    {"tenant without aid, 13956.96", CSS, NOV26, 0, 0, 0, "", "", 0, 116308, 0, 0, 116308, 50000, 0, 0, 0, 1},
    {"tenant without aid, 13957.08", CSS, NOV26, 0, 0, 0, "", "", 0, 116309, 0, 0, 116309, 50000, 0, 0, 0, 0},
    {"tenant with aid, 13957.1136", CSS, NOV26, 0, 0, 0, "", "", 0, 108489, 0, 0, 108489, 50000, 1, 0, 0, 0},
    /* a couple (ceiling 20935.5) with 1600 a month, 19200 a year: owner, forfait 12 x 651.69 x
     * 1.5 x 0.14 = 1642.2588, 20842.26 <= 20935.5; tenant with housing aid, 0.16: 1876.8672,
     * 21076.87 > 20935.5 */
    {"couple owner, rate 0.14", CSS, NOV26, 1, 0, 0, "", "", 0, 160000, 0, 0, 160000, 0, 0, 0, 0, 1},
    {"couple with housing aid, rate 0.16", CSS, NOV26, 1, 0, 0, "", "", 0, 160000, 0, 0, 160000, 50000, 1, 0, 0, 0},
    /* the foyer without the adult child: one person, 12 x 1000 = 12000 <= 13957 (the
     * household's two persons and 2500: 30000 > 20935.5) */
    {"role A excluded", CSS, NOV26, 0, 0, 1, "1970-03-03", "", 0, 100000, 150000, 0, 250000, 50000, 0, 0, 0, 1},
    /* and the ceiling of one: 12 x 1200 = 14400 > 13957 (the ceiling of two: 20935.5) */
    {"role A excluded from the ceiling", CSS, NOV26, 0, 0, 1, "1970-03-03", "", 0, 120000, 150000, 0, 270000, 50000, 0, 0, 0, 0},
    /* the ASPA presumption from 2022-04-01 (L861-2): alone, 1200 a month, over the ceiling
     * (12 x 1200 = 14400, tenant without aid); not with earnings */
    {"ASPA, 2022-03-31", CSS, 2022, 3, 31, 0, 0, 0, "1950-01-01", "", 0, 120000, 0, 0, 120000, 50000, 0, SYNTH_BIT(SYNTH_B_ASPA), 0, 0},
    {"ASPA, 2022-04-01", CSS, 2022, 4, 1, 0, 0, 0, "1950-01-01", "", 0, 120000, 0, 0, 120000, 50000, 0, SYNTH_BIT(SYNTH_B_ASPA), 0, 1},
    {"ASPA, the partner earns", CSS, NOV26, 1, 0, 0, "1950-01-01", "", 0, 160000, 30000, 0, 190000, 50000, 0, SYNTH_BIT(SYNTH_B_ASPA), 0, 0},
    /* the AAH presumption from 2025-07-01, a person alone without children nor earnings */
    {"AAH alone, 2025-06-30", CSS, 2025, 6, 30, 0, 0, 0, "", "", 0, 120000, 0, 0, 120000, 50000, 0, SYNTH_BIT(SYNTH_B_AAH), 1, 0},
    {"AAH alone, 2025-07-01", CSS, 2025, 7, 1, 0, 0, 0, "", "", 0, 120000, 0, 0, 120000, 50000, 0, SYNTH_BIT(SYNTH_B_AAH), 1, 1},
    {"AAH alone, with earnings", CSS, NOV26, 0, 0, 0, "", "", 100, 119900, 0, 0, 120000, 50000, 0, SYNTH_BIT(SYNTH_B_AAH), 1, 0},
    {"AAH with a child", CSS, NOV26, 0, 1, 0, "", "", 0, 190000, 0, 0, 190000, 50000, 0, SYNTH_BIT(SYNTH_B_AAH), 1, 0},
    /* the RSA opens it whatever the resources */
    {"RSA received", CSS, NOV26, 0, 0, 0, "", "", 0, 200000, 0, 0, 200000, 50000, 0, SYNTH_BIT(SYNTH_B_RSA), 0, 1},

    /* --- ASPA (L815-1, D815-1), a pension and no earnings: the age of 65 on the true date of
     * birth, not on the birth year (1961: 65 in 2026 for both); the ceiling, strict, of 2026:
     * 12 x 1043.59 = 12523.08 < 12523.14 alone, 12 x 1043.60 = 12523.20; a couple's
     * 12 x 1620.18 = 19442.16 < 19442.21, 12 x 1620.19 = 19442.28 */
    {"claimant a day short of 65", ASPA, NOV26, 0, 0, 0, "1961-11-02", "", 0, 100000, 0, 0, 100000, 0, 0, 0, 0, 0},
    {"claimant of 65", ASPA, NOV26, 0, 0, 0, "1961-11-01", "", 0, 100000, 0, 0, 100000, 0, 0, 0, 0, 1},
    {"alone, 12523.08", ASPA, NOV26, 0, 0, 0, "1950-01-01", "", 0, 104359, 0, 0, 104359, 0, 0, 0, 0, 1},
    {"alone, 12523.20", ASPA, NOV26, 0, 0, 0, "1950-01-01", "", 0, 104360, 0, 0, 104360, 0, 0, 0, 0, 0},
    {"couple, 19442.16", ASPA, NOV26, 1, 0, 0, "1950-01-01", "", 0, 100000, 0, 62018, 162018, 0, 0, 0, 0, 1},
    {"couple, 19442.28", ASPA, NOV26, 1, 0, 0, "1950-01-01", "", 0, 100000, 0, 62019, 162019, 0, 0, 0, 0, 0},
    /* the ceilings of 2025 (12411.44 alone): 12 x 1034.28 = 12411.36, 12 x 1034.29 = 12411.48 */
    {"alone, 2025, 12411.36", ASPA, 2025, 6, 1, 0, 0, 0, "1950-01-01", "", 0, 103428, 0, 0, 103428, 0, 0, 0, 0, 1},
    {"alone, 2025, 12411.48", ASPA, 2025, 6, 1, 0, 0, 0, "1950-01-01", "", 0, 103429, 0, 0, 103429, 0, 0, 0, 0, 0},
    /* earnings disregarded up to 0.9 (alone) or 1.5 (couple) x 12.02 x 151.67 a quarter
     * (R815-29): 546.92 or 911.54 a month in 2026. 500 earned + 700 of pension: 700 count */
    {"alone, 500 earned and 700 of pension", ASPA, NOV26, 0, 0, 0, "1950-01-01", "", 50000, 70000, 0, 0, 120000, 0, 0, 0, 0, 1},
    {"alone, 1200 of pension", ASPA, NOV26, 0, 0, 0, "1950-01-01", "", 0, 120000, 0, 0, 120000, 0, 0, 0, 0, 0},
    /* a couple, 1000 earned + 1500 of pensions: 2500 - 911.54 = 1588.46 < 1620.18 */
    {"couple, 1000 earned and 1500 of pensions", ASPA, NOV26, 1, 0, 0, "1950-01-01", "", 100000, 100000, 0, 50000, 250000, 0, 0, 0, 0, 1},
};

/* housing aid, the legal scale (docs/rules.md; zone 2 ceilings 290.34 alone, 399.89 + 58.21
 * per further person in charge from 2025-10-01, 287.35 alone before; zone 3 272.12 alone;
 * charges 60.59 + 13.74 per person in charge; P0 39.56 or 8.5 % of L + C; TF 0.0283 alone,
 * 0.027 / 0.0201 / 0.0173 for 1 / 3 / 6 in charge, 0.0006 less from the 7th; TL 0.00305 at
 * RL = 1; R0 5235 alone, 8947 / 9498 / 10554 for 1 / 3 / 6 in charge, + 346 from the 7th;
 * R = 12 x resources rounded up to the hundred). A = L + C - Pp; degressivity (D823-16):
 * D = round(2.5 x P), S = round(3.1 x P), P the household's ceiling, coefficient 1 up to D,
 * (S - loyer) / (S - D) up to S, 0 above; aid = round(A x coefficient) - 5.00, paid from
 * 10.00 (so entitled when round(A x coefficient) >= 15.00) */
typedef struct {
    const char *name;
    int y, m, d;
    int partner, kids, other_adult;
    const char *insee;     /* the commune */
    int64_t res, loyer;
    int expect;
} al_case;

static const al_case al_cases[] = {
    /* alone, Bordeaux (zone 2), rent 400: L + C = 350.93, Tp = 0.0283 + 0.00305 = 0.03135;
     * 12 x 1216.66 -> 14600: 350.93 - 39.56 - 0.03135 x (14600 - 5235) = 17.77725, paid
     * 12.78; 12 x 1216.67 -> 14700: 14.64225, 9.64 after the minoration */
    {"alone, Bordeaux, 12.78", 2026, 11, 1, 0, 0, 0, "33063", 121666, 40000, 1},
    {"alone, Bordeaux, 9.64", 2026, 11, 1, 0, 0, 0, "33063", 121667, 40000, 0},
    /* the minimum paid on the final amount: 12 x 1216.66 -> 14600, rent 286.78 under the
     * ceiling: RL = 0.987739, TL = 0.00296662, A = 347.37 - 39.56 - 0.03126662 x 9365 =
     * 14.99809 -> 15.00, paid 10.00; rent 286.77: A = 14.99028 -> 14.99, 9.99 */
    {"alone, Bordeaux, 10.00 after the minoration", 2026, 11, 1, 0, 0, 0, "33063", 121666, 28678, 1},
    {"alone, Bordeaux, 9.99 after the minoration", 2026, 11, 1, 0, 0, 0, "33063", 121666, 28677, 0},
    /* Libourne (zone 3): L = 272.12, RL = 0.937246, Tp = 0.0309233; 12 x 1183.33 -> 14200:
     * 332.71 - 39.56 - 0.0309233 x 8965 = 15.92, paid 10.92; 12 x 1183.34 -> 14300: 12.83,
     * 7.83 (Bordeaux: 27.18, 22.18) */
    {"alone, Libourne, 10.92", 2026, 11, 1, 0, 0, 0, "33243", 118333, 40000, 1},
    {"alone, Libourne, 7.83", 2026, 11, 1, 0, 0, 0, "33243", 118334, 40000, 0},
    {"alone, Bordeaux, 22.18", 2026, 11, 1, 0, 0, 0, "33063", 118334, 40000, 1},
    /* the scale of 2024-10-01 on 2025-06-01: 287.35 + 59.97 - 39.15 - 0.03135 x (14500 -
     * 5235) = 17.71, 12.71 at 1208.33; 14.58, 9.58 at 1208.34 (R = 14600), which the
     * 2025-10-01 scale pays (12.78) */
    {"alone, 2025-06-01, 12.71", 2025, 6, 1, 0, 0, 0, "33063", 120833, 40000, 1},
    {"alone, 2025-06-01, 9.58", 2025, 6, 1, 0, 0, 0, "33063", 120834, 40000, 0},
    {"alone, 2026-11-01, 1208.34", 2026, 11, 1, 0, 0, 0, "33063", 120834, 40000, 1},
    /* couple and 3 children, rent 700: L = 516.31, C = 101.81, P0 = 0.085 x 618.12 = 52.5402,
     * Tp = 0.02315; 12 x 2766.66 -> 33200: 618.12 - 52.5402 - 0.02315 x 23702 = 16.8785,
     * paid 11.88; 12 x 2766.67 -> 33300: 14.5635, 9.56 */
    {"couple, 3 children, 11.88", 2026, 11, 1, 1, 3, 0, "33063", 276666, 70000, 1},
    {"couple, 3 children, 9.56", 2026, 11, 1, 1, 3, 0, "33063", 276667, 70000, 0},
    /* another adult is in charge: 1 in charge, rent 500, 1500: L = 399.89, C = 74.33, P0 =
     * 40.3087, Tp = 0.03005, R - R0 = 18000 - 8947: 161.87 (alone: 350.93 - 39.56 - 0.03135 x
     * 12765 < 0) */
    {"other adult in charge", 2026, 11, 1, 0, 0, 1, "33063", 150000, 50000, 1},
    {"alone, 1500", 2026, 11, 1, 0, 0, 0, "33063", 150000, 50000, 0},
    /* alone with 7 children: L = 399.89 + 6 x 58.21 = 749.15, C = 60.59 + 7 x 13.74 = 156.77,
     * P0 = 77.0032, TF = 0.0173 - 0.0006 = 0.0167, R0 = 10554 + 346 = 10900; 12 x 4341.66 ->
     * 52100: 905.92 - 77.0032 - 0.01975 x 41200 = 15.2168, paid 10.22; 12 x 4341.67 ->
     * 52200: 13.2418, 8.24 */
    {"7 children, 10.22", 2026, 11, 1, 0, 7, 0, "33063", 434166, 80000, 1},
    {"7 children, 8.24", 2026, 11, 1, 0, 7, 0, "33063", 434167, 80000, 0},
    /* rent under 45 % of the ceiling (120 < 130.65): TL = 0; no resources: 180.59 - 39.56 */
    {"small rent, no resources", 2026, 11, 1, 0, 0, 0, "33063", 0, 12000, 1},
    /* degressivity, alone with 2 children in Bordeaux: P = 399.89 + 58.21 = 458.10, D =
     * 1145.25, S = 1420.11 (S - D = 274.86); 12 x 2258.34 -> 27200: A = 458.10 + 88.07 -
     * 46.42445 - 0.02685 x 18052 = 15.04935. Rent D: coefficient 1, 15.05, paid 10.05; D + 0.01:
     * 274.85 / 274.86, 15.04880 -> 15.05; 1146.24: 273.87 / 274.86, 14.99514 -> 15.00, paid
     * 10.00; 1146.25: 273.86 / 274.86, 14.99460 -> 14.99, 9.99 */
    {"degressivity, rent D", 2026, 11, 1, 0, 2, 0, "33063", 225834, 114525, 1},
    {"degressivity, rent D + 0.01", 2026, 11, 1, 0, 2, 0, "33063", 225834, 114526, 1},
    {"degressivity, 10.00 after the minoration", 2026, 11, 1, 0, 2, 0, "33063", 225834, 114624, 1},
    {"degressivity, 9.99 after the minoration", 2026, 11, 1, 0, 2, 0, "33063", 225834, 114625, 0},
    /* alone in Bordeaux without resources: A = 350.93 - 39.56 = 311.37, P = 290.34, D =
     * 725.85, S = 900.05 (S - D = 174.20). Between D and S: rent 891.66, 311.37 x 8.39 /
     * 174.20 = 14.99652 -> 15.00, paid 10.00; 891.67, 14.97865 -> 14.98, 9.98. Rent S: 0;
     * above S: 0 (without degressivity 306.37) */
    {"between D and S, 10.00", 2026, 11, 1, 0, 0, 0, "33063", 0, 89166, 1},
    {"between D and S, 9.98", 2026, 11, 1, 0, 0, 0, "33063", 0, 89167, 0},
    {"rent S, coefficient 0", 2026, 11, 1, 0, 0, 0, "33063", 0, 90005, 0},
    {"rent above S", 2026, 11, 1, 0, 0, 0, "33063", 0, 90006, 0},
    {"rent D, no resources", 2026, 11, 1, 0, 0, 0, "33063", 0, 72585, 1},
    /* Libourne (zone 3, P = 272.12): D = 680.30, S = 843.57; rent 843.66 is above S there
     * (and between D and S in Bordeaux: 311.37 x 56.39 / 174.20 = 100.79) */
    {"Libourne, rent above S", 2026, 11, 1, 0, 0, 0, "33243", 0, 84366, 0},
    {"Bordeaux, rent 843.66", 2026, 11, 1, 0, 0, 0, "33063", 0, 84366, 1},
};

static synth_date date_of(const char *s, synth_date at, int years)
{
    synth_date b = {at.y - years, at.m, at.d};
    if (*s)
        sscanf(s, "%d-%d-%d", &b.y, &b.m, &b.d);
    return b;
}

/* An empty household and a context at y-m-d with the parameters in force; before the first
 * period (the CSS's presumption of 2022), the first period's, of which the CSS reads only the
 * RSA base of its forfait (synth_ctx_init refuses such dates, and allocates the NIR counters
 * the probe has no use for). */
static void probe_start(synth_ctx *ctx, synth_household *h, int y, int m, int d)
{
    static const synth_period periods[] = SYNTH_PERIODS_INIT;
    memset(ctx, 0, sizeof *ctx);
    memset(h, 0, sizeof *h);
    ctx->date = (synth_date){y, m, d};
    ctx->period = periods[0];
    for (size_t j = 0; j < sizeof periods / sizeof periods[0]; j++) {
        const synth_period *p = &periods[j];
        if (p->from_y * 10000 + p->from_m * 100 + p->from_d <= y * 10000 + m * 100 + d)
            ctx->period = *p;
    }
}

int main(void)
{
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const law_case *k = &cases[i];
        synth_ctx ctx;
        synth_household h;
        probe_start(&ctx, &h, k->y, k->m, k->d);
        synth_date at = ctx.date;
        synth_person *p = &h.p[h.n++];
        p->role = SYNTH_ROLE_D;
        p->birth = date_of(k->born0, at, 40);
        p->age = synth_age(p->birth, at);
        p->earn = k->earn0;
        p->other = k->other0;
        if (k->aah0)
            p->own |= SYNTH_BIT(SYNTH_B_AAH);
        if (k->partner || k->other_adult) {
            p = &h.p[h.n++];
            h.partner = k->partner;
            p->role = k->partner ? SYNTH_ROLE_C : SYNTH_ROLE_A;
            p->birth = date_of("", at, 25);
            p->age = synth_age(p->birth, at);
            p->earn = k->earn1;
            p->other = k->other1;
        }
        for (int c = 0; c < k->kids; c++) {
            p = &h.p[h.n++];
            p->role = SYNTH_ROLE_E;
            p->birth = date_of(k->kid_born, at, 5);
            p->age = synth_age(p->birth, at);
            h.nb_enfants++;
        }
        h.rev = k->earn0 + k->earn1;
        h.res = k->res;
        h.loyer = k->loyer;
        h.housing = k->loyer > 0 ? SYNTH_PRIVATE : SYNTH_OWNER;
        h.recv = k->recv | (k->al ? SYNTH_BIT(SYNTH_B_AL) : 0u);
        int got = synth_rule_entitled(&ctx, &h, k->rule);
        printf("%s of a household made here, %s: %d (law %d)\n", synth_rule_names[k->rule],
               k->name, got, k->expect);
        bad += got != k->expect;
    }
    for (size_t i = 0; i < sizeof al_cases / sizeof al_cases[0]; i++) {
        const al_case *k = &al_cases[i];
        synth_ctx ctx;
        synth_household h;
        probe_start(&ctx, &h, k->y, k->m, k->d);
        h.addr.commune = -1;
        for (size_t j = 0; j < synth_communes_n; j++)
            if (strcmp(synth_communes[j].insee, k->insee) == 0)
                h.addr.commune = (int)j;
        if (h.addr.commune < 0) {
            printf("aide_logement of a household made here, %s: commune %s unknown (law %d)\n", k->name,
                   k->insee, k->expect);
            bad++;
            continue;
        }
        h.p[h.n++].role = SYNTH_ROLE_D;
        if (k->partner || k->other_adult) {
            h.partner = k->partner;
            h.p[h.n++].role = k->partner ? SYNTH_ROLE_C : SYNTH_ROLE_A;
        }
        for (int c = 0; c < k->kids; c++) {
            h.p[h.n++].role = SYNTH_ROLE_E;
            h.nb_enfants++;
        }
        h.res = k->res;
        h.loyer = k->loyer;
        h.housing = SYNTH_PRIVATE;
        int got = synth_rule_entitled(&ctx, &h, SYNTH_R_AL);
        printf("aide_logement of a household made here, %s: %d (law %d)\n", k->name, got, k->expect);
        bad += got != k->expect;
    }
    return bad != 0;
}
EOF_PROBE
if ${CC:-cc} -std=c11 -Wall -Wextra -D_POSIX_C_SOURCE=200809L -I"$src_synth" -o "$tmp/law_probe" \
        "$tmp/law_probe.c" "$src_synth/synth_rules.c" "$src_synth/synth_house.c" \
        "$src_synth/synth_data.c" "$src_synth/synth_rng.c" 2> "$tmp/err"; then
    probed=0
    while read -r line; do
        probed=$((probed + 1))
        case $line in
            *": 1 (law 1)"|*": 0 (law 0)") ok "$line" ;;
            *) bad "$line" ;;
        esac
    done < <("$tmp/law_probe" || true)
    check "the rule probe ran its cases ($probed)" test "$probed" -ge 50
else
    bad "the rule probe builds with ${CC:-cc} from src/synth"
    cat "$tmp/err"
fi

# NIR keys: all valid but the faults counted in truth_summary.txt
badkeys=$(awk -F';' 'NR > 1 && length($4) == 15 {
        n = substr($4, 1, 13); sub("2A", "19", n); sub("2B", "18", n)
        r = 0; for (i = 1; i <= 13; i++) r = (r * 10 + substr(n, i, 1)) % 97
        if (97 - r != substr($4, 14, 2) + 0) bad++
    } END { print bad + 0 }' "$tmp/a/caf.csv")
counted=$(sed -n 's/^fault\.caf:gironde\.nir_wrong_key = \([0-9]*\).*/\1/p' "$tmp/a/truth_summary.txt")
check "CAF NIRs with a wrong key are the counted faults ($badkeys = $counted)" \
    test "$badkeys" -eq "$counted"

# --- command line
status() { set +e; "$@" > /dev/null 2> "$tmp/err"; echo $?; set -e; }
check "--households 0 exits 2" test "$(status "$bin" --households 0 -o "$tmp/z")" -eq 2
check "--households abc exits 2" test "$(status "$bin" --households abc -o "$tmp/z")" -eq 2
check "--households 5000001 exits 2" test "$(status "$bin" --households 5000001 -o "$tmp/z")" -eq 2
check "--landlords 0 exits 2" test "$(status "$bin" --landlords 0 -o "$tmp/z")" -eq 2
check "--seed -1 exits 2" test "$(status "$bin" --seed -1 -o "$tmp/z")" -eq 2
check "--date 2026-02-30 exits 2" test "$(status "$bin" --date 2026-02-30 -o "$tmp/z")" -eq 2
check "--date before the parameters exits 2" test "$(status "$bin" --date 2024-12-31 -o "$tmp/z")" -eq 2
check "unknown option exits 2" test "$(status "$bin" --bogus -o "$tmp/z")" -eq 2
check "missing -o exits 2" test "$(status "$bin" --households 10)" -eq 2
check "usage message quotes the value" grep -q "'abc'" <(status "$bin" --households abc -o x >/dev/null; cat "$tmp/err")
check "--help exits 0" test "$(status "$bin" --help)" -eq 0
: > "$tmp/file"
check "output path that is a file exits 1" test "$(status "$bin" --households 5 -o "$tmp/file")" -eq 1
check "failure message starts lowercase and quotes the path" \
    grep -q "^tznr-synth: could not create directory '$tmp/file': " "$tmp/err"
check "--households=5 --seed=9 --date=2025-06-01 --landlords=1 works" \
    test "$(status "$bin" --households=5 --seed=9 --date=2025-06-01 --landlords=1 -o "$tmp/eq")" -eq 0

# --- the pseudonymiser reads every export through its mapping file, rejecting nothing
if [ -n "$tznr" ]; then
    check "tznr keygen makes a test key" "$tznr" keygen --id synth-test -o "$tmp/key" 2> /dev/null
    while read -r file id mapping; do
        set +e
        "$tznr" pseudonymise -q --key "$tmp/key" --source "$id" --mapping "$config/$mapping" \
            --extract-date 2026-11-01 -o "$tmp/x-$file" "$tmp/a/$file" 2> "$tmp/err"
        rc=$?
        set -e
        check "tznr pseudonymise reads $file with $mapping (exit $rc)" test "$rc" -eq 0
        [ "$rc" -eq 0 ] || { cat "$tmp/err"; continue; }
        raw=$(($(wc -l < "$tmp/a/$file") - 1))
        got=$(($(wc -l < "$tmp/x-$file") - 1))
        check "$file: $got extract rows for $raw raw rows" test "$got" -eq "$raw"
        # the composition on claimant rows; the resources too where the mapping reads them
        col=13
        grep -q '^ressources_mensuelles *=' "$config/$mapping" && col=15
        claimants=$(awk -F, -v c="$col" 'NR > 1 && $3 == "D" && $13 != "" && $c != "" { n++ } END { print n + 0 }' \
                    "$tmp/x-$file")
        check "$file: household figures read on $claimants claimant rows" test "$claimants" -gt 0
    done < "$tmp/a/sources.txt"
else
    echo "# tznr not given: the pseudonymiser stage is skipped"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
