"""What a filled cluster is made of, as a key: the next run starts from the cluster cached under it."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from parity.data.rows import GENERATOR_VERSION
from parity.migrate.plan import Plan, revisions_up_to
from parity.profile.models import DataSpec, Profile

FINGERPRINT_VERSION = "1"


def source_of(spec: DataSpec) -> str:
    """rows, seed or restore."""
    return "rows" if spec.rows else "seed" if spec.seed else "restore"


def data_fingerprint(profile: Profile, root: Path, plan: Callable[[], Plan]) -> str | None:
    """What a filled cluster is made of, as a key (None when the profile has no data): the
    revisions up to data.at with their scripts (from `plan`, asked only then), and the source
    (rows asked for and the generator's version; the seed command and the files it names; the
    dump file)."""
    spec = profile.data
    if spec is None or not profile.postgres:
        return None
    digest = hashlib.sha256(f"{FINGERPRINT_VERSION}|{source_of(spec)}|{spec.at}".encode())
    if spec.at and profile.migrations:
        digest.update(json.dumps(profile.migrations.command).encode())
        for revision in revisions_up_to(plan(), spec.at):
            digest.update(revision.id.encode())
            if revision.path:
                digest.update(Path(revision.path).read_bytes())
    if spec.rows:
        digest.update(json.dumps([GENERATOR_VERSION, sorted(spec.rows.items())]).encode())
        if spec.extrapolate or spec.samples:  # sample databases in the cluster, not production's rows
            digest.update(json.dumps(["samples", spec.extrapolate, spec.samples]).encode())
    elif spec.seed:
        digest.update(json.dumps(spec.seed).encode())
        words = spec.seed if isinstance(spec.seed, list) else spec.seed.split()
        for word in words:
            _digest_path(digest, root, word)
    elif spec.restore:
        _digest_path(digest, root, spec.restore)
    return digest.hexdigest()


_SKIPPED_DIRS = {".git", "__pycache__", "node_modules", ".venv", ".mypy_cache", ".pytest_cache"}


def _digest_path(digest: hashlib._Hash, root: Path, word: str) -> None:
    """A file or directory a fill reads: its files' names, sizes and modification times."""
    path = root / word
    try:
        if path.is_file():
            files = [path]
        elif path.is_dir():
            files = []
            for folder, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith("."))
                files += [Path(folder) / name for name in sorted(names)]
                if len(files) > 5000:
                    break
        else:
            return
        for file in files:
            stat = file.stat()
            digest.update(f"{file.relative_to(root)}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    except (OSError, ValueError):
        return
