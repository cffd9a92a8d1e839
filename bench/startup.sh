#!/usr/bin/env bash
# Start-up benchmark. For Plugboard and two reference apps built the same way in the same run:
# launch → first 200 on /q/health/ready, the CPU time used and the resident set size (VmRSS) at that
# moment, and launch → first 200 of the app's first real request sent right after ready (Plugboard:
# an authenticated GET /v1/connections/{id}; the reference apps: their one endpoint).
#   minimal-stack  the DESIGN §1 extension set (Hibernate, Flyway, REST client, OIDC client, ...)
#                  with one entity, one migration and one endpoint: Plugboard minus Plugboard's code
#   minimal-bare   quarkus-rest-jackson + quarkus-smallrye-health only
# Modes: "jvm" = fast-jar (./mvnw package); "aot" = aot-jar + JDK 25 AOT cache trained by one run
# of each app (start, a few requests, stop), then started with -XX:AOTCache=app.aot.
# Every app talks to a real PostgreSQL (started here from the Debian package). Plugboard's schema is
# migrated first by its migration step (the packaged jar with quarkus.init-and-exit, as the Kubernetes
# init container runs it) and seeded with one tenant, API key and connection; the reference apps
# migrate in their training run. Measured runs start against an up-to-date schema, like a pod
# restarting against a migrated database.
#
# usage: bench/startup.sh [runs]        (default 5; prints a table and writes bench/out/startup-*.md)
# env:   BENCH_APPS='plugboard'  measure only these apps (the others are not built)
#        VARIANTS='label:-Dflag=value ...'  also measure Plugboard with these extra flags, per label,
#          from the same build and AOT cache, e.g. VARIANTS='validate:-Dquarkus.hibernate-orm.schema-management.strategy=validate'
#        PLAIN_TRAINING=1  also train a second Plugboard cache, app-plain.aot, without authenticated
#          requests (the training before 2026-12-02); measure it with VARIANTS='plain-training:-XX:AOTCache=app-plain.aot'
# needs: JDK 25 (JAVA_HOME or /usr/lib/jvm/temurin-25-jdk-amd64), curl, psql, python3, PostgreSQL
#        server binaries (installed with apt-get when missing and running as root).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${1:-5}

JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
java_major=$(java -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print v[1]; exit}')
if [ "$java_major" -lt 25 ]; then
  echo "JDK 25+ is needed for the AOT cache (found $java_major at $JAVA_HOME)" >&2
  exit 1
fi

WORK=$(mktemp -d /tmp/plugboard-startup.XXXXXX)
chmod 755 "$WORK"
OUT="$ROOT/bench/out"
mkdir -p "$OUT"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  if [ -f "$WORK/pg/postmaster.pid" ]; then as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
now_ms() { date +%s%3N; }

# ---- PostgreSQL ---------------------------------------------------------------------------------
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y -q postgresql >/dev/null
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  else
    echo "PostgreSQL server binaries not found: apt-get install postgresql" >&2
    exit 1
  fi
fi
# initdb refuses to run as root: run the server as the package's postgres user then.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PG_PORT=$(free_port)
mkdir -p "$WORK/pg"
[ "$(id -u)" = 0 ] && chown postgres "$WORK/pg"
as_pg "$PG_BIN/initdb" -D "$WORK/pg" -U postgres --auth=trust -E UTF8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg/log" -w \
  -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
for db in plugboard stack; do
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "create database $db" >/dev/null
done
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"

# ---- Builds -------------------------------------------------------------------------------------
# Each app is packaged twice: fast-jar for "jvm", aot-jar for "aot" (Leyden needs the JDK's own
# class loaders). Outputs are copied out of target/ so the two packagings sit side by side.
MVN="$ROOT/mvnw -B -q -ntp"
build() { # name pom-dir
  local name=$1 dir=$2
  echo "building $name ..."
  (cd "$dir" && $MVN package -DskipTests -Dquarkus.package.jar.type=aot-jar >/dev/null)
  cp -r "$dir/target/quarkus-app" "$WORK/$name-aot"
  # fast-jar last: target/ is left as a plain `./mvnw package` leaves it.
  (cd "$dir" && $MVN package -DskipTests -Dquarkus.package.jar.type=fast-jar >/dev/null)
  cp -r "$dir/target/quarkus-app" "$WORK/$name-jvm"
}
read -r -a BASE_APPS <<<"${BENCH_APPS:-plugboard minimal-stack minimal-bare}"
for app in "${BASE_APPS[@]}"; do
  case $app in
    plugboard) build plugboard "$ROOT" ;;
    minimal-stack) build minimal-stack "$ROOT/bench/minimal-app/stack" ;;
    minimal-bare) build minimal-bare "$ROOT/bench/minimal-app/bare" ;;
    *) echo "unknown app $app" >&2; exit 1 ;;
  esac
