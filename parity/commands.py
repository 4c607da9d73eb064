"""Every user command as a plain function of a Project: the CLI is a thin projection of these.

Each function imports the layers it uses when it is called, so a command loads only what it
needs (`down` never loads the migration or TLS libraries; see tests/unit/test_imports.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from parity.errors import ParityError, ProfileError

if TYPE_CHECKING:
    from parity.engine.cleanup import Removed
    from parity.manifests.drift import Drift
    from parity.manifests.mapping import ManifestMapping
    from parity.manifests.source import ManifestSource
    from parity.project import Project
    from parity.run import RunOptions, RunOutcome


@dataclass
class Started:
    """An environment left running by `up`: what a developer needs to reach it, and what `up` ran
    to get there (step, status, summary), in order."""

    env_id: str
    exports: dict[str, str]
    hints: list[str] = field(default_factory=list)
    ran: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def failed(self) -> list[str]:
        """The steps that failed (or could not run): `up` then exits 1, the environment left up."""
        return [step for step, status, _ in self.ran if status in ("failed", "error")]


def up(project: Project, profile_name: str) -> Started:
    """Start a profile's environment (database, data, migrations, app) and leave it running."""
    from parity.run import start_environment

    run, kept = start_environment(project, profile_name, _progress)
    hints: list[str] = []
    database = run.steps.get("database")
    if database and database.facts.get("engine") == "postgres":
        hints.append(f"psql \"$DATABASE_URL\"   # Postgres {database.facts.get('server_version', '')}")
    ran: list[tuple[str, str, str]] = [(step, result.status, result.summary) for step, result in run.steps.items()
           if result.status != "skipped" or step != "data"]  # no data: section is no step of its own
    return Started(env_id=kept.env_id, exports=kept.exports, hints=hints, ran=ran)


def _progress(message: str) -> None:
    # The terminal renderer is imported at the first line of progress, not before: `up` loads
    # it in the background while the engine works (see run._warm_imports).
    from parity.console import progress

    progress(message)


def run(project: Project, options: RunOptions) -> RunOutcome:
    """`parity run` (and `parity explain`): both profiles side by side, with live progress; with
    `options.explain`, each divergence's cause settled by experiment. Returns the result."""
    from parity.console import err, progress
    from parity.progress import RunProgress
    from parity.run import run as run_profiles

    with RunProgress(err, [options.baseline, *options.targets]) as board:
        return run_profiles(project, options, board, progress)


def down(project: Project, profile_name: str | None) -> Removed:
    """Remove this project's kept environments (one profile's, or all), and dead runs' orphans anywhere."""
    from parity.engine import labels as L
    from parity.engine.cleanup import reap_orphans, remove_environments
    from parity.engine.client import docker_client

    client = docker_client()
    removed = reap_orphans(client)
    selector = {L.PROJECT: str(project.root)}
    if profile_name is not None:
        selector[L.PROFILE] = profile_name
    # A live `parity run` is never touched, even in this project.
    removed.absorb(remove_environments(client, selector, keep=lambda labels: labels.get(L.MODE) == "run"))
    return removed


def list_profiles(project: Project) -> list[tuple[str, str]]:
    """(name, description) of every profile; a broken one says so instead of a description."""
    from parity.profile.loader import list_profiles as profile_names
    from parity.profile.loader import load_all

    loaded, errors = load_all(project.profiles_dir)
    rows = [(p.name, p.profile.description or "") for p in loaded]
    broken = set(profile_names(project.profiles_dir)) - {p.name for p in loaded}
    rows += [(name, "(invalid: run `parity profiles validate`)") for name in broken]
    del errors
    return sorted(rows)


def validate_profiles(project: Project, names: list[str]) -> tuple[list[str], list[ProfileError]]:
    """Load the named profiles (default: all); return the good names and the errors."""
    from parity.profile.loader import list_profiles as profile_names

    if not names:
        names = profile_names(project.profiles_dir)
        if not names:
            raise ProfileError(
                f"no profiles found in {project.profiles_dir}",
                "create profiles/NAME.yaml (see the README), or pass --project / --profiles-dir",
            )
    good: list[str] = []
    bad: list[ProfileError] = []
    for name in names:
        try:
            project.profile(name)
            good.append(name)
        except ProfileError as exc:
            bad.append(exc)
    return good, bad


def build_images(refs: list[str], force: bool = False) -> None:
    """Build offline stand-ins for the given images (default: all parity knows)."""
    from parity.console import progress
    from parity.engine.client import docker_client
    from parity.engine.images import build_images as build
    from parity.engine.recipes import offline_refs

    build(docker_client(), refs or offline_refs(), progress, force=force)


