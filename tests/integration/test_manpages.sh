#!/usr/bin/env bash
# The man pages in step with the program and the docs (run by tests/run-all, so by make check):
#   tznr(1)       every command of 'tznr --help' has its section '.SS "tznr CMD"' and no other;
#                 in it, the options of its .TP lines are exactly those of 'tznr CMD --help',
#                 and the codes after "Exit status:" exactly those after its help's "Exit:";
#                 EXIT STATUS lists exactly the codes of 'tznr --help'.
#   tznr.conf(5)  its sections and keys ('.SS "[SECTION]"', then '.BR key " (default: V)"'
#                 after .TP) are exactly those of docs/configuration.md's tables, with the same
#                 defaults, and exactly the keys src/conf.c accepts; each documented key is
#                 accepted by the binary's configuration loader (no "unknown setting").
#   both          render with man(1) without a warning from groff; their .TH names the
#                 binary's version ('tznr --version').
#   tests/integration/test_manpages.sh [TZNR]    (default: $O/tznr, O=build)
set -euo pipefail
cd "$(dirname "$0")/../.."
T=${1:-${O:-build}/tznr}
[ -x "$T" ] || { echo "test_manpages: no binary $T (make first)" >&2; exit 2; }
MAN1=man/tznr.1
MAN5=man/tznr.conf.5
DOC=docs/configuration.md
tmp=$(mktemp -d /tmp/tznr-manpages.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
fails=0
fail() {
    echo "test_manpages: FAIL: $*" >&2
    fails=$((fails + 1))
}
# Lines of file A missing from file B (both sorted and unique), as "what: item" failures.
missing() {
    local what=$1 a=$2 b=$3 item
    while IFS= read -r item; do
        [ -n "$item" ] && fail "$what: $item"
    done < <(comm -23 "$a" "$b")
}

# ---- rendering -------------------------------------------------------------------------------
for page in "$MAN1" "$MAN5"; do
    if ! LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l "$page" >"$tmp/render" 2>"$tmp/warn"; then
        fail "$page does not render: $(head -3 "$tmp/warn")"
    elif [ -s "$tmp/warn" ]; then
        fail "$page renders with warnings: $(head -5 "$tmp/warn" | tr '\n' ' ')"
    elif [ "$(wc -l <"$tmp/render")" -lt 20 ]; then
        fail "$page renders to almost nothing"
    fi
done

# ---- the version in each page's header: the binary's -------------------------------------------
version=$("$T" --version)
for page in "$MAN1" "$MAN5"; do
    grep -q "^\.TH .* \"$version\" " "$page" || fail "$page's .TH line does not name '$version' ('$T --version'): $(grep -m1 '^\.TH' "$page")"
done

# ---- tznr(1): the commands -------------------------------------------------------------------
# The roff source with \- read as -, one section's lines: .SS "tznr CMD" up to the next .SS/.SH.
sed 's/\\-/-/g' "$MAN1" >"$tmp/man1"
man_section() {
    awk -v want=".SS \"tznr $1\"" '$0 == want { on = 1; next } on && /^\.S[SH] / { exit } on' "$tmp/man1"
}
"$T" --help >"$tmp/help" 2>&1
sed -n '/^commands:/,/^$/p' "$tmp/help" | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p' | sort -u >"$tmp/cmds.help"
sed -n 's/^\.SS "tznr \([a-z]*\)"$/\1/p' "$tmp/man1" | sort -u >"$tmp/cmds.man"
[ "$(wc -l <"$tmp/cmds.help")" -ge 10 ] || fail "'$T --help' lists $(wc -l <"$tmp/cmds.help") commands: its format changed?"
missing "a command of 'tznr --help' without its section .SS \"tznr CMD\" in $MAN1" "$tmp/cmds.help" "$tmp/cmds.man"
missing "a section of $MAN1 for a command 'tznr --help' does not list" "$tmp/cmds.man" "$tmp/cmds.help"

# The exit codes after a marker ("Exit:", "Exit status:", "Exit codes:") to the end of the text.
exit_codes() {
    tr '\n' ' ' | sed -n "s/.*$1//p" | grep -oE '(^|,) [0-9] ' | tr -dc '0-9\n ' | tr -s ' ' '\n' | sed '/^$/d' | sort -u
}
noptions=0
ncodes=0
while read -r cmd; do
    "$T" "$cmd" --help >"$tmp/h.$cmd" 2>&1 || fail "'tznr $cmd --help' exits $?"
    man_section "$cmd" >"$tmp/m.$cmd"
    # options: the help's option lines ("  -c, --config FILE", "      --db CONNINFO"); the
    # man section's .TP lines (the line after each .TP)
    grep -E '^ {1,8}-' "$tmp/h.$cmd" | sed -E 's/^ +//; s/  .*//' | grep -oE '(^|[ ,])--?[a-zA-Z][a-zA-Z-]*' |
        sed -E 's/^[ ,]//' | sort -u >"$tmp/ho.$cmd"
    awk 'tp { print; tp = 0 } /^\.TP/ { tp = 1 }' "$tmp/m.$cmd" | grep -oE '(^|[ "])--?[a-zA-Z][a-zA-Z-]*' |
        sed -E 's/^[ "]//' | sort -u >"$tmp/mo.$cmd"
    [ -s "$tmp/ho.$cmd" ] || fail "'tznr $cmd --help' shows no option: its format changed?"
    missing "tznr $cmd: an option of its --help not documented in $MAN1" "$tmp/ho.$cmd" "$tmp/mo.$cmd"
    missing "tznr $cmd: an option documented in $MAN1 that its --help does not have" "$tmp/mo.$cmd" "$tmp/ho.$cmd"
    noptions=$((noptions + $(wc -l <"$tmp/ho.$cmd")))
    exit_codes 'Exit:' <"$tmp/h.$cmd" >"$tmp/hc.$cmd"
    exit_codes 'Exit status:' <"$tmp/m.$cmd" >"$tmp/mc.$cmd"
    [ -s "$tmp/hc.$cmd" ] || fail "'tznr $cmd --help' ends with no exit codes"
    missing "tznr $cmd: an exit code of its --help missing after 'Exit status:' in $MAN1" "$tmp/hc.$cmd" "$tmp/mc.$cmd"
    missing "tznr $cmd: an exit code in $MAN1 that its --help does not give" "$tmp/mc.$cmd" "$tmp/hc.$cmd"
    ncodes=$((ncodes + $(wc -l <"$tmp/hc.$cmd")))
done <"$tmp/cmds.help"
# EXIT STATUS: one .TP / .B N a code, the codes of 'tznr --help'
exit_codes 'Exit codes:' <"$tmp/help" >"$tmp/codes.help"
awk '/^\.SH "?EXIT STATUS/ { on = 1; next } on && /^\.SH / { exit } on && tp { print; tp = 0 } on && /^\.TP/ { tp = 1 }' "$tmp/man1" |
    sed -n 's/^\.B \([0-9]\)$/\1/p' | sort -u >"$tmp/codes.man"
[ -s "$tmp/codes.help" ] || fail "'tznr --help' gives no exit codes"
missing "an exit code of 'tznr --help' missing from EXIT STATUS in $MAN1" "$tmp/codes.help" "$tmp/codes.man"
missing "an exit code in EXIT STATUS of $MAN1 that 'tznr --help' does not give" "$tmp/codes.man" "$tmp/codes.help"

# ---- tznr.conf(5): sections, keys and defaults ----------------------------------------------
# docs/configuration.md: '## `[SECTION]`' then table rows '| `key` | default | meaning |';
# as "SECTION key<TAB>default" with the default's backquotes removed.
awk -F' *[|] *' '
    /^## `\[[^]]+\]`/ { s = $0; sub(/^## `\[/, "", s); sub(/\]`.*/, "", s); next }
    /^## / { s = ""; next }
    s != "" && /^\| `[a-z_]+` *\|/ { k = $2; d = $3; gsub(/`/, "", k); gsub(/`/, "", d); printf "%s %s\t%s\n", s, k, d }
' "$DOC" | sort -u >"$tmp/keys.doc"
# the man page: '.SS "[SECTION]"', then '.BR key " (default: V)"' on the line after .TP
awk '
    /^\.SS "\[[^]]+\]"$/ { s = $0; sub(/^\.SS "\[/, "", s); sub(/\]"$/, "", s); next }
    /^\.S[SH] / { s = ""; next }
    s != "" && tp && /^\.BR? [a-z_]+ / {
        k = $2; d = $0; sub(/^[^"]*" *\(default: */, "", d); sub(/\)"$/, "", d)
        printf "%s %s\t%s\n", s, k, d
    }
    { tp = /^\.TP/ }
' "$MAN5" | sed 's/\\-/-/g' | sort -u >"$tmp/keys.man"
[ "$(wc -l <"$tmp/keys.doc")" -ge 30 ] || fail "$DOC: only $(wc -l <"$tmp/keys.doc") keys read from its tables: its format changed?"
missing "a key and default of $DOC that $MAN5 does not give (or gives another default)" "$tmp/keys.doc" "$tmp/keys.man"
missing "a key and default of $MAN5 that $DOC does not give (or gives another default)" "$tmp/keys.man" "$tmp/keys.doc"
cut -f1 "$tmp/keys.doc" | sort -u >"$tmp/k.doc"
cut -d' ' -f1 "$tmp/k.doc" | sort -u >"$tmp/sections.doc"

# The keys the loader accepts, from src/conf.c: its table of plain settings, the keys it
# matches by name after it (section and key on one line), the benefits of [registers], and
# the keys its [team.*] and [source.*] errors list.
{
    grep -oE '^ *(STR|DBL|INT)\("[a-z]+", "[a-z_]+"' src/conf.c | sed -E 's/^ *[A-Z]+\("([a-z]+)", "([a-z_]+)"/\1 \2/'
    grep -oE 'strcmp\(section, "[a-z]+"\) == 0 && strcmp\(key, "[a-z_]+"\)' src/conf.c |
        sed -E 's/strcmp\(section, "([a-z]+)"\) == 0 && strcmp\(key, "([a-z_]+)"\)/\1 \2/'
    sed -n '/conf_benefits\[CONF_NBENEFITS\] = {/,/};/p' src/conf.c | grep -oE '"[a-z_]+"' | tr -d '"' | sed 's/^/registers /'
    sed -n 's/.*unknown setting .%s. in \[team\.%s\] (\([a-z, _]*\)).*/\1/p' src/conf.c | tr -s ', ' '\n' | sed '/^$/d; s/^/team.NAME /'
    sed -n 's/.*unknown setting .%s. in \[source\.%s\] (\([a-z, _]*\)).*/\1/p' src/conf.c | tr -s ', ' '\n' | sed '/^$/d; s/^/source.ID /'
} | sort -u >"$tmp/k.src"
[ "$(wc -l <"$tmp/k.src")" -ge 30 ] || fail "src/conf.c: only $(wc -l <"$tmp/k.src") keys read from its tables: its format changed?"
missing "a key src/conf.c accepts that $DOC does not document" "$tmp/k.src" "$tmp/k.doc"
missing "a key of $DOC that src/conf.c does not accept" "$tmp/k.doc" "$tmp/k.src"

# The binary's loader on each documented key alone (value 'x': a value error is not an unknown
# key); --db names no server, so nothing is reached.
nkeys=0
while read -r section key; do
    s=$section
    case $s in team.NAME) s=team.t ;; source.ID) s=source.caf:x ;; esac
    printf '[%s]\n%s = x\n' "$s" "$key" >"$tmp/one.conf"
    timeout 20 "$T" check -c "$tmp/one.conf" --db "host=$tmp/no-server connect_timeout=1" >"$tmp/out" 2>&1 || true
    if grep -qE 'unknown setting|unknown section|is gone' "$tmp/out"; then
        fail "[$section] $key, documented, is refused by $T's loader: $(grep -m1 -E 'unknown|gone' "$tmp/out")"
    fi
    nkeys=$((nkeys + 1))
done <"$tmp/k.doc"
# and the loader does refuse a key nobody documents (else the check above proves nothing)
printf '[run]\nno_such_key = x\n' >"$tmp/one.conf"
timeout 20 "$T" check -c "$tmp/one.conf" --db "host=$tmp/no-server" >"$tmp/out" 2>&1 || true
grep -q 'unknown setting' "$tmp/out" || fail "$T's loader accepts [run] no_such_key: the check of each key proves nothing"

if [ "$fails" -ne 0 ]; then
    echo "test_manpages: $fails failures (man/tznr.1, man/tznr.conf.5, docs/configuration.md, src/conf.c)" >&2
    exit 1
fi
echo "test_manpages: ok: $(wc -l <"$tmp/cmds.help") commands, $noptions options, $ncodes exit codes in tznr(1); $(wc -l <"$tmp/sections.doc") sections, $nkeys keys in tznr.conf(5), docs/configuration.md and src/conf.c; both render without warnings"
