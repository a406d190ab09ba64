"""Enqueues events through eventlog_enqueue() from Python with psycopg2, as a Django app would.

Usage: enqueue_psycopg2.py DATABASE_URL CONTEXT_JSON
Prints two event ids, one per line: the event of a transaction that commits, then the event of
a transaction that rolls back (it must never reach ClickHouse).
"""
import json
import sys

import psycopg2


def main() -> None:
    url, context = sys.argv[1], json.loads(sys.argv[2])
    conn = psycopg2.connect(url, options="-c eventlog.environment=Test")
    with conn:  # commits on success
        with conn.cursor() as cur:
            cur.execute("SELECT eventlog_enqueue(%s, %s::jsonb)", ("UserCreated", json.dumps(context)))
            print(cur.fetchone()[0])
    with conn.cursor() as cur:
        cur.execute("SELECT eventlog_enqueue(%s, %s::jsonb)", ("UserCreated", '{"rolled_back": true}'))
        print(cur.fetchone()[0])
    conn.rollback()
    conn.close()


if __name__ == "__main__":
    main()
