#!/usr/bin/env bash
# The hand-written reference for `make bench`: what a careful engineer would type to do what
# `parity run --profile prod` does for the bundled example, with the plain docker CLI, ONE
# ENVIRONMENT AFTER THE OTHER (local, then prod).
#
# Per environment: network; Postgres (local: 17, no TLS, superuser app role; prod: 15, TLS with
# a self-signed cert, pg_hba rejecting non-TLS, non-superuser app role owning the database,
# 1 GiB, max_connections 100); wait until a real query succeeds; `alembic upgrade head` in a
# one-off container from the app image; the app under the profile's caps (prod: 256 MiB without
# swap, read-only root, /tmp tmpfs, uid 10001, secrets as files under /run/secrets; local: a
# bind-mounted .env); poll /healthz; the smoke suite on this machine; the app's OOM state and
# peak memory; tear down. The app image is built once (docker's layer cache makes an unchanged
# build a cache hit, as parity's content-addressed tag does).
#
# Honest timing: no sleeps other than 0.1 s polls; the same work parity does, nothing more.
# Every container and network carries io.parity.bench=true (and this run's id) from birth and
# is removed on exit, failure and Ctrl-C included.
#
# Output: progress lines on stderr, then one `RESULT <env> key=value ...` line per environment
# on stdout. Exit 0: every step passed on both; 1: some step failed (expected for the example,
# whose prod profile has production-only bugs); 3: the environment could not be set up.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The smoke suite runs from the example's own venv, as parity runs it (profiles/local.yaml: host.venv).
PYTHON=${PYTHON:-$ROOT/example/.venv/bin/python}
APP_IMAGE=${REFERENCE_APP_IMAGE:-parity-bench-reference-app:latest}
RUN_ID=ref-$$-$RANDOM
LABELS=(--label io.parity.bench=true --label "io.parity.bench.run=$RUN_ID")
# run_bench.py passes its session id, so that its final sweep finds anything left behind.
[ -n "${BENCH_SESSION:-}" ] && LABELS+=(--label "io.parity.bench.session=$BENCH_SESSION")
PROD_SECRET_KEY=${PARITY_DEMO_SECRET_KEY:?set PARITY_DEMO_SECRET_KEY (the prod profile reads SECRET_KEY from it)}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/parity-bench-ref.XXXXXX")
START=$EPOCHREALTIME

calc() { awk "BEGIN { printf \"%.3f\", $* }"; }
past() { awk "BEGIN { exit !($EPOCHREALTIME > $1) }"; }
say() { printf '%7.2fs reference %s\n' "$(calc "$EPOCHREALTIME - $START")" "$*" >&2; }

