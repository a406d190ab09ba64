#!/usr/bin/env bash
# What an event costs a one-row business transaction, from pgbench and from Python (psycopg2):
# the rate of `BEGIN; INSERT INTO users ...; COMMIT` alone vs with one event, through
# eventlog_enqueue() or through the table contract's raw INSERT (each a statement of its own),
# and both inside the business statement (one round trip); `empty` adds a statement that does
# nothing (`SELECT 1`): the floor of any statement of its own. 2 clients, modes alternated in short
# slices (a shared disk's commit flushes swing the rate between seconds), ratio to "without"
# taken within each round; prints medians.
#
# Usage: scripts/bench-enqueue.sh   (after `make test`/`make bench` started the loopback servers)
# Settings (environment): BENCH_ENQUEUE_ROUNDS (5), BENCH_ENQUEUE_SECONDS (1, per slice),
# BENCH_ENQUEUE_DB (eventlog_bench_enqueue: dropped and created), BENCH_ENQUEUE_UPTO (apply the
# PostgreSQL migrations up to this number only, e.g. 010 to measure before 011; default all),
# PGHOST/PGPORT/PGUSER/PGPASSWORD (the loopback server's). Synchronous commit as the server has
# it (on); PGOPTIONS='-c synchronous_commit=off' shows the cost a commit flush does not hide.
# Runs under the lock `make bench` takes, so two benches never overlap.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
rounds=${BENCH_ENQUEUE_ROUNDS:-5}
secs=${BENCH_ENQUEUE_SECONDS:-1}
db=${BENCH_ENQUEUE_DB:-eventlog_bench_enqueue}
upto=${BENCH_ENQUEUE_UPTO:-999}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-55432} PGUSER=${PGUSER:-eventlog}
export PGPASSWORD=${PGPASSWORD:-eventlog}
modes=(without empty function raw function_in_stmt raw_in_stmt)

if [ -z "${BENCH_ENQUEUE_LOCKED:-}" ]; then
  BENCH_ENQUEUE_LOCKED=1 exec flock /tmp/eventlog-bench.lock "$0" "$@"
fi

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
for f in "$repo"/migrations/postgres/*.sql; do
  n=$(basename "$f" | cut -c1-3)
  [ "$((10#$n))" -le "$((10#$upto))" ] || continue
  psql -X -q -v ON_ERROR_STOP=1 -1 -d "$db" -f "$f" >/dev/null 2>&1 || { echo "bench-enqueue: $f failed" >&2; exit 1; }
  last=$(basename "$f" .sql)
done

# pgbench: one script per mode; :u makes each email unique.
user="INSERT INTO users (email) VALUES ('u' || :u || '@example.com')"
context="('{\"email\": \"u' || :u || '@example.com\"}')"
raw_values="(gen_random_uuid(), 'user_created', now(), 'Bench', $context)"
raw="INSERT INTO event_outbox (event_id, event_type, event_date_time, environment, event_context) VALUES $raw_values"
body() {
  case $1 in
    without) echo "$user;" ;;
    empty) printf '%s;\n%s\n' "$user" "SELECT 1;" ;;
    function) printf '%s;\n%s\n' "$user" "SELECT eventlog_enqueue('user_created', $context::jsonb);" ;;
    raw) printf '%s;\n%s;\n' "$user" "$raw" ;;
    function_in_stmt) echo "WITH n AS ($user RETURNING email) SELECT eventlog_enqueue('user_created', jsonb_build_object('email', email)) FROM n;" ;;
    raw_in_stmt) echo "WITH e AS ($raw) $user;" ;;
  esac
}
for m in "${modes[@]}"; do
  printf '\\set u random(1, 9000000000000000)\nBEGIN;\n%s\nCOMMIT;\n' "$(body "$m")" >"$dir/$m.sql"
done

declare -A rates
for _ in $(seq "$rounds"); do
  for m in "${modes[@]}"; do
    t=$(pgbench -n -M prepared -c 2 -j 2 -T "$secs" -f "$dir/$m.sql" "$db" 2>&1 |
      awk '/^tps/ {printf "%.0f", $3}')
    [ -n "$t" ] || { echo "bench-enqueue: pgbench $m failed" >&2; exit 1; }
    rates[pgbench_$m]+="$t "
  done
done
while read -r m line; do rates[psycopg2_$m]=$line; done < <(
  /usr/bin/python3 "$repo/bench/enqueue_psycopg2.py" \
    "host=$PGHOST port=$PGPORT user=$PGUSER password=$PGPASSWORD dbname=$db" \
    "$secs" "$rounds" "${modes[@]}")

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
echo "bench-enqueue: $rounds rounds of ${secs}s slices, 2 clients, schema up to $last"
printf '%-9s %-17s %10s %8s   %s\n' client mode "tx/s" "ratio" "ratio per round"
for client in pgbench psycopg2; do
  read -r -a base <<<"${rates[${client}_without]}"
  for m in "${modes[@]}"; do
    read -r -a r <<<"${rates[${client}_$m]}"
    ratios=""
    for i in "${!r[@]}"; do
      ratios+="$(awk -v a="${r[$i]}" -v b="${base[$i]}" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}') "
    done
    printf '%-9s %-17s %10s %8s   %s\n' "$client" "$m" "$(echo "${r[*]}" | median)" \
      "$(echo "$ratios" | median)" "$ratios"
  done
done
