#!/usr/bin/env bash
# t_deb.sh: the Debian package. From a copy of this tree:
#   1. dpkg-buildpackage -us -uc -b builds postgresql-15-ubehav with pg_buildext (debian/rules);
#      its Depends name the OpenBLAS runtime and no -dev package, its version is the control
#      file's;
#   2. apt-get install ./postgresql-15-ubehav_*.deb;
#   3. on a fresh cluster of the system binaries: CREATE EXTENSION ubehav, extversion, one
#      train and predict;
#   4. the pg_regress suite against the installed package, as the autopkgtest
#      (debian/tests/installcheck) runs it;
#   5. the package is removed again, and any ubehav files that `make install` had put in the
#      system tree before (they are not the package's) are put back as they were.
# Runs as root (it installs a package). The build runs with the nocheck profile: step 4 runs
# the same suite against the installed files instead, and the build needs no server then. UBEHAV_DEB_PORT (default 55623).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
top=$(pwd)
port="${UBEHAV_DEB_PORT:-55623}"
version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" ubehav.control)
pkg=postgresql-15-ubehav
bin=/usr/lib/postgresql/15/bin
libdir=$($bin/pg_config --pkglibdir)
sharedir=$($bin/pg_config --sharedir)

[ "$(id -u)" -eq 0 ] || { echo "not ok - t_deb.sh installs a package: run it as root"; exit 1; }
failures=0
check() {  # check DESCRIPTION STATUS DETAIL
    if [ "$2" -eq 0 ]; then echo "ok - $1 ($3)"; else echo "not ok - $1 ($3)"; failures=$((failures + 1)); fi
}
die() { echo "not ok - $*"; exit 1; }

if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    die "$pkg is already installed; this test installs and removes it, remove it first"
fi

tmp=$(mktemp -d /tmp/ubehav-deb.XXXX)
chmod 0755 "$tmp"
installed=0
# ubehav files in the system tree from `make install` (the suites before this one use them)
mkdir -p "$tmp/saved"
( cd / && find "${libdir#/}" "${sharedir#/}/extension" -maxdepth 2 \( -name 'ubehav.so' -o -name 'ubehav--*.sql' \
      -o -name 'ubehav.control' -o -name 'ubehav' -o -name 'ubehav.index.bc' \) 2>/dev/null ) > "$tmp/saved.list"
