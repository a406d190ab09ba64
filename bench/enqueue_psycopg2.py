"""The enqueue's cost from Python (psycopg2), as a Django or Celery producer pays it.

Usage: enqueue_psycopg2.py DSN SECONDS_PER_SLICE ROUNDS MODE...
Two processes, one connection each, run one-row business transactions (a user) in time slices,
every mode once per round and both processes in the same mode at the same time, so drift in a
shared machine hits every mode alike. Prints one line per mode: its name, then the transactions
per second of each round, separated by blanks. Modes (see scripts/bench-enqueue.sh):
  without            BEGIN; INSERT INTO users; COMMIT
  empty              ... plus SELECT 1: the floor of any statement of its own
  function           ... plus SELECT eventlog_enqueue(...), a statement of its own
  raw                ... plus the table contract's INSERT INTO event_outbox, a statement of its own
  function_in_stmt   the user's INSERT feeds eventlog_enqueue() in one statement
  raw_in_stmt        the outbox INSERT rides in the user's INSERT (a data-modifying CTE)
"""
import json
import multiprocessing
import sys
import time
import uuid

import psycopg2

USER = "INSERT INTO users (email) VALUES (%s)"
FUNCTION = "SELECT eventlog_enqueue('user_created', %s::jsonb)"
RAW = ("INSERT INTO event_outbox (event_id, event_type, event_date_time, environment, event_context)"
       " VALUES (%s, 'user_created', now(), 'Bench', %s)")
FUNCTION_IN_STMT = ("WITH u AS (INSERT INTO users (email) VALUES (%s) RETURNING email) "
                    "SELECT eventlog_enqueue('user_created', jsonb_build_object('email', email)) "
                    "FROM u")
RAW_IN_STMT = ("WITH e AS (INSERT INTO event_outbox (event_id, event_type, event_date_time, "
               "environment, event_context) VALUES (%s, 'user_created', now(), 'Bench', %s)) "
               "INSERT INTO users (email) VALUES (%s)")


def one_transaction(conn, cur, mode, email):
    context = json.dumps({"email": email})
    if mode == "function_in_stmt":
        cur.execute(FUNCTION_IN_STMT, (email,))
    elif mode == "raw_in_stmt":
        cur.execute(RAW_IN_STMT, (str(uuid.uuid4()), context, email))
    else:
        cur.execute(USER, (email,))
        if mode == "empty":
            cur.execute("SELECT 1")
        elif mode == "function":
            cur.execute(FUNCTION, (context,))
        elif mode == "raw":
            cur.execute(RAW, (str(uuid.uuid4()), context))
    conn.commit()


def worker(dsn, schedule, worker_id, out):
    conn = psycopg2.connect(dsn)
    cur = conn.cursor()
    counts = []
    n = 0
    for mode, start, end in schedule:
        while time.monotonic() < start:
            time.sleep(0.001)
        done = 0
        while time.monotonic() < end:
            n += 1
            one_transaction(conn, cur, mode, f"py{worker_id}-{uuid.uuid4().hex[:12]}-{n}@example.com")
            done += 1
        counts.append(done)
    conn.close()
    out.put(counts)


def main():
    dsn, seconds, rounds, modes = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
    t0 = time.monotonic() + 1.0  # both processes connected before the first slice
    schedule = []
    for r in range(rounds):
        for i, mode in enumerate(modes):
            start = t0 + (r * len(modes) + i) * seconds
            schedule.append((mode, start, start + seconds))
    out = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=worker, args=(dsn, schedule, w, out)) for w in (0, 1)]
    for p in procs:
        p.start()
    per_worker = [out.get() for _ in procs]
    for p in procs:
        p.join()
    for i, mode in enumerate(modes):
        rates = [sum(c[r * len(modes) + i] for c in per_worker) / seconds for r in range(rounds)]
        print(mode, " ".join(f"{x:.0f}" for x in rates))


if __name__ == "__main__":
    main()
