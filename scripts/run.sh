#!/usr/bin/env bash
# Starts or stops `eventlog serve` and `eventlog relay` in the background (PIDs under var/run).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=${EVENTLOG_BIN:-$repo/build/default/eventlog}
run=$repo/var/run
mkdir -p "$run"

start_one() { # start_one <name> <args...>
  local name=$1; shift
  if [ -f "$run/$name.pid" ] && ps -o comm= -p "$(cat "$run/$name.pid")" 2>/dev/null | grep -q eventlog; then
    echo "run: $name already running (pid $(cat "$run/$name.pid"))"; return 0
  fi
  # The child writes its own PID before exec'ing the binary: setsid may fork, so $! is not it.
  (cd "$repo" && exec setsid -f bash -c 'echo $$ >"$0"; exec "$@"' "$run/$name.pid" "$bin" "$@" \
    >>"$run/$name.log" 2>&1 </dev/null)
  for _ in $(seq 1 50); do [ -s "$run/$name.pid" ] && break; sleep 0.1; done
  echo "run: $name started (pid $(cat "$run/$name.pid"), log var/run/$name.log)"
}

stop_one() {
  local name=$1 pid
  [ -f "$run/$name.pid" ] || return 0
  pid=$(cat "$run/$name.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    echo "run: $name stopped"
  fi
  rm -f "$run/$name.pid"
}

case ${1:-} in
  start)
    start_one serve serve
    start_one relay relay
    port=$(grep -E '^PORT=' "$repo/.env" 2>/dev/null | cut -d= -f2 || true)
    port=${PORT:-${port:-8000}}
    for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
    cat <<MSG

eventlog is running: the users service on http://127.0.0.1:$port, one relay.
Try it:
  curl -s -X POST http://127.0.0.1:$port/users -H 'Content-Type: application/json' \\
       -d '{"email":"ada@example.com","first_name":"Ada","last_name":"Lovelace"}'
  ./build/default/eventlog status
  curl -s -u eventlog:eventlog 'http://127.0.0.1:58123/' --data-binary 'SELECT * FROM event_log FORMAT Vertical'
Logs: var/run/serve.log, var/run/relay.log.   Stop everything: make stop
MSG
    ;;
  stop) stop_one relay; stop_one serve ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
