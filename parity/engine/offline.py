"""Stand-ins for official Docker Hub images, built from Debian packages without a registry.

parity runs production-shaped containers, but some machines (air-gapped CI, mirrors-only
networks) cannot `docker pull`. When a Debian apt mirror is reachable we can still produce
an image that honours the official image's contract: `mmdebstrap` builds a minimal Debian
root filesystem with the distribution's own PostgreSQL or Python, and `docker import` turns
it into an image tagged exactly like the official one (`postgres:15`), so nothing else in
parity needs to know where the image came from. Every such image carries OFFLINE_LABEL so
`parity doctor` can tell users what they are running. Which images, from which packages:
parity.engine.recipes.
"""

from __future__ import annotations

import collections
import contextlib
import io
import json
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import docker
import docker.errors

from parity.engine.recipes import Recipe, offline_summary, recipe_for
from parity.errors import EnvError

OFFLINE_LABEL = "io.parity.offline-build"
SUITE_LABEL = "io.parity.offline-suite"
PACKAGE_VERSION_LABEL = "io.parity.offline-package-version"
RECIPE_LABEL = "io.parity.offline-recipe"
DESCRIPTION_LABEL = "org.opencontainers.image.description"

# Overridable so a site with its own Debian mirror (or none for security) can still build.
DEFAULT_MIRROR = "http://deb.debian.org/debian"
DEFAULT_SECURITY_MIRROR = "http://deb.debian.org/debian-security"
MIRROR_ENV = "PARITY_DEBIAN_MIRROR"
SECURITY_MIRROR_ENV = "PARITY_DEBIAN_SECURITY_MIRROR"  # set to "" to build without security updates

# A build downloads ~100 MB and unpacks it; 15 minutes covers a slow mirror, and anything
# longer is a hang we must not inflict on a CLI user.
BUILD_TIMEOUT_S = 15 * 60

# Builds land under this repository first and get their real name only once complete, so an
# interrupted build can never leave a half-made `postgres:15` that parity would then trust.
TEMP_REPOSITORY = "parity-offline-build"

BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# Keep images lean like the official slim images: no docs, man pages or translations.
# Copyright files stay because the licences require shipping them.
_DPKG_EXCLUDES = (
    "path-exclude=/usr/share/doc/*",
    "path-include=/usr/share/doc/*/copyright",
    "path-exclude=/usr/share/man/*",
    "path-exclude=/usr/share/info/*",
    "path-exclude=/usr/share/locale/*",
    # localedef resolves locale names through it (the official image keeps it too).
    "path-include=/usr/share/locale/locale.alias",
    "path-exclude=/usr/share/lintian/*",
)

_MERGED_USR_HOOKS = "/usr/share/mmdebstrap/hooks/merged-usr"

# The official postgres images generate en_US.UTF-8 (C, C.UTF-8 and POSIX come with libc) and
# set LANG to it, so initdb without a locale argument makes an en_US.utf8 cluster.
POSTGRES_LANG = "en_US.utf8"
GENERATED_LOCALES = ("en_US.UTF-8",)

# Lines of mmdebstrap/apt output that mean "the network, not the recipe, is the problem".
_UNREACHABLE_MARKERS = (
    "temporary failure resolving",
    "could not resolve",
    "failed to fetch",
    "unable to connect",
    "could not connect",
    "connection failed",
    "connection timed out",
    "network is unreachable",
    "no route to host",
)


def outdated(ref: str, labels: dict[str, str] | None) -> bool:
    """True when an image's labels say parity built it offline with an older recipe than today's."""
    recipe, labels = recipe_for(ref), labels or {}
    if recipe is None or labels.get(OFFLINE_LABEL) != "true":
        return False
    return labels.get(RECIPE_LABEL, "1") != recipe.revision


