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
# Every earlier version still loads (submissions made with it are read with
# it), keeps its id, and the current version is newer than each.
current=$(echo "$out" | sed -n 's/^version: *//p' | head -n1)
for old in "$root"/resources/questionnaires/history/intake-v*.json; do
  old_out=$("$admin" questionnaire check "$old")
  old_version=$(echo "$old_out" | sed -n 's/^version: *//p' | head -n1)
  if [ "$(basename "$old")" != "intake-v$old_version.json" ] || [ "$old_version" -ge "$current" ]; then
    echo "$old: version $old_version is not an earlier version named intake-v$old_version.json" >&2
    exit 1
  fi
  echo "# history: $(basename "$old") loads (version $old_version)"
done
echo "intake questionnaire: ok"
