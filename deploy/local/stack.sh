#!/usr/bin/env bash
# Runs the local infrastructure without Docker: Apache Kafka (KRaft, from Maven jars),
# a private PostgreSQL cluster and an SMTP sink, all under $STATE_DIR.
#
#   deploy/local/stack.sh up [kafka|postgres|smtp ...]     start (reuses what already runs)
#   deploy/local/stack.sh down [kafka|postgres|smtp ...]   stop cleanly
#   deploy/local/stack.sh status
#
# Every step is idempotent: running `up` twice starts nothing twice.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE_DIR=${STATE_DIR:-$ROOT/.state}
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}

KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
KAFKA_HEAP=${KAFKA_HEAP:-768m}
PG_PORT=${PG_PORT:-54329}
PG_DB=${PG_DB:-ind}
PG_USER=${PG_USER:-ind}
SMTP_PORT=${SMTP_PORT:-8025}

say() { printf '[stack] %s\n' "$*"; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed ($2)"; }

pid_alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_until() { # wait_until SECONDS DESCRIPTION COMMAND...
  local limit=$1 what=$2; shift 2
  for ((i = 0; i < limit * 4; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.25
  done
  return 1
}

# --- Kafka -----------------------------------------------------------------------------------
KAFKA_DIR=$STATE_DIR/kafka

kafka_libs() {
  if [[ ! -f $KAFKA_DIR/libs/.complete ]]; then
    need java "install a Java 17+ runtime"
    need mvn "install Apache Maven; it fetches the Kafka jars"
    say "fetching the Kafka broker jars with Maven (once)"
    mkdir -p "$KAFKA_DIR/libs"
    mvn -q -B -Dstyle.color=never -f "$ROOT/deploy/local/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$KAFKA_DIR/libs" -DincludeScope=runtime
    touch "$KAFKA_DIR/libs/.complete"
  fi
}

kafka_java() { # kafka_java [exec] MAIN-CLASS ARGS...: the broker's JVM with our logging
  local run=()
  [[ $1 == exec ]] && { run=(exec); shift; }
  "${run[@]}" java -Xms256m -Xmx"$KAFKA_HEAP" -XX:+UseG1GC \
    -Dkafka.logs.dir="$KAFKA_DIR/logs" \
    -Dlog4j2.configurationFile="$ROOT/deploy/local/log4j2.properties" \
    -cp "$KAFKA_DIR/libs/*" "$@"
}

kafka_ready() { "$PYTHON" -m ind_runtime.admin ping-kafka --bootstrap "127.0.0.1:$KAFKA_PORT"; }

kafka_up() {
  if pid_alive "$KAFKA_DIR/kafka.pid" || port_open "$KAFKA_PORT"; then
    say "kafka already running on 127.0.0.1:$KAFKA_PORT"; return
  fi
  kafka_libs
  mkdir -p "$KAFKA_DIR/data" "$KAFKA_DIR/logs"
  cat >"$KAFKA_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DIR/data
num.partitions=6
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
  if [[ ! -f $KAFKA_DIR/data/meta.properties ]]; then
    say "formatting Kafka storage in $KAFKA_DIR/data"
    kafka_java kafka.tools.StorageTool format --standalone \
      -t "$(kafka_java kafka.tools.StorageTool random-uuid 2>/dev/null)" \
      -c "$KAFKA_DIR/server.properties" >"$KAFKA_DIR/logs/format.log" 2>&1 \
      || die "formatting Kafka storage failed; see $KAFKA_DIR/logs/format.log"
  fi
  say "starting Kafka on 127.0.0.1:$KAFKA_PORT (log: $KAFKA_DIR/logs/server.log)"
  (kafka_java exec kafka.Kafka "$KAFKA_DIR/server.properties" >"$KAFKA_DIR/logs/stdout.log" 2>&1 </dev/null) &
  echo $! >"$KAFKA_DIR/kafka.pid"
  wait_until 120 "kafka" kafka_ready \
    || die "Kafka did not answer metadata requests within 120 s; see $KAFKA_DIR/logs/server.log"
  say "kafka ready"
}

kafka_down() {
  if pid_alive "$KAFKA_DIR/kafka.pid"; then
    local pid; pid=$(cat "$KAFKA_DIR/kafka.pid")
    say "stopping Kafka (pid $pid)"
    kill -TERM "$pid"
    wait_until 60 "kafka stop" bash -c "! kill -0 $pid" || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$KAFKA_DIR/kafka.pid"
}

# --- PostgreSQL ------------------------------------------------------------------------------
PG_DIR=$STATE_DIR/postgres

pg_bindir() {
  local dir
  if command -v pg_config >/dev/null 2>&1 && [[ -x $(pg_config --bindir)/initdb ]]; then
    pg_config --bindir; return
  fi
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x $dir/initdb ]] && { echo "$dir"; return; }
  done
  die "PostgreSQL server programs (initdb, pg_ctl) not found; install the postgresql package"
}

as_pg_owner() { # initdb and pg_ctl refuse to run as root
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_up() {
  local bin; bin=$(pg_bindir)
  for prog in initdb pg_ctl pg_isready psql; do
    [[ -x $bin/$prog ]] || command -v "$prog" >/dev/null || die "PostgreSQL program '$prog' is missing in $bin"
  done
  if "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
    say "postgres already running on 127.0.0.1:$PG_PORT"; return
  fi
  mkdir -p "$PG_DIR/run" "$PG_DIR/logs"
  if [[ $(id -u) == 0 ]]; then
    id postgres >/dev/null 2>&1 || die "the 'postgres' system user is missing (initdb refuses to run as root)"
    chown -R postgres "$PG_DIR"
  fi
  if [[ ! -f $PG_DIR/data/PG_VERSION ]]; then
    say "creating a private PostgreSQL cluster in $PG_DIR/data"
    as_pg_owner "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$PG_DIR/logs/initdb.log" 2>&1 || die "initdb failed; see $PG_DIR/logs/initdb.log"
  fi
  say "starting PostgreSQL on 127.0.0.1:$PG_PORT (log: $PG_DIR/logs/postgres.log)"
  as_pg_owner "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/logs/postgres.log" -w -t 60 start \
    -o "-p $PG_PORT -k $PG_DIR/run -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" \
    >/dev/null || die "PostgreSQL did not start; see $PG_DIR/logs/postgres.log"
  local psql=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt)
  [[ -x $bin/psql ]] && psql[0]=$bin/psql
  if [[ -z $("${psql[@]}" -d postgres -c "select 1 from pg_roles where rolname = '$PG_USER'") ]]; then
    "${psql[@]}" -d postgres -c "create role $PG_USER login createdb password '$PG_USER'"
  fi
  if [[ -z $("${psql[@]}" -d postgres -c "select 1 from pg_database where datname = '$PG_DB'") ]]; then
    "${psql[@]}" -d postgres -c "create database $PG_DB owner $PG_USER"
  fi
  say "postgres ready (postgresql://$PG_USER@127.0.0.1:$PG_PORT/$PG_DB)"
}

pg_down() {
  local bin; bin=$(pg_bindir)
  if [[ -f $PG_DIR/data/postmaster.pid ]]; then
    say "stopping PostgreSQL"
    as_pg_owner "$bin/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null || true
  fi
}

# --- SMTP sink -------------------------------------------------------------------------------
SMTP_DIR=$STATE_DIR/smtp

smtp_up() {
  if pid_alive "$SMTP_DIR/smtp.pid" || port_open "$SMTP_PORT"; then
    say "smtp sink already running on 127.0.0.1:$SMTP_PORT"; return
  fi
  mkdir -p "$SMTP_DIR"
  say "starting the SMTP sink on 127.0.0.1:$SMTP_PORT (mail: $SMTP_DIR/mailbox.mbox)"
  nohup "$PYTHON" -m ind_runtime.smtp_sink --port "$SMTP_PORT" --mbox "$SMTP_DIR/mailbox.mbox" \
    >"$SMTP_DIR/smtp.log" 2>&1 </dev/null &
  echo $! >"$SMTP_DIR/smtp.pid"
  wait_until 20 "smtp" port_open "$SMTP_PORT" || die "the SMTP sink did not start; see $SMTP_DIR/smtp.log"
}

smtp_down() {
  if pid_alive "$SMTP_DIR/smtp.pid"; then
    say "stopping the SMTP sink"
    kill -TERM "$(cat "$SMTP_DIR/smtp.pid")" || true
  fi
  rm -f "$SMTP_DIR/smtp.pid"
}

status() {
  port_open "$KAFKA_PORT" && say "kafka    up   127.0.0.1:$KAFKA_PORT" || say "kafka    down"
  port_open "$PG_PORT" && say "postgres up   127.0.0.1:$PG_PORT" || say "postgres down"
  port_open "$SMTP_PORT" && say "smtp     up   127.0.0.1:$SMTP_PORT" || say "smtp     down"
}

main() {
  local action=${1:-}; shift || true
  local parts=("$@")
  [[ ${#parts[@]} -gt 0 ]] || parts=(postgres kafka smtp)
  case $action in
    up) for p in "${parts[@]}"; do case $p in kafka) kafka_up ;; postgres) pg_up ;; smtp) smtp_up ;; *) die "unknown part '$p'" ;; esac; done ;;
    down) for p in "${parts[@]}"; do case $p in kafka) kafka_down ;; postgres) pg_down ;; smtp) smtp_down ;; *) die "unknown part '$p'" ;; esac; done ;;
    status) status ;;
    *) die "usage: $0 up|down|status [kafka|postgres|smtp ...]" ;;
  esac
}

main "$@"