done

# ---- Running ------------------------------------------------------------------------------------
JVM_FLAGS=(-XX:+UseSerialGC -XX:MaxRAMPercentage=75)
CRYPTO_KEY="k1:$(head -c 32 /dev/urandom | base64)"

app_env() { # name port -> env assignments for `env`
  local name=$1 port=$2
  echo "QUARKUS_HTTP_PORT=$port QUARKUS_HTTP_HOST=127.0.0.1"
  case $name in
    plugboard)
      echo "QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:$PG_PORT/plugboard"
      echo "QUARKUS_DATASOURCE_USERNAME=postgres QUARKUS_DATASOURCE_PASSWORD=postgres"
      echo "PLUGBOARD_CRYPTO_KEYS=$CRYPTO_KEY PLUGBOARD_ADMIN_TOKEN=bench-admin PLUGBOARD_INTERNAL_TOKEN=bench-internal" ;;
    minimal-stack)
      echo "QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:$PG_PORT/stack"
      echo "QUARKUS_DATASOURCE_USERNAME=postgres QUARKUS_DATASOURCE_PASSWORD=postgres" ;;
  esac
}

# launch name dir port [extra jvm flags...] -> sets APP_PID
launch() {
  local name=$1 dir=$2 port=$3
  shift 3
  # shellcheck disable=SC2046
  (cd "$dir" && exec env $(app_env "$name" "$port") java "${JVM_FLAGS[@]}" "$@" -jar quarkus-run.jar >>"$dir/run.log" 2>&1) &
  APP_PID=$!
  PIDS+=("$APP_PID")
}

# wait_ready port pid log -> returns when /q/health/ready answers 200 (bounded: 300 s)
wait_ready() {
  local port=$1 pid=$2 log=$3 deadline=$(( $(now_ms) + 300000 ))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/q/health/ready")" = 200 ]; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$(now_ms)" -gt "$deadline" ]; then
      { echo "app on port $port did not become ready:"; tail -30 "$log"; } >&2
      return 1
    fi
    sleep 0.005
  done
}

stop_app() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# Plugboard's migration step, then one organization, team, user, API key and connection for the first
# authenticated request (the shapes of bench/seed.sql).
BENCH_KEY=pb_bench_key_0000000001
CONN_ID=$(python3 -c 'import hashlib, uuid; print(uuid.UUID(hashlib.md5(b"conn1-1").hexdigest()))')
migrate_plugboard() {
  local dir="$WORK/plugboard-jvm"
  echo "migrating plugboard's database (its migration step) ..."
  # shellcheck disable=SC2046
  (cd "$dir" && env $(app_env plugboard 0) java "${JVM_FLAGS[@]}" -Dquarkus.init-and-exit=true \
    -Dquarkus.flyway.migrate-at-start=true -jar quarkus-run.jar >"$dir/migrate.log" 2>&1) \
    || { echo "the migration step failed:"; tail -30 "$dir/migrate.log"; exit 1; } >&2
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d plugboard -q -v ON_ERROR_STOP=1 >/dev/null <<SQL
INSERT INTO organizations (id, name, connections_sharing, created_at, updated_at)
  VALUES (md5('org1')::uuid, 'org 1', true, now(), now());
INSERT INTO teams (id, organization_id, name, created_at) VALUES (md5('team1')::uuid, md5('org1')::uuid, 'team 1', now());
INSERT INTO users (id, email, name, created_at) VALUES (md5('user1')::uuid, 'user1@bench.test', 'user 1', now());
INSERT INTO memberships (team_id, user_id, role, created_at) VALUES (md5('team1')::uuid, md5('user1')::uuid, 'admin', now());
INSERT INTO api_keys (id, user_id, team_id, name, prefix, key_hash, created_at)
  VALUES (md5('key1')::uuid, md5('user1')::uuid, md5('team1')::uuid, 'bench', left('$BENCH_KEY', 12),
          sha256(convert_to('$BENCH_KEY', 'UTF8')), now());
INSERT INTO connections (id, team_id, user_id, created_by, name, slug, type, provider, server_url, transport_type,
                         auth_method, shared, created_at, updated_at)
  VALUES ('$CONN_ID', md5('team1')::uuid, md5('user1')::uuid, md5('user1')::uuid, 'connection 1', 'connection_1', 'custom_mcp',
          'user', 'https://mcp1.bench.test/mcp', 'http', 'headers', false, now(), now());
INSERT INTO connection_headers (id, connection_id, name, value, secret, position)
  VALUES (md5('hdr1-1')::uuid, '$CONN_ID', 'X-Workspace', 'ws-1', false, 0);
SQL
}

