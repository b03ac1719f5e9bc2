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
echo "ok: intake-server.service verifies and its exposure level is at most 2.0"
