# Shared helpers for the bench scripts: a throw-away PostgreSQL and the packaged app, both on 127.0.0.1.
# Source it; every function cleans up after itself through bench_cleanup (trap it on EXIT).

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
WORK="${BENCH_WORK:-$(mktemp -d /tmp/plugboard-bench.XXXXXX)}"
chmod 755 "$WORK"
PG_PORT="${BENCH_PG_PORT:-$(free_port)}"
APP_PORT="${BENCH_APP_PORT:-$(free_port)}"
PIDS=()

java_home() {
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/temurin-21-jdk-amd64; do
    if [ -n "$c" ] && [ -x "$c/bin/java" ] && "$c/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
      echo "$c"; return
    fi
  done
  echo "no JDK >= 21 found" >&2; exit 1
}

need() { # need <command> <debian package>
  command -v "$1" >/dev/null 2>&1 && return
  echo "installing $2 (for $1)" >&2
  (apt-get install -y -q "$2" >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "$2" >/dev/null; })
}

pg_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$d" ]; then
    need pg_ctlcluster postgresql
    d=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
  echo "$d"
}

as_pg() { # PostgreSQL refuses to run as root
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  local bin; bin=$(pg_bin)
  PGDATA_DIR="$WORK/pgdata"
  rm -rf "$PGDATA_DIR"; mkdir -p "$WORK"
  [ "$(id -u)" = 0 ] && chown postgres "$WORK"
  as_pg "$bin/initdb" -D "$PGDATA_DIR" -U postgres -A trust >/dev/null
  as_pg "$bin/pg_ctl" -D "$PGDATA_DIR" -l "$WORK/pg.log" -w \
    -o "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=256MB -c fsync=off -c synchronous_commit=off" start >/dev/null
  PG_CTL="$bin/pg_ctl"
  export PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=postgres
  psql -q -d postgres -c "create database plugboard" >/dev/null
}

stop_postgres() {
  [ -n "${PG_CTL:-}" ] && as_pg "$PG_CTL" -D "$PGDATA_DIR" -m fast stop >/dev/null 2>&1 || true
}

build_app() {
  # rebuilt when missing, asked for, or older than any source (a stale jar would measure old code)
  local jar="$ROOT/target/quarkus-app/quarkus-run.jar"
  if [ ! -f "$jar" ] || [ "${BENCH_REBUILD:-0}" = 1 ] || [ -n "$(find "$ROOT/src/main" "$ROOT/pom.xml" -newer "$jar" -print -quit)" ]; then
    (cd "$ROOT" && JAVA_HOME="$(java_home)" ./mvnw -q -B package -DskipTests) >&2
  fi
}

# APP_JAVA: the command that runs the packaged jar's JVM against the bench database (through env,
# which execs java, so a background run's $! is the JVM's pid)
app_java_command() {
  APP_JAVA=(env
    QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/plugboard"
    QUARKUS_DATASOURCE_USERNAME=postgres QUARKUS_DATASOURCE_PASSWORD=unused
    QUARKUS_HTTP_PORT="$APP_PORT" QUARKUS_HTTP_HOST=127.0.0.1
    PLUGBOARD_CRYPTO_KEYS="bench:$(printf 'b%.0s' {1..32} | base64)"
    PLUGBOARD_ADMIN_TOKEN="${BENCH_ADMIN_TOKEN:-bench-admin}" PLUGBOARD_INTERNAL_TOKEN=bench-internal
    PLUGBOARD_RATELIMIT_REQUESTS_PER_MINUTE=100000000
    QUARKUS_LOG_CONSOLE_JSON_ENABLED=false QUARKUS_LOG_LEVEL=WARN
    "$(java_home)/bin/java")
}

# start_app [extra java args...]: migrates the bench database with the migration step (as production
# does: the server itself refuses an older schema), then runs the packaged jar; sets APP_PID
start_app() {
  local jar="$ROOT/target/quarkus-app/quarkus-run.jar"
  app_java_command
  "${APP_JAVA[@]}" -Dquarkus.init-and-exit=true -Dquarkus.flyway.migrate-at-start=true -jar "$jar" >"$WORK/migrate.log" 2>&1 \
    || { echo "migration step failed; see $WORK/migrate.log" >&2; tail -20 "$WORK/migrate.log" >&2; exit 1; }
  "${APP_JAVA[@]}" "$@" -jar "$jar" >"$WORK/app.log" 2>&1 &
  APP_PID=$!
  PIDS+=("$APP_PID")
  for _ in $(seq 1 600); do
    curl -sf -o /dev/null "http://127.0.0.1:$APP_PORT/q/health/ready" && return 0
    kill -0 "$APP_PID" 2>/dev/null || { echo "app died; see $WORK/app.log" >&2; tail -20 "$WORK/app.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "app did not become ready" >&2; exit 1
}

stop_app() {
  [ -n "${APP_PID:-}" ] && kill "$APP_PID" 2>/dev/null && wait "$APP_PID" 2>/dev/null || true
  APP_PID=
}

# write_pairs_lua <file>: a wrk script that sends METHOD to PATH_FORMAT (both set by a line the caller
# puts in front) for a random (API key, connection) pair of 1,000 drawn from the seeded data.
write_pairs_lua() {
  local pairs
  pairs=$(psql -At -d plugboard -c "select t, md5('conn' || t || '-' || c)::uuid from (select (random()*999+1)::int t, (random()*99+1)::int c from generate_series(1,1000)) r")
  {
    echo "local pairs = {"
    while IFS='|' read -r t id; do printf '{"pb_bench_key_%010d","%s"},\n' "$t" "$id"; done <<<"$pairs"
    echo "}"
    cat <<'LUA'
math.randomseed(os.time())
request = function()
  local p = pairs[math.random(#pairs)]
  local path = string.format(PATH_FORMAT, p[2])
  return wrk.format(METHOD, path, {["Authorization"] = "Bearer " .. p[1]})
end
LUA
  } >"$1"
}

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

bench_cleanup() {
  stop_app
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  stop_postgres
  rm -rf "${PGDATA_DIR:-/nonexistent}"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }
