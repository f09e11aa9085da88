#!/usr/bin/env bash
# The Debian package, end to end (as root; CI runs it after make check):
#   1. a copy of the work tree (tracked files and new ones not ignored, as they are now,
#      without build folders) in a temporary folder, built there with
#      'dpkg-buildpackage -b -us -uc' (so nothing lands beside the repository);
#   2. installed with dpkg -i: the tznr system user, /etc/tznr/tznr.conf a conffile readable by
#      root and group tznr only, /var/lib/tznr/{inbox,archive,outbox,rejected} owned by tznr
#      with no access for other users, the systemd units naming /usr/bin/tznr and the timer not
#      enabled, no cron file in /etc/cron.d, the man pages, the version of src/version.h;
#   3. against a throw-away PostgreSQL (scripts/pg-tmp): 'tznr check' on the packaged
#      configuration, untouched, as the user tznr, exits 1 and names what is missing (the key
#      id, the schema); the demo (scripts/demo) with /usr/bin/tznr, /usr/bin/tznr-synth and
#      /usr/share/tznr's mappings and parameters; 'tznr check' on the demo's configuration
#      exits 0;
#   4. dpkg -r (binaries gone, configuration and data kept), then dpkg --purge (both gone).
# Whatever happens, the package is purged, the server stopped and the folder removed; a user
# tznr the test's install made is deleted. Exit 77 (skipped) when not root; 2 when a tznr
# package is installed already, or /etc/tznr, /var/lib/tznr or /var/log/tznr exist (the test
# will not purge an installation or data it did not make). While it runs, /etc/tznr/tznr.conf
# exists: a tznr run on the same machine without -c reads it, and tznr reidentify refuses to
# run (it is the platform's), so do not run it beside another tznr test suite.
#   tests/integration/test_package.sh        DEMO_HOUSEHOLDS (default 1500) sizes the demo
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
if [ "$(id -u)" -ne 0 ]; then
    echo "test_package: SKIP: needs root (dpkg -i, a system user)"
    exit 77
fi
if dpkg-query -W -f='${Status}' tznr 2>/dev/null | grep -q 'ok installed'; then
    echo "test_package: a tznr package is installed on this machine; this test installs and purges its own: dpkg --purge tznr first" >&2
    exit 2
fi
for d in /etc/tznr /var/lib/tznr /var/log/tznr; do
    if [ -e "$d" ]; then
        echo "test_package: $d exists: the test's purge would remove it; move it away first" >&2
        exit 2
    fi
done
for tool in dpkg-buildpackage dh man runuser; do
    command -v "$tool" >/dev/null || { echo "test_package: no $tool (scripts/bootstrap installs it)" >&2; exit 2; }
done

t0=$(date +%s)
tmp=$(mktemp -d /tmp/tznr-package.XXXXXX)
src="$tmp/src/tznr"
pgdir="$tmp/pg"
conf=/etc/tznr/tznr.conf
aside="$tmp/tznr.conf.aside"
user_existed=0
getent passwd tznr >/dev/null && user_existed=1
installed=0
fails=0
cleanup() {
    local rc=$?
    [ -f "$aside" ] && [ -d /etc/tznr ] && cp -p "$aside" "$conf"
    if [ "$installed" -eq 1 ] && dpkg-query -W tznr >/dev/null 2>&1; then
        dpkg --purge tznr >/dev/null 2>&1 || echo "test_package: could not purge tznr" >&2
    fi
    if [ "$user_existed" -eq 0 ] && getent passwd tznr >/dev/null; then
        userdel tznr 2>/dev/null || true
        if getent group tznr >/dev/null; then
            groupdel tznr 2>/dev/null || true
        fi
    fi
    [ -d "$pgdir" ] && scripts/pg-tmp stop "$pgdir"
    if [ -n "${TZNR_KEEP_TMP:-}" ]; then
        echo "test_package: kept $tmp"
    else
        rm -rf "$tmp"
    fi
    exit "$rc"
}
trap cleanup EXIT
fail() {
    echo "test_package: FAIL: $*" >&2
    fails=$((fails + 1))
}
# ok WHAT COMMAND...: the command must succeed
ok() {
    local what=$1
    shift
    "$@" || fail "$what"
}
mode_owner() { stat -c '%a %U:%G' "$1" 2>/dev/null || echo "missing"; }
say() { echo "test_package: $*"; }

