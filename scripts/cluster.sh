#!/usr/bin/env bash
# A loopback ClickHouse cluster for tests and benchmarks: one ZooKeeper and four ClickHouse
# servers, 2 shards x 2 replicas (cluster eventlog_cluster), all on 127.0.0.1, data under var/.
# Usage: scripts/cluster.sh start|stop|status|hosts|start-zk|stop-zk|start-node N|stop-node N|kill-node N
#   node1 = shard 01 replica node1, node2 = shard 01 replica node2,
#   node3 = shard 02 replica node3, node4 = shard 02 replica node4.
#   hosts prints the CLICKHOUSE_HOSTS value (HTTP ports of the four nodes).
# Settings (environment): EVENTLOG_CLUSTER_DIR (default <repo>/var/cluster), CLUSTER_ZK_PORT
# (52181), CLUSTER_HTTP_BASE (58130: node N serves HTTP on base+N), CLUSTER_TCP_BASE (59010),
# CLUSTER_INTERSERVER_BASE (59020), CLUSTER_ZK_SESSION_TIMEOUT_MS (5000).
# Each node is a scripts/services.sh ClickHouse (start-ch/stop-ch/kill-ch) with its var dir in
# <cluster dir>/nodeN and the cluster settings in its config.d/cluster.xml. Only processes
# started here (by PID file) are stopped.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dir=${EVENTLOG_CLUSTER_DIR:-$repo/var/cluster}
zk_port=${CLUSTER_ZK_PORT:-52181}
http_base=${CLUSTER_HTTP_BASE:-58130}
tcp_base=${CLUSTER_TCP_BASE:-59010}
interserver_base=${CLUSTER_INTERSERVER_BASE:-59020}
zk_session_ms=${CLUSTER_ZK_SESSION_TIMEOUT_MS:-5000}
zk_dir=$dir/zk
nodes=(1 2 3 4)

log() { echo "cluster: $*" >&2; }

