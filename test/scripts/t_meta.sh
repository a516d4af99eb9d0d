#!/usr/bin/env bash
# t_meta.sh: one version everywhere, and META.json valid against the PGXN Meta Spec 1.0.0.
#   - ubehav.control's default_version is the one source: the Makefile's EXTVERSION
#     (make print-version), META.json's version and provides.ubehav.version, and the upstream
#     part of debian/changelog's top version all equal it;
#   - sql/ has a way to that version: ubehav--VERSION.sql or an upgrade script ending at it;
#   - META.json has the spec's required keys with values of the right form (semantic versions,
#     a license the spec lists, maintainers, provides with existing files, prereqs by phase and
#     relation), checked here by the rules of https://pgxn.org/spec/ (no validator package is in
#     Debian).
# Needs no cluster. Debian's python3 (/usr/bin), not whichever one PATH finds first.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
control=$(sed -n "s/^default_version = '\(.*\)'/\1/p" ubehav.control)
make_version=$(make -s print-version PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config 2>&1)
changelog=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
export control make_version changelog
/usr/bin/python3 - <<'EOF'
import glob, json, os, re, sys

failures = 0
def check(ok, what, detail=""):
    global failures
    print(("ok - " if ok else "not ok - ") + what + (f" ({detail})" if detail else ""))
    failures += 0 if ok else 1

control = os.environ["control"]
try:
    with open("META.json") as f:
        meta = json.load(f)
except ValueError as e:
    print(f"not ok - META.json is not JSON ({e})")
    sys.exit(1)

# semantic version 1.0.0 as the spec requires: MAJOR.MINOR.PATCH with an optional alphanumeric tail
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)([a-zA-Z][0-9a-zA-Z-]*)?$")
RANGE_PART = re.compile(r"^(==|!=|>=|<=|>|<)?\s*(\S+)$")
LICENSES = {"agpl_3", "apache_1_1", "apache_2_0", "artistic_1", "artistic_2", "bsd", "freebsd",
            "gfdl_1_2", "gfdl_1_3", "gpl_1", "gpl_2", "gpl_3", "lgpl_2_1", "lgpl_3_0", "mit",
            "mozilla_1_0", "mozilla_1_1", "openssl", "perl_5", "postgresql", "qpl_1_0", "ssleay",
            "sun", "zlib", "open_source", "restricted", "unrestricted", "unknown"}

def version_range_ok(v):
    if v == 0 or v == "0":
        return True
    if not isinstance(v, str):
        return False
    return all((m := RANGE_PART.match(p.strip())) and SEMVER.match(m.group(2)) for p in v.split(","))

for key in ("name", "abstract", "maintainer", "license", "provides", "meta-spec", "version"):
    check(key in meta, f"META.json has the required key {key}")
check(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", meta.get("name", "")) is not None, "name is a valid distribution name", meta.get("name"))
check(isinstance(meta.get("abstract"), str) and 0 < len(meta["abstract"]), "abstract is a non-empty string")
check(SEMVER.match(str(meta.get("version", ""))) is not None, "version is a semantic version", meta.get("version"))
m = meta.get("maintainer")
check(isinstance(m, str) or (isinstance(m, list) and m and all(isinstance(x, str) for x in m)), "maintainer is a string or a list of strings")
lic = meta.get("license")
lic_names = [lic] if isinstance(lic, str) else (list(lic) if isinstance(lic, (list, dict)) else [])
check(bool(lic_names) and (isinstance(lic, dict) or all(l in LICENSES for l in lic_names)), "license is one the spec lists", lic)
ms = meta.get("meta-spec", {})
check(ms.get("version") == "1.0.0", "meta-spec version 1.0.0", ms.get("version"))
prov = meta.get("provides", {})
check(isinstance(prov, dict) and "ubehav" in prov, "provides the extension ubehav")
for ext, p in prov.items():
    check(isinstance(p.get("file"), str) and os.path.isfile(p["file"]), f"provides.{ext}.file exists", p.get("file"))
    check(SEMVER.match(str(p.get("version", ""))) is not None, f"provides.{ext}.version is a semantic version", p.get("version"))
    if "docfile" in p:
        check(os.path.isfile(p["docfile"]), f"provides.{ext}.docfile exists", p["docfile"])
ok = True
for phase, rels in meta.get("prereqs", {}).items():
    ok &= phase in {"configure", "build", "test", "runtime", "develop"}
    for rel, reqs in rels.items():
        ok &= rel in {"requires", "recommends", "suggests", "conflicts"}
        for name, v in reqs.items():
            ok &= version_range_ok(v)
check(ok, "prereqs are phase -> relation -> name -> version range")
req = meta.get("prereqs", {}).get("runtime", {}).get("requires", {})
check("PostgreSQL" in req and "OpenBLAS" in req, "runtime requires PostgreSQL and OpenBLAS", req)
check(str(req.get("PostgreSQL", "")).startswith(">= 15."), "PostgreSQL 15", req.get("PostgreSQL"))
if "release_status" in meta:
    check(meta["release_status"] in {"stable", "testing", "unstable"}, "release_status is one the spec lists", meta["release_status"])

# one version, from ubehav.control
check(meta.get("version") == control, "META.json version is ubehav.control's", f"{meta.get('version')} vs {control}")
check(prov.get("ubehav", {}).get("version") == control, "provides.ubehav.version is ubehav.control's",
      f"{prov.get('ubehav', {}).get('version')} vs {control}")
check(os.environ["make_version"] == control, "the Makefile's EXTVERSION is ubehav.control's", f"{os.environ['make_version']} vs {control}")
deb = os.environ["changelog"]
check(deb.rsplit("-", 1)[0] == control, "debian/changelog's upstream version is ubehav.control's", f"{deb} vs {control}")
check(os.path.isfile(f"sql/ubehav--{control}.sql") or bool(glob.glob(f"sql/ubehav--*--{control}.sql")),
      "sql/ has an install or upgrade script for that version", control)
sys.exit(1 if failures else 0)
EOF
