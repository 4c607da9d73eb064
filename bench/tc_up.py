"""testcontainers' side of the user-visible benchmark: a process that starts Postgres and hands it over.

The counterpart of `parity up --env`: start `PostgresContainer(IMAGE)` (its own readiness wait
included), print the connection URL as one JSON line, then keep the container until stdin says
stop (or closes). The benchmark times this process from its start to the first `select 1`
answered, with the same psycopg client it uses for `parity up`.

usage: python bench/tc_up.py IMAGE LABEL=VALUE...
"""

from __future__ import annotations

import json
import os
import sys
import warnings

# testcontainers reads this at import time; without it, it starts its Ryuk reaper container.
os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")


def main(argv: list[str]) -> int:
    """Start the container, print its URL, wait for the word to stop, stop it."""
    image, labels = argv[0], dict(pair.split("=", 1) for pair in argv[1:])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from testcontainers.postgres import PostgresContainer

    container = PostgresContainer(image, driver=None).with_kwargs(labels=labels)
    # Publish on the loopback only (testcontainers' default binds every interface).
    container.ports = {"5432": ("127.0.0.1", None)}  # type: ignore[dict-item]
    try:
        container.start()
        print(json.dumps({"url": container.get_connection_url(host="127.0.0.1")}), flush=True)
        sys.stdin.readline()
    finally:
        container.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