# ---- 1. build --------------------------------------------------------------------------------
# (what is beside the repository already: the build must add nothing there)
beside() { compgen -G "$repo/../tznr[_-]*" || true; }
before=$(beside)
mkdir -p "$src"
git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' p; do [ -e "$p" ] && printf '%s\0' "$p"; done |
    xargs -0 -r cp -p --parents -t "$src"
b0=$(date +%s)
if ! (cd "$src" && dpkg-buildpackage -b -us -uc) >"$tmp/build.log" 2>&1; then
    tail -30 "$tmp/build.log" >&2
    echo "test_package: FAIL: dpkg-buildpackage failed (log above)" >&2
    exit 1
fi
build_s=$(($(date +%s) - b0))
debs=("$tmp"/src/tznr_*.deb)
if [ "${#debs[@]}" -ne 1 ] || [ ! -f "${debs[0]}" ]; then
    echo "test_package: FAIL: not one .deb: ${debs[*]}" >&2
    exit 1
fi
deb=${debs[0]}
say "built ${deb##*/} in ${build_s} s"
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$tmp/contents"
for f in /usr/bin/tznr /usr/bin/tznr-synth /usr/share/man/man1/tznr.1.gz /usr/share/man/man5/tznr.conf.5.gz \
    /etc/tznr/tznr.conf /usr/share/tznr/tznr.conf.example /usr/share/tznr/parameters.csv \
    /usr/share/tznr/mapping-caf.ini /usr/share/tznr/tznr.cron /lib/systemd/system/tznr-run.service \
    /lib/systemd/system/tznr-run.timer /lib/systemd/system/tznr-failure@.service; do
    grep -qxF "$f" "$tmp/contents" || fail "the package does not hold $f"
done
if grep -E '^/etc/(cron\.d|systemd)/' "$tmp/contents"; then
    fail "the package ships a file that would schedule nights by itself (above)"
fi
# nothing beside the repository
after=$(beside)
if [ "$after" != "$before" ]; then
    fail "the build left files beside the repository: $(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')"
fi

# ---- 2. install --------------------------------------------------------------------------------
installed=1
if ! dpkg -i "$deb" >"$tmp/install.log" 2>&1; then
    cat "$tmp/install.log" >&2
    echo "test_package: FAIL: dpkg -i failed" >&2
    exit 1
fi
[ "$(command -v tznr)" = /usr/bin/tznr ] || fail "tznr is not /usr/bin/tznr but '$(command -v tznr)'"
version=$(dpkg-query -W -f='${Version}' tznr)
[ "$(/usr/bin/tznr --version)" = "tznr $version" ] ||
    fail "tznr --version says '$(/usr/bin/tznr --version)', the package is $version"
grep -q "TZNR_VERSION \"$version\"" src/version.h || fail "the package's version $version is not src/version.h's"
# the user
if ! getent passwd tznr >/dev/null; then
    fail "no user tznr"
else
    IFS=: read -r _ _ uid _ _ home shell < <(getent passwd tznr)
    [ "$uid" -lt 1000 ] || fail "tznr is not a system user (uid $uid)"
    [ "$home" = /var/lib/tznr ] || fail "tznr's home is $home"
    [ "$shell" = /usr/sbin/nologin ] || fail "tznr's shell is $shell, not /usr/sbin/nologin"
    getent group tznr >/dev/null || fail "no group tznr"
fi
# the conffile
[ -f "$conf" ] || fail "no $conf"
dpkg-query -W -f='${Conffiles}\n' tznr | awk '{print $1}' | grep -qxF "$conf" || fail "$conf is not a conffile of the package"
[ "$(mode_owner "$conf")" = "640 root:tznr" ] || fail "$conf is $(mode_owner "$conf"), not 640 root:tznr"
grep -q '^parameters = /usr/share/tznr/parameters.csv$' "$conf" || fail "$conf does not name /usr/share/tznr/parameters.csv"
# the folders: the service's, nothing for other users
[ "$(mode_owner /var/lib/tznr)" = "750 tznr:tznr" ] || fail "/var/lib/tznr is $(mode_owner /var/lib/tznr)"
for d in inbox outbox; do
    [ "$(mode_owner /var/lib/tznr/$d)" = "750 tznr:tznr" ] || fail "/var/lib/tznr/$d is $(mode_owner /var/lib/tznr/$d), not 750 tznr:tznr"
