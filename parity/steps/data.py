"""Step 2: production-sized data before the migrations under test.

`data.at` first migrates to the revision production is at; then the database is filled from
`data.rows` (generated in the server), `data.seed` (the app's own factory, on this machine) or
`data.restore` (a pg_dump file). The filled cluster is then committed as an image keyed by
everything that made it (the cluster it started from, the revisions up to `at` and their
scripts, the source), so the next run starts from it instead of filling again.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import docker

from parity.env import pgtemplate
from parity.env.database import Database
from parity.env.dump import restore_dump
from parity.env.host import HostCommand
from parity.errors import UsageError
from parity.evidence import excerpt, key_line
from parity.profile.loader import LoadedProfile
from parity.profile.models import DataSpec
from parity.results import StepResult
from parity.steps.context import StepContext
from parity.steps.data_rows import (
    GENERATOR_VERSION,
    CannotGenerate,
    Table,
    fill_order,
    fill_statement,
    parts,
    read_table,
)
from parity.steps.migrations import migrate_to, plan_for, plan_of, revisions_up_to

if TYPE_CHECKING:
    import psycopg

FINGERPRINT_VERSION = "1"


def run_data(ctx: StepContext) -> StepResult:
    """Fill the database as the profile's data section says (or start from the cached fill)."""
    spec = ctx.profile.data
    if spec is None:
        return StepResult(status="skipped", summary="no data in this profile")
    db = ctx.env.database
    if db is None or db.engine != "postgres":
        return StepResult(status="error", summary="data needs a Postgres database")
    facts: dict[str, object] = {"source": source_of(spec), "at": spec.at, "cached": db.started_filled}
    if db.started_filled:
        facts.update(database_bytes=_database_bytes(db), image=db.filled_ref)
        return StepResult(status="ok", summary=f"{describe(spec)}: the cached filled cluster "
                          f"({_size(facts['database_bytes'])}), ready in {db.ready_s:.1f}s", facts=facts)
    started = time.monotonic()
    if spec.at:
        migrated = migrate_to(ctx, spec.at)
        if migrated.status != "ok":
            return StepResult(status="failed", summary=f"migrating to {spec.at} failed: {migrated.summary}",
                              detail=migrated.detail, revisions=migrated.revisions, facts=facts)
        facts["at_s"] = round(time.monotonic() - started, 3)
    filling = time.monotonic()
    if db.filled_ref:
        prepare_to_cache(db)
    failure = _fill(ctx, db, spec, facts)
    if failure is not None:
        return failure
    facts["fill_s"] = round(time.monotonic() - filling, 3)
    facts["database_bytes"] = _database_bytes(db)
    if db.filled_ref:
        saving = time.monotonic()
        ctx.say(f"data: caching the filled cluster as {db.filled_ref}")
        ctx.env.check_open()
        save_filled_cluster(ctx.client, db, ctx.env.labels("database"))
        facts.update(image=db.filled_ref, save_s=round(time.monotonic() - saving, 3))
    return StepResult(status="ok", summary=f"{describe(spec)}: filled in {facts['fill_s']:.1f}s "
                      f"({_size(facts['database_bytes'])})", facts=facts)


def source_of(spec: DataSpec) -> str:
    """rows, seed or restore."""
    return "rows" if spec.rows else "seed" if spec.seed else "restore"


def describe(spec: DataSpec) -> str:
    """What fills the database, in a few words."""
    if spec.rows:
        what = ", ".join(f"{n:,} rows in {table}" for table, n in spec.rows.items())
    elif spec.seed:
        what = f"seeded by {spec.seed if isinstance(spec.seed, str) else ' '.join(spec.seed)}"
    else:
        what = f"restored from {spec.restore}"
    return f"{what} at {spec.at}" if spec.at else what