# first_request name port -> the app's first real request; succeeds on a 200
first_request() {
  case $1 in
    plugboard*) curl -sf -o /dev/null -H "Authorization: Bearer $BENCH_KEY" "http://127.0.0.1:$2/v1/connections/$CONN_ID" ;;
    minimal-stack) curl -sf -o /dev/null "http://127.0.0.1:$2/items" ;;
    minimal-bare) curl -sf -o /dev/null "http://127.0.0.1:$2/hello" ;;
  esac
}

# AOT training: one run per app with -XX:AOTCacheOutput; the JVM writes app.aot when it exits.
# Plugboard's includes authenticated reads (API-key lookup, tenancy, connection view), so that the
# first real request after a cold start runs on cached classes too.
train() { # name [cache file] [plain]
  local name=$1 cache=${2:-app.aot} plain=${3:-} dir="$WORK/$1-aot" port
  port=$(free_port)
  echo "training the AOT cache $cache of $name ..."
  launch "$name" "$dir" "$port" -XX:AOTCacheOutput="$cache"
  wait_ready "$port" "$APP_PID" "$dir/run.log"
  for _ in $(seq 1 20); do
    curl -s -o /dev/null "http://127.0.0.1:$port/q/health/ready"
    curl -s -o /dev/null "http://127.0.0.1:$port/q/health/live"
    if [ "$name" = plugboard ]; then
      curl -s -o /dev/null "http://127.0.0.1:$port/v1/connections"
      [ -z "$plain" ] || continue
      curl -s -o /dev/null -H "Authorization: Bearer $BENCH_KEY" "http://127.0.0.1:$port/v1/connections"
    fi
    first_request "$name" "$port" || true
  done
  stop_app "$APP_PID"
  [ -s "$dir/$cache" ] || { echo "no AOT cache for $name:"; tail -20 "$dir/run.log"; exit 1; } >&2
}

# CPU time (user + system, all threads) the process has used so far, in ms: less sensitive than
# wall time to other load on a shared machine.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$1/stat"; }