done
for d in archive rejected; do
    [ "$(mode_owner /var/lib/tznr/$d)" = "700 tznr:tznr" ] || fail "/var/lib/tznr/$d is $(mode_owner /var/lib/tznr/$d), not 700 tznr:tznr"
done
[ "$(mode_owner /var/log/tznr)" = "2750 tznr:adm" ] || fail "/var/log/tznr is $(mode_owner /var/log/tznr)"
if runuser -u nobody -- ls /var/lib/tznr/outbox >/dev/null 2>&1; then
    fail "another user (nobody) can list /var/lib/tznr/outbox"
fi
runuser -u tznr -- test -w /var/lib/tznr/inbox || fail "the user tznr cannot write its inbox"
# systemd: installed, naming the installed binary, the timer not enabled
grep -qx 'ExecStart=/usr/bin/tznr run' /lib/systemd/system/tznr-run.service ||
    fail "tznr-run.service does not run /usr/bin/tznr: $(grep ExecStart /lib/systemd/system/tznr-run.service)"
[ -f /lib/systemd/system/tznr-run.timer ] || fail "no /lib/systemd/system/tznr-run.timer"
if compgen -G '/etc/systemd/system/*.wants/tznr*' >/dev/null; then
    fail "a tznr unit is enabled: $(echo /etc/systemd/system/*.wants/tznr*)"
fi
[ ! -e /etc/cron.d/tznr ] || fail "/etc/cron.d/tznr exists: cron would run nights besides the timer"
grep -qF "out=\$(/usr/bin/tznr run" /usr/share/tznr/tznr.cron || fail "/usr/share/tznr/tznr.cron does not run /usr/bin/tznr"
# the man pages, as an operator reads them
man -w tznr | grep -qx /usr/share/man/man1/tznr.1.gz || fail "man -w tznr: $(man -w tznr 2>&1)"
LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings 5 tznr.conf 2>"$tmp/man.err" | grep -q 'keep_link_runs' ||
    fail "man 5 tznr.conf does not show keep_link_runs"
[ ! -s "$tmp/man.err" ] || fail "man 5 tznr.conf warns: $(head -3 "$tmp/man.err")"
LC_ALL=C.UTF-8 MANWIDTH=80 man 1 tznr 2>/dev/null | grep -q 'tznr reidentify' || fail "man 1 tznr does not show tznr reidentify"
say "installed: user, $conf, /var/lib/tznr, units, man pages checked"

# ---- 3. tznr check and the demo, against a throw-away server ----------------------------------
eval "$(PG_FSYNC=off scripts/pg-tmp start "$pgdir")"
admin="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE"
# The packaged configuration, untouched, as the service: it must say what is missing.
rc=0
runuser -u tznr -- /usr/bin/tznr check -c "$conf" --db "$admin" >"$tmp/check.out" 2>"$tmp/check.err" || rc=$?
sed 's/^/    /' "$tmp/check.err"
[ "$rc" -eq 1 ] || fail "tznr check on the untouched $conf exits $rc, not 1"
grep -q 'key_id' "$tmp/check.err" || fail "tznr check on the untouched $conf does not say [keys] key_id is missing"
grep -q 'tznr db migrate' "$tmp/check.err" || fail "tznr check on an empty database does not say to run tznr db migrate"
grep -q 'a night would not start' "$tmp/check.err" || fail "tznr check does not conclude that a night would not start"
grep -qE 'inbox|archive|outbox|rejected|parameters' "$tmp/check.err" &&
    fail "tznr check, as tznr, finds a problem with the packaged folders or parameters"
# A data folder the service cannot enter (an operator's chown): each folder named, with why.
chown root:root /var/lib/tznr
rc=0
runuser -u tznr -- /usr/bin/tznr check -c "$conf" --db "$admin" >/dev/null 2>"$tmp/check1.err" || rc=$?
chown tznr:tznr /var/lib/tznr
n=$(grep -c "cannot be reached: Permission denied: give the user tznr access to it" "$tmp/check1.err" || true)
if [ "$rc" -ne 1 ] || [ "$n" -ne 4 ]; then
    fail "tznr check, /var/lib/tznr not the service's, exits $rc and names $n folders out of 4 with 'Permission denied': $(grep inbox "$tmp/check1.err")"