def _fill(ctx: StepContext, db: Database, spec: DataSpec, facts: dict[str, object]) -> StepResult | None:
    """Fill from the spec's source; a failed StepResult if it fails."""
    import psycopg
    if spec.rows:
        try:
            facts["rows"] = fill_rows(db, spec.rows, ctx.say, spec.timeout)
        except CannotGenerate as exc:
            return StepResult(status="error", summary=f"data.rows: {exc}", detail=str(exc), facts=facts)
        except psycopg.Error as exc:
            message = ctx.redactor.text(str(exc).strip())
            return StepResult(status="failed", summary=f"data.rows: {key_line(message)}", detail=message,
                              facts=facts)
    elif spec.seed:
        argv = spec.seed if isinstance(spec.seed, list) else ["sh", "-c", spec.seed]
        ctx.say(f"data: seeding with {' '.join(argv)}")
        output = HostCommand(argv, ctx.project_root, ctx.host_environment(), spec.timeout).run(ctx.env)
        if output.code != 0:
            return _failed("data.seed", output.code, ctx.redactor.text(output.text), spec.timeout, facts)
        _analyze(db)
    else:
        assert spec.restore is not None
        dump = ctx.project_root / spec.restore
        ctx.say(f"data: restoring {spec.restore}")
        profile_db = ctx.profile.database
        assert profile_db is not None
        restored = restore_dump(
            ctx.client, db, image=profile_db.image_ref(), dump=dump, network=ctx.env.network_name,
            labels=ctx.env.labels("data"), name=f"parity-{ctx.env.env_id}-restore", ssl=profile_db.ssl,
            data_only=spec.at is not None, timeout=spec.timeout, check_open=ctx.env.check_open)
        if restored.code != 0:
            return _failed("data.restore", restored.code, ctx.redactor.text(restored.output), spec.timeout, facts)
        _analyze(db)
    return None


def _failed(key: str, code: int | None, text: str, timeout: float, facts: dict[str, object]) -> StepResult:
    """A fill command that failed (code None: stopped at its timeout), with its output."""
    why = f"timed out after {timeout:.0f}s" if code is None else f"exit {code}"
    return StepResult(status="failed", summary=f"{key} {why}: {key_line(text)}"[:300], detail=excerpt(text), facts=facts)


def fill_rows(db: Database, rows: dict[str, int], say: Callable[[str], None] = lambda _m: None,
              timeout: float = 900.0) -> dict[str, dict[str, float]]:
    """Generate the rows in the server, parents first, each table by several connections at once
    (one INSERT ... SELECT per share); then vacuum and analyse them, as autovacuum would have a
    long-lived production table. Returns {table: {rows, seconds}}.

    As the superuser with session_replication_role = replica: the generated references are valid
    by construction, so foreign-key triggers (and the app's own triggers) are not run, as
    pg_restore --disable-triggers does."""
    import psycopg
    from psycopg import sql
    done: dict[str, dict[str, float]] = {}
    settings = sql.SQL("SET statement_timeout = {}; SET session_replication_role = replica").format(
        sql.Literal(f"{int(timeout * 1000)}ms"))
    with psycopg.connect(**db.admin_connect_kwargs()) as conn:  # type: ignore[arg-type]
        tables = {name: read_table(conn, name) for name in rows}
        by_regclass = {table.name: name for name, table in tables.items()}
        order = fill_order({table.name: table for table in tables.values()})
        conn.commit()
        for regclass in order:
            table = tables[by_regclass[regclass]]
            count = rows[by_regclass[regclass]]
            parent_rows = {fk.parent: _count(conn, fk.parent) for fk in table.foreign_keys}
            conn.commit()
            say(f"data: generating {count:,} rows in {table.name}")
            started = time.monotonic()
            shares = parts(count, min(os.cpu_count() or 1, 4))

            def insert(part: tuple[int, int], table: Table = table, count: int = count,
                       parent_rows: dict[str, int] = parent_rows) -> None:
                with psycopg.connect(**db.admin_connect_kwargs()) as worker:  # type: ignore[arg-type]
                    worker.execute(settings)
                    worker.execute(fill_statement(table, count, parent_rows, part))

            with ThreadPoolExecutor(max_workers=len(shares)) as pool:
                list(pool.map(insert, shares))
            done[table.name] = {"rows": count, "seconds": round(time.monotonic() - started, 3)}
    with psycopg.connect(**db.admin_connect_kwargs(), autocommit=True) as conn:  # type: ignore[arg-type]
        for regclass in order:
            conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.SQL(regclass)))
    return done


def _count(conn: psycopg.Connection, table: str) -> int:
    from psycopg import sql
    row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.SQL(table))).fetchone()
    return int(row[0]) if row else 0