def build_offline_image(
    client: docker.DockerClient,
    ref: str,
    progress: Callable[[str], None],
    *,
    timeout: float = BUILD_TIMEOUT_S,
    cancel: threading.Event | None = None,
) -> None:
    """Build `ref` from Debian packages and tag it like the official image.

    Raises EnvError (never a bare traceback) when the ref is unknown, mmdebstrap is missing,
    the mirror is unreachable, the build exceeds `timeout` seconds, `cancel` is set (how a
    caller running builds in threads passes on Ctrl-C), or the engine refuses the import.
    The final tag is applied only after every step succeeded.
    """
    recipe = recipe_for(ref)
    if recipe is None:
        raise EnvError(
            f"parity cannot build {ref} offline",
            f"parity can build {offline_summary()} offline; for {ref}, `docker load` or build it yourself",
        )
    if shutil.which("mmdebstrap") is None:
        raise EnvError(
            f"cannot build {recipe.ref} offline: mmdebstrap is not installed",
            f"apt-get install mmdebstrap (as root), or `docker load` a saved {recipe.ref} image",
        )

    cancel = cancel or threading.Event()
    _check_cancel(recipe, cancel)
    deadline = time.monotonic() + timeout
    started = time.monotonic()
    progress(f"building {recipe.ref} offline from Debian {recipe.suite} ({recipe.estimate})")
    token = uuid.uuid4().hex[:12]
    temp_refs: list[str] = []
    previous: str | None = None
    try:
        with tempfile.TemporaryDirectory(prefix="parity-offline-") as tmp:
            build = _Build(recipe, Path(tmp), deadline, timeout, cancel, progress)
            _make_rootfs(build)
            _check_cancel(recipe, cancel)
            version_file = build.version_file
            package_version = version_file.read_text().strip() if version_file.exists() else ""
            progress(f"{recipe.ref}: importing the root filesystem into the Docker engine")
            imported = f"{TEMP_REPOSITORY}:{token}-import"
            temp_refs.append(imported)
            _import(client, recipe, build.rootfs_tar, imported, package_version)
        final_source = imported
        stop_signal = STOP_SIGNALS.get(recipe.kind)
        if stop_signal:
            # `docker import --change` rejects STOPSIGNAL: a one-line local build adds it;
            # FROM a local tag never touches a registry.
            final_source = f"{TEMP_REPOSITORY}:{token}"
            temp_refs.append(final_source)
            _add_stop_signal(client, imported, final_source, stop_signal)
        repository, tag = recipe.ref.split(":", 1)
        previous = _image_id(client, recipe.ref)
        if not client.images.get(final_source).tag(repository, tag):
            raise EnvError(
                f"the Docker engine refused to tag the offline build as {recipe.ref}",
                "check `docker images` and the engine's log",
            )
    except docker.errors.DockerException as exc:
        raise EnvError(
            f"building {recipe.ref} offline failed in the Docker engine: {_one_line(exc)}",
            "check that the engine has disk space (`docker system df`) and see its log",
        ) from exc
    finally:
        for temp in reversed(temp_refs):
            with contextlib.suppress(docker.errors.DockerException):
                client.images.remove(temp)
    _drop_replaced(client, recipe.ref, previous)
    image = client.images.get(recipe.ref)
    size_mb = (image.attrs.get("Size") or 0) / 1e6
    progress(
        f"built {recipe.ref} offline from Debian {recipe.suite} "
        f"in {time.monotonic() - started:.0f}s ({size_mb:.0f} MB)"
    )


# As the official images: postgres stops fast on SIGINT (SIGTERM, "smart", waits for every
# client); HAProxy stops gracefully on SIGUSR1 (on SIGTERM it closes every connection at once).
STOP_SIGNALS = {"postgres": "SIGINT", "haproxy": "SIGUSR1"}


@dataclass(frozen=True)
class _Build:
    """One offline build under way: its recipe, scratch directory, time budget and observers."""

    recipe: Recipe
    work: Path
    deadline: float  # time.monotonic() by which mmdebstrap must be done
    timeout: float  # the budget that deadline came from, for the message
    cancel: threading.Event
    progress: Callable[[str], None]

    @property
    def rootfs_tar(self) -> Path:
        return self.work / "rootfs.tar"

    @property
    def version_file(self) -> Path:
        return self.work / "package-version"


class _ExpiredRelease(Exception):
    """apt refused a Release file whose Valid-Until has passed (a mirror that lags behind)."""


def _make_rootfs(build: _Build) -> None:
    """Run mmdebstrap; if the mirror's Release file has expired, warn and accept it once.

    Mirrors of air-gapped sites are synced now and then, and a rolling suite's Release file
    is valid for a week only. Signatures are still verified; only freshness is waived, and
    the user is told how stale the mirror is.
    """
    try:
        _run_mmdebstrap(build, accept_expired=False)
    except _ExpiredRelease as exc:
        build.progress(
            f"{build.recipe.ref}: warning: the mirror's {build.recipe.suite} is out of date ({exc}); "
            "building from it anyway: signatures are still checked, recent fixes may be missing"
        )
        _run_mmdebstrap(build, accept_expired=True)