fi
# Without --db, [database] conninfo = service=tznr, which this machine does not define.
rc=0
runuser -u tznr -- /usr/bin/tznr check -c "$conf" >/dev/null 2>"$tmp/check2.err" || rc=$?
if [ "$rc" -ne 1 ] || ! grep -q 'service "tznr"' "$tmp/check2.err"; then
    fail "tznr check without a database service exits $rc and does not name the service: $(head -2 "$tmp/check2.err")"
fi

# The demo with the installed binaries, mappings and parameters, in the copy. It plays the
# agencies too, whose 'tznr reidentify' refuses to run where /etc/tznr/tznr.conf exists (the
# platform): the file is set aside meanwhile, and put back (also by the trap).
cp -p "$conf" "$aside"
rm "$conf"
d0=$(date +%s)
rc=0
(cd "$src" && TZNR=/usr/bin/tznr TZNR_SYNTH=/usr/bin/tznr-synth TZNR_DEMO_CONFIG=/usr/share/tznr \
    TZNR_DEMO_DB="$admin" DEMO_HOUSEHOLDS="${DEMO_HOUSEHOLDS:-1500}" scripts/demo) >"$tmp/demo.log" 2>&1 || rc=$?
cp -p "$aside" "$conf"
rm -f "$aside"
demo_s=$(($(date +%s) - d0))
if [ "$rc" -ne 0 ]; then
    tail -30 "$tmp/demo.log" >&2
    fail "the demo against /usr/bin/tznr exits $rc (log above)"
fi
lists=$(compgen -G "$src/var/demo/platform/outbox/*/2026-11-26/liste.csv" | wc -l)
households=$(cat "$src"/var/demo/platform/outbox/*/2026-11-26/liste.csv 2>/dev/null | grep -c ';' || true)
[ "$lists" -ge 3 ] || fail "the demo wrote $lists lists on its last night"
[ "$households" -gt "$lists" ] || fail "the demo's last lists hold no household"
grep -q 'terminé' "$src/var/demo/platform/run-2026-11-26.txt" 2>/dev/null || fail "the demo's last night did not end"
say "the demo against /usr/bin/tznr: $lists lists on its last night, in ${demo_s} s"
rc=0
/usr/bin/tznr check -c "$src/var/demo/platform/tznr.conf" >"$tmp/check3.out" 2>"$tmp/check3.err" || rc=$?
[ "$rc" -eq 0 ] || fail "tznr check on the demo's configuration exits $rc: $(head -3 "$tmp/check3.err")"
grep -qx 'tznr check: ok, a night would start' "$tmp/check3.out" || fail "tznr check on the demo's configuration does not say ok"

# ---- 4. remove, purge ------------------------------------------------------------------------
dpkg -r tznr >"$tmp/remove.log" 2>&1 || { cat "$tmp/remove.log" >&2; fail "dpkg -r tznr failed"; }
[ ! -e /usr/bin/tznr ] || fail "dpkg -r left /usr/bin/tznr"
[ ! -e /usr/bin/tznr-synth ] || fail "dpkg -r left /usr/bin/tznr-synth"
[ ! -e /lib/systemd/system/tznr-run.timer ] || fail "dpkg -r left the timer"
[ -f "$conf" ] || fail "dpkg -r removed the configuration (a conffile stays until purge)"
[ -d /var/lib/tznr/archive ] || fail "dpkg -r removed /var/lib/tznr (kept until purge)"
dpkg --purge tznr >"$tmp/purge.log" 2>&1 || { cat "$tmp/purge.log" >&2; fail "dpkg --purge tznr failed"; }
[ ! -e /etc/tznr ] || fail "dpkg --purge left /etc/tznr: $(ls -A /etc/tznr)"
[ ! -e /var/lib/tznr ] || fail "dpkg --purge left /var/lib/tznr"
[ ! -e /var/log/tznr ] || fail "dpkg --purge left /var/log/tznr"
if dpkg-query -W -f='${Status}' tznr 2>/dev/null | grep -qv 'not-installed'; then
    fail "after the purge, dpkg still knows tznr: $(dpkg-query -W -f='${Status}' tznr)"
fi
getent passwd tznr >/dev/null || fail "the purge removed the user tznr (it is kept: files it owns may remain)"

if [ "$fails" -ne 0 ]; then
    echo "test_package: $fails failures" >&2
    exit 1
fi
say "ok: built in ${build_s} s, installed, checked, demo in ${demo_s} s, removed and purged; $(($(date +%s) - t0)) s in all"
