"""A smoke check for parity's tests: the app's worker pool opens 10 connections at once."""

import os

import psycopg

conns = [psycopg.connect(os.environ["DATABASE_URL"]) for _ in range(10)]
print(f"opened {len(conns)} connections")
for conn in conns:
    conn.close()
