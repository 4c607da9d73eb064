"""A smoke check for parity's tests: the names listing comes back in the order given on the command line."""

import os
import sys

import psycopg

with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
    listed = [row[0] for row in conn.execute("SELECT name FROM names ORDER BY name")]
expected = sys.argv[1:]
if listed != expected:
    print(f"the listing came back as {listed}, expected {expected}")
    sys.exit(1)
print(f"listed {len(listed)} names in order")
