"""A/B of `parity up` between two source trees, alternated, to tell a regression from the machine.

    git archive <old commit> | tar -x -C /tmp/parity-old
    .venv/bin/python bench/ab_up.py --reps 8 --profile plain old=/tmp/parity-old new=.

Each tree runs as `python -m parity` with PYTHONPATH pointing at it (same interpreter, same
libraries, same engine and images), one after the other, the order flipped every round after an
untimed warm-up of each (which also makes a tree's pre-initialised cluster if it keys it
differently). Per side: the wall time from the process's start to the first `select 1` answered
(as bench/user_latency.py measures it) and the CPU time of the `parity up` process (user + system,
all its threads): wall time follows the machine's load, CPU time much less, so a change in parity's
own work shows in the CPU column even on a busy machine. `parity down` after each is untimed.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import Samples, say
from user_latency import PROFILES, connect_options, first_query


def up_once(tree: Path, project: Path, profile: str) -> tuple[float, float, float]:
    """`parity up --env` from `tree`, then the first query: (wall seconds, CPU seconds of the up
    process, seconds from the container's start to the server's answer as the database step says)."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    python = [sys.executable, "-m", "parity"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    try:
        done = subprocess.run([*python, "up", "--profile", profile, "--env", "--project", str(project)],
                              capture_output=True, text=True, env=env, timeout=180)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            raise RuntimeError(f"{tree}: parity up exited {done.returncode}: {done.stderr[-800:]}")
        first_query(**connect_options(done.stdout))
        wall = time.monotonic() - started
    finally:
        subprocess.run([*python, "down", "--profile", profile, "--project", str(project)],
                       capture_output=True, env=env, timeout=180)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    ready = re.search(r"ready in ([0-9.]+)s", done.stderr)
    return wall, cpu, float(ready.group(1)) if ready else float("nan")


def main() -> int:
    """Alternated rounds of each tree; medians and samples printed."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=8, help="timed rounds per tree (default 8)")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="plain")
    parser.add_argument("--version", default="15", help="Postgres major (default 15)")
    parser.add_argument("trees", nargs=2, metavar="NAME=TREE", help="a name and a source tree (a checkout's root)")
    args = parser.parse_args()
    trees = {name: Path(path).resolve() for name, _, path in (t.partition("=") for t in args.trees)}
    walls = {name: Samples() for name in trees}
    cpus = {name: Samples() for name in trees}
    readies = {name: Samples() for name in trees}
    with tempfile.TemporaryDirectory(prefix="parity-bench-ab-") as tmp:
        project = Path(tmp)
        (project / "profiles").mkdir()
        for name, text in PROFILES.items():
            (project / "profiles" / f"{name}.yaml").write_text(text.format(version=args.version))
        for tree in trees.values():
            up_once(tree, project, args.profile)  # warm-up
        order = list(trees)
        for rep in range(args.reps):
            for name in order if rep % 2 == 0 else order[::-1]:
                wall, cpu, ready = up_once(trees[name], project, args.profile)
                walls[name].values.append(wall)
                cpus[name].values.append(cpu)
                readies[name].values.append(ready)
                say(f"{rep + 1}/{args.reps} {name}: {wall:.2f}s to the first query, {cpu:.2f}s CPU, "
                    f"container ready in {ready:.1f}s")
    for name in trees:
        wall, cpu = walls[name].as_json(), cpus[name].as_json()
        print(f"{name}: first query median {wall['median']:.3f}s ({wall['min']:.2f}-{wall['max']:.2f}), "
              f"CPU of parity up median {cpu['median']:.3f}s ({cpu['min']:.2f}-{cpu['max']:.2f}), "
              f"container start to ready median {readies[name].median:.1f}s")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