# Plugboard variants (VARIANTS) share Plugboard's build and AOT cache and add their flags.
declare -A FLAGS
APPS=("${BASE_APPS[@]}")
for v in ${VARIANTS:-}; do
  APPS+=("plugboard[${v%%:*}]")
  FLAGS["plugboard[${v%%:*}]"]=${v#*:}
done

# measure name mode -> prints "ready_ms rss_kb cpu_ms first_request_ms"
measure() {
  local name=$1 mode=$2 base=${1%%\[*} port start ready rss cpu first deadline
  local dir="$WORK/$base-$mode" extra=()
  [ "$mode" = aot ] && extra=(-XX:AOTCache=app.aot)
  read -r -a flags <<<"${FLAGS[$name]:-}"
  extra+=("${flags[@]}")
  port=$(free_port)
  start=$(now_ms)
  launch "$base" "$dir" "$port" "${extra[@]}"
  wait_ready "$port" "$APP_PID" "$dir/run.log"
  ready=$(now_ms)
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$APP_PID/status")
  cpu=$(cpu_ms "$APP_PID")
  deadline=$(( ready + 60000 ))
  until first_request "$name" "$port"; do
    if [ "$(now_ms)" -gt "$deadline" ]; then
      { echo "$name: no 200 on its first request within 60 s"; tail -20 "$dir/run.log"; } >&2
      exit 1
    fi
  done
  first=$(now_ms)
  stop_app "$APP_PID"
  echo "$((ready - start)) $rss $cpu $((first - start))"
}

MODES=(jvm aot)
if [[ " ${BASE_APPS[*]} " == *" plugboard "* ]]; then migrate_plugboard; fi
# The reference apps migrate in their training run, outside the measured runs.
for app in "${BASE_APPS[@]}"; do train "$app"; done
if [ "${PLAIN_TRAINING:-0}" = 1 ]; then train plugboard app-plain.aot plain; fi

declare -A MS RSS CPU FIRST
for i in $(seq 1 "$RUNS"); do
  for mode in "${MODES[@]}"; do
    for app in "${APPS[@]}"; do
      first=
      read -r ms rss cpu first < <(measure "$app" "$mode") || true
      [ -n "${first:-}" ] || { echo "$app ($mode) failed; see above" >&2; exit 1; }
      MS[$app-$mode]+="$ms "
      RSS[$app-$mode]+="$rss "
      CPU[$app-$mode]+="$cpu "
      FIRST[$app-$mode]+="$first "
    done
  done
  echo "run $i/$RUNS done"
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {if (NR) print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2] + a[NR/2+1]) / 2); else print 0}'; }

REPORT="$OUT/startup-$STAMP.md"
{
  echo "# Start-up: launch to ready and to the first real request ($STAMP)"
  echo
  echo "$(java -version 2>&1 | head -1); $(nproc) CPUs, load average at the end $(cut -d' ' -f1-3 /proc/loadavg); PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'); median of $RUNS runs; JVM flags: ${JVM_FLAGS[*]}"
  echo
  echo "First request: Plugboard an authenticated GET /v1/connections/{id}, stack GET /items, bare GET /hello."
  echo "Ratios are the row's app over the reference app in the same mode (n/a: reference not measured)."
  echo
  echo "| app | mode | ready ms | first request ms | CPU ms to ready | RSS MiB | ready ms, each run | ms / stack | ms / bare | CPU / stack | CPU / bare | RSS / stack | RSS / bare |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  for mode in "${MODES[@]}"; do
    sms=$(echo "${MS[minimal-stack-$mode]:-}" | median); bms=$(echo "${MS[minimal-bare-$mode]:-}" | median)
    scpu=$(echo "${CPU[minimal-stack-$mode]:-}" | median); bcpu=$(echo "${CPU[minimal-bare-$mode]:-}" | median)
    srss=$(echo "${RSS[minimal-stack-$mode]:-}" | median); brss=$(echo "${RSS[minimal-bare-$mode]:-}" | median)
    for app in "${APPS[@]}"; do
      ms=$(echo "${MS[$app-$mode]}" | median); rss=$(echo "${RSS[$app-$mode]}" | median)
      cpu=$(echo "${CPU[$app-$mode]}" | median); first=$(echo "${FIRST[$app-$mode]}" | median)
      awk -v a="$app" -v m="$mode" -v ms="$ms" -v first="$first" -v rss="$rss" -v cpu="$cpu" -v runs="${MS[$app-$mode]}" \
          -v sms="$sms" -v bms="$bms" -v scpu="$scpu" -v bcpu="$bcpu" -v srss="$srss" -v brss="$brss" '
        function r(x, y) { return y > 0 ? sprintf("%.2f", x / y) : "n/a" }
        BEGIN {
          printf "| %s | %s | %d | %d | %d | %.0f | %s | %s | %s | %s | %s | %s | %s |\n", a, m, ms, first, cpu, rss / 1024,
            runs, r(ms, sms), r(ms, bms), r(cpu, scpu), r(cpu, bcpu), r(rss, srss), r(rss, brss) }'
    done
  done
} > "$REPORT"
cat "$REPORT"
echo "written to $REPORT"