def expired_release(lines: Iterable[str]) -> str | None:
    """apt's complaint about an expired Release file among mmdebstrap's output, shortened."""
    for line in lines:
        if "Release file for" in line and "is expired" in line:
            text = line.removeprefix("E: ").removeprefix("W: ")
            return text.split(". Updates for this repository", 1)[0].rstrip(".")
    return None


def _run_mmdebstrap(build: _Build, *, accept_expired: bool) -> None:
    """Create the root filesystem tarball, streaming mmdebstrap's phases to `progress`."""
    recipe, progress = build.recipe, build.progress
    hook = build.work / "customize.sh"
    with _entrypoint_path(recipe.entrypoint_asset) as entrypoint:
        hook.write_text(_customize_script(recipe, entrypoint, build.version_file))
        cmd = _mmdebstrap_command(
            recipe, build.rootfs_tar, hook, build.work, accept_expired=accept_expired
        )
        tail: collections.deque[str] = collections.deque(maxlen=12)
        # Own session so a timeout (or Ctrl-C here) can stop mmdebstrap and its apt/dpkg
        # children as a group; mmdebstrap unmounts its chroot on SIGTERM.
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,
            env={
                **os.environ,
                # Hooks run chroot'ed tools (groupadd, install) found via our PATH, and a
                # non-login shell's PATH often lacks the sbin directories.
                "PATH": f"{BASE_PATH}:{os.environ.get('PATH', '')}",
                "LC_ALL": "C.UTF-8",
                "DEBIAN_FRONTEND": "noninteractive",
            },
        )
        reader = threading.Thread(
            target=_pump, args=(proc, tail, recipe.ref, progress), daemon=True
        )
        reader.start()
        try:
            # Short waits so a cancel (Ctrl-C in the thread's owner) is honoured within 0.5 s.
            while proc.poll() is None:
                if time.monotonic() >= build.deadline:
                    _stop_group(proc)
                    raise EnvError(
                        f"building {recipe.ref} offline did not finish within "
                        f"{_duration(build.timeout)}; last output:\n    " + "\n    ".join(tail),
                        f"check that {_mirror()} is reachable and fast enough, then retry",
                    )
                if build.cancel.is_set():
                    _stop_group(proc)
                    _check_cancel(recipe, build.cancel)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=0.5)
        finally:
            if proc.poll() is None:  # interrupted (KeyboardInterrupt etc.): leave nothing behind
                _stop_group(proc)
            reader.join(timeout=5)
    if proc.returncode != 0 or not build.rootfs_tar.exists():
        output = "\n    ".join(tail) or "(no output)"
        expired = expired_release(tail)
        if expired and not accept_expired:
            raise _ExpiredRelease(expired)
        if any(m in line.lower() for line in tail for m in _UNREACHABLE_MARKERS):
            raise EnvError(
                f"cannot build {recipe.ref} offline: the Debian mirror {_mirror()} is "
                f"unreachable; mmdebstrap said:\n    {output}",
                f"restore network access to {_mirror()} (or set {MIRROR_ENV} to a reachable "
                f"Debian mirror), or `docker load` a saved {recipe.ref} image",
            )
        raise EnvError(
            f"mmdebstrap failed (exit {proc.returncode}) building {recipe.ref} from Debian "
            f"{recipe.suite}; last output:\n    {output}",
            "fix the problem shown above and retry; run as root (or with working "
            "unprivileged user namespaces) and make sure /tmp has ~1 GB free",
        )


def _check_cancel(recipe: Recipe, cancel: threading.Event) -> None:
    if cancel.is_set():
        raise EnvError(
            f"building {recipe.ref} offline was cancelled",
            "run the command again; nothing half-built was kept",
        )


