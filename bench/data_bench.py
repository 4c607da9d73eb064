"""`make bench`, production-sized data: at each size of `--data-sizes` (default 1M, 3M, 10M rows
of a typical table), the time to generate the rows in the server (parity's `data.rows`), and the
time to start a database from the cached filled cluster (what every later run with the same
`data` does) and answer a first query on the big table, next to an empty cluster's start and
first query.

All of it goes through parity's own code: `fill_rows` into an environment's database, the filled
cluster saved as the data step saves it (once per size, removed at the end), and
`Environment.start_database(fingerprint)` on a cache hit. Where parity has a reflink store
(parity.engine.clones) the cached start is measured both with it and without it
(PARITY_NO_CLONES: the copy-up from the image every other engine gets).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
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
SIZES = (1_000_000, 3_000_000, 10_000_000)
TARGET_RATIO = 1.5  # the issue's: a cached start within 1.5x a start without data


def parse_sizes(text: str) -> list[int]:
    """'1M,3M,10M' (or plain numbers, or k suffixes) as row counts."""
    sizes = []
    for part in text.split(","):
        part = part.strip().upper()
        scale = {"K": 1_000, "M": 1_000_000}.get(part[-1:], 1)
        sizes.append(int(float(part.rstrip("KM")) * scale))
    return sizes


@contextlib.contextmanager
def _no_clones(off: bool) -> Iterator[None]:
    """PARITY_NO_CLONES set while `off`: starts copy up from the image."""
    before = os.environ.get("PARITY_NO_CLONES")
    if off:
        os.environ["PARITY_NO_CLONES"] = "1"
    try:
        yield
    finally:
        if off and before is None:
            os.environ.pop("PARITY_NO_CLONES", None)


def _first_query(env: Environment, rows: int) -> float:
    """Seconds to a first answer from the big table (an index lookup: it opens the table's files
    but reads a few pages, so it shows what the start left undone, not a scan's size)."""
    assert env.database is not None
    started = time.monotonic()
    with psycopg.connect(**env.database.connect_kwargs()) as conn:  # type: ignore[arg-type]
        if rows:
            found = conn.execute("SELECT title FROM notes WHERE id = %s", [rows // 2]).fetchone()
            assert found is not None, "the cached cluster lacks its rows"
        else:
            conn.execute("SELECT 1").fetchone()
    return time.monotonic() - started


def bench_data(client: docker.DockerClient, version: str, reps: int, labels: dict[str, str],
               make_env: Callable[..., Environment], samples: Callable[[], Any],
               say: Callable[[str], None], sizes: list[int] | None = None) -> dict[str, Any]:
    """At each size: fill it once (saved as the cached cluster), then `reps` times, alternating,
    start from the cache (with and without the reflink store) and start an empty cluster, each
    timed to the first query's answer."""
    profiles = Path(tempfile.mkdtemp(prefix="parity-bench-data-"))
    (profiles / "bench.yaml").write_text(f'database:\n  version: "{version}"\n')
    loaded = load_profile(profiles, "bench")
    session = labels.get("io.parity.bench.session", str(time.time()))
    try:
        from parity.engine import clones
        store = clones.store(client) is not None
    except ImportError:  # parity before the reflink store (to measure it the same way)
        store = False
    kinds = ["cached", "cached_copyup", "empty"] if store else ["cached", "empty"]
    figures: list[dict[str, Any]] = []
    images: list[str] = []
    try:
        for rows in sizes or list(SIZES):
            fingerprint = f"bench-{session}-{rows}"
            env = make_env(client, loaded, profiles.parent, bench_labels=labels)
            with env:
                env.create_network()
                db = env.start_database(fingerprint)
                assert db is not None and db.filled_ref and not db.started_filled
                with psycopg.connect(**db.connect_kwargs()) as conn:  # type: ignore[arg-type]
                    conn.execute(NOTES)
                prepare_to_cache(db)
                started = time.monotonic()
                fill_rows(db, {"notes": rows})
                fill_s = time.monotonic() - started
                with psycopg.connect(**db.connect_kwargs()) as conn:  # type: ignore[arg-type]
                    row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
                started = time.monotonic()
                save_filled_cluster(client, db, env.labels("database"))
                save_s = time.monotonic() - started
                images.append(db.filled_ref)
            say(f"data {rows:,} rows: filled in {fill_s:.1f}s ({fill_s / rows * 1e6:.2f}s per million), "
                f"cached in {save_s:.1f}s")
            timed = {kind: samples() for kind in kinds}
            ready = {kind: samples() for kind in kinds}
            for rep in range(1, reps + 1):
                for kind in kinds:
                    with _no_clones(kind == "cached_copyup"):
                        env = make_env(client, loaded, profiles.parent, bench_labels=labels)
                        with env:
                            env.create_network()
                            started = time.monotonic()
                            db = env.start_database(None if kind == "empty" else fingerprint)
                            assert db is not None and db.started_filled == (kind != "empty")
                            ready[kind].values.append(time.monotonic() - started)
                            first = _first_query(env, 0 if kind == "empty" else rows)
                            timed[kind].values.append(ready[kind].values[-1] + first)
                    say(f"data {rows:,} rows, start {rep}/{reps} {kind}: ready {ready[kind].values[-1]:.2f}s, "
                        f"first answer {timed[kind].values[-1]:.2f}s")
            size: dict[str, Any] = {
                "rows": rows, "fill_s": round(fill_s, 3), "fill_s_per_million": round(fill_s / rows * 1e6, 3),
                "save_s": round(save_s, 3), "filled_bytes": int(row[0]) if row else 0,
            }
            for kind in kinds:
                size[f"{kind}_s"] = timed[kind].as_json()
                size[f"{kind}_ready_s"] = ready[kind].as_json()
            empty = timed["empty"].median
            size["ratio"] = round(timed["cached"].median / empty, 3) if empty else None
            size["met"] = size["ratio"] is not None and size["ratio"] <= TARGET_RATIO
            if store:
                size["copyup_ratio"] = round(timed["cached_copyup"].median / empty, 3) if empty else None
            figures.append(size)
    finally:
        for image in images:
            with contextlib.suppress(docker.errors.APIError):
                client.images.remove(image)
        for path in profiles.iterdir():
            path.unlink()
        profiles.rmdir()
    return {"version": version, "repetitions": reps, "reflink_store": store, "target_ratio": TARGET_RATIO,
            "sizes": figures}


def table_rows(data: dict[str, Any], fmt: Callable[[float | None], str]) -> list[tuple[str, str, str, str, str, str]]:
    """The data figures as rows of run_bench's table: per size, the fill and the cached start."""
    rows: list[tuple[str, str, str, str, str, str]] = []
    for size in data["sizes"]:
        n = size["rows"]
        rows.append((f"fill {n:,} rows in the server (notes, postgres:{data['version']})", fmt(size["fill_s"]),
                     f"{size['fill_s_per_million']:.2f} s per million rows", "", "", ""))
        rows.append((
            f"  cached start + first lookup, {n:,} rows ({size['filled_bytes'] / 2**20:.0f} MiB, median of "
            f"{data['repetitions']}{', reflink copy' if data['reflink_store'] else ''})",
            fmt(size["cached_s"]["median"]), f"empty cluster {fmt(size['empty_s']['median'])}",
            f"{size['ratio']:.2f}" if size["ratio"] is not None else "n/a", f"<= {data['target_ratio']:g}",
            "yes" if size["met"] else "NO",
        ))
        if "cached_copyup_s" in size:
            rows.append((f"  the same without the reflink store (copied up from the image), {n:,} rows",
                         fmt(size["cached_copyup_s"]["median"]), "",
                         f"{size['copyup_ratio']:.2f}" if size["copyup_ratio"] is not None else "n/a", "", ""))
    return rows
