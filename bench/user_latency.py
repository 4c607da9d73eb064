"""What a user times: a command's process start until the first `select 1` is answered.

- `parity up --profile P --env` in its own process, then the first query with psycopg, for a
  plain Postgres profile and for the production shape (TLS forced, non-superuser app role);
- testcontainers' `PostgresContainer(IMAGE)` in its own process (bench/tc_up.py), then the
  first query with the same psycopg client;
- `parity --help` (process start to exit).

The clock starts just before the process is spawned and stops when the query has returned a
row in this (already running) process, so both sides pay their interpreter start, their
imports and their readiness wait, and neither pays the client's import. Removal (`parity down`,
`container.stop()`) is not timed.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
from common import ROOT, Samples, ratio, say, sweep

# The targets.
TARGET_UP_RATIO = 0.3  # parity up (plain) vs testcontainers
TARGET_PROD_RATIO = 1.1  # parity up (prod shape) vs parity up (plain)
TARGET_HELP_S = 0.2  # `parity --help`

PROFILES = {
    "plain": 'database:\n  version: "{version}"\n',
    "prodshape": 'database:\n  version: "{version}"\n  ssl: required\n  superuser: false\n',
}
FIRST_QUERY_DEADLINE = 30.0


def parity_bin() -> str:
    """The `parity` entry point installed next to this interpreter."""
    return str(Path(sys.executable).parent / "parity")


def first_query(**connect: Any) -> int:
    """Connect and run `select 1`; retry (bounded) until it answers; return the attempts it took."""
    deadline = time.monotonic() + FIRST_QUERY_DEADLINE
    attempts = 0
    while True:
        attempts += 1
        try:
            with psycopg.connect(connect_timeout=3, **connect) as conn:
                row = conn.execute("select 1").fetchone()
            assert row == (1,)
            return attempts
        except psycopg.Error:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def parse_exports(stdout: str) -> dict[str, str]:
    """`export KEY='value'` lines (what `parity up --env` prints for eval) as a dict."""
    exports = {}
    for line in stdout.splitlines():
        if line.startswith("export "):
            key, _, value = line.removeprefix("export ").partition("=")
            exports[key] = value[1:-1].replace("'\"'\"'", "'") if value.startswith("'") else value
    return exports


def connect_options(stdout: str) -> dict[str, Any]:
    """psycopg's connect arguments for the database `parity up --env` printed (TLS verified
    against the CA it names, when it names one)."""
    exports = parse_exports(stdout)
    connect: dict[str, Any] = {"conninfo": exports["DATABASE_URL"]}
    if "PGSSLROOTCERT" in exports:
        connect.update(sslmode="verify-ca", sslrootcert=exports["PGSSLROOTCERT"])
    return connect


def parity_up_once(project: Path, profile: str) -> dict[str, float]:
    """`parity up --env` then the first query; always `parity down` afterwards (untimed)."""
    argv = [parity_bin(), "up", "--profile", profile, "--env", "--project", str(project)]
    try:
        started = time.monotonic()
        done = subprocess.run(argv, capture_output=True, text=True, timeout=180)
        exited = time.monotonic()
        if done.returncode != 0:
            raise RuntimeError(f"parity up exited {done.returncode}: {done.stderr[-800:]}")
        attempts = first_query(**connect_options(done.stdout))
        answered = time.monotonic()
    finally:
        closing = time.monotonic()
        down = subprocess.run([parity_bin(), "down", "--profile", profile, "--project", str(project)],
                              capture_output=True, text=True, timeout=180)
        closed = time.monotonic()
        if down.returncode != 0:
            say(f"parity down exited {down.returncode}: {down.stderr[-400:]}")
    return {"first_query_s": answered - started, "command_s": exited - started,
            "attempts": attempts, "down_s": closed - closing}


def testcontainers_once(image: str, labels: dict[str, str]) -> dict[str, float]:
    """bench/tc_up.py then the first query; the container is stopped afterwards (untimed)."""
    argv = [sys.executable, str(ROOT / "bench" / "tc_up.py"), image, *(f"{k}={v}" for k, v in labels.items())]
    started = time.monotonic()
    process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                               env=dict(os.environ, TESTCONTAINERS_RYUK_DISABLED="true"))
    try:
        assert process.stdout is not None and process.stdin is not None
        line = process.stdout.readline()
        handed_over = time.monotonic()
        if not line:
            raise RuntimeError(f"tc_up.py exited {process.wait()} without a URL")
        attempts = first_query(conninfo=json.loads(line)["url"])
        answered = time.monotonic()
    finally:
        closing = time.monotonic()
        with contextlib.suppress(BrokenPipeError, OSError):
            process.communicate("stop\n", timeout=120)
        closed = time.monotonic()
    return {"first_query_s": answered - started, "command_s": handed_over - started,
            "attempts": attempts, "down_s": closed - closing}


def help_once() -> dict[str, float]:
    """`parity --help`, process start to exit."""
    started = time.monotonic()
    done = subprocess.run([parity_bin(), "--help"], capture_output=True, text=True, timeout=60)
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(f"parity --help exited {done.returncode}: {done.stderr[-400:]}")
    return {"wall_s": elapsed}


@contextlib.contextmanager
def bench_project(version: str) -> Iterator[Path]:
    """A throwaway project with the plain and the production-shaped database profiles."""
    with tempfile.TemporaryDirectory(prefix="parity-bench-up-") as tmp:
        project = Path(tmp)
        (project / "profiles").mkdir()
        for name, text in PROFILES.items():
            (project / "profiles" / f"{name}.yaml").write_text(text.format(version=version))
        yield project


def bench_user(client: Any, image: str, reps: int, labels: dict[str, str]) -> dict[str, Any]:
    """Interleaved rounds (after an untimed warm-up of each): testcontainers, parity plain, prod, --help."""
    version = image.split(":", 1)[1] if ":" in image else image
    figures: dict[str, dict[str, Samples]] = {}

    def record(name: str, result: dict[str, float]) -> None:
        for key, value in result.items():
            figures.setdefault(name, {}).setdefault(key, Samples()).values.append(value)

    with bench_project(version) as project:
        runs = {
            "testcontainers": lambda: testcontainers_once(image, labels),
            "parity_up_plain": lambda: parity_up_once(project, "plain"),
            "parity_up_prodshape": lambda: parity_up_once(project, "prodshape"),
            "parity_help": help_once,
        }
        try:
            say(f"user-visible: warm-up (testcontainers, parity up plain / prod shape, --help; {image})")
            for run in runs.values():
                run()
            order = list(runs)
            for rep in range(1, reps + 1):
                # Rotate who goes first, so a slow moment of the machine is spread over all sides.
                shift = (rep - 1) % len(order)
                for name in order[shift:] + order[:shift]:
                    result = runs[name]()
                    record(name, result)
                    shown = result.get("first_query_s", result.get("wall_s", 0.0))
                    say(f"user-visible {rep}/{reps} {name}: {shown:.2f}s")
        finally:
            left = sweep(client, f"io.parity.project={project.resolve()}")
            if left:
                say(f"removed {left} resources parity up left behind")

    def median(name: str, key: str = "first_query_s") -> float | None:
        return figures[name][key].median if name in figures and key in figures[name] else None

    tc, plain, prod, helped = (median("testcontainers"), median("parity_up_plain"),
                               median("parity_up_prodshape"), median("parity_help", "wall_s"))
    up_ratio, prod_ratio = ratio(plain, tc), ratio(prod, plain)
    return {
        "image": image,
        "repetitions": reps,
        "figures": {name: {k: v.as_json() for k, v in per.items()} for name, per in figures.items()},
        "up_ratio": up_ratio,
        "up_prod_tc_ratio": ratio(prod, tc),
        "prod_ratio": prod_ratio,
        "help_s": helped,
        "targets": {"up_ratio": TARGET_UP_RATIO, "prod_ratio": TARGET_PROD_RATIO, "help_s": TARGET_HELP_S},
        "met": {
            "up_ratio": up_ratio is not None and up_ratio <= TARGET_UP_RATIO,
            "prod_ratio": prod_ratio is not None and prod_ratio <= TARGET_PROD_RATIO,
            "help_s": helped is not None and helped <= TARGET_HELP_S,
        },
    }