def _mmdebstrap_command(
    recipe: Recipe, rootfs_tar: Path, hook: Path, work: Path, *, accept_expired: bool = False
) -> list[str]:
    """The mmdebstrap invocation for a recipe (a list: no shell, no quoting bugs)."""
    cmd = [
        "mmdebstrap",
        "--variant=minbase",
        "--include=" + ",".join(recipe.packages),
        # Recommends would drag in e.g. ssl-cert, sysstat and locales; official images skip them.
        '--aptopt=APT::Install-Recommends "false"',
        '--aptopt=Acquire::Retries "3"',
        # mmdebstrap empties /run at the end, which would delete /run/postgresql (needed
        # when the container starts as --user postgres); nothing else is in /run by then.
        "--skip=cleanup/run",
        *(f"--dpkgopt={opt}" for opt in _DPKG_EXCLUDES),
    ]
    if recipe.suite == "bookworm" and Path(_MERGED_USR_HOOKS).is_dir():
        # bookworm's minbase otherwise pulls in the usrmerge package, and with it perl and
        # ~50 MB; mmdebstrap's hook sets up the same merged /usr with plain symlinks, as
        # the official Debian images have. (bullseye is unmerged, trixie merges by itself.)
        cmd.append(f"--hook-dir={_MERGED_USR_HOOKS}")
    if recipe.kind in _POSTGRES_ACCOUNT:
        # Create the postgres account before the packages do, with the official image's
        # uid/gid (999; edoburu/pgbouncer's: 70), so volumes are interchangeable with Docker
        # Hub's image. At this
        # point only Essential packages exist (no groupadd yet): base-passwd's files are
        # edited directly, and passwd's postinst (pwconv) adds the shadow entries later.
        uid = _POSTGRES_ACCOUNT[recipe.kind]
        cmd.append(
            f'--essential-hook=echo "postgres:x:{uid}:" >> "$1/etc/group" && '
            f'echo "postgres:x:{uid}:{uid}:PostgreSQL administrator:/var/lib/postgresql:/bin/bash"'
            ' >> "$1/etc/passwd"'
        )
    cmd += [
        f'--customize-hook=sh {shlex.quote(str(hook))} "$1"',
        recipe.suite,
        str(rootfs_tar),
        *_sources(recipe.suite, accept_expired=accept_expired),
    ]
    return cmd


# The images that run as a postgres account, and its uid (= gid) in the image they stand in for.
_POSTGRES_ACCOUNT = {"postgres": 999, "pgbouncer": 70}

# Suites that are updated in place: they have no -updates or -security companion, and apt
# fails on a source whose Release file does not exist.
_ROLLING_SUITES = frozenset({"sid", "unstable"})


def _sources(suite: str, *, accept_expired: bool = False) -> list[str]:
    """apt sources: the release plus its updates and (unless disabled) security updates.

    accept_expired marks each source so apt takes a Release file past its Valid-Until (the
    mark stays in the image's sources.list, for anyone wondering how fresh it is).
    """
    mirror = _mirror()
    sources = [(mirror, suite)]
    if suite not in _ROLLING_SUITES:
        sources.append((mirror, f"{suite}-updates"))
        security = os.environ.get(SECURITY_MIRROR_ENV, DEFAULT_SECURITY_MIRROR).strip()
        if security:
            sources.append((security, f"{suite}-security"))
    options = "[check-valid-until=no] " if accept_expired else ""
    return [f"deb {options}{url} {dist} main" for url, dist in sources]


def _mirror() -> str:
    return os.environ.get(MIRROR_ENV, "").strip() or DEFAULT_MIRROR