def _analyze(db: Database) -> None:
    """Statistics and visibility as a long-lived database has them (autovacuum's work)."""
    import psycopg
    with psycopg.connect(**db.admin_connect_kwargs(), autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute("VACUUM (ANALYZE)")


def _set_system(db: Database, setting: str, value: str | None) -> None:
    """ALTER SYSTEM SET (or RESET, for None) and reload."""
    import psycopg
    from psycopg import sql
    with psycopg.connect(**db.admin_connect_kwargs(), autocommit=True) as conn:  # type: ignore[arg-type]
        if value is None:
            conn.execute(sql.SQL("ALTER SYSTEM RESET {}").format(sql.Identifier(setting)))
        else:
            conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(setting), sql.Literal(value)))
        conn.execute("SELECT pg_reload_conf()")


def _database_bytes(db: Database) -> int:
    import psycopg
    with psycopg.connect(**db.connect_kwargs()) as conn:  # type: ignore[arg-type]
        row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
    return int(row[0]) if row else 0


def _size(value: object) -> str:
    size = int(value) if isinstance(value, int | float) else 0
    return f"{size / 2**20:.0f} MiB"


def prepare_to_cache(db: Database) -> None:
    """Before a fill that will be cached: WAL segments are removed rather than kept for reuse, so
    the cached cluster holds the data, not hundreds of MB of spent WAL (reset when it is saved)."""
    _set_system(db, "wal_recycle", "off")


def save_filled_cluster(client: docker.DockerClient, db: Database, labels: dict[str, str]) -> None:
    """Commit the filled cluster as db.filled_ref (after a checkpoint, so the next start replays
    little WAL); `labels`: the container's, cleared from the image."""
    import psycopg
    assert db.filled_ref and db.container_id
    with psycopg.connect(**db.admin_connect_kwargs(), autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute("CHECKPOINT")
    _set_system(db, "wal_recycle", None)
    pgtemplate.save_filled(client.containers.get(db.container_id), db.filled_ref, labels)


def data_fingerprint(ctx: StepContext) -> str | None:
    """What a filled cluster is made of, as a key (None when the profile has no data): the
    revisions up to data.at with their scripts, and the source (rows asked for and the
    generator's version; the seed command and the files it names; the dump file)."""
    profile, root = ctx.profile, ctx.project_root
    spec = profile.data
    if spec is None or profile.database is None or profile.database.engine != "postgres":
        return None
    digest = hashlib.sha256(f"{FINGERPRINT_VERSION}|{source_of(spec)}|{spec.at}".encode())
    if spec.at and profile.migrations:
        digest.update(json.dumps(profile.migrations.command).encode())
        for revision in revisions_up_to(plan_of(ctx), spec.at):
            digest.update(revision.id.encode())
            if revision.path:
                digest.update(Path(revision.path).read_bytes())
    if spec.rows:
        digest.update(json.dumps([GENERATOR_VERSION, sorted(spec.rows.items())]).encode())
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


def check_data(loaded: LoadedProfile, root: Path) -> None:
    """Mistakes in the data and traffic sections surface before anything starts (exit 2)."""
    profile, spec = loaded.profile, loaded.profile.data
    where = loaded.files[-1].name
    postgres = profile.database is not None and profile.database.engine == "postgres"
    if profile.traffic is not None and not postgres:
        raise UsageError(f"profile {loaded.name}: traffic needs a Postgres database (database.engine: postgres)",
                         f"remove the traffic section from {where}, or use Postgres")
    if spec is None:
        return
    if not postgres:
        raise UsageError(f"profile {loaded.name}: data needs a Postgres database (database.engine: postgres)",
                         f"remove the data section from {where}, or use Postgres")
    if spec.at is not None:
        if profile.migrations is None:
            raise UsageError(f"profile {loaded.name}: data.at names a revision, but the profile has no migrations",
                             f"add a migrations section to {where}, or remove data.at")
        revisions_up_to(plan_for(profile, root), spec.at)
    if spec.restore is not None and not (root / spec.restore).is_file():
        raise UsageError(f"profile {loaded.name}: data.restore: {root / spec.restore} does not exist",
                         f"fix data.restore in {where} (a pg_dump file, relative to the project)")
