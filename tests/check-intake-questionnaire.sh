#!/usr/bin/env bash
# The shipped intake questionnaire: loads with the strict loader, covers all
# eight languages completely, and is exactly what merge.py makes of the
# source and the translations (nobody edited the generated file by hand).
set -euo pipefail
root=${INTAKE_SOURCE_ROOT:?}
admin=${INTAKE_ADMIN:?}
file="$root/resources/questionnaires/intake.json"

out=$("$admin" questionnaire check "$file")
echo "$out" | sed 's/^/# /'
for lang in nl en ar tr fa ti uk pl; do
  if ! echo "$out" | grep -Eq "^  $lang +100\.0% "; then
    echo "not 100% coverage for $lang" >&2
    exit 1
  fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 "$root/tools/questionnaire/merge.py" --output "$tmp/intake.json" >/dev/null
if ! cmp -s "$tmp/intake.json" "$file"; then
  echo "resources/questionnaires/intake.json is not what tools/questionnaire/merge.py produces; run it and commit" >&2
  exit 1
fi
echo "intake questionnaire: ok"