def _customize_script(recipe: Recipe, entrypoint: Path, version_file: Path) -> str:
    """Shell run by mmdebstrap after all packages are in; $1 is the root filesystem."""
    q = shlex.quote
    lines = [
        "set -eu",
        'root="$1"',
        # Recorded for labels/ENV so users can see which Debian build they are running.
        f"chroot \"$root\" dpkg-query -W -f='${{Version}}' {q(recipe.version_package)} "
        f"> {q(str(version_file))}",
    ]
    if recipe.kind == "postgres":
        v = recipe.version
        # postgresql-common's postinst creates a "main" cluster; the image must start empty
        # so the entrypoint's initdb (with the user's settings) owns PGDATA.
        if recipe.per_major_layout:
            lines += [
                # As in the official 18+ image nothing is below /var/lib/postgresql, which any
                # uid may write (sticky), so a `--user` container can create MAJOR/docker.
                f'rm -rf "$root/var/lib/postgresql/{v}" "$root/etc/postgresql/{v}"',
                'chroot "$root" install -d -o postgres -g postgres -m 1777 /var/lib/postgresql',
            ]
        else:
            lines += [
                f'rm -rf "$root/var/lib/postgresql/{v}/main" "$root/etc/postgresql/{v}"',
                'chroot "$root" install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/data',
            ]
        for name in GENERATED_LOCALES:
            language, charmap = name.split(".", 1)
            # -c writes the locale despite warnings (localedef then exits 1); whether it exists
            # is checked right after, by the name initdb will look for.
            lines += [
                f'chroot "$root" localedef -i {q(language)} -c -f {q(charmap)} '
                f'-A /usr/share/locale/locale.alias {q(name)} || [ "$?" -eq 1 ]',
                f'chroot "$root" locale -a | grep -qix {q(language + "." + charmap.lower().replace("-", ""))}',
            ]
        lines += [
            f'install -m 0755 {q(str(entrypoint))} "$root/usr/local/bin/docker-entrypoint.sh"',
            # /var/run is a symlink to the *host's* /run outside the chroot: go through chroot.
            'chroot "$root" install -d -o postgres -g postgres -m 3777 /run/postgresql',
            # ...and the removed cluster's stats directory, left behind by the postinst.
            'find "$root/run/postgresql" -mindepth 1 -delete',
            'mkdir -p "$root/docker-entrypoint-initdb.d"',
        ]
    elif recipe.kind == "pgbouncer":
        lines += [
            # edoburu/pgbouncer's layout: /entrypoint.sh, /usr/bin/pgbouncer, its configuration in
            # /etc/pgbouncer (writable by the postgres account, uid/gid 70 there). Debian's sample
            # configuration goes: the entrypoint's contract is "a pgbouncer.ini there is used".
            f'install -m 0755 {q(str(entrypoint))} "$root/entrypoint.sh"',
            'ln -sf /usr/sbin/pgbouncer "$root/usr/bin/pgbouncer"',
            'rm -f "$root/etc/pgbouncer/pgbouncer.ini" "$root/etc/pgbouncer/userlist.txt"',
            'chroot "$root" install -d -o postgres -g postgres -m 0755 /etc/pgbouncer /var/log/pgbouncer',
            'chroot "$root" install -d -o postgres -g postgres -m 0755 /run/pgbouncer',
        ]
    elif recipe.kind == "haproxy":
        lines += [
            f'install -m 0755 {q(str(entrypoint))} "$root/usr/local/bin/docker-entrypoint.sh"',
            # Where the official image reads its configuration; Debian's own stays unused.
            'mkdir -p "$root/usr/local/etc/haproxy"',
            'cp -R "$root/etc/haproxy/errors" "$root/usr/local/etc/haproxy/errors"',
            # The official image's haproxy account is uid/gid 99 (the package made a system
            # account with whatever id was free; adduser refuses ids below 100).
            'chroot "$root" groupmod -g 99 haproxy',
            'chroot "$root" usermod -u 99 -g 99 haproxy',
            'chroot "$root" install -d -o haproxy -g haproxy -m 0755 /var/lib/haproxy',
        ]
    else:
        lines += [
            # The official image has `python` and `pip`; Debian only ships the *3 names.
            'ln -sf /usr/bin/python3 "$root/usr/local/bin/python"',
            'ln -sf /usr/bin/pip3 "$root/usr/local/bin/pip"',
            # PEP 668 marker: without it pip installs system-wide as in the official image
            # (whose Python is not Debian-managed), instead of demanding a venv.
            'rm -f "$root"/usr/lib/python3*/EXTERNALLY-MANAGED',
            # PYTHON_VERSION in the official image is the upstream version (3.11.2), not Debian's.
            "chroot \"$root\" python3 -c 'import platform; print(platform.python_version())' "
            f"> {q(str(version_file))}.upstream",
        ]
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def _entrypoint_path(name: str | None) -> Iterator[Path]:
    """The packaged entrypoint asset as a real file (works from a wheel or a zip)."""
    asset = resources.files("parity.engine").joinpath(f"assets/{name or 'docker-entrypoint.sh'}")
    with resources.as_file(asset) as path:
        if not path.is_file():
            raise EnvError(
                f"parity's {name} asset is missing from the installation",
                "reinstall parity (`pip install --force-reinstall parity`)",
            )
        yield path


def _pump(
    proc: subprocess.Popen[str],
    tail: collections.deque[str],
    ref: str,
    progress: Callable[[str], None],
) -> None:
    """Forward mmdebstrap's phase lines ("I: ...") and keep the tail for error messages."""
    assert proc.stdout is not None
    for raw in proc.stdout:
        line = raw.rstrip()
        if not line:
            continue
        # dpkg's command lines run to kilobytes; an error message needs only their start.
        tail.append(line if len(line) <= 200 else line[:197] + "...")
        if line.startswith("I: "):
            text = line[3:]
            progress(f"{ref}: {text if len(text) <= 100 else text[:97] + '...'}")


