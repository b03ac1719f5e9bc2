#!/usr/bin/env bash
# run-fuzzer.sh FUZZER CORPUS SECONDS: one short libFuzzer run, the 'fuzz'
# test suite of a -Dfuzzing=true build (docs/fuzzing.md).
#
# Runs every input of CORPUS (the committed seeds and regressions), then
# fuzzes for SECONDS. New inputs go to a scratch directory beside the
# build, never into the source tree. Prints the run's numbers; on a crash,
# hang, leak or sanitizer report, the end of the log and where the input
# that did it was saved, and fails.
set -uo pipefail
fuzzer=$1
corpus=$2
seconds=$3
name=$(basename "$fuzzer")
work="$(dirname "$fuzzer")/$name.run"
rm -rf "$work"
mkdir -p "$work/new" "$work/artifacts"
log="$work/log"

# Leaks inside libsoup are suppressed by name (lsan.supp), which needs
# whole stacks: GLib and libsoup are built without frame pointers, and
# unwinding without them costs fuzz-server a third of its speed.
export LSAN_OPTIONS="suppressions=$(cd "$(dirname "$0")" && pwd)/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
if [ "$name" = fuzz-server ]; then
  export ASAN_OPTIONS="fast_unwind_on_malloc=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
fi
# The targets' scratch files (fuzz-server's SQLite store) on tmpfs when
# there is one: a store on disk syncs every request.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
  export TMPDIR=/dev/shm
fi
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

# -timeout: an input that takes longer is a hang. -rss_limit_mb: the
# default of 2 GiB is tight with AddressSanitizer's shadow memory.
"$fuzzer" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$work/new" "$corpus" >"$log" 2>&1
status=$?

runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
new=$(find "$work/new" -type f | wc -l)
echo "$name: ${runs:-0} runs in ${seconds}s, ${speed:-0} exec/s, ${cov:-cov: ?}, $new new inputs"
if [ $status -ne 0 ]; then
  echo "$name: FAILED (exit $status); the end of $log:" >&2
  grep -v '^ts=.* msg=request' "$log" | tail -n 60 >&2
  echo "$name: the input is in $work/artifacts/; add it to $corpus as crash-<what> once fixed" >&2
  exit 1
fi