wait_for() { # wait_for <what> <seconds> <command...>
  local what=$1 secs=$2; shift 2
  for _ in $(seq 1 $((secs * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  log "$what did not come up within ${secs}s"; return 1
}

# --- ZooKeeper ---------------------------------------------------------------------------

write_zk_config() {
  mkdir -p "$zk_dir/data" "$zk_dir/log"
  cat >"$zk_dir/zoo.cfg" <<CONF
tickTime=2000
dataDir=$zk_dir/data
clientPort=$zk_port
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=ruok,stat,srvr,mntr
maxClientCnxns=200
autopurge.snapRetainCount=3
autopurge.purgeInterval=1
CONF
}

# ZooKeeper's PID from our pid file, and only if that process is still our ZooKeeper.
zk_pid() {
  local p
  p=$(cat "$zk_dir/zk.pid" 2>/dev/null) || return 1
  [ -n "$p" ] && tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "$zk_dir/zoo.cfg" && echo "$p"
}
zk_alive() { zk_pid >/dev/null; }

# "imok" from the four-letter word over bash's /dev/tcp (no nc needed).
zk_ok() {
  timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$zk_port; echo ruok >&3; cat <&3" 2>/dev/null | grep -q imok
}

start_zk() {
  # Out of the range of automatically assigned client ports (see services.sh reserve_ports).
  local f=/proc/sys/net/ipv4/ip_local_reserved_ports cur
  if cur=$(cat "$f" 2>/dev/null); then
    echo "${cur:+$cur,}$zk_port,$((interserver_base + 1))-$((interserver_base + ${#nodes[@]}))" \
      2>/dev/null >"$f" || true
  fi
  if zk_alive; then log "ZooKeeper already running"; else
    [ -f /usr/share/java/zookeeper.jar ] || { log "ZooKeeper missing: run scripts/install-deps.sh"; return 1; }
    write_zk_config
    # zookeeper.jar's manifest names its dependencies; slf4j-log4j12 + log4j 1.2 pick one logger
    # (the whole of /usr/share/java holds several slf4j bindings). The bash wrapper writes its
    # own PID and execs java, so the pid file holds the JVM's PID; setsid -f: nothing waits on it.
    local cp=/etc/zookeeper/conf:/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-log4j12.jar:/usr/share/java/log4j-1.2.jar
    # shellcheck disable=SC2016 # $$ is the inner bash's PID
    setsid -f bash -c 'echo $$ >"$1"; shift; exec "$@"' zk "$zk_dir/zk.pid" \
      java -Xms32m -Xmx256m -XX:+UseSerialGC -Djava.net.preferIPv4Stack=true \
      -Dzookeeper.log.dir="$zk_dir/log" -Dzookeeper.root.logger=INFO,ROLLINGFILE \
      -cp "$cp" org.apache.zookeeper.server.quorum.QuorumPeerMain "$zk_dir/zoo.cfg" \
      >"$zk_dir/log/stdout.log" 2>&1 </dev/null
  fi
  wait_for ZooKeeper 60 zk_ok
  wait_for "ZooKeeper PID" 10 zk_alive
  log "ZooKeeper on 127.0.0.1:$zk_port (data $zk_dir)"
}

stop_zk() {
  local p
  p=$(zk_pid) || return 0
  kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  rm -f "$zk_dir/zk.pid"
  return 0
}

# --- ClickHouse nodes --------------------------------------------------------------------

check_node() {
  case ${1:-} in 1|2|3|4) ;; *) echo "usage: $0 start-node|stop-node|kill-node 1|2|3|4" >&2; exit 2 ;; esac
}

# services.sh for node N: its own var dir and ports.
node_services() { # node_services N <command>
  EVENTLOG_VAR_DIR=$dir/node$1 CH_HTTP_PORT=$((http_base + $1)) CH_TCP_PORT=$((tcp_base + $1)) \
    "$repo/scripts/services.sh" "$2"
}

replica_xml() { # replica_xml N
  echo "        <replica><host>127.0.0.1</host><port>$((tcp_base + $1))</port><user>default</user><password></password></replica>"
}

# config.d/cluster.xml, merged by ClickHouse over the config.xml that services.sh writes.
write_node_config() { # write_node_config N
  local n=$1 shard conf_dir=$dir/node$1/clickhouse/config.d
  shard=$(printf '%02d' $(((n + 1) / 2)))
  mkdir -p "$conf_dir"
  cat >"$conf_dir/cluster.xml.tmp" <<CONF
<?xml version="1.0"?>
<!-- Written by scripts/cluster.sh: node$n of eventlog_cluster (shard $shard). -->
<yandex>
  <interserver_http_port>$((interserver_base + n))</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <!-- Four servers on one machine: small caches. -->
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <mark_cache_size>67108864</mark_cache_size>
  <zookeeper>
    <node><host>127.0.0.1</host><port>$zk_port</port></node>
    <session_timeout_ms>$zk_session_ms</session_timeout_ms>
  </zookeeper>
  <macros><shard>$shard</shard><replica>node$n</replica></macros>
  <remote_servers>
    <eventlog_cluster>
      <shard>
        <internal_replication>true</internal_replication>
$(replica_xml 1)
$(replica_xml 2)
      </shard>
      <shard>
        <internal_replication>true</internal_replication>
$(replica_xml 3)
$(replica_xml 4)
      </shard>
    </eventlog_cluster>
  </remote_servers>
  <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
</yandex>
CONF
  cmp -s "$conf_dir/cluster.xml.tmp" "$conf_dir/cluster.xml" 2>/dev/null || mv "$conf_dir/cluster.xml.tmp" "$conf_dir/cluster.xml"
  rm -f "$conf_dir/cluster.xml.tmp"
}

start_node() { write_node_config "$1"; node_services "$1" start-ch 2>&1 | sed "s/^services:/node$1:/" >&2; }

# Nodes start in parallel; fails if any of them did not come up.
start_nodes() {
  local n pids=() failed=0
  for n in "${nodes[@]}"; do start_node "$n" & pids+=($!); done
  for n in "${!pids[@]}"; do wait "${pids[$n]}" || { log "node${nodes[$n]} failed to start"; failed=1; }; done
  return $failed
}

stop_nodes() {
  local n pids=()
  for n in "${nodes[@]}"; do node_services "$n" stop-ch & pids+=($!); done
  wait "${pids[@]}"
}

hosts() {
  local n out=()
  for n in "${nodes[@]}"; do out+=("127.0.0.1:$((http_base + n))"); done
  (IFS=,; echo "${out[*]}")
}

status() {
  zk_alive && echo "zookeeper: running on $zk_port (pid $(zk_pid))" || echo "zookeeper: stopped"
  local n
  for n in "${nodes[@]}"; do
    if node_services "$n" status 2>/dev/null | grep -q 'clickhouse: running'; then
      echo "node$n: running on $((http_base + n))"
    else
      echo "node$n: stopped"
    fi
  done
}

case ${1:-} in
  start) start_zk; start_nodes; log "eventlog_cluster up: CLICKHOUSE_HOSTS=$(hosts)" ;;
  stop) stop_nodes; stop_zk ;;
  status) status ;;
  hosts) hosts ;;
  start-zk) start_zk ;;
  stop-zk) stop_zk ;;
  start-node) check_node "${2:-}"; start_node "$2" ;;
  stop-node) check_node "${2:-}"; node_services "$2" stop-ch ;;
  kill-node) check_node "${2:-}"; node_services "$2" kill-ch ;;
  *) echo "usage: $0 start|stop|status|hosts|start-zk|stop-zk|start-node N|stop-node N|kill-node N" >&2; exit 2 ;;
esac