def _stop_group(proc: subprocess.Popen[str]) -> None:
    """SIGTERM mmdebstrap's process group, then SIGKILL if it does not exit in 30 s."""
    for sig, grace in ((signal.SIGTERM, 30.0), (signal.SIGKILL, 10.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def _import(
    client: docker.DockerClient,
    recipe: Recipe,
    rootfs_tar: Path,
    temp_ref: str,
    package_version: str,
) -> None:
    """`docker import` the tarball with the official image's runtime configuration."""
    repository, tag = temp_ref.split(":", 1)
    upstream_file = rootfs_tar.parent / "package-version.upstream"
    changes = _image_changes(
        recipe,
        package_version,
        upstream_file.read_text().strip() if upstream_file.exists() else "",
    )
    client.api.import_image(src=str(rootfs_tar), repository=repository, tag=tag, changes=changes)


def _image_changes(recipe: Recipe, package_version: str, upstream_version: str) -> list[str]:
    """Dockerfile instructions for `docker import --change` (labels, env, entrypoint...)."""
    labels = {
        OFFLINE_LABEL: "true",
        SUITE_LABEL: recipe.suite,
        PACKAGE_VERSION_LABEL: package_version,
        DESCRIPTION_LABEL: (
            f"Stand-in for the official {recipe.ref} image, built offline by parity "
            f"from Debian {recipe.suite} packages"
        ),
        RECIPE_LABEL: recipe.revision,
    }
    # json.dumps quotes values the way Dockerfile LABEL parsing expects.
    changes = [f"LABEL {k}={json.dumps(v)}" for k, v in labels.items()]
    changes.append(f"ENV LANG={POSTGRES_LANG if recipe.kind == 'postgres' else 'C.UTF-8'}")
    if recipe.kind == "postgres":
        v = recipe.version
        changes += [
            f"ENV PATH={BASE_PATH}:/usr/lib/postgresql/{v}/bin",
            f"ENV PG_MAJOR={v}",
            f"ENV PG_VERSION={package_version}",
            f"ENV PGDATA={recipe.pgdata}",
            # Like the official image: data outlives the container unless removed with it.
            f"VOLUME {recipe.data_volume}",
            'ENTRYPOINT ["docker-entrypoint.sh"]',
            "EXPOSE 5432",
            'CMD ["postgres"]',
        ]
    elif recipe.kind == "pgbouncer":
        changes += [
            f"ENV PATH={BASE_PATH}",
            'ENTRYPOINT ["/entrypoint.sh"]',
            "USER postgres",
            "EXPOSE 5432",
            'CMD ["/usr/bin/pgbouncer", "/etc/pgbouncer/pgbouncer.ini"]',
        ]
    elif recipe.kind == "haproxy":
        changes += [
            f"ENV PATH={BASE_PATH}",
            # The upstream version (2.6.12), as the official image has it; not Debian's revision.
            f"ENV HAPROXY_VERSION={package_version.split('-')[0] or recipe.version}",
            'ENTRYPOINT ["docker-entrypoint.sh"]',
            "USER haproxy",
            'CMD ["haproxy", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]',
        ]
    else:
        changes += [
            # /usr/local/bin first: that is where `python`/`pip` (and pip's scripts) live.
            "ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin",
            f"ENV PYTHON_VERSION={upstream_version or recipe.version}",
            'CMD ["python3"]',
        ]
    return changes


def _add_stop_signal(
    client: docker.DockerClient, source: str, target: str, signal_name: str
) -> None:
    """Derive `target` from local image `source` with a STOPSIGNAL (no registry involved)."""
    dockerfile = f"FROM {source}\nSTOPSIGNAL {signal_name}\n".encode()
    client.images.build(
        fileobj=io.BytesIO(dockerfile), tag=target, pull=False, rm=True, forcerm=True
    )


def _image_id(client: docker.DockerClient, ref: str) -> str | None:
    try:
        return str(client.images.get(ref).id)
    except docker.errors.ImageNotFound:
        return None


def _drop_replaced(client: docker.DockerClient, ref: str, previous: str | None) -> None:
    """After a forced rebuild, delete the old offline image if nothing else uses it."""
    if previous is None or previous == _image_id(client, ref):
        return
    with contextlib.suppress(docker.errors.DockerException):
        old = client.images.get(previous)
        # Only our own, now untagged builds: never someone's pulled or hand-built image.
        if old.labels.get(OFFLINE_LABEL) == "true" and not old.tags:
            client.images.remove(previous)


def _duration(seconds: float) -> str:
    return f"{seconds / 60:.0f} minutes" if seconds >= 120 else f"{seconds:.0f} seconds"


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
