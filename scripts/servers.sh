#!/usr/bin/env bash
# A throw-away PostgreSQL 15 on loopback for tests and the local cluster, installed from Debian's
# package when missing. Everything lives under one directory (default
# /tmp/priceactors-servers). PostgreSQL runs with test settings (fsync, synchronous_commit and
# full_page_writes off) unless PRICEACTORS_DURABLE=1 asks for production durability (all three on), as the
# benchmark's figures need; `start` restarts a running PostgreSQL whose durability is not the one asked for.
#
#   scripts/servers.sh start             install if needed, start (idempotent), print the settings
#   scripts/servers.sh stop              stop
#   scripts/servers.sh env               print the settings as shell exports
#   scripts/servers.sh restart-postgres | stop-postgres | start-postgres
#
# Settings (environment): PRICEACTORS_SERVERS_DIR, PRICEACTORS_PG_PORT (55432), PRICEACTORS_DURABLE (0).
set -euo pipefail

dir=${PRICEACTORS_SERVERS_DIR:-/tmp/priceactors-servers}
pg_port=${PRICEACTORS_PG_PORT:-55432}
pg_bin=/usr/lib/postgresql/15/bin
pg_dir=$dir/postgres

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
say() { echo "servers.sh: $*" >&2; }

install_missing() {
  local packages=()
  [ -x "$pg_bin/pg_ctl" ] || packages+=(postgresql-15)
  if [ ${#packages[@]} -gt 0 ]; then
    say "installing ${packages[*]}"
    as_root apt-get update -qq
    # The packages' own services are not wanted: this script runs private instances.
    as_root env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
    as_root service postgresql stop >/dev/null 2>&1 || true
  fi
}

pg() { as_root runuser -u postgres -- "$@"; }

if [ "${PRICEACTORS_DURABLE:-0}" = 1 ]; then pg_fsync=on; else pg_fsync=off; fi

# fsync of the running server ("on"/"off"), empty when none answers.
pg_running_fsync() { pg psql -At -h "$pg_dir" -p "$pg_port" -U postgres -d postgres -c 'SHOW fsync' 2>/dev/null || true; }

start_postgres() {
  if [ ! -f "$pg_dir/PG_VERSION" ]; then
    as_root mkdir -p "$pg_dir" && as_root chown postgres:postgres "$pg_dir"
    pg "$pg_bin/initdb" -D "$pg_dir" -U postgres -A trust --locale=C.UTF-8 -N --no-instructions >/dev/null
  fi
  if pg "$pg_bin/pg_ctl" -D "$pg_dir" status >/dev/null 2>&1 && [ "$(pg_running_fsync)" != "$pg_fsync" ]; then
    say "restarting postgres with fsync=$pg_fsync (PRICEACTORS_DURABLE=${PRICEACTORS_DURABLE:-0})"
    stop_postgres
  fi
  if ! pg "$pg_bin/pg_ctl" -D "$pg_dir" status >/dev/null 2>&1; then
    # min/max_wal_size: WAL segments are recycled instead of created and zero-filled during a burst of ticks
    # (3.5 % of the machine at full ingest) and checkpoints come less often (bench/README.md). max_connections:
    # the cluster tests run silo processes, each pooling connections for the Orleans providers and the store.
    pg "$pg_bin/pg_ctl" -D "$pg_dir" -w -t 60 -l "$pg_dir/server.log" start \
      -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=$pg_fsync -c synchronous_commit=$pg_fsync -c full_page_writes=$pg_fsync -c max_connections=1000 -c min_wal_size=2GB -c max_wal_size=4GB" >/dev/null
  fi
  say "postgres on 127.0.0.1:$pg_port (fsync $pg_fsync)"
}

stop_postgres() {
  if [ -f "$pg_dir/PG_VERSION" ] && pg "$pg_bin/pg_ctl" -D "$pg_dir" status >/dev/null 2>&1; then
    pg "$pg_bin/pg_ctl" -D "$pg_dir" -w -m fast stop >/dev/null
  fi
}

print_env() {
  echo "export PRICEACTORS_POSTGRES='Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres'"
}

as_root mkdir -p "$dir"
case "${1:-start}" in
  start) install_missing; start_postgres; print_env ;;
  stop) stop_postgres ;;
  env) print_env ;;
  start-postgres) install_missing; start_postgres ;;
  stop-postgres) stop_postgres ;;
  restart-postgres) stop_postgres; start_postgres ;;
  *) echo "usage: $0 start|stop|env|start-postgres|stop-postgres|restart-postgres" >&2; exit 2 ;;
esac
