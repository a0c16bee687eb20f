#!/usr/bin/env bash
# The deploy/compose.yaml topology as plain local processes: every ClearView service and
# worker in a process of its own, on the machine's PostgreSQL and Redis (or a private
# Redis with AOF) and a `chroma run` server started here.
#
#   deploy/local.sh start  [options]   start everything, wait for /healthz, print the ports
#   deploy/local.sh status [options]   what runs (pid, port, health)
#   deploy/local.sh stop   [options]   SIGTERM everything, wait, SIGKILL leftovers
#   deploy/local.sh restart NAME... [options]
#                                      stop (if it runs) and start again one process each:
#                                      redis, chroma, a service, or worker-KIND-N; same
#                                      command, port and data, waits until it answers
#
# Options (each also read from the environment variable in brackets):
#   --run-dir DIR          pids, logs, data, env file   [CLEARVIEW_LOCAL_RUN_DIR, ./data/local-topology]
#   --db-name NAME         PostgreSQL database, created if missing   [CLEARVIEW_LOCAL_DB, clearview_local]
#   --base-port N          services listen on N+1..N+7   [CLEARVIEW_LOCAL_BASE_PORT, 8100]
#   --chroma-port N        the Chroma server's port   [CLEARVIEW_LOCAL_CHROMA_PORT, base port + 0]
#   --match-workers N      match worker processes   [CLEARVIEW_LOCAL_MATCH_WORKERS, 3]
#   --rewrite-workers N    rewrite worker processes   [CLEARVIEW_LOCAL_REWRITE_WORKERS, 2]
#   --services "A B ..."   services to start   [CLEARVIEW_LOCAL_SERVICES, all of them]
#   --own-redis            start a private redis-server (AOF on, free port) instead of
#                          CLEARVIEW_REDIS_URL (default redis://127.0.0.1:6379/0)
#
# PostgreSQL is reached as PGUSER (postgres) at PGHOST:PGPORT (127.0.0.1:5432); a set
# CLEARVIEW_DATABASE_URL is used as is (no database is created then).
# Every process gets its settings from <run dir>/topology.env, which `clearview apikey
# create` and friends can use too:  set -a; . <run dir>/topology.env; set +a
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${CLEARVIEW_LOCAL_BIN:-$ROOT/.venv/bin}"
# A service's port is base + its place here (new services go last: ports stay put).
SERVICE_ORDER=(jobs resumes metrics gateway chat ui reports)
STOP_GRACE_S="${CLEARVIEW_LOCAL_STOP_GRACE_S:-20}"
START_TIMEOUT_S="${CLEARVIEW_LOCAL_START_TIMEOUT_S:-120}"

usage() {
    sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

STARTING=0
die() {
    echo "local.sh: $*" >&2
    if [ "$STARTING" = 1 ]; then
        # A half-started topology is stopped rather than left behind.
        STARTING=0
        cmd_stop >&2
    fi
    exit 1
}

# --- options -----------------------------------------------------------------------------

COMMAND="${1:-}"
RESTART_NAMES=()
case "$COMMAND" in
    start | stop | status | restart) shift ;;
    -h | --help | help) usage 0 ;;
    *) usage 2 ;;
esac
RUN_DIR="${CLEARVIEW_LOCAL_RUN_DIR:-./data/local-topology}"
DB_NAME="${CLEARVIEW_LOCAL_DB:-clearview_local}"
BASE_PORT="${CLEARVIEW_LOCAL_BASE_PORT:-8100}"
CHROMA_PORT="${CLEARVIEW_LOCAL_CHROMA_PORT:-}"
MATCH_WORKERS="${CLEARVIEW_LOCAL_MATCH_WORKERS:-3}"
REWRITE_WORKERS="${CLEARVIEW_LOCAL_REWRITE_WORKERS:-2}"
DEFAULT_SERVICES="jobs resumes metrics gateway chat ui"
[ -f "$ROOT/api/reports/endpoints.py" ] && DEFAULT_SERVICES="$DEFAULT_SERVICES reports"
SERVICES="${CLEARVIEW_LOCAL_SERVICES:-$DEFAULT_SERVICES}"
OWN_REDIS=0
while [ $# -gt 0 ]; do
    case "$1" in
        --run-dir) RUN_DIR="$2"; shift 2 ;;
        --db-name) DB_NAME="$2"; shift 2 ;;
        --base-port) BASE_PORT="$2"; shift 2 ;;
        --chroma-port) CHROMA_PORT="$2"; shift 2 ;;
        --match-workers) MATCH_WORKERS="$2"; shift 2 ;;
        --rewrite-workers) REWRITE_WORKERS="$2"; shift 2 ;;
        --services) SERVICES="$2"; shift 2 ;;
        --own-redis) OWN_REDIS=1; shift ;;
        -h | --help) usage 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *)
            [ "$COMMAND" = restart ] || die "unexpected argument $1 (see --help)"
            RESTART_NAMES+=("$1")
            shift
            ;;
    esac