cleanup() {
    local ids
    ids=$(docker ps -aq --filter "label=io.parity.bench.run=$RUN_ID")
    [ -n "$ids" ] && docker rm -f -v $ids >/dev/null 2>&1
    ids=$(docker network ls -q --filter "label=io.parity.bench.run=$RUN_ID")
    [ -n "$ids" ] && docker network rm $ids >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { say "error: $*"; exit 3; }

# Poll `$@` every 0.1 s until it succeeds, or fail after $deadline seconds or if container $watch stops.
poll() {
    local deadline=$1 watch=$2 tries=0 until
    shift 2
    until=$(calc "$EPOCHREALTIME + $deadline")
    until "$@" >/dev/null 2>&1; do
        tries=$((tries + 1))
        if [ $((tries % 10)) -eq 0 ] && [ "$(docker inspect -f '{{.State.Running}}' "$watch")" != true ]; then
            return 2
        fi
        past "$until" && return 1
        sleep 0.1
    done
}

query() { PGCONNECT_TIMEOUT=3 psql "$1" -XAtq -c 'select 1'; }
healthy() { curl -fsS -o /dev/null --max-time 1 "$1/healthz"; }
host_port() { docker port "$1" "$2" | head -n1 | sed 's/.*://'; }
peak_memory() {
    docker exec "$1" sh -c 'cat /sys/fs/cgroup/memory/memory.max_usage_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.peak' 2>/dev/null
}

# run_env NAME: one environment, start to teardown; prints its RESULT line.
run_env() {
    local name=$1 dir=$WORK/$1 net=parity-bench-$RUN_ID-$1
    local db=$net-db app=$net-app password admin_password pg_image
    local -a db_opts app_opts secret_opts db_cmd
    mkdir -p "$dir"
    password=$(openssl rand -hex 16)
    admin_password=$(openssl rand -hex 16)
    local t0=$EPOCHREALTIME

    docker network create "${LABELS[@]}" "$net" >/dev/null || die "cannot create network $net"

    # PGDATA in the container's own filesystem, as parity keeps it (the declared VOLUME gets an
    # empty tmpfs so no anonymous volume is made).
    db_opts=(--tmpfs /var/lib/postgresql/data:rw,mode=1777 --shm-size 256m
             -e PGDATA=/var/lib/parity/pgdata -e LANG=C.UTF-8 -e POSTGRES_DB=app)
    if [ "$name" = prod ]; then
        pg_image=postgres:15
        # Self-signed server certificate; the key is copied into the container for the postgres user
        # (Postgres refuses a key that others can read, and the host file is root's).
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
            -subj /CN=db -addext subjectAltName=DNS:db \
            -keyout "$dir/server.key" -out "$dir/server.crt" 2>/dev/null || die "openssl failed"
        printf 'local all all trust\nhostnossl all all all reject\nhostssl all all all scram-sha-256\n' >"$dir/pg_hba.conf"
        mkdir -p "$dir/initdb"
        cat >"$dir/initdb/50-app-role.sql" <<SQL
CREATE ROLE app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '$password';
ALTER DATABASE app OWNER TO app;
\\connect app
ALTER SCHEMA public OWNER TO app;
SQL
        chmod -R a+rX "$dir/initdb"
        db_opts+=(-e POSTGRES_USER=postgres -e "POSTGRES_PASSWORD=$admin_password"
                  --memory 1g --memory-swap 1g
                  -v "$dir:/tls-src:ro" -v "$dir/initdb:/docker-entrypoint-initdb.d:ro"
                  --entrypoint sh)
        db_cmd=(-c 'install -d -o postgres -m 700 /var/lib/postgresql/tls &&
                    install -o postgres -m 600 /tls-src/server.crt /tls-src/server.key /tls-src/pg_hba.conf /var/lib/postgresql/tls/ &&
                    exec docker-entrypoint.sh "$@"' sh
                postgres -c max_connections=100 -c ssl=on
                -c ssl_cert_file=/var/lib/postgresql/tls/server.crt
                -c ssl_key_file=/var/lib/postgresql/tls/server.key
                -c hba_file=/var/lib/postgresql/tls/pg_hba.conf)
    else
        pg_image=postgres:17
        db_opts+=(-e POSTGRES_USER=app -e "POSTGRES_PASSWORD=$password")
        db_cmd=(postgres)
    fi
    say "$name: starting $pg_image"
    docker run -d --name "$db" "${LABELS[@]}" --network "$net" --network-alias db \
        -p 127.0.0.1::5432 "${db_opts[@]}" "$pg_image" "${db_cmd[@]}" >/dev/null || die "cannot start $pg_image"
    local db_port host_url network_url sslmode=disable
    db_port=$(host_port "$db" 5432/tcp)
    [ "$name" = prod ] && sslmode=require
    poll 90 "$db" query "host=127.0.0.1 port=$db_port user=app password=$password dbname=app sslmode=$sslmode" \
        || die "$name: the database was not ready (see: docker logs $db)"
    local t_db=$EPOCHREALTIME
    say "$name: database ready"
    host_url="postgresql://app:$password@127.0.0.1:$db_port/app"
    network_url="postgresql://app:$password@db:5432/app"

    # Secrets: prod mounts one file per secret (as a secret store does); local gets a .env.
    if [ "$name" = prod ]; then
        mkdir -p "$dir/secrets"
        printf '%s' "$PROD_SECRET_KEY" >"$dir/secrets/SECRET_KEY"
        printf '%s' "$network_url" >"$dir/secrets/DATABASE_URL"
        cp "$dir/server.crt" "$dir/secrets/DB_CA_CERT"
        chmod 444 "$dir/secrets/"*
        chmod 555 "$dir/secrets"
        secret_opts=(-v "$dir/secrets:/run/secrets:ro")
        app_opts=(--memory 256m --memory-swap 256m --read-only --tmpfs /tmp:rw,exec,mode=1777
                  --user 10001 -e APP_ENV=production)
    else
        printf 'SECRET_KEY=dev-secret-not-for-prod\nDATABASE_URL=%s\n' "$network_url" >"$dir/dotenv"
        chmod 444 "$dir/dotenv"
        secret_opts=(-v "$dir/dotenv:/app/.env:ro")
        app_opts=(-e APP_ENV=development)
    fi

    say "$name: alembic upgrade head"
    docker run --rm --name "$net-migrations" "${LABELS[@]}" --network "$net" "${secret_opts[@]}" \
        "${app_opts[@]}" "$APP_IMAGE" alembic upgrade head >"$dir/migrations.log" 2>&1
    local migrations=$?
    local t_mig=$EPOCHREALTIME
    say "$name: migrations exit $migrations"

    local cpus=()
    [ "$name" = prod ] && cpus=(--cpus 1)
    docker run -d --name "$app" "${LABELS[@]}" --network "$net" --network-alias app \
        -p 127.0.0.1::8000 "${cpus[@]}" "${secret_opts[@]}" "${app_opts[@]}" "$APP_IMAGE" >/dev/null \
        || die "$name: cannot start the app"
    local app_url startup=0
    app_url="http://127.0.0.1:$(host_port "$app" 8000/tcp)"
    poll 30 "$app" healthy "$app_url" || startup=$?
    local t_start=$EPOCHREALTIME
    say "$name: startup exit $startup"

    local http=0 smoke=0
    if [ "$startup" = 0 ]; then
        healthy "$app_url" || http=1
        local -a ca_env=()
        [ "$name" = prod ] && ca_env=(PGSSLROOTCERT="$dir/server.crt")
        (cd "$ROOT" && env APP_URL="$app_url" DATABASE_URL="$host_url" "${ca_env[@]}" \
            PATH="$(dirname "$PYTHON"):$PATH" \
            "$PYTHON" -m pytest example/smoke -q -p no:cacheprovider --junitxml="$dir/junit.xml" \
            >"$dir/smoke.log" 2>&1)
        smoke=$?
    else
        smoke=skipped
    fi
    local t_smoke=$EPOCHREALTIME
    say "$name: smoke exit $smoke"

    local tally=none
    [ -f "$dir/junit.xml" ] && tally=$(grep -o '<testsuite [^>]*' "$dir/junit.xml" | head -n1 \
        | sed -E 's/.* errors="([0-9]+)" failures="([0-9]+)" skipped="([0-9]+)" tests="([0-9]+)".*/\4tests,\2failed,\1errors/')

    local oom app_peak db_peak
    oom=$(docker inspect -f '{{.State.OOMKilled}}' "$app")
    app_peak=$(peak_memory "$app" || true)
    db_peak=$(peak_memory "$db" || true)

    docker rm -f -v "$app" "$db" >/dev/null
    docker network rm "$net" >/dev/null
    local t_end=$EPOCHREALTIME
    say "$name: torn down"
    printf 'RESULT %s migrations=%s startup=%s http=%s smoke=%s smoke_tests=%s oom_killed=%s app_peak=%s db_peak=%s' \
        "$name" "$migrations" "$startup" "$http" "$smoke" "$tally" "$oom" "${app_peak:-none}" "${db_peak:-none}"
    printf ' database_s=%s migrations_s=%s startup_s=%s smoke_s=%s teardown_s=%s total_s=%s\n' \
        "$(calc "$t_db - $t0")" "$(calc "$t_mig - $t_db")" "$(calc "$t_start - $t_mig")" \
        "$(calc "$t_smoke - $t_start")" "$(calc "$t_end - $t_smoke")" "$(calc "$t_end - $t0")"
    [ "$migrations" = 0 ] && [ "$startup" = 0 ] && [ "$http" = 0 ] && [ "$smoke" = 0 ] && [ "$oom" = false ]
}

cd "$ROOT" || exit 3
say "building the app image (docker's layer cache)"
docker build -q -t "$APP_IMAGE" example/ >/dev/null || die "docker build example/ failed"

status=0
run_env local || status=1
run_env prod || status=1
say "done (exit $status)"
exit $status
