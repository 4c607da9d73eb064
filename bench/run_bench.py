"""`make bench`: parity's performance, measured side by side on this machine.

Measurements, each the median over several repetitions (with min and max):

0. What a user times (bench/user_latency.py): `parity up --profile P` in its own process until a
   first `select 1` is answered, for a plain and a production-shaped (TLS forced, non-superuser)
   database profile, vs testcontainers' `PostgresContainer` in its own process (bench/tc_up.py)
   and the same psycopg client; and `parity --help`.
1. Postgres time-to-ready (container create -> first successful query) through parity's own
   code path (`Environment(...).up()`) vs testcontainers-python's `PostgresContainer`, same image.
2. The wall time of a whole `parity run` on the bundled example vs `bench/reference.sh`, the same
   work done by hand with the docker CLI, one environment after the other.
3. The peak RSS of the parity process itself during that run (VmHWM; the smoke pytest it
   spawns is a separate process and not counted).
4. Production-sized data (bench/data_bench.py), at 1M, 3M and 10M rows (--data-sizes): the rows
   generated in the server, and a start from the cached filled cluster to a first lookup on the
   big table next to an empty cluster's start and first query.

5. The load balancer's cost: `parity run` of prod without app.replicas, with one replica behind
   the balancer, and as the example's prod runs (two replicas); and the pooler's: `parity run`
   of prod with and without PgBouncer (transaction mode) in front of Postgres.
6. `parity explain` on the bundled example (as `make demo` runs it) beside a plain `parity run`.
7. Rehearsal by extrapolation (bench/extrapolate_bench.py): the example's blocking revision's lock
   time estimated from samples of its audit_log, against the time measured at a size not fitted.

The full run compares like with like: its profiles are the example's without the rehearsal keys
(data, traffic, migrations budgets) and with one app container (no replicas, rollout or
shutdown), which is all reference.sh does; (4) and (5) measure those apart.

Prints a table and writes the figures as JSON. Every container and network the benchmark
creates carries `io.parity.bench=true` and this session's id, and is removed on exit; the
containers `parity run` creates are removed by parity, and swept by their owner label if not.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# testcontainers reads this at import time; without it, it starts its Ryuk reaper container.
os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")

import docker  # noqa: E402
import docker.errors  # noqa: E402
import psycopg  # noqa: E402
from common import ROOT, Samples, say, sweep  # noqa: E402
from common import ratio as _ratio  # noqa: E402
from data_bench import SIZES, bench_data, parse_sizes  # noqa: E402
from data_bench import table_rows as data_rows  # noqa: E402
from extrapolate_bench import bench_extrapolate  # noqa: E402
from extrapolate_bench import table_rows as extrapolate_rows  # noqa: E402
from user_latency import bench_user  # noqa: E402

from parity.engine.owner import process_start_ticks  # noqa: E402
from parity.env.environment import Environment  # noqa: E402
from parity.profile.loader import load_profile  # noqa: E402

BENCH_LABEL = "io.parity.bench"
SESSION_LABEL = "io.parity.bench.session"
OWNER_LABEL = "io.parity.owner"  # parity's own label: which process created a resource
DEMO_SECRET = "prod-secret-for-the-bench"

# The targets.
TARGET_DB_RATIO = 0.5
TARGET_RUN_RATIO = 0.5
TARGET_EXPLAIN_RATIO = 2.0  # issue 24: explain within 2x a run
TARGET_RSS_MB = 150.0


def session_labels(session: str) -> dict[str, str]:
    """Labels for everything this benchmark creates."""
    return {BENCH_LABEL: "true", SESSION_LABEL: session}


# --- 1. Postgres time-to-ready ------------------------------------------------------------


class BenchEnvironment(Environment):
    """parity's Environment, unchanged except that its resources also carry the bench labels."""

    def __init__(self, *args: Any, bench_labels: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bench_labels = bench_labels

    def labels(self, role: str | None = None) -> dict[str, str]:
        """parity's labels plus io.parity.bench=true and the session id."""
        return {**super().labels(role), **self.bench_labels}


def bench_profile_dir(image_version: str) -> Path:
    """A throwaway profiles directory with one profile: `database: {version: ...}`."""
    directory = Path(tempfile.mkdtemp(prefix="parity-bench-profiles-"))
    (directory / "bench.yaml").write_text(f'database:\n  version: "{image_version}"\n')
    return directory


def parity_database_once(client: docker.DockerClient, profiles_dir: Path, labels: dict[str, str]) -> dict[str, float]:
    """One `Environment.up()` with a Postgres database, timed; always closed."""
    loaded = load_profile(profiles_dir, "bench")
    marks: dict[str, float] = {}

    def progress(message: str) -> None:
        # start_postgres says "starting <image> (...)" right before it creates the container.
        if message.startswith("starting "):
            marks.setdefault("create", time.monotonic())

    env = BenchEnvironment(client, loaded, profiles_dir.parent, progress=progress, bench_labels=labels)
    try:
        started = time.monotonic()
        env.up()
        ready = time.monotonic()
        assert env.database is not None
        ready_s = env.database.ready_s
    finally:
        closing = time.monotonic()
        env.close()
        closed = time.monotonic()
    return {
        "create_to_ready_s": ready - marks.get("create", started),
        "up_s": ready - started,
        "ready_s": ready_s,
        "close_s": closed - closing,
    }


def testcontainers_once(image: str, labels: dict[str, str]) -> dict[str, float]:
    """One PostgresContainer.start() until a first `select 1` from this machine; always stopped."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from testcontainers.postgres import PostgresContainer

    container = PostgresContainer(image, driver=None).with_kwargs(labels=labels)
    # Publish on the loopback only (testcontainers' default binds every interface).
    container.ports = {"5432": ("127.0.0.1", None)}  # type: ignore[dict-item]
    try:
        started = time.monotonic()
        container.start()
        up = time.monotonic()
        # The port is published on the loopback only, so connect there (inside a container,
        # testcontainers would otherwise pick the bridge gateway's address).
        url = container.get_connection_url(host="127.0.0.1")
        deadline = time.monotonic() + 60
        while True:
            try:
                with psycopg.connect(url, connect_timeout=3) as conn:
                    conn.execute("select 1").fetchone()
                break
            except psycopg.Error:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        ready = time.monotonic()
    finally:
        closing = time.monotonic()
        container.stop()
        closed = time.monotonic()
    return {"create_to_ready_s": ready - started, "start_s": up - started, "close_s": closed - closing}


def bench_database(client: docker.DockerClient, image: str, reps: int, labels: dict[str, str]) -> dict[str, Any]:
    """Alternate parity and testcontainers `reps` times each, after one untimed warm-up of each."""
    version = image.split(":", 1)[1] if ":" in image else image
    profiles_dir = bench_profile_dir(version)
    parity: dict[str, Samples] = {k: Samples() for k in ("create_to_ready_s", "up_s", "ready_s", "close_s")}
    tc: dict[str, Samples] = {k: Samples() for k in ("create_to_ready_s", "start_s", "close_s")}
    try:
        say(f"database: warm-up (parity and testcontainers, {image})")
        parity_database_once(client, profiles_dir, labels)
        testcontainers_once(image, labels)
        for rep in range(1, reps + 1):
            for name, figures in (("parity", parity_database_once(client, profiles_dir, labels)),
                                  ("testcontainers", testcontainers_once(image, labels))):
                target = parity if name == "parity" else tc
                for key, value in figures.items():
                    target[key].values.append(value)
                say(f"database {rep}/{reps} {name}: ready {figures['create_to_ready_s']:.2f}s")
    finally:
        for path in profiles_dir.iterdir():
            path.unlink()
        profiles_dir.rmdir()
    p, t = parity["create_to_ready_s"].median, tc["create_to_ready_s"].median
    ratio = p / t if p is not None and t else None
    return {
        "image": image,
        "repetitions": reps,
        "parity": {k: v.as_json() for k, v in parity.items()},
        "testcontainers": {k: v.as_json() for k, v in tc.items()},
        "ratio": round(ratio, 3) if ratio is not None else None,
        "ratio_up": _ratio(parity["up_s"].median, t),
        "target_ratio": TARGET_DB_RATIO,
        "met": ratio is not None and ratio <= TARGET_DB_RATIO,
    }


# --- 2. and 3. A whole run, and parity's RSS ----------------------------------------------


@dataclass
class ProcessRun:
    """A finished command: exit code, wall time, and what it printed."""

    code: int
    wall_s: float
    stdout: str
    stderr: str
    peak_rss_mb: float | None = None
    tree_maxrss_mb: float | None = None


def _status_kb(pid: int, field_name: str) -> int | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(rf"^{field_name}:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else None


@contextlib.contextmanager
def _killed_on_exit(process: subprocess.Popen[bytes]) -> Iterator[None]:
    """Stop the process's group if we leave early (Ctrl-C, error); its own cleanup then runs."""
    try:
        yield
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def run_measured(argv: list[str], env: dict[str, str], *, sample_rss: bool,
                 on_start: Callable[[int], None] = lambda _pid: None) -> ProcessRun:
    """Run a command from the repo root; time it; sample its own VmHWM (not its children's)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=err, start_new_session=True)
        on_start(process.pid)
        peak_kb = 0
        with _killed_on_exit(process):
            usage = None
            while True:
                if sample_rss:
                    # VmHWM is the process's own high-water mark: the last reading before exit is its peak.
                    peak_kb = max(peak_kb, _status_kb(process.pid, "VmHWM") or 0)
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    process.returncode = os.waitstatus_to_exitcode(status)
                    break
                time.sleep(0.02)
            wall = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        return ProcessRun(
            code=process.returncode, wall_s=wall,
            stdout=out.read().decode(errors="replace"), stderr=err.read().decode(errors="replace"),
            peak_rss_mb=peak_kb / 1024 if sample_rss and peak_kb else None,
            # wait4's ru_maxrss is the largest of the process and its reaped descendants (pytest too).
            tree_maxrss_mb=usage.ru_maxrss / 1024 if usage else None,
        )


def run_parity(client: docker.DockerClient, profile: str, env: dict[str, str],
               profiles_dir: Path | None = None, *flags: str) -> ProcessRun:
    """`parity run --profile PROFILE` as a subprocess; its leftovers (if any) are swept by owner."""
    owners: list[str] = []

    def remember(pid: int) -> None:
        ticks = process_start_ticks(pid)
        if ticks:
            owners.append(f"{socket.gethostname()}:{pid}:{ticks}")

    parity = str(Path(sys.executable).parent / "parity")
    with tempfile.TemporaryDirectory(prefix="parity-bench-") as tmp:
        argv = [parity, "run", "--profile", profile, "--json", str(Path(tmp) / "report.json"),
                "--profiles-dir", str(profiles_dir or _without_rehearsal(Path(tmp) / "profiles")), *flags]
        try:
            result = run_measured(argv, env, sample_rss=True, on_start=remember)
        finally:
            for owner in owners:
                left = sweep(client, f"{OWNER_LABEL}={owner}")
                if left:
                    say(f"removed {left} resources parity left behind (owner {owner})")
        report = Path(tmp) / "report.json"
        result.stdout += "\n" + (report.read_text() if report.is_file() else "")
    return result


def bench_explain(client: docker.DockerClient, reps: int, session: str) -> dict[str, Any]:
    """`parity explain` (run --explain) on the bundled example as `make demo` runs it (its own
    profiles, every bug included) beside a plain `parity run` of the same, alternating, `reps`
    times each after one untimed warm-up of each (which also fills and caches the data)."""
    env = dict(os.environ)
    env.setdefault("PARITY_DEMO_SECRET_KEY", DEMO_SECRET)
    env["BENCH_SESSION"] = session
    runs, explains, experiments = Samples(), Samples(), Samples()
    profiles = ROOT / "profiles"
    say("explain: warm-up (parity run and parity run --explain, untimed)")
    run_parity(client, "prod", env, profiles)
    run_parity(client, "prod", env, profiles, "--explain")
    confirmed: list[str] = []
    for rep in range(1, reps + 1):
        plain = run_parity(client, "prod", env, profiles)
        explained = run_parity(client, "prod", env, profiles, "--explain")
        runs.values.append(plain.wall_s)
        explains.values.append(explained.wall_s)
        report = _report_of(explained.stdout)
        divergences = report.get("divergences", [])
        keys = {tuple(e["keys"]) for d in divergences for e in d.get("experiments", [])}
        experiments.values.append(float(len(keys)))
        confirmed = [f"{d['subject'][:30]}: {d['cause']} ({d['cause_confidence']})" for d in divergences]
        say(f"explain {rep}/{reps}: run {plain.wall_s:.2f}s, explain {explained.wall_s:.2f}s "
            f"({len(keys)} experiments, {sum(d['cause_confidence'] == 'confirmed' for d in divergences)}"
            f"/{len(divergences)} confirmed)")
    ratio = _ratio(explains.median, runs.median)
    return {"repetitions": reps, "run_s": runs.as_json(), "explain_s": explains.as_json(),
            "experiments": experiments.as_json(), "ratio": ratio, "target_ratio": TARGET_EXPLAIN_RATIO,
            "met": ratio is not None and ratio <= TARGET_EXPLAIN_RATIO, "causes": confirmed}


def _runner(client: docker.DockerClient, session: str) -> Callable[[str, Path, list[str]], dict[str, Any]]:
    """`parity run` of a profile from a profiles directory, with flags, as extrapolate_bench runs it:
    its JSON report."""
    env = dict(os.environ)
    env["BENCH_SESSION"] = session

    def run(profile: str, profiles: Path, flags: list[str]) -> dict[str, Any]:
        return _report_of(run_parity(client, profile, env, profiles, *flags).stdout)
    return run


def _report_of(stdout: str) -> dict[str, Any]:
    """The JSON report run_parity appends to the captured stdout."""
    start = stdout.rfind("\n{")
    try:
        return dict(json.loads(stdout[start + 1:])) if start >= 0 else {}
    except json.JSONDecodeError:
        return {}


def _without_rehearsal(directory: Path, keep_replicas: bool = False) -> Path:
    """The example's profiles without data, traffic and migrations budgets, and (unless asked)
    one app container with no rollout or shutdown: the work reference.sh does."""
    import yaml

    directory.mkdir(exist_ok=True)
    for source in (ROOT / "profiles").glob("*.yaml"):
        profile = yaml.safe_load(source.read_text()) or {}
        profile.pop("data", None)
        profile.pop("traffic", None)
        for key in ("lock_budget", "budget", "rollback"):
            (profile.get("migrations") or {}).pop(key, None)
        if profile.get("migrations") == {}:
            profile.pop("migrations")
        if not keep_replicas:
            for key in ("replicas", "sticky", "rollout", "shutdown"):
                (profile.get("app") or {}).pop(key, None)
        (directory / source.name).write_text(yaml.safe_dump(profile, sort_keys=False))
    return directory


def run_reference(env: dict[str, str]) -> ProcessRun:
    """bench/reference.sh (it removes its own containers; the session sweep is the backstop)."""
    return run_measured(["bash", str(ROOT / "bench" / "reference.sh")], env, sample_rss=False)


PROGRESS_LINE = re.compile(r"^\s*(\d+(?:\.\d+)?)s (\S+) (\w+): (ok|failed|error|skipped|running)\b")


def parity_timeline(stderr: str) -> dict[str, dict[str, dict[str, float]]]:
    """Per profile and step: when it started and ended (seconds), from parity's progress lines."""
    timeline: dict[str, dict[str, dict[str, float]]] = {}
    for line in stderr.splitlines():
        match = PROGRESS_LINE.match(line)
        if not match:
            continue
        at, profile, step, status = float(match[1]), match[2], match[3], match[4]
        entry = timeline.setdefault(profile, {}).setdefault(step, {})
        entry["start" if status == "running" else "end"] = at
    return timeline


def reference_results(stdout: str) -> dict[str, dict[str, str]]:
    """The RESULT lines of reference.sh, as {env: {key: value}}."""
    results: dict[str, dict[str, str]] = {}
    for line in stdout.splitlines():
        if line.startswith("RESULT "):
            _, name, *pairs = line.split()
            results[name] = dict(pair.split("=", 1) for pair in pairs)
    return results


def check_same_outcome(parity: ProcessRun, reference: ProcessRun) -> list[str]:
    """Both sides must have done the work and found the example's failures; return problems."""
    problems = []
    if parity.code != 1:
        problems.append(f"parity run exited {parity.code}, expected 1 (divergences): {parity.stderr[-800:]}")
    if reference.code != 1:
        problems.append(f"reference.sh exited {reference.code}, expected 1: {reference.stderr[-800:]}")
    results = reference_results(reference.stdout)
    prod, local = results.get("prod", {}), results.get("local", {})
    expected = {"local": (local, {"migrations": "0", "startup": "0", "smoke": "0", "oom_killed": "false"}),
                "prod": (prod, {"migrations": "1", "startup": "0", "smoke": "1", "oom_killed": "true"})}
    for name, (got, want) in expected.items():
        wrong = {k: got.get(k) for k, v in want.items() if got.get(k) != v}
        if wrong:
            problems.append(f"reference.sh {name}: unexpected outcome {wrong}")
    return problems


def bench_full_run(client: docker.DockerClient, profile: str, reps: int, session: str,
                   profiles_dir: Path | None = None) -> dict[str, Any]:
    """Alternate `parity run` and reference.sh `reps` times each, after one untimed warm-up of each."""
    env = dict(os.environ)
    env.setdefault("PARITY_DEMO_SECRET_KEY", DEMO_SECRET)
    env["BENCH_SESSION"] = session
    parity_wall, reference_wall, rss, tree_rss = Samples(), Samples(), Samples(), Samples()
    timelines: list[dict[str, Any]] = []
    reference_steps: list[dict[str, dict[str, str]]] = []
    problems: list[str] = []
    say("full run: warm-up (parity run and reference.sh, untimed)")
    warm_parity, warm_reference = run_parity(client, profile, env, profiles_dir), run_reference(env)
    problems += check_same_outcome(warm_parity, warm_reference)
    for rep in range(1, reps + 1):
        parity = run_parity(client, profile, env, profiles_dir)
        reference = run_reference(env)
        problems += check_same_outcome(parity, reference)
        parity_wall.values.append(parity.wall_s)
        reference_wall.values.append(reference.wall_s)
        if parity.peak_rss_mb:
            rss.values.append(parity.peak_rss_mb)
        if parity.tree_maxrss_mb:
            tree_rss.values.append(parity.tree_maxrss_mb)
        timelines.append(parity_timeline(parity.stderr))
        reference_steps.append(reference_results(reference.stdout))
        say(f"full run {rep}/{reps}: parity {parity.wall_s:.2f}s (exit {parity.code}, "
            f"peak RSS {parity.peak_rss_mb or 0:.0f} MB), reference {reference.wall_s:.2f}s (exit {reference.code})")
    ratio = _ratio(parity_wall.median, reference_wall.median)
    peak = rss.median
    return {
        "profile": profile,
        "repetitions": reps,
        "parity_s": parity_wall.as_json(),
        "reference_s": reference_wall.as_json(),
        "ratio": ratio,
        "target_ratio": TARGET_RUN_RATIO,
        "met": ratio is not None and ratio <= TARGET_RUN_RATIO,
        "outcome_problems": problems,
        "parity_timeline": timelines,
        "reference_steps": reference_steps,
        "rss": {
            "parity_peak_mb": rss.as_json(),
            "note": "VmHWM of the parity process alone; the smoke pytest and containers are excluded",
            "process_tree_maxrss_mb": tree_rss.as_json(),
            "target_mb": TARGET_RSS_MB,
            "met": peak is not None and peak <= TARGET_RSS_MB,
        },
    }


# The load balancer's cost: the example's prod profile (two replicas behind HAProxy) against the
# same profile with one replica behind it, and with one container and no balancer at all.
BALANCER_VARIANTS = {
    "no balancer (app.replicas unset)": ("prod-single", "extends: prod\napp: {replicas: null}\n"),
    "balancer + 1 replica": ("prod-one-replica", "extends: prod\napp: {replicas: 1}\n"),
    "balancer + 2 replicas (prod)": ("prod", None),
}
# The pooler's cost: the example's prod (one app container, as the full run) with and without
# PgBouncer in transaction mode between the app (and smoke) and Postgres.
POOLER_VARIANTS = {
    "no pooler (prod)": ("prod", None),
    "PgBouncer, transaction mode": ("prod-pooled", "extends: prod\ndatabase: {pooler: {mode: transaction}}\n"),
}


@dataclass(frozen=True)
class Variants:
    """Profiles compared side by side: each label's (profile, text or None for the example's own),
    the step whose wall time is shown beside the run's, and whether the app keeps its replicas."""

    title: str
    profiles: dict[str, tuple[str, str | None]]
    step: str
    keep_replicas: bool


BALANCER = Variants("load balancer", BALANCER_VARIANTS, "startup", keep_replicas=True)
POOLER = Variants("pooler", POOLER_VARIANTS, "database", keep_replicas=False)


@contextlib.contextmanager
def variant_profiles(variants: Variants) -> Iterator[Path]:
    """The example's profiles plus the variants', in a directory of their own."""
    with tempfile.TemporaryDirectory(prefix="parity-bench-profiles-") as tmp:
        directory = _without_rehearsal(Path(tmp), keep_replicas=variants.keep_replicas)
        for name, text in variants.profiles.values():
            if text is not None:
                (directory / f"{name}.yaml").write_text(text)
        yield directory


def bench_variants(client: docker.DockerClient, variants: Variants, reps: int, session: str) -> dict[str, Any]:
    """`parity run` of each variant, alternating, `reps` times each after one untimed warm-up: the
    whole run's wall time and the target's variants.step (where the variant's parts start)."""
    env = dict(os.environ)
    env.setdefault("PARITY_DEMO_SECRET_KEY", DEMO_SECRET)
    env["BENCH_SESSION"] = session
    walls = {label: Samples() for label in variants.profiles}
    steps = {label: Samples() for label in variants.profiles}
    with variant_profiles(variants) as directory:
        say(f"{variants.title}: warm-up (one untimed run of each variant)")
        for name, _text in variants.profiles.values():
            run_parity(client, name, env, directory)
        for rep in range(1, reps + 1):
            for label, (name, _text) in variants.profiles.items():
                measured = run_parity(client, name, env, directory)
                walls[label].values.append(measured.wall_s)
                duration = _step_duration(measured.stderr, name, variants.step)
                if duration is not None:
                    steps[label].values.append(duration)
            say(f"{variants.title} {rep}/{reps}: " + ", ".join(f"{label} {w.values[-1]:.2f}s" for label, w in walls.items()))
    base = walls[next(iter(variants.profiles))].median
    return {"repetitions": reps, "step": variants.step,
            "variants": {label: {**w.as_json(), "profile": variants.profiles[label][0],
                                 "vs_first": _ratio(w.median, base), "step_s": steps[label].as_json()}
                         for label, w in walls.items()}}


def _step_duration(stderr: str, profile: str, step: str) -> float | None:
    """A step's wall time, from parity's progress lines (its own duration_s is time-to-ready)."""
    entry = parity_timeline(stderr).get(profile, {}).get(step, {})
    return round(entry["end"] - entry["start"], 3) if "start" in entry and "end" in entry else None


# --- reporting ----------------------------------------------------------------------------


def _fmt(value: float | None, unit: str = "s") -> str:
    return "n/a" if value is None else f"{value:.2f} {unit}" if unit == "s" else f"{value:.0f} {unit}"


def _spread(samples: dict[str, Any], unit: str = "s") -> str:
    """'0.71 s (0.65-0.80)': the median and the range of the samples."""
    if samples.get("median") is None:
        return "n/a"
    if len(samples["samples"]) < 2:
        return _fmt(samples["median"], unit)
    return f"{_fmt(samples['median'], unit)} ({samples['min']:.2f}-{samples['max']:.2f})"


def _user_rows(user: dict[str, Any]) -> list[tuple[str, ...]]:
    """The user-visible figures: process start -> first query, and --help."""
    f, targets, met = user["figures"], user["targets"], user["met"]
    reps = user["repetitions"]

    def ratio_cell(value: float | None) -> str:
        return f"{value:.2f}" if value is not None else "n/a"

    tc = f"testcontainers {_spread(f['testcontainers']['first_query_s'])}"
    return [
        (f"parity up -> first query, plain ({user['image']}, median of {reps})",
         _spread(f["parity_up_plain"]["first_query_s"]), tc, ratio_cell(user["up_ratio"]),
         f"<= {targets['up_ratio']}", "yes" if met["up_ratio"] else "NO"),
        ("parity up -> first query, prod shape (TLS forced, non-superuser)",
         _spread(f["parity_up_prodshape"]["first_query_s"]),
         f"parity up plain {_fmt(f['parity_up_plain']['first_query_s']['median'])}",
         ratio_cell(user["prod_ratio"]), f"<= {targets['prod_ratio']}", "yes" if met["prod_ratio"] else "NO"),
        ("  prod shape vs testcontainers", "", "", ratio_cell(user["up_prod_tc_ratio"]), "", ""),
        (f"parity --help (median of {reps})", _spread(f["parity_help"]["wall_s"]), "", "",
         f"<= {targets['help_s']} s", "yes" if met["help_s"] else "NO"),
    ]


def _variant_rows(figures: dict[str, Any] | None, first: str, step: str) -> list[tuple[str, str, str, str, str, str]]:
    """One row per variant (its run's median, the difference with the first) and its step's."""
    if not figures:
        return []
    rows: list[tuple[str, str, str, str, str, str]] = []
    base = next(iter(figures["variants"].values()))["median"]
    for label, variant in figures["variants"].items():
        extra = "" if variant["median"] is None or base is None else f"{variant['median'] - base:+.2f} s"
        rows.append((
            f"parity run, {label} (median of {figures['repetitions']})", _spread(variant),
            f"{first} {extra}" if extra and variant["median"] != base else "",
            f"{variant['vs_first']:.2f}" if variant["vs_first"] is not None else "n/a", "", "",
        ))
        rows.append((f"  {step}", _fmt(variant["step_s"]["median"]), "", "", "", ""))
    return rows


def table(results: dict[str, Any]) -> str:
    """The figures as a plain-text table (also valid Markdown)."""
    rows = [("measurement", "parity", "compared with", "ratio", "target", "met")]
    if results.get("user"):
        rows += _user_rows(results["user"])
    db = results.get("database")
    if db:
        rows.append((
            f"Postgres ready ({db['image']}, median of {db['repetitions']})",
            _spread(db["parity"]["create_to_ready_s"]),
            f"testcontainers {_spread(db['testcontainers']['create_to_ready_s'])}",
            f"{db['ratio']:.2f}" if db["ratio"] is not None else "n/a",
            f"<= {TARGET_DB_RATIO}", "yes" if db["met"] else "NO",
        ))
        rows.append((
            "  parity: whole up() / ready_s (after start)",
            f"{_fmt(db['parity']['up_s']['median'])} / {_fmt(db['parity']['ready_s']['median'])}",
            "", f"{db['ratio_up']:.2f}" if db["ratio_up"] is not None else "n/a", "", "",
        ))
    run = results.get("full_run")
    if run:
        rows.append((
            f"parity run --profile {run['profile']} (median of {run['repetitions']})",
            _spread(run["parity_s"]),
            f"reference.sh {_spread(run['reference_s'])}",
            f"{run['ratio']:.2f}" if run["ratio"] is not None else "n/a",
            f"<= {TARGET_RUN_RATIO}", "yes" if run["met"] else "NO",
        ))
        rss = run["rss"]
        rows.append((
            "peak RSS of the parity process (VmHWM)", _fmt(rss["parity_peak_mb"]["median"], "MB"),
            f"(whole process tree: {_fmt(rss['process_tree_maxrss_mb']['median'], 'MB')})", "",
            f"<= {TARGET_RSS_MB:.0f} MB", "yes" if rss["met"] else "NO",
        ))
    data = results.get("data")
    if data:
        rows += data_rows(data, _fmt)
    explained = results.get("explain")
    if explained:
        rows.append((
            f"parity explain on the example (median of {explained['repetitions']}, "
            f"{explained['experiments']['median']:.0f} experiments)", _spread(explained["explain_s"]),
            f"parity run {_spread(explained['run_s'])}",
            f"{explained['ratio']:.2f}" if explained["ratio"] is not None else "n/a",
            f"<= {TARGET_EXPLAIN_RATIO:g}", "yes" if explained["met"] else "NO",
        ))
    if results.get("extrapolate"):
        rows += extrapolate_rows(results["extrapolate"], _fmt)
    for key, first, step in (("balancer", "no balancer", "its startup step (replicas + balancer ready)"),
                             ("pooler", "no pooler", "its database step (Postgres + pooler ready)")):
        rows += _variant_rows(results.get(key), first, step)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    try:
        engine = docker.from_env().version().get("Version")
    except docker.errors.DockerException:
        engine = None
    return {"cpus": os.cpu_count(), "loadavg": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(), "docker": engine, "kernel": platform.release()}


def _interrupted(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    """Parse the flags, run the measurements, print the table, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db-reps", type=int, default=5, help="repetitions of the database start (default 5)")
    parser.add_argument("--run-reps", type=int, default=3, help="repetitions of the full run (default 3)")
    parser.add_argument("--user-reps", type=int, default=7,
                        help="rounds of the user-visible figures (parity up, testcontainers, --help; default 7)")
    parser.add_argument("--image", default="postgres:15", help="Postgres image for the database start")
    # reference.sh runs one app container: so does the profile it is compared with.
    parser.add_argument("--profile", default="prod",
                        help="profile for the full run (default prod, without the work reference.sh does not do)")
    parser.add_argument("--json", type=Path, default=ROOT / "bench-results.json", help="where to write the JSON")
    parser.add_argument("--skip-db", action="store_true", help="skip the database start measurement")
    parser.add_argument("--skip-run", action="store_true", help="skip the full run and RSS measurements")
    parser.add_argument("--data-reps", type=int, default=3, help="repetitions of the data measurements (default 3)")
    parser.add_argument("--data-sizes", default=",".join(f"{n // 1_000_000}M" for n in SIZES),
                        help="rows of the data measurements, e.g. 1M,3M (default %(default)s)")
    parser.add_argument("--skip-data", action="store_true", help="skip the production-sized data measurements")
    parser.add_argument("--skip-explain", action="store_true", help="skip parity explain beside parity run")
    parser.add_argument("--explain-reps", type=int, default=3,
                        help="repetitions of parity explain and parity run on the example (default 3)")
    parser.add_argument("--skip-balancer", action="store_true", help="skip the load balancer's cost")
    parser.add_argument("--balancer-reps", type=int, default=3,
                        help="repetitions of each load balancer variant (default 3)")
    parser.add_argument("--skip-pooler", action="store_true", help="skip the pooler's cost")
    parser.add_argument("--pooler-reps", type=int, default=3,
                        help="repetitions of prod with and without the pooler (default 3)")
    parser.add_argument("--skip-user", action="store_true", help="skip the user-visible (command) figures")
    parser.add_argument("--skip-extrapolate", action="store_true", help="skip the extrapolation's accuracy")
    parser.add_argument("--extrapolate-reps", type=int, default=3,
                        help="repetitions of the estimate and the measurement at 1M rows (default 3)")
    args = parser.parse_args(argv)
    # SIGTERM (and SIGINT, even where a shell ignored it) unwind through every `finally`: the
    # running command is stopped and everything this session created is removed.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _interrupted)

    session = uuid.uuid4().hex[:12]
    labels = session_labels(session)
    client = docker.from_env()
    results: dict[str, Any] = {"machine_before": machine(), "session": session}
    started = time.monotonic()
    try:
        if not args.skip_user:
            results["user"] = bench_user(client, args.image, args.user_reps, labels)
        if not args.skip_db:
            results["database"] = bench_database(client, args.image, args.db_reps, labels)
        if not args.skip_run:
            results["full_run"] = bench_full_run(client, args.profile, args.run_reps, session)
        if not args.skip_data:
            version = args.image.split(":", 1)[1] if ":" in args.image else args.image
            results["data"] = bench_data(client, version, args.data_reps, labels, BenchEnvironment, Samples, say,
                                         parse_sizes(args.data_sizes))
        if not args.skip_explain:
            results["explain"] = bench_explain(client, args.explain_reps, session)
        if not args.skip_extrapolate:
            results["extrapolate"] = bench_extrapolate(client, args.extrapolate_reps, _runner(client, session),
                                                       ROOT / "example", say)
        if not args.skip_balancer:
            results["balancer"] = bench_variants(client, BALANCER, args.balancer_reps, session)
        if not args.skip_pooler:
            results["pooler"] = bench_variants(client, POOLER, args.pooler_reps, session)
    finally:
        left = sweep(client, f"{SESSION_LABEL}={session}")
        if left:
            say(f"removed {left} leftover resources of this session")
    results["machine_after"] = machine()
    results["duration_s"] = round(time.monotonic() - started, 1)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    print(f"\n{os.cpu_count()} CPUs, load average {results['machine_before']['loadavg'][0]} before and "
          f"{results['machine_after']['loadavg'][0]} after; figures written to {args.json}")
    problems = results.get("full_run", {}).get("outcome_problems")
    if problems:
        print("WARNING: the two sides did not end the same way:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        say("interrupted; what the benchmark started has been removed")
        sys.exit(130)