def prune_images() -> list[str]:
    """Remove parity's cached images that no container uses."""
    from parity.engine.client import docker_client
    from parity.engine.images import prune_caches

    return prune_caches(docker_client())


def image_states() -> list[tuple[str, str]]:
    """(ref, state) for every image parity can build offline."""
    from parity.engine.client import docker_client
    from parity.engine.images import describe_image
    from parity.engine.recipes import offline_refs

    client = docker_client()
    return [(ref, describe_image(client, ref)) for ref in offline_refs()]


@dataclass
class Check:
    """One line of `parity doctor`."""

    what: str
    ok: bool
    detail: str
    fix: str | None = None
    exit_code: int = 3


def doctor(project: Project) -> list[Check]:
    """Check the engine, the images the profiles need, and the profiles."""
    from parity.engine import inventory
    from parity.engine import labels as L
    from parity.engine.cleanup import is_orphan
    from parity.engine.client import ENGINE_FIX, docker_client
    from parity.engine.images import describe_image
    from parity.env.images import profile_images
    from parity.profile.loader import list_profiles as profile_names
    from parity.profile.loader import load_all

    checks: list[Check] = []
    loaded, errors = load_all(project.profiles_dir)
    names = profile_names(project.profiles_dir)
    if not names:
        checks.append(Check("profiles", False, f"none in {project.profiles_dir}", "create profiles/NAME.yaml", 2))
    else:
        checks.append(Check("profiles", not errors, f"{len(loaded)} of {len(names)} valid",
                            None if not errors else "run `parity profiles validate` for the details", 2))
    for error in errors:
        checks.append(Check("profile", False, error.message.splitlines()[0], error.fix, 2))
    try:
        client = docker_client()
    except ParityError as exc:
        checks.append(Check("docker engine", False, exc.message, ENGINE_FIX))
        return checks
    version = client.version().get("Version", "?")
    checks.append(Check("docker engine", True, f"reachable (server {version})"))
    orphans = [c for c in inventory.containers(client, L.label_filter()) if is_orphan(c.labels)]
    if orphans:
        checks.append(Check("leftovers", False, f"{len(orphans)} container(s) of dead runs", "parity down --all"))
    wanted_set: set[str] = set()
    for p in loaded:
        images = profile_images(p.profile, project.root)
        wanted_set.update(images.refs)
        if images.missing_dockerfile is not None:
            checks.append(Check(f"profile {p.name}", False, f"app.build: {images.missing_dockerfile} does not exist",
                                "fix app.build / app.dockerfile", 2))
    wanted = sorted(wanted_set)
    for ref in wanted:
        state = describe_image(client, ref)
        ok = not state.startswith("missing") or "buildable" in state
        checks.append(Check(f"image {ref}", ok, state,
                            None if ok else "docker pull it, docker load it, or use a version parity builds offline"))
    return checks


@dataclass
class Imported:
    """A profile written from a manifest: where, and what was and was not mapped."""

    path: Path
    mapping: ManifestMapping


def import_profile(project: Project, source: ManifestSource, name: str, extends: str | None = None,
                   force: bool = False) -> Imported:
    """Write profiles/NAME.yaml from a manifest, and check it loads (extends applied) before keeping it."""
    from parity.manifests.writer import ProfileHeader, profile_text
    from parity.profile.loader import load_profile

    mapping = source.read(project.root)
    if extends is not None:
        base = project.profile(extends).profile
        if base.app is not None and base.app.build:
            mapping.drop("app.image", f"the app is built from {base.app.build} (app.build in profile {extends})")
    path = project.profiles_dir / f"{name}.yaml"
    if path.exists() and not force:
        raise ProfileError(f"{path} exists", "pass --force to replace it, or --name another profile name")
    command = source.command() + f" --name {name}" + (f" --extends {extends}" if extends else "")
    previous = path.read_text() if path.exists() else None
    project.profiles_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(profile_text(mapping, ProfileHeader(name, extends, command)))
    try:
        load_profile(project.profiles_dir, name)
    except ProfileError as exc:
        if previous is None:
            path.unlink()
        else:
            path.write_text(previous)
        raise ProfileError(f"the profile imported from {mapping.origin} does not validate:\n{exc.message}",
                           "pass --extends with a profile that supplies what is missing (e.g. app.build), "
                           "or correct the manifest") from None
    return Imported(path, mapping)


def drift(project: Project, name: str, source: ManifestSource) -> list[Drift]:
    """Where profile NAME and the manifest disagree (nothing: they agree)."""
    from parity.manifests.drift import drift as find_drift

    return find_drift(project.profile(name).profile, source.read(project.root))