done
[ "$COMMAND" != restart ] || [ ${#RESTART_NAMES[@]} -gt 0 ] || die "restart what? (see --help)"
CHROMA_PORT="${CHROMA_PORT:-$BASE_PORT}"
mkdir -p "$RUN_DIR"
RUN_DIR="$(cd "$RUN_DIR" && pwd)"
PIDS="$RUN_DIR/pids"
LOGS="$RUN_DIR/logs"
ENV_FILE="$RUN_DIR/topology.env"

service_port() {
    local i
    for i in "${!SERVICE_ORDER[@]}"; do
        if [ "${SERVICE_ORDER[$i]}" = "$1" ]; then
            echo $((BASE_PORT + i + 1))
            return
        fi
    done
    die "unknown service $1; choose from ${SERVICE_ORDER[*]}"
}

# --- processes ---------------------------------------------------------------------------

alive() {
    # A pid file whose process still runs (a zombie or a reused pid of someone else's
    # process does not count: the pid must still be the leader of its own session).
    local pid
    pid="$(cat "$1" 2>/dev/null)" || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    [ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ]
}

launch() {
    # launch NAME COMMAND...: in its own session (so stop reaches its children too), with
    # the topology's environment, output to logs/NAME.log, pid to pids/NAME.pid.
    local name="$1"
    shift
    if alive "$PIDS/$name.pid"; then
        echo "  $name already runs (pid $(cat "$PIDS/$name.pid"))"
        return
    fi
    (
        set -a
        # shellcheck disable=SC1090
        . "$ENV_FILE"
        set +a
        cd "$ROOT"
        exec setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null
    ) &
    echo $! >"$PIDS/$name.pid"
}

wait_http() {
    # wait_http NAME URL: until URL answers 2xx, or the process died, or the start timeout.
    local name="$1" url="$2" deadline=$((SECONDS + START_TIMEOUT_S))
    until curl -fs -o /dev/null --max-time 2 "$url"; do
        alive "$PIDS/$name.pid" || die "$name exited; see $LOGS/$name.log"
        [ "$SECONDS" -lt "$deadline" ] || die "$name not healthy after ${START_TIMEOUT_S}s: $url"
        sleep 0.5
    done
}

free_port() {
    "$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- commands ----------------------------------------------------------------------------

write_env() {
    local redis_url="${CLEARVIEW_REDIS_URL:-redis://127.0.0.1:6379/0}"
    local database_url="${CLEARVIEW_DATABASE_URL:-}"
    if [ "$OWN_REDIS" = 1 ]; then
        redis_url="redis://127.0.0.1:$(free_port)/0"
    fi
    if [ -z "$database_url" ]; then
        database_url="postgresql+asyncpg://${PGUSER:-postgres}@${PGHOST:-127.0.0.1}:${PGPORT:-5432}/$DB_NAME"
    fi
    # The first service answers the chat agent's tools unless a load balancer is set.
    local services_url="${CLEARVIEW_SERVICES_URL:-http://127.0.0.1:$(service_port jobs)}"
    cat >"$ENV_FILE" <<EOF
CLEARVIEW_MODE=${CLEARVIEW_MODE:-dev}
CLEARVIEW_DATA_DIR=$RUN_DIR/data
CLEARVIEW_MODEL_CACHE_DIR=${CLEARVIEW_MODEL_CACHE_DIR:-$ROOT/data/models}
CLEARVIEW_DATABASE_URL=$database_url
CLEARVIEW_REDIS_URL=$redis_url
CLEARVIEW_CHROMA=http://127.0.0.1:$CHROMA_PORT
CLEARVIEW_SERVICES_URL=$services_url
CLEARVIEW_LOG_JSON=${CLEARVIEW_LOG_JSON:-true}
CLEARVIEW_SECRET_KEY=${CLEARVIEW_SECRET_KEY:-dev-only-change-me}
CLEARVIEW_LOCAL_SERVICES="$SERVICES"
CLEARVIEW_LOCAL_BASE_PORT=$BASE_PORT
EOF
}

CREATE_DB=1
[ -z "${CLEARVIEW_DATABASE_URL:-}" ] || CREATE_DB=0

ensure_database() {
    [ "$CREATE_DB" = 1 ] || return 0
    local psql=(psql -h "${PGHOST:-127.0.0.1}" -p "${PGPORT:-5432}" -U "${PGUSER:-postgres}" -d postgres -v ON_ERROR_STOP=1 -qtA)
    if [ "$("${psql[@]}" -c "select 1 from pg_database where datname = '$DB_NAME'")" != 1 ]; then
        echo "creating database $DB_NAME"
        "${psql[@]}" -c "create database \"$DB_NAME\""
    fi
}

cmd_start() {
    if [ -f "$ENV_FILE" ] && alive "$PIDS/chroma.pid"; then
        die "a topology already runs in $RUN_DIR (deploy/local.sh status / stop)"
    fi
    mkdir -p "$PIDS" "$LOGS" "$RUN_DIR/data" "$RUN_DIR/chroma"
    STARTING=1
    write_env
    set -a
    # shellcheck disable=SC1090
    . "$ENV_FILE"
    set +a

    if [ "$OWN_REDIS" = 1 ]; then
        echo "redis   private redis-server on :$(redis_port) (AOF on)"
        launch_named redis
        wait_redis
    fi

    echo "chroma  server on :$CHROMA_PORT"
    launch_named chroma

    ensure_database
    echo "migrate $CLEARVIEW_DATABASE_URL" | sed 's#//[^@/]*@#//***@#'
    "$BIN/clearview" db upgrade >>"$LOGS/migrate.log" 2>&1 || die "migration failed; see $LOGS/migrate.log"
    wait_http chroma "http://127.0.0.1:$CHROMA_PORT/api/v2/heartbeat"

    local service
    for service in $SERVICES; do
        echo "serve   $service on :$(service_port "$service")"
        launch_named "$service"
    done
    local worker i count
    for worker in outbox index match rewrite report notify webhooks chat; do
        case "$worker" in
            match) count="$MATCH_WORKERS" ;;
            rewrite) count="$REWRITE_WORKERS" ;;
            *) count=1 ;;
        esac
        for ((i = 1; i <= count; i++)); do
            launch_named "worker-$worker-$i"
        done
        echo "worker  $worker x$count"
    done
    for service in $SERVICES; do
        wait_http "$service" "http://127.0.0.1:$(service_port "$service")/healthz"
    done
    STARTING=0
    echo "up: logs in $LOGS; env in $ENV_FILE"
}

