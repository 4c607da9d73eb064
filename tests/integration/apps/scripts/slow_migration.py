"""A migration that holds its connection for a few seconds before it creates its table, as a long
data migration does. With --retry it reconnects and starts over when the connection is lost, as a
release job with a retry policy (a Kubernetes Job's backoffLimit) does."""

import os
import sys
import time

import psycopg

RETRY = "--retry" in sys.argv[1:]


def migrate() -> None:
    with psycopg.connect(os.environ["DATABASE_URL"], connect_timeout=3) as conn:
        conn.execute("SELECT pg_sleep(8)")
        conn.execute("CREATE TABLE IF NOT EXISTS migrated (id int)")
    print("migrated", flush=True)


for attempt in range(1, 31):
    try:
        migrate()
        break
    except psycopg.OperationalError as exc:
        print(f"attempt {attempt}: {exc}", file=sys.stderr, flush=True)
        if not RETRY:
            sys.exit(1)
        time.sleep(0.5)
else:
    sys.exit(1)
