#!/usr/bin/env bash
# Throwaway PostgreSQL server for tests, used as a wrapper:
#   pg-throwaway.sh <command...>
# starts a private server, exports STO_PG_CONN (a libpq conninfo string), runs the command,
# then stops the server and deletes everything; exits with the command's status
# (77 = "skip" if no PostgreSQL server binaries are installed).
# Works as root (server runs as user "postgres" via runuser; initdb/postgres refuse root) or as
# an ordinary user. Independent of Debian's cluster 15/main: own data dir, own socket dir,
# no TCP unless PG_TCP=1 (then a free 127.0.0.1 port is picked).
# PG_TMPDIR=/dev/shm halves start-up time (tmpfs) but needs ~45 MB there; Docker's default
# /dev/shm is only 64 MB and PostgreSQL also puts its dynamic shared memory there.
set -euo pipefail
PG_TMPDIR=${PG_TMPDIR:-/tmp}

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}
[[ -x ${PGBIN:-/nonexistent}/initdb ]] || { echo "no PostgreSQL server binaries (apt-get install postgresql-15)" >&2; exit 77; }

if [[ $(id -u) == 0 ]]; then
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi
# initdb runs "postgres ... >/dev/null"; some broken containers have a root-only /dev/null.
as_pg sh -c ': >/dev/null' 2>/dev/null || { echo "/dev/null is not writable for the server user" >&2; exit 1; }

# Reap servers left by runs that were SIGKILLed (e.g. a ctest timeout): their owner pid is gone.
for old in "$PG_TMPDIR"/sto-pg.*/; do
  [[ -f $old/owner ]] || continue
  kill -0 "$(cat "$old/owner")" 2>/dev/null && continue        # still in use by a live run
  pid=$(head -n1 "$old/data/postmaster.pid" 2>/dev/null || true)
  [[ -n $pid ]] && { kill -QUIT "$pid" 2>/dev/null || true; }  # SIGQUIT = immediate shutdown
  rm -rf "$old"
done

PGTMP=$(mktemp -d "$PG_TMPDIR/sto-pg.XXXXXX")      # short path: unix socket paths are limited to 107 bytes
echo $$ >"$PGTMP/owner"
[[ $(id -u) == 0 ]] && chown postgres:postgres "$PGTMP"
PGDATA=$PGTMP/data

pg_cleanup() {
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$PGTMP"
}
trap pg_cleanup EXIT
trap 'exit 130' INT TERM HUP               # make signals run the EXIT trap too

PGPORT=5432                                # with unix sockets only, this just names .s.PGSQL.5432
PGLISTEN=""
if [[ ${PG_TCP:-0} == 1 ]]; then
  PGLISTEN=127.0.0.1
  for _ in $(seq 20); do                   # a port nobody answers on (tiny race, fine for tests)
    PGPORT=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$PGPORT") 2>/dev/null || break
  done
fi

as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
      --no-sync >"$PGTMP/initdb.log" 2>&1 || { cat "$PGTMP/initdb.log" >&2; exit 1; }
as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGTMP/server.log" -w -t 30 start \
      -o "-k $PGTMP -p $PGPORT -c listen_addresses='$PGLISTEN' -c fsync=off \
          -c synchronous_commit=off -c full_page_writes=off" >/dev/null \
  || { cat "$PGTMP/server.log" >&2; exit 1; }

# pg_ctl -w already waits for readiness; pg_isready is what you would poll without -w.
for _ in $(seq 50); do "$PGBIN/pg_isready" -q -h "$PGTMP" -p "$PGPORT" && break; sleep 0.1; done
"$PGBIN/psql" -h "$PGTMP" -p "$PGPORT" -U postgres -d postgres -qAt -c "CREATE DATABASE sto_test"

if [[ -n $PGLISTEN ]]; then
  export STO_PG_CONN="host=127.0.0.1 port=$PGPORT dbname=sto_test user=postgres"
else
  export STO_PG_CONN="host=$PGTMP port=$PGPORT dbname=sto_test user=postgres"
fi
echo "STO_PG_CONN=$STO_PG_CONN" >&2

[[ $# -gt 0 ]] || { echo "usage: $0 <command...>" >&2; exit 2; }
# Run in the background and `wait`: bash defers traps while a foreground child runs,
# but `wait` returns as soon as a trapped signal arrives.
"$@" & child=$!
trap 'kill -TERM $child 2>/dev/null; exit 130' INT TERM HUP
set +e; wait $child; rc=$?; set -e
exit $rc                                   # the EXIT trap stops the server and deletes everything
