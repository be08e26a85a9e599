# A throwaway PostgreSQL cluster for the `fanatical-postgres` tests.
# Sourced by .ci/run (bash); also usable by hand:
#
#   source .ci/postgres.sh && pg_start && trap pg_stop EXIT
#
# pg_start finds initdb and pg_ctl (on PATH, then in
# /usr/lib/postgresql/*/bin), installs the distribution's server with apt
# when they are missing, runs a cluster in a fresh `mktemp -d` directory
# (data and socket both there) listening on localhost only, on a free port,
# creates the database `fanatical` and exports FANATICAL_PG_URL and
# FANATICAL_REQUIRE_PG=1 (so the tests fail rather than skip when the
# server is gone). initdb refuses to run as root: as root the cluster runs
# as the unprivileged `postgres` user (created when missing). pg_stop stops
# the server and removes the directory.

PG_TMP=""
PG_RUN=()

pg_find_bin() {
  local d
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    # Through symbolic links to the server's own directory, where its
    # createdb lives too.
    PG_BIN="$(dirname "$(readlink -f "$(command -v pg_ctl)")")"
    return 0
  fi
  # Debian and Ubuntu keep the server's programs off PATH.
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
      PG_BIN="$d"
      return 0
    fi
  done
  return 1
}

pg_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "PostgreSQL's initdb and pg_ctl were not found and apt-get is not here to install them:"
    echo "install a PostgreSQL server (13 or newer), or put its bin directory on PATH"
    return 1
  fi
  echo "installing the distribution's PostgreSQL server (apt-get install postgresql)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || { echo "apt-get update failed"; return 1; }
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null \
    || { echo "apt-get install postgresql failed"; return 1; }
}

pg_start() {
  local port tries user
  if ! pg_find_bin; then
    pg_install || return 1
    pg_find_bin || { echo "PostgreSQL was installed but initdb/pg_ctl are still not found"; return 1; }
  fi
  echo "PostgreSQL programs: $PG_BIN ($("$PG_BIN/pg_ctl" --version))"

  PG_RUN=()
  if [ "$(id -u)" != 0 ]; then
    PG_TMP="$(mktemp -d "${TMPDIR:-/tmp}/fanatical-pg.XXXXXX")"
  else
    # In /tmp, whatever TMPDIR says: the server's user must reach it.
    PG_TMP="$(mktemp -d /tmp/fanatical-pg.XXXXXX)"
    user=postgres
    if ! id "$user" >/dev/null 2>&1; then
      useradd --system --no-create-home --shell /usr/sbin/nologin "$user" \
        || { echo "could not create the user $user to run the server (initdb refuses root)"; return 1; }
    fi
    chown "$user" "$PG_TMP"
    PG_RUN=(runuser -u "$user" --)
  fi

  "${PG_RUN[@]}" "$PG_BIN/initdb" -D "$PG_TMP/data" -U postgres --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 >"$PG_TMP/initdb.log" 2>&1 \
    || "${PG_RUN[@]}" "$PG_BIN/initdb" -D "$PG_TMP/data" -U postgres --auth=trust \
      --encoding=UTF8 --no-locale >"$PG_TMP/initdb.log" 2>&1 \
    || { echo "initdb failed:"; cat "$PG_TMP/initdb.log"; return 1; }

  # A free port: try a few at random; the server refuses a taken one.
  for tries in 1 2 3 4 5 6 7 8 9 10; do
    port=$((20000 + RANDOM % 30000))
    if "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 \
      -o "-p $port -k $PG_TMP -c listen_addresses=localhost -c max_connections=200" \
      start >/dev/null 2>&1; then
      break
    fi
    port=""
  done
  if [ -z "$port" ]; then
    echo "the PostgreSQL server did not start:"
    tail -n 20 "$PG_TMP/server.log"
    return 1
  fi
  if [ -x "$PG_BIN/createdb" ]; then
    "$PG_BIN/createdb" -h localhost -p "$port" -U postgres fanatical
  else
    psql -h localhost -p "$port" -U postgres -d postgres -qc "CREATE DATABASE fanatical"
  fi || { echo "could not create the database fanatical"; return 1; }
  export FANATICAL_PG_URL="postgres://postgres@localhost:$port/fanatical"
  export FANATICAL_REQUIRE_PG=1
  echo "PostgreSQL on $FANATICAL_PG_URL (cluster in $PG_TMP)"
}

pg_stop() {
  if [ -n "$PG_TMP" ] && [ -d "$PG_TMP" ]; then
    "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_TMP"
    PG_TMP=""
  fi
}
