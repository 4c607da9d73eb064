"""`make bench`, production-sized data: the time to generate one million rows of a typical table
in the server (parity's `data.rows`), and the time to start a database from the cached filled
cluster (what every later run with the same `data` does), next to an empty cluster's start.

Both go through parity's own code: `fill_rows` into an environment's database, and
`Environment.start_database(fingerprint)` on a cache hit (the filled image is made once, as the
data step makes it, and removed at the end).
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docker
import psycopg

from parity.data.fill import fill_rows, prepare_to_cache, save_filled_cluster
from parity.env.environment import Environment
from parity.profile.loader import load_profile

# The example's notes table, as its first revision creates it.
NOTES = """CREATE TABLE notes (
    id serial PRIMARY KEY,
    title varchar(200) NOT NULL,
    body text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
)"""
ROWS = 1_000_000


def bench_data(client: docker.DockerClient, version: str, reps: int, labels: dict[str, str],
               make_env: Callable[..., Environment], samples: Callable[[], Any],
               say: Callable[[str], None]) -> dict[str, Any]:
    """Fill ROWS rows `reps` times (a fresh database each), then time `reps` starts from the
    cached filled cluster and `reps` starts of an empty one, alternating."""
    profiles = Path(tempfile.mkdtemp(prefix="parity-bench-data-"))
    (profiles / "bench.yaml").write_text(f'database:\n  version: "{version}"\n')
    loaded = load_profile(profiles, "bench")
    fingerprint = f"bench-{labels.get('io.parity.bench.session', time.time())}"
    fill, filled_start, empty_start = samples(), samples(), samples()
    size = 0
    image = None
    try:
        for rep in range(1, reps + 1):
            env = make_env(client, loaded, profiles.parent, bench_labels=labels)
            with env:
                env.create_network()
                db = env.start_database(fingerprint if rep == 1 else None)
                assert db is not None
                with psycopg.connect(**db.connect_kwargs()) as conn:  # type: ignore[arg-type]
                    conn.execute(NOTES)
                if rep == 1 and db.filled_ref:
                    prepare_to_cache(db)
                started = time.monotonic()
                fill_rows(db, {"notes": ROWS})
                fill.values.append(time.monotonic() - started)
                say(f"data {rep}/{reps}: {ROWS:,} rows in {fill.values[-1]:.2f}s")
                if rep == 1 and db.filled_ref:
                    with psycopg.connect(**db.connect_kwargs()) as conn:  # type: ignore[arg-type]
                        row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
                    size = int(row[0]) if row else 0
                    save_filled_cluster(client, db, env.labels("database"))
                    image = db.filled_ref
        for rep in range(1, reps + 1):
            for kind, target in (("filled", filled_start), ("empty", empty_start)):
                env = make_env(client, loaded, profiles.parent, bench_labels=labels)
                with env:
                    env.create_network()
                    started = time.monotonic()
                    db = env.start_database(fingerprint if kind == "filled" else None)
                    target.values.append(time.monotonic() - started)
                    assert db is not None and db.started_filled == (kind == "filled")
                say(f"start {rep}/{reps} {kind}: ready {target.values[-1]:.2f}s")
    finally:
        if image:
            with contextlib.suppress(docker.errors.APIError):
                client.images.remove(image)
        for path in profiles.iterdir():
            path.unlink()
        profiles.rmdir()
    return {"version": version, "rows": ROWS, "repetitions": reps, "fill_s": fill.as_json(),
            "filled_bytes": size, "start_filled_s": filled_start.as_json(), "start_empty_s": empty_start.as_json()}
