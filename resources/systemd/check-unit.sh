#!/usr/bin/env bash
# Checks resources/systemd/intake-server.service: `systemd-analyze verify` (syntax, directives,
# the binary it starts) and `systemd-analyze security --offline` (sandboxing must keep the
# exposure level at or below 2.0, "OK"). Usage: check-unit.sh UNIT.in BINDIR
set -euo pipefail
unit_in=$1
bindir=$2

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "check-unit.sh: systemd-analyze not found; install the Debian package 'systemd' (scripts/install-deps)" >&2
  exit 1
fi

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed "s|@BINDIR@|$bindir|g" "$unit_in" >"$dir/intake-server.service"

systemd-analyze verify "$dir/intake-server.service"
systemd-analyze security --offline=true --threshold=20 --no-pager "$dir/intake-server.service" \
  | tail -n 1
# The unit serves the signed questionnaire (issue 16, point 6).
grep -q -- '--questionnaire /etc/intake-server/questionnaire.signed.json' "$dir/intake-server.service" || {
  echo "check-unit.sh: the unit does not serve the signed questionnaire" >&2; exit 1; }

# The PostgreSQL drop-in: verified applied to the unit, and no password in it.
dropin=$(dirname "$unit_in")/intake-server-postgresql.conf
mkdir "$dir/intake-server.service.d"
sed "s|@BINDIR@|$bindir|g" "$dropin" >"$dir/intake-server.service.d/postgresql.conf"
SYSTEMD_UNIT_PATH="$dir:" systemd-analyze verify "$dir/intake-server.service"
if grep -Eiq 'password=|://[^ ]*:[^ ]*@' "$dropin"; then
  echo "check-unit.sh: the PostgreSQL drop-in carries a password" >&2; exit 1
fi
SYSTEMD_UNIT_PATH="$dir:" systemd-analyze cat-config --no-pager "$dir/intake-server.service" >/dev/null 2>&1 || true
echo "ok: intake-server.service verifies (also with the PostgreSQL drop-in), serves the signed questionnaire, and its exposure level is at most 2.0"
