#!/usr/bin/env bash
# Runs the local infrastructure without Docker: Apache Kafka (KRaft, from Maven jars),
# a private PostgreSQL cluster and an SMTP sink, all under $STATE_DIR.
#
#   deploy/local/stack.sh up [kafka|postgres|smtp|kafka-sasl ...]     start (reuses what already runs)
#   deploy/local/stack.sh down [kafka|postgres|smtp|kafka-sasl ...]   stop cleanly
#   deploy/local/stack.sh status
#
# `up` without parts starts kafka, postgres and smtp. `kafka-sasl` is a second, optional broker
# that accepts only SASL/SCRAM-authenticated clients (for the tests of authenticated connections);
# it starts only when named, and `down` without parts stops it too.
#
# Every step is idempotent: running `up` twice starts nothing twice.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STATE_DIR=${STATE_DIR:-$ROOT/.state}
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}

KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
KAFKA_HEAP=${KAFKA_HEAP:-768m}
KAFKA_SASL_PORT=${KAFKA_SASL_PORT:-9094}
KAFKA_SASL_CONTROLLER_PORT=${KAFKA_SASL_CONTROLLER_PORT:-9095}
# Local development credentials only: a production broker gets its own, from a secret store.
KAFKA_SASL_USERNAME=${KAFKA_SASL_USERNAME:-ind}
KAFKA_SASL_PASSWORD=${KAFKA_SASL_PASSWORD:-ind-local-dev-only}
KAFKA_SASL_BROKER_PASSWORD=${KAFKA_SASL_BROKER_PASSWORD:-broker-local-dev-only}
PG_PORT=${PG_PORT:-54329}
PG_DB=${PG_DB:-ind}
PG_USER=${PG_USER:-ind}
# Server settings beyond the fixed ones, as "-c name=value ...": by default pg_stat_statements is
# loaded, so an operator (and the benchmark) can see which statements take the server's time.
PG_SERVER_OPTIONS=${PG_SERVER_OPTIONS:--c shared_preload_libraries=pg_stat_statements}
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
KAFKA_SASL_DIR=$STATE_DIR/kafka-sasl

