#!/usr/bin/env bash
# A private, throwaway PostgreSQL cluster for the server tests and the benchmark.
#
#   pg-cluster.sh start DIR          creates and starts a cluster in DIR (which must not exist),
#                                    prints its libpq connection string on stdout
#   pg-cluster.sh stop DIR           stops it at once (-m immediate) and removes DIR
#   pg-cluster.sh run PROGRAM ARGS   starts a cluster in a new temporary directory, runs PROGRAM
#                                    with INTAKE_TEST_POSTGRES=<conninfo>, stops the cluster and
#                                    exits with PROGRAM's status (the TAP output passes through)
#
# initdb refuses to run as root, so as root the cluster belongs to the postgres user (runuser).
# The cluster listens on a random free port on 127.0.0.1 and on a Unix socket in DIR; the
# connection string uses the socket. It never touches the machine's own clusters.
set -euo pipefail

die() { echo "pg-cluster.sh: $*" >&2; exit 1; }

# Functions say "return 0", never a bare "return": run from the EXIT trap (stop), a bare return
# gives the status the script is exiting with, and set -e then ends stop() before the cluster
# is stopped whenever the test program failed.
find_bindir() {
  if [ -n "${PG_BINDIR:-}" ]; then echo "$PG_BINDIR"; return 0; fi
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir; return 0
  fi
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$newest" ] && [ -x "$newest/initdb" ] || \
    die "no PostgreSQL server binaries (initdb); install the 'postgresql' package (scripts/install-deps)"
  echo "$newest"
}

free_port() {
  # A port nothing listens on right now; a race with another process is caught by pg_ctl
  # failing, and start() then tries another.
  local port
  for _ in $(seq 1 50); do
    port=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"; return 0
    fi
  done
  die "no free TCP port found on 127.0.0.1"
}

start() {
  local dir=$1 bin as=() port
  bin=$(find_bindir)
  [ ! -e "$dir" ] || die "$dir exists already"
  mkdir -m 0700 "$dir"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' user (package postgresql)"
    chown postgres: "$dir"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bin/initdb" -D "$dir/data" -A trust -U intake --no-sync -E UTF8 --locale=C.UTF-8 \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    if "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
         -o "-k $dir -c listen_addresses=127.0.0.1 -p $port" start >/dev/null 2>&1; then
      echo "$port" >"$dir/port"
      echo "host=$dir port=$port user=intake dbname=postgres"
      return 0
    fi
  done
  cat "$dir/log" >&2 || true
  die "the cluster in $dir did not start"
}

stop() {
  local dir=$1 bin as=()
  bin=$(find_bindir)
  [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
  if [ -f "$dir/data/postmaster.pid" ]; then
    "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start)
    [ $# = 2 ] || die "usage: pg-cluster.sh start DIR"
    start "$2"
    ;;
  stop)
    [ $# = 2 ] || die "usage: pg-cluster.sh stop DIR"
    stop "$2"
    ;;
  run)
    [ $# -ge 2 ] || die "usage: pg-cluster.sh run PROGRAM [ARGS...]"
    shift
    # A short path: the Unix socket's full name must stay under 108 bytes.
    dir=$(mktemp -u /tmp/intake-pg.XXXXXXXX)
    trap 'stop "$dir"' EXIT
    conninfo=$(start "$dir")
    status=0
    INTAKE_TEST_POSTGRES="$conninfo" "$@" || status=$?
    exit "$status"
    ;;
  *)
    die "usage: pg-cluster.sh start DIR | stop DIR | run PROGRAM [ARGS...]"
    ;;
esac
