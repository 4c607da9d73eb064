"""A migration that waits on a lock forever: another session holds an exclusive lock on the table."""

import os

import psycopg

url = os.environ["DATABASE_URL"]
holder = psycopg.connect(url, autocommit=True)
holder.execute("CREATE TABLE IF NOT EXISTS busy (id int)")
holder.execute("BEGIN")
holder.execute("LOCK TABLE busy IN ACCESS EXCLUSIVE MODE")
print("lock held by another session; migrating...", flush=True)
with psycopg.connect(url) as migrator:
    migrator.execute("ALTER TABLE busy ADD COLUMN note text")  # blocks: waits on the lock