kafka_libs() { # both brokers run from the same jars
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

kafka_java() { # kafka_java [exec] BROKER-DIR MAIN-CLASS ARGS...: a broker's JVM with our logging
  local run=()
  [[ $1 == exec ]] && { run=(exec); shift; }
  local dir=$1; shift
  "${run[@]}" java -Xms256m -Xmx"$KAFKA_HEAP" -XX:+UseG1GC \
    -Dkafka.logs.dir="$dir/logs" \
    -Dlog4j2.configurationFile="$ROOT/deploy/local/log4j2.properties" \
    -cp "$KAFKA_DIR/libs/*" "$@"
}

broker_properties() { # broker_properties DIR: what both brokers share; each appends its listeners
  cat <<PROPS
process.roles=broker,controller
node.id=1
controller.listener.names=CONTROLLER
log.dirs=$1/data
num.partitions=6
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
}

broker_up() { # broker_up NAME DIR PORT READY-COMMAND [FORMAT-ARGS...]; DIR/server.properties is written
  local name=$1 dir=$2 port=$3 ready=$4; shift 4
  if [[ ! -f $dir/data/meta.properties ]]; then
    say "formatting $name storage in $dir/data"
    kafka_java "$dir" kafka.tools.StorageTool format --standalone \
      -t "$(kafka_java "$dir" kafka.tools.StorageTool random-uuid 2>/dev/null)" \
      -c "$dir/server.properties" "$@" >"$dir/logs/format.log" 2>&1 \
      || die "formatting $name storage failed; see $dir/logs/format.log"
  fi
  say "starting $name on 127.0.0.1:$port (log: $dir/logs/server.log)"
  (kafka_java exec "$dir" kafka.Kafka "$dir/server.properties" >"$dir/logs/stdout.log" 2>&1 </dev/null) &
  echo $! >"$dir/kafka.pid"
  wait_until 120 "$name" "$ready" \
    || die "$name did not answer metadata requests within 120 s; see $dir/logs/server.log"
  say "$name ready"
}

broker_down() { # broker_down NAME DIR
  local name=$1 dir=$2
  if pid_alive "$dir/kafka.pid"; then
    local pid; pid=$(cat "$dir/kafka.pid")
    say "stopping $name (pid $pid)"
    kill -TERM "$pid"
    wait_until 60 "$name stop" bash -c "! kill -0 $pid" || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/kafka.pid"
}

kafka_ready() { "$PYTHON" -m ind_runtime.admin ping-kafka --bootstrap "127.0.0.1:$KAFKA_PORT"; }

kafka_up() {
  if pid_alive "$KAFKA_DIR/kafka.pid" || port_open "$KAFKA_PORT"; then
    say "kafka already running on 127.0.0.1:$KAFKA_PORT"; return
  fi
  kafka_libs
  mkdir -p "$KAFKA_DIR/data" "$KAFKA_DIR/logs"
  {
    broker_properties "$KAFKA_DIR"
    cat <<PROPS
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
PROPS
  } >"$KAFKA_DIR/server.properties"
  broker_up kafka "$KAFKA_DIR" "$KAFKA_PORT" kafka_ready
}

kafka_down() { broker_down kafka "$KAFKA_DIR"; }

# The SASL broker: clients must authenticate with SCRAM-SHA-256 on 127.0.0.1:$KAFKA_SASL_PORT.
# The broker talks to itself as user `broker`; clients use $KAFKA_SASL_USERNAME. Both users are
# written into the metadata log when the storage is formatted: the broker needs its own user
# before it can start, and KRaft keeps SCRAM users nowhere else.
kafka_sasl_ready() {
  KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT KAFKA_SASL_MECHANISM=SCRAM-SHA-256 \
    KAFKA_SASL_USERNAME="$KAFKA_SASL_USERNAME" KAFKA_SASL_PASSWORD="$KAFKA_SASL_PASSWORD" \
    "$PYTHON" -m ind_runtime.admin ping-kafka --bootstrap "127.0.0.1:$KAFKA_SASL_PORT"
}

kafka_sasl_up() {
  if pid_alive "$KAFKA_SASL_DIR/kafka.pid" || port_open "$KAFKA_SASL_PORT"; then
    say "kafka-sasl already running on 127.0.0.1:$KAFKA_SASL_PORT"; return
  fi
  kafka_libs
  mkdir -p "$KAFKA_SASL_DIR/data" "$KAFKA_SASL_DIR/logs"
  : >"$KAFKA_SASL_DIR/server.properties"
  chmod 600 "$KAFKA_SASL_DIR/server.properties" # it holds the broker's password
  {
    broker_properties "$KAFKA_SASL_DIR"
    cat <<PROPS
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_SASL_CONTROLLER_PORT
listeners=SASL_PLAINTEXT://127.0.0.1:$KAFKA_SASL_PORT,CONTROLLER://127.0.0.1:$KAFKA_SASL_CONTROLLER_PORT
advertised.listeners=SASL_PLAINTEXT://127.0.0.1:$KAFKA_SASL_PORT
inter.broker.listener.name=SASL_PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-256
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-256
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="$KAFKA_SASL_BROKER_PASSWORD";
PROPS
  } >"$KAFKA_SASL_DIR/server.properties"
  broker_up kafka-sasl "$KAFKA_SASL_DIR" "$KAFKA_SASL_PORT" kafka_sasl_ready \
    --add-scram "SCRAM-SHA-256=[name=broker,password=$KAFKA_SASL_BROKER_PASSWORD]" \
    --add-scram "SCRAM-SHA-256=[name=$KAFKA_SASL_USERNAME,password=$KAFKA_SASL_PASSWORD]"
}

kafka_sasl_down() { broker_down kafka-sasl "$KAFKA_SASL_DIR"; }

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
    -o "-p $PG_PORT -k $PG_DIR/run -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off $PG_SERVER_OPTIONS" \
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
  port_open "$KAFKA_SASL_PORT" && say "kafka-sasl up 127.0.0.1:$KAFKA_SASL_PORT" || say "kafka-sasl down (optional)"
}

main() {
  local action=${1:-}; shift || true
  local parts=("$@")
  case $action in
    up)
      [[ ${#parts[@]} -gt 0 ]] || parts=(postgres kafka smtp)
      for p in "${parts[@]}"; do
        case $p in kafka) kafka_up ;; kafka-sasl) kafka_sasl_up ;; postgres) pg_up ;; smtp) smtp_up ;; *) die "unknown part '$p'" ;; esac
      done ;;
    down)
      [[ ${#parts[@]} -gt 0 ]] || parts=(postgres kafka kafka-sasl smtp)
      for p in "${parts[@]}"; do
        case $p in kafka) kafka_down ;; kafka-sasl) kafka_sasl_down ;; postgres) pg_down ;; smtp) smtp_down ;; *) die "unknown part '$p'" ;; esac
      done ;;
    status) status ;;
    *) die "usage: $0 up|down|status [kafka|postgres|smtp|kafka-sasl ...]" ;;
  esac
}

main "$@"