redis_port() {
    local port="${CLEARVIEW_REDIS_URL##*:}"
    echo "${port%%/*}"
}

launch_named() {
    # launch_named NAME: the one command each process of the topology runs (start and
    # restart share it, so a restarted process gets the same port, data and settings).
    local name="$1"
    case "$name" in
        redis)
            mkdir -p "$RUN_DIR/redis"
            launch redis "${REDIS_SERVER:-redis-server}" --bind 127.0.0.1 --port "$(redis_port)" \
                --dir "$RUN_DIR/redis" --appendonly yes --save ""
            ;;
        chroma)
            launch chroma "$BIN/chroma" run --path "$RUN_DIR/chroma" --host 127.0.0.1 --port "$CHROMA_PORT"
            ;;
        worker-*-*)
            local kind="${name#worker-}"
            launch "$name" "$BIN/clearview" worker "${kind%-*}"
            ;;
        *)
            launch "$name" "$BIN/clearview" serve "$name" --host 127.0.0.1 \
                --port "$(service_port "$name")" --no-demo
            ;;
    esac
}

wait_redis() {
    local deadline=$((SECONDS + 20))
    until "$BIN/python" -c "import redis; redis.Redis(port=$(redis_port)).ping()" 2>/dev/null; do
        alive "$PIDS/redis.pid" || die "redis exited; see $LOGS/redis.log"
        [ "$SECONDS" -lt "$deadline" ] || die "redis did not answer"
        sleep 0.2
    done
}

