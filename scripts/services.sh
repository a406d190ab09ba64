#!/usr/bin/env bash
# Start/stop a loopback PostgreSQL and ClickHouse owned by this project, data under a var/ dir.
# Usage: scripts/services.sh start|stop|status|start-pg|stop-pg|start-ch|stop-ch|kill-ch
# Settings (environment): EVENTLOG_VAR_DIR (default <repo>/var/services), PG_PORT (55432),
# CH_HTTP_PORT (58123), CH_TCP_PORT (59000). Only processes started here (by PID file) are stopped.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
var=${EVENTLOG_VAR_DIR:-$repo/var/services}
pg_port=${PG_PORT:-55432}
ch_http=${CH_HTTP_PORT:-58123}
ch_tcp=${CH_TCP_PORT:-59000}
pg_bin=/usr/lib/postgresql/15/bin
pg_dir=$var/pg
ch_dir=$var/clickhouse

log() { echo "services: $*" >&2; }

wait_for() { # wait_for <what> <seconds> <command...>
  local what=$1 secs=$2; shift 2
  for _ in $(seq 1 $((secs * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  log "$what did not come up within ${secs}s"; return 1
}

pg_as() { runuser -u postgres -- "$@"; }

# Our ports lie inside Linux's range for automatically assigned client ports (32768-60999): a
# client socket of some test may hold one just when a server wants to bind it ("Address already
# in use"). Reserve them (root only; elsewhere this does nothing).
reserve_ports() {
  local f=/proc/sys/net/ipv4/ip_local_reserved_ports cur p
  cur=$(cat "$f" 2>/dev/null) || return 0
  for p in "$@"; do case ",$cur," in *",$p,"*) ;; *) cur=${cur:+$cur,}$p ;; esac; done
  echo "$cur" 2>/dev/null >"$f" || true
}

# PostgreSQL runs as the postgres user, who may not reach a checkout under a private home
# (/root is 0700). Then its data goes to /var/tmp, linked from var/.
place_pg_dir() {
  mkdir -p "$var"
  if [ -L "$pg_dir" ] || pg_as test -x "$var" 2>/dev/null; then return 0; fi
  local elsewhere
  elsewhere=/var/tmp/eventlog-pg-$(printf '%s' "$pg_dir" | md5sum | cut -c1-12)
  mkdir -p "$elsewhere"
  ln -sfn "$elsewhere" "$pg_dir"
  log "PostgreSQL data in $elsewhere (postgres cannot reach $var)"
}

# Paths handed to PostgreSQL must not pass through a directory postgres cannot enter.
resolve_pg_dir() { [ -L "$pg_dir" ] && pg_dir=$(readlink -f "$pg_dir"); return 0; }

start_pg() {
  reserve_ports "$pg_port"
  place_pg_dir
  resolve_pg_dir
  mkdir -p "$pg_dir"; chown postgres:postgres "$pg_dir"; chmod 700 "$pg_dir"
  if [ ! -f "$pg_dir/data/PG_VERSION" ]; then
    pg_as "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >"$pg_dir/initdb.log"
    cat >>"$pg_dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$pg_dir'
max_connections = 200
fsync = on
log_min_messages = warning
CONF
  fi
  # The randomized claim test holds prepared transactions (two-phase commit), as applications do.
  # Clusters made by an older checkout get the setting too (a restart applies it).
  if ! grep -q '^max_prepared_transactions' "$pg_dir/data/postgresql.conf"; then
    echo "max_prepared_transactions = 64" >>"$pg_dir/data/postgresql.conf"
    if pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" status >/dev/null 2>&1; then
      pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w -t 60 restart -l "$pg_dir/server.log" >/dev/null
    fi
  fi
  if pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" status >/dev/null 2>&1; then log "PostgreSQL already running"; else
    pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 start >/dev/null
  fi
  wait_for PostgreSQL 30 "$pg_bin/pg_isready" -h 127.0.0.1 -p "$pg_port"
  local psql=("$pg_bin/psql" -h "$pg_dir" -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 -qtA)
  if [ "$(pg_as "${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname='eventlog'")" != 1 ]; then
    pg_as "${psql[@]}" -c "CREATE ROLE eventlog LOGIN PASSWORD 'eventlog' CREATEDB"
  fi
  if [ "$(pg_as "${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname='eventlog'")" != 1 ]; then
    pg_as "${psql[@]}" -c "CREATE DATABASE eventlog OWNER eventlog"
  fi
  log "PostgreSQL on 127.0.0.1:$pg_port (data $pg_dir)"
}

stop_pg() {
  resolve_pg_dir
  [ -f "$pg_dir/data/postmaster.pid" ] || return 0
  pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
}

write_ch_config() {
  mkdir -p "$ch_dir/data" "$ch_dir/tmp" "$ch_dir/user_files" "$ch_dir/log"
  cat >"$ch_dir/config.xml" <<CONF
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$ch_dir/log/server.log</log><errorlog>$ch_dir/log/error.log</errorlog><size>100M</size><count>2</count></logger>
  <http_port>$ch_http</http_port>
  <tcp_port>$ch_tcp</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <max_connections>1024</max_connections>
  <keep_alive_timeout>3</keep_alive_timeout>
  <max_concurrent_queries>100</max_concurrent_queries>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <mark_cache_size>268435456</mark_cache_size>
  <path>$ch_dir/data/</path>
  <tmp_path>$ch_dir/tmp/</tmp_path>
  <user_files_path>$ch_dir/user_files/</user_files_path>
  <users_config>$ch_dir/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
</yandex>
CONF
  write_ch_users
}

# Users, rewritten on every start (ClickHouse reloads users.xml while running). eventlog_lenient
# has a profile that skips bad input rows: the tests show the relay's pinned settings win over it.
write_ch_users() {
  mkdir -p "$ch_dir"
  cat >"$ch_dir/users.xml.tmp" <<CONF
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default><lenient><max_memory_usage>4000000000</max_memory_usage><input_format_allow_errors_num>10</input_format_allow_errors_num><input_format_allow_errors_ratio>0.5</input_format_allow_errors_ratio></lenient></profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default>
    <eventlog><password>eventlog</password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></eventlog>
    <eventlog_lenient><password>eventlog</password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>lenient</profile><quota>default</quota></eventlog_lenient>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
CONF
  cmp -s "$ch_dir/users.xml.tmp" "$ch_dir/users.xml" 2>/dev/null || mv "$ch_dir/users.xml.tmp" "$ch_dir/users.xml"
  rm -f "$ch_dir/users.xml.tmp"
}

# The server's own PID, from the status file it writes (setsid may fork, so $! is not it),
# and only if that process is still our server: stop only what we started.
ch_pid() {
  local p
  p=$(sed -n 's/^PID: //p' "$ch_dir/data/status" 2>/dev/null) || return 1
  [ -n "$p" ] && tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | grep -qF -- "$ch_dir/config.xml" && echo "$p"
}
ch_alive() { ch_pid >/dev/null; }

start_ch() {
  reserve_ports "$ch_http" "$ch_tcp"
  if ch_alive; then log "ClickHouse already running"; write_ch_users; else
    write_ch_config
    # setsid -f: the server gets its own session and nothing of ours waits on it.
    (cd "$ch_dir" && exec setsid -f /usr/sbin/clickhouse-server --config-file="$ch_dir/config.xml" \
      >"$ch_dir/log/stdout.log" 2>&1 </dev/null)
  fi
  wait_for ClickHouse 60 curl -sf "http://127.0.0.1:$ch_http/ping"
  wait_for "ClickHouse PID" 10 ch_alive
  log "ClickHouse on 127.0.0.1:$ch_http (data $ch_dir)"
}

stop_ch() { # stop_ch [signal]
  local sig=${1:-TERM} p
  ch_alive || return 0
  p=$(ch_pid); kill -"$sig" "$p" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  return 0
}

case ${1:-} in
  start) start_pg; start_ch ;;
  stop) stop_ch; stop_pg ;;
  start-pg) start_pg ;;
  stop-pg) stop_pg ;;
  start-ch) start_ch ;;
  stop-ch) stop_ch ;;
  kill-ch) stop_ch KILL ;;
  status)
    resolve_pg_dir
    pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" status >/dev/null 2>&1 && echo "postgresql: running on $pg_port" || echo "postgresql: stopped"
    ch_alive && echo "clickhouse: running on $ch_http" || echo "clickhouse: stopped" ;;
  *) echo "usage: $0 start|stop|status|start-pg|stop-pg|start-ch|stop-ch|kill-ch" >&2; exit 2 ;;
esac