[ -s "$tmp/saved.list" ] && (cd / && tar -cf "$tmp/saved/files.tar" -T "$tmp/saved.list")
cleanup() {
    [ -f "$tmp/data/postmaster.pid" ] && runuser -u postgres -- $bin/pg_ctl -D "$tmp/data" -m immediate -w stop >/dev/null 2>&1
    if [ $installed = 1 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "$pkg" >"$tmp/remove.log" 2>&1 ||
            { echo "not ok - apt-get purge $pkg"; cat "$tmp/remove.log"; }
    fi
    # the make-install files are back exactly as they were before the package replaced them
    [ -f "$tmp/saved/files.tar" ] && tar -xpf "$tmp/saved/files.tar" -C /
    rm -rf "$tmp"
}
trap cleanup EXIT

# ---- 1. build ----
src="$tmp/ubehav-$version"
mkdir -p "$src"
git ls-files -co --exclude-standard | while IFS= read -r f; do [ -e "$f" ] && printf '%s\n' "$f"; done |
    tar -cf - -T - | tar -xf - -C "$src" || die "copy the tree"
echo "# dpkg-buildpackage in $src (log $tmp/build.log)"
( cd "$src" && nice env DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
      dpkg-buildpackage -us -uc -b -Pnocheck ) >"$tmp/build.log" 2>&1
status=$?
[ $status -eq 0 ] || tail -n 40 "$tmp/build.log"
check "dpkg-buildpackage -us -uc -b" $status "$(ls "$tmp"/*.deb 2>/dev/null | xargs -r -n1 basename | tr '\n' ' ')"
deb=$(ls "$tmp/${pkg}_"*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || die "no ${pkg}_*.deb was built"

depends=$(dpkg-deb -f "$deb" Depends)
debversion=$(dpkg-deb -f "$deb" Version)
echo "# Depends: $depends"
echo "$depends" | grep -Eq '(^|[ ,|])libopenblas0([ ,|]|$)' && ! echo "$depends" | grep -q -- '-dev'
check "Depends names the OpenBLAS runtime and no -dev package" $? "$depends"
[ "${debversion%-*}" = "$version" ]
check "the package version is ubehav.control's" $? "$debversion, control $version"
contents=$(dpkg-deb -c "$deb")
grep -q "${libdir#/}/ubehav.so$" <<<"$contents" && grep -q "extension/ubehav.control$" <<<"$contents" &&
    [ "$(grep -c 'extension/ubehav--.*\.sql$' <<<"$contents")" = "$(ls sql/ubehav--*.sql | wc -l)" ]
check "the package holds ubehav.so, the control file and every script of sql/" $? \
    "$(grep -c 'extension/ubehav' <<<"$contents") extension files"

# ---- 2. install ----
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" >"$tmp/install.log" 2>&1
status=$?
[ $status -eq 0 ] && installed=1
[ $status -eq 0 ] || tail -n 20 "$tmp/install.log"
check "apt-get install ./$(basename "$deb")" $status "$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null)"
[ $installed = 1 ] || exit 1
dpkg -L "$pkg" | grep -q "^$libdir/ubehav.so$"
check "dpkg -L lists $libdir/ubehav.so" $? "$(dpkg -L "$pkg" | wc -l) paths"

# ---- 3. a fresh cluster of the system binaries, with the packaged extension ----
mkdir -p "$tmp/sock" && chown postgres "$tmp" "$tmp/sock"
runuser -u postgres -- $bin/initdb -D "$tmp/data" -A trust -E UTF8 --locale=C --no-sync >/dev/null || die "initdb"
runuser -u postgres -- $bin/pg_ctl -D "$tmp/data" -l "$tmp/server.log" -w \
    -o "-p $port -k $tmp/sock -c listen_addresses='' -c fsync=off" start >/dev/null || die "start the cluster"
q() { $bin/psql -X -q -At -v ON_ERROR_STOP=1 -h "$tmp/sock" -p "$port" -U postgres -d postgres "$@"; }
out=$(q -c "SET client_min_messages = warning" -c "CREATE EXTENSION ubehav" \
        -c "SELECT extversion FROM pg_extension WHERE extname = 'ubehav'" 2>&1)
[ "$out" = "$version" ]
check "CREATE EXTENSION ubehav from the package" $? "extversion $out"
out=$(q 2>&1 <<'SQL'
SET client_min_messages = warning;
SELECT setseed(0.5);
CREATE TABLE visits AS
SELECT x, (ARRAY['mobile', 'desktop'])[1 + (i % 2)] AS device, x + (i % 2) * 0.3 > 0.6 AS bought
FROM (SELECT i, random() AS x FROM generate_series(1, 800) i) g;
SELECT ubehav_train('deb_model', 'SELECT x, device, bought FROM visits', 'bought',
                    '{"seed": 1, "epochs": 20, "hidden": [8]}')->>'version';
SELECT count(*) FILTER (WHERE p BETWEEN 0 AND 1) || ' ' || round(ubehav_auc(p, bought)::numeric, 2)
FROM (SELECT ubehav_predict('deb_model', v) AS p, bought FROM visits v) s;
SQL
)
out=$(sed '/^$/d' <<<"$out")   # setseed's empty row
echo "# train and predict: $(echo "$out" | tr '\n' ' ')"
version_row=$(echo "$out" | sed -n 1p)
scored=$(echo "$out" | sed -n 2p | cut -d' ' -f1)
auc=$(echo "$out" | sed -n 2p | cut -d' ' -f2)
[ "$version_row" = 1 ] && [ "$scored" = 800 ] && awk -v a="$auc" 'BEGIN { exit !(a > 0.8) }'
check "one train and predict with the packaged extension" $? "version $version_row, $scored rows scored, AUC $auc"
# ---- 4. the autopkgtest's suite against the installed package ----
# debian/tests/installcheck runs pg_buildext installcheck, whose pg_virtualenv listens on
# localhost; here the same pg_regress suite runs on this cluster's Unix socket instead.
( cd "$src" && PGHOST="$tmp/sock" PGPORT="$port" PGUSER=postgres PG_REGRESS_DIFF_OPTS=-U3 \
      make installcheck PG_CONFIG=$bin/pg_config ) >"$tmp/regress.log" 2>&1
status=$?
[ $status -eq 0 ] || { tail -n 40 "$tmp/regress.log"; cat "$src/regression.diffs" 2>/dev/null | head -n 80; }
check "the pg_regress suite against the installed package" $status \
    "$(grep -Eo '(All [0-9]+ tests passed|[0-9]+ of [0-9]+ tests failed)' "$tmp/regress.log" | head -n 1)"
runuser -u postgres -- $bin/pg_ctl -D "$tmp/data" -m fast -w stop >/dev/null

# ---- 5. remove (cleanup does it, and puts make-install files back); check it is gone ----
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "$pkg" >"$tmp/remove.log" 2>&1
status=$?
[ $status -eq 0 ] && installed=0
! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'
check "apt-get purge $pkg" $? "status $status"

[ $failures -eq 0 ] || exit 1
echo "ok - $pkg $debversion builds, installs, trains and predicts, passes pg_regress installed, and removes"