cmd_restart() {
    [ -f "$ENV_FILE" ] || die "nothing started in $RUN_DIR"
    set -a
    # shellcheck disable=SC1090
    . "$ENV_FILE"
    set +a
    BASE_PORT="$CLEARVIEW_LOCAL_BASE_PORT"
    CHROMA_PORT="${CLEARVIEW_CHROMA##*:}"
    local name
    for name in "${RESTART_NAMES[@]}"; do
        case "$name" in
            redis)
                # Only a private Redis is ours to restart, never a shared one.
                [ -e "$PIDS/redis.pid" ] || die "no private redis in $RUN_DIR (started without --own-redis)"
                ;;
            chroma | worker-*-*) ;;
            *) service_port "$name" >/dev/null ;;
        esac
        echo "restart $name"
        [ -e "$PIDS/$name.pid" ] && stop_group "$PIDS/$name.pid"
        launch_named "$name"
        case "$name" in
            redis) wait_redis ;;
            chroma) wait_http chroma "http://127.0.0.1:$CHROMA_PORT/api/v2/heartbeat" ;;
            worker-*) ;;
            *) wait_http "$name" "http://127.0.0.1:$(service_port "$name")/healthz" ;;
        esac
    done
}

cmd_status() {
    [ -d "$PIDS" ] || die "nothing started in $RUN_DIR"
    local file name state port health
    [ -f "$ENV_FILE" ] && BASE_PORT="$(sed -n 's/^CLEARVIEW_LOCAL_BASE_PORT=//p' "$ENV_FILE")"
    printf '%-20s %-8s %-8s %-6s %s\n' NAME PID STATE PORT HEALTH
    local down=0
    for file in "$PIDS"/*.pid; do
        [ -e "$file" ] || continue
        name="$(basename "$file" .pid)"
        state=running
        alive "$file" || { state=stopped; down=1; }
        port=- health=-
        case " ${SERVICE_ORDER[*]} " in
            *" $name "*)
                port="$(service_port "$name")"
                health="$(curl -fsS --max-time 2 "http://127.0.0.1:$port/healthz" 2>/dev/null || echo down)"
                ;;
        esac
        printf '%-20s %-8s %-8s %-6s %s\n' "$name" "$(cat "$file")" "$state" "$port" "$health"
    done
    return "$down"
}

cmd_stop() {
    [ -d "$PIDS" ] || { echo "nothing started in $RUN_DIR"; return 0; }
    local file pid pids=() infra=()
    # Services and workers first (they finish in-flight work and release stream entries),
    # then the stores they were talking to.
    for file in "$PIDS"/*.pid; do
        [ -e "$file" ] || continue
        alive "$file" || { rm -f "$file"; continue; }
        case "$(basename "$file" .pid)" in
            chroma | redis) infra+=("$file") ;;
            *) pids+=("$file") ;;
        esac
    done
    stop_group "${pids[@]+"${pids[@]}"}"
    stop_group "${infra[@]+"${infra[@]}"}"
    echo "stopped"
}

stop_group() {
    # SIGTERM each process's session, wait up to STOP_GRACE_S, then SIGKILL what is left.
    [ $# -gt 0 ] || return 0
    local file pid deadline=$((SECONDS + STOP_GRACE_S)) left
    for file in "$@"; do
        kill -TERM -- "-$(cat "$file")" 2>/dev/null || true
    done
    while :; do
        left=()
        for file in "$@"; do
            alive "$file" && left+=("$file")
        done
        [ ${#left[@]} -gt 0 ] || break
        if [ "$SECONDS" -ge "$deadline" ]; then
            for file in "${left[@]}"; do
                pid="$(cat "$file")"
                echo "  $(basename "$file" .pid) (pid $pid) ignored SIGTERM: SIGKILL"
                kill -KILL -- "-$pid" 2>/dev/null || true
            done
            sleep 0.2
            break
        fi
        sleep 0.2
    done
    for file in "$@"; do
        rm -f "$file"
    done
}

case "$COMMAND" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    restart) cmd_restart ;;
esac
