"""Pure logic of the offline image recipes and image resolution (no engine, no network)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import docker.errors
import pytest

from parity import commands
from parity.engine import images, offline, recipes
from parity.env.balancer import LOAD_BALANCER_IMAGE
from parity.errors import EnvError

# What parity offers to build offline, read from parity itself: the tests below hold every one of
# them to its official image's contract, whatever the list holds.
OFFERED = recipes.offline_refs()
POSTGRES = [ref for ref in OFFERED if ref.startswith("postgres:")]


def not_offered() -> list[str]:
    """Refs parity must refuse to build: a Postgres major beyond (and, if any, between) the ones it
    offers, other flavours and registries of an offered one, and images it has no recipe for."""
    majors = sorted(int(ref.split(":")[1]) for ref in POSTGRES)
    gaps = [f"postgres:{m}" for m in range(majors[0], majors[-1]) if m not in majors]
    return [f"postgres:{majors[-1] + 1}", *gaps[:1], "postgres", "postgres:latest", f"{POSTGRES[0]}-alpine",
            f"ghcr.io/library/{POSTGRES[0]}", "mysql:8", ""]


@pytest.mark.parametrize("ref", OFFERED)
def test_every_offered_image_has_its_recipe_under_any_docker_hub_spelling(ref: str) -> None:
    recipe = recipes.recipe_for(ref)
    assert recipe is not None and recipe.ref == ref
    for spelling in (f"docker.io/library/{ref}", f"library/{ref}", f"index.docker.io/{ref}", f" {ref} "):
        assert recipes.recipe_for(spelling) == recipe
        assert recipes.can_build_offline(spelling) and recipes.offline_suite(spelling) == recipe.suite


def test_the_load_balancers_image_is_offered() -> None:
    # A profile with replicas needs the load balancer's image: offline machines must be able to build it.
    assert LOAD_BALANCER_IMAGE in OFFERED


@pytest.mark.parametrize("ref", not_offered())
def test_an_image_parity_does_not_offer_is_refused(ref: str) -> None:
    assert not recipes.can_build_offline(ref)
    assert recipes.offline_suite(ref) is None
    with pytest.raises(EnvError, match="cannot build .* offline") as info:
        offline.build_offline_image(None, ref, print)  # type: ignore[arg-type]
    # The fix names what can be built instead.
    assert info.value.fix is not None and recipes.offline_summary() in info.value.fix


def test_the_summary_names_every_offered_image_once() -> None:
    summary = recipes.offline_summary()
    for ref in OFFERED:
        repository, tag = ref.split(":", 1)
        assert summary.count(f"{repository}:") == 1, summary
        # The tag is listed under its own repository, before the next repository's name.
        assert re.search(rf"{re.escape(repository)}:[^:]*(?<![\w.-]){re.escape(tag)}(?![\w.-])", summary), ref


class BuildingEngine:
    """Just enough of the Docker engine for build_offline_image once the root filesystem exists:
    records the configuration `docker import` got and the Dockerfile of any layer built on top."""

    def __init__(self) -> None:
        self.api, self.images = self, self
        self.changes: list[str] = []
        self.dockerfiles: list[str] = []

    def import_image(self, *, src: str, repository: str, tag: str, changes: list[str]) -> None:
        self.changes = changes

    def build(self, *, fileobj: io.BytesIO, tag: str, **_options: object) -> None:
        self.dockerfiles.append(fileobj.read().decode())

    def get(self, ref: str) -> Any:
        return SimpleNamespace(id="sha256:built", attrs={"Size": 1}, labels={}, tags=[ref],
                               tag=lambda _repository, _tag: True)

    def remove(self, ref: str) -> None:
        pass


def built_offline(ref: str, monkeypatch: pytest.MonkeyPatch) -> BuildingEngine:
    """Build `ref` through build_offline_image with mmdebstrap's part stood in for: the root
    filesystem "holds" the recipe's version, as Debian's package would report it."""
    def make_rootfs(build: Any) -> None:
        build.version_file.write_text(f"{build.recipe.version}.1-1+deb")
        (build.work / "package-version.upstream").write_text(f"{build.recipe.version}.1")

    monkeypatch.setattr(offline.shutil, "which", lambda _name: "/usr/bin/mmdebstrap")
    monkeypatch.setattr(offline, "_make_rootfs", make_rootfs)
    engine = BuildingEngine()
    offline.build_offline_image(engine, ref, lambda _m: None)  # type: ignore[arg-type]
    return engine


def stop_signal(engine: BuildingEngine) -> str | None:
    lines = [line for dockerfile in engine.dockerfiles for line in dockerfile.splitlines()]
    return next((line.removeprefix("STOPSIGNAL ") for line in lines if line.startswith("STOPSIGNAL ")), None)


def packages(ref: str, tmp_path: Path) -> list[str]:
    recipe = recipes.recipe_for(ref)
    assert recipe is not None
    cmd = offline._mmdebstrap_command(recipe, tmp_path / "r.tar", tmp_path / "h.sh", tmp_path)
    (include,) = [c for c in cmd if c.startswith("--include=")]
    return include.removeprefix("--include=").split(",")


def customized(ref: str, tmp_path: Path) -> str:
    recipe = recipes.recipe_for(ref)
    assert recipe is not None
    return offline._customize_script(recipe, tmp_path / "entrypoint.sh", tmp_path / "version")


@pytest.mark.parametrize("ref", OFFERED)
def test_every_offered_image_honours_its_official_image_contract(
    ref: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = built_offline(ref, monkeypatch)
    changes, script = engine.changes, customized(ref, tmp_path)
    repository, tag = ref.split(":", 1)
    assert f'LABEL {offline.OFFLINE_LABEL}="true"' in changes  # `parity doctor` tells it apart
    if repository == "postgres":
        # The official image's locales: en_US.UTF-8 generated (libc has C, C.UTF-8, POSIX) and
        # LANG naming it, so a cluster made without a locale argument is en_US.utf8, UTF8.
        assert "ENV LANG=en_US.utf8" in changes
        assert "locales" in packages(ref, tmp_path)
        assert re.search(r"localedef -i en_US .*-f UTF-8 .*en_US\.UTF-8", script), script
        assert "locale -a | grep -qix en_US.utf8" in script  # a build without it fails
        # SPEC: postgres on PATH, the official entrypoint's env contract and initdb.d, PGDATA.
        assert f"postgresql-{tag}" in packages(ref, tmp_path)
        (path,) = [c for c in changes if c.startswith("ENV PATH=")]
        assert f"/usr/lib/postgresql/{tag}/bin" in path.split(":")
        assert f"ENV PG_MAJOR={tag}" in changes and any(c.startswith("ENV PGDATA=/") for c in changes)
        assert 'ENTRYPOINT ["docker-entrypoint.sh"]' in changes and 'CMD ["postgres"]' in changes
        assert "EXPOSE 5432" in changes
        assert '"$root/usr/local/bin/docker-entrypoint.sh"' in script
        assert 'mkdir -p "$root/docker-entrypoint-initdb.d"' in script
        assert stop_signal(engine) == "SIGINT"  # the official image's: a fast shutdown, not "smart"
    elif repository == "haproxy":
        assert "haproxy" in packages(ref, tmp_path)
        # The upstream version, as the official image has it: not Debian's revision.
        assert f"ENV HAPROXY_VERSION={tag}.1" in changes
        assert 'ENTRYPOINT ["docker-entrypoint.sh"]' in changes and "USER haproxy" in changes
        assert 'CMD ["haproxy", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]' in changes
        assert 'mkdir -p "$root/usr/local/etc/haproxy"' in script
        assert "usermod -u 99 -g 99 haproxy" in script  # the official image's uid and gid
        # SIGUSR1 is HAProxy's graceful stop (SIGTERM closes every connection at once).
        assert stop_signal(engine) == "SIGUSR1"
        assert "ENV LANG=C.UTF-8" in changes
    elif repository == "python":
        version = tag.split("-")[0]
        assert {"python3", "python3-venv", "python3-pip"} <= set(packages(ref, tmp_path))
        assert f"ENV PYTHON_VERSION={version}.1" in changes
        assert not any(c.startswith("ENTRYPOINT") for c in changes)
        assert any(c.startswith("ENV PATH=/usr/local/bin:") for c in changes)
        # `python` and `pip` as in the official image, and pip free to install system-wide.
        assert 'ln -sf /usr/bin/python3 "$root/usr/local/bin/python"' in script
        assert 'ln -sf /usr/bin/pip3 "$root/usr/local/bin/pip"' in script
        assert "EXTERNALLY-MANAGED" in script
        assert stop_signal(engine) is None
        assert "ENV LANG=C.UTF-8" in changes  # the official python image's
    elif repository == "edoburu/pgbouncer":
        # PgBouncer >= 1.21 (protocol-level prepared statements), from a suite that ships it.
        assert packages(ref, tmp_path) == ["pgbouncer"] and recipes.offline_suite(ref) == "trixie"
        # edoburu's contract as parity uses it: /entrypoint.sh runs pgbouncer on
        # /etc/pgbouncer/pgbouncer.ini, as its postgres account (uid/gid 70), port 5432 exposed.
        assert 'ENTRYPOINT ["/entrypoint.sh"]' in changes and "USER postgres" in changes
        assert 'CMD ["/usr/bin/pgbouncer", "/etc/pgbouncer/pgbouncer.ini"]' in changes
        assert "EXPOSE 5432" in changes
        assert 'ln -sf /usr/sbin/pgbouncer "$root/usr/bin/pgbouncer"' in script
        assert 'rm -f "$root/etc/pgbouncer/pgbouncer.ini"' in script  # no configuration but the user's
        recipe = recipes.recipe_for(ref)
        assert recipe is not None
        command = offline._mmdebstrap_command(recipe, tmp_path / "r.tar", tmp_path / "h.sh", tmp_path)
        assert any("postgres:x:70:70:" in part for part in command)
        assert stop_signal(engine) is None  # edoburu's sets none: SIGTERM
    else:
        pytest.fail(f"no official image contract written down for {repository}: add one here")


@pytest.mark.parametrize(
    ("major", "pgdata", "volume"),
    [("13", "/var/lib/postgresql/data", "/var/lib/postgresql/data"),
     ("17", "/var/lib/postgresql/data", "/var/lib/postgresql/data"),
     # The official 18+ images: one directory per major, the VOLUME above them all.
     ("18", "/var/lib/postgresql/18/docker", "/var/lib/postgresql")],
)  # fmt: skip
def test_postgres_data_layout_follows_the_official_image(major: str, pgdata: str, volume: str) -> None:
    recipe = recipes.recipe_for(f"postgres:{major}")
    assert recipe is not None
    changes = offline._image_changes(recipe, "1", "")
    assert [c for c in changes if c.startswith(("ENV PGDATA=", "VOLUME "))] == [
        f"ENV PGDATA={pgdata}",
        f"VOLUME {volume}",
    ]


@pytest.mark.parametrize("ref", POSTGRES)
def test_mmdebstrap_command(ref: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(offline.MIRROR_ENV, "http://mirror.example/debian")
    monkeypatch.setenv(offline.SECURITY_MIRROR_ENV, "")
    recipe = recipes.recipe_for(ref)
    assert recipe is not None
    cmd = offline._mmdebstrap_command(recipe, tmp_path / "r.tar", tmp_path / "h.sh", tmp_path)
    assert cmd[0] == "mmdebstrap"
    assert "--variant=minbase" in cmd
    # The recipe's suite, into the tarball, from the mirror asked for.
    sources = offline._sources(recipe.suite)
    assert cmd[-2 - len(sources):] == [recipe.suite, str(tmp_path / "r.tar"), *sources]
    assert all(line.startswith("deb http://mirror.example/debian ") for line in sources)
    assert not any("security" in c for c in cmd)


def test_a_stable_suite_gets_updates_and_security(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(offline.MIRROR_ENV, raising=False)
    monkeypatch.delenv(offline.SECURITY_MIRROR_ENV, raising=False)
    assert offline._sources("trixie") == [
        "deb http://deb.debian.org/debian trixie main",
        "deb http://deb.debian.org/debian trixie-updates main",
        "deb http://deb.debian.org/debian-security trixie-security main",
    ]


@pytest.mark.parametrize("suite", ["sid", "unstable"])
def test_unstable_has_no_updates_or_security_suite(suite: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Neither sid-updates nor sid-security exists; apt would fail on their missing Release files.
    monkeypatch.setenv(offline.MIRROR_ENV, "http://mirror.example/debian")
    monkeypatch.setenv(offline.SECURITY_MIRROR_ENV, "http://mirror.example/debian-security")
    assert offline._sources(suite) == [f"deb http://mirror.example/debian {suite} main"]


def test_postgres_18_comes_with_its_jit_as_the_official_image_does(tmp_path: Path) -> None:
    # From 18 on the JIT is a package of its own (13-17 have it inside postgresql-NN).
    assert packages("postgres:18", tmp_path)[:2] == ["postgresql-18", "postgresql-18-jit"]


def test_an_expired_release_is_accepted_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(offline.MIRROR_ENV, "http://m/debian")
    monkeypatch.setenv(offline.SECURITY_MIRROR_ENV, "http://m/security")
    assert not any("check-valid-until" in line for line in offline._sources("trixie"))
    assert offline._sources("trixie", accept_expired=True) == [
        "deb [check-valid-until=no] http://m/debian trixie main",
        "deb [check-valid-until=no] http://m/debian trixie-updates main",
        "deb [check-valid-until=no] http://m/security trixie-security main",
    ]


def test_apt_complaint_about_an_expired_release_is_recognised() -> None:
    apt = (
        "E: Release file for http://deb.debian.org/debian/dists/sid/InRelease is expired "
        "(invalid since 20d 3h 59min 42s). Updates for this repository will not be applied."
    )
    assert offline.expired_release(["I: running apt-get update...", apt]) == (
        "Release file for http://deb.debian.org/debian/dists/sid/InRelease is expired "
        "(invalid since 20d 3h 59min 42s)"
    )
    unreachable = "E: Failed to fetch http://deb.debian.org/debian/dists/sid/InRelease  Could not resolve"
    assert offline.expired_release(["I: running apt-get update...", unreachable]) is None


def test_a_stale_mirror_is_retried_once_accepting_it_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[bool] = []

    def run(_build: object, *, accept_expired: bool) -> None:
        calls.append(accept_expired)
        if not accept_expired:
            raise offline._ExpiredRelease("Release file for http://m/dists/sid/InRelease is expired")

    monkeypatch.setattr(offline, "_run_mmdebstrap", run)
    said: list[str] = []
    recipe = recipes.recipe_for("postgres:18")
    assert recipe is not None
    offline._make_rootfs(offline._Build(recipe, tmp_path, 0.0, 1.0, threading.Event(), said.append))
    assert calls == [False, True]
    assert len(said) == 1 and "out of date" in said[0] and "is expired" in said[0]


def test_customize_removes_default_cluster(tmp_path: Path) -> None:
    recipe = recipes.recipe_for("postgres:17")
    assert recipe is not None
    script = offline._customize_script(recipe, tmp_path / "ep.sh", tmp_path / "v")
    assert '"$root/var/lib/postgresql/17/main"' in script
    assert '"$root/etc/postgresql/17"' in script
    assert "install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/data" in script
    py = recipes.recipe_for("python:3.11-slim")
    assert py is not None
    assert "EXTERNALLY-MANAGED" in offline._customize_script(py, tmp_path / "ep", tmp_path / "v")


def test_customize_for_18_leaves_var_lib_postgresql_empty_and_writable(tmp_path: Path) -> None:
    recipe = recipes.recipe_for("postgres:18")
    assert recipe is not None
    script = offline._customize_script(recipe, tmp_path / "ep.sh", tmp_path / "v")
    assert 'rm -rf "$root/var/lib/postgresql/18" "$root/etc/postgresql/18"' in script
    assert 'chroot "$root" install -d -o postgres -g postgres -m 1777 /var/lib/postgresql\n' in script
    assert "/var/lib/postgresql/data" not in script


def test_build_without_mmdebstrap_is_env_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(offline.shutil, "which", lambda _name: None)
    with pytest.raises(EnvError, match="mmdebstrap is not installed") as info:
        offline.build_offline_image(None, POSTGRES[0], print)  # type: ignore[arg-type]
    assert info.value.fix is not None and "apt-get install mmdebstrap" in info.value.fix


class FakeImages:
    """Just enough of client.images for ensure_image/describe_image."""

    def __init__(self, present: dict[str, dict[str, str]]) -> None:
        self.present = present
        self.pulled: list[tuple[str, str]] = []

    def get(self, ref: str) -> Any:
        if ref not in self.present:
            raise docker.errors.ImageNotFound(ref)
        return type("Image", (), {"labels": self.present[ref]})()

    def pull(self, repository: str, tag: str) -> None:
        self.pulled.append((repository, tag))
        raise docker.errors.APIError("Get https://registry-1.docker.io/v2/: dial tcp: no such host")


class FakeClient:
    def __init__(self, present: dict[str, dict[str, str]]) -> None:
        self.images = FakeImages(present)


def test_ensure_image_present_does_nothing() -> None:
    client = FakeClient({POSTGRES[0]: {}})
    images.ensure_image(client, POSTGRES[0], print)  # type: ignore[arg-type]
    assert client.images.pulled == []


def test_ensure_image_unbuildable_names_ref_reason_and_fix() -> None:
    client = FakeClient({})
    with pytest.raises(EnvError) as info:
        images.ensure_image(client, "mysql:8", lambda _m: None)  # type: ignore[arg-type]
    assert client.images.pulled == [("mysql", "8")]
    assert "mysql:8" in info.value.message and "no such host" in info.value.message
    assert info.value.fix is not None and recipes.offline_summary() in info.value.fix
    assert "docker load" in info.value.fix


def test_ensure_image_falls_back_to_offline_build(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    monkeypatch.setattr(images, "build_offline_image", lambda _c, ref, _p, **_kw: built.append(ref))
    client = FakeClient({})
    images.ensure_image(client, POSTGRES[-1], lambda _m: None, allow_pull=False)  # type: ignore[arg-type]
    assert client.images.pulled == [] and built == [POSTGRES[-1]]


def current(ref: str) -> dict[str, str]:
    """The labels of `ref` built offline by today's recipe."""
    recipe = offline.recipe_for(ref)
    assert recipe is not None
    return {offline.OFFLINE_LABEL: "true", offline.RECIPE_LABEL: recipe.revision}


def test_describe_image() -> None:
    built, missing = POSTGRES[-1], POSTGRES[0]
    client = FakeClient({built: current(built), "redis:7": {}})
    describe = images.describe_image
    assert describe(client, built) == "present (built offline)"  # type: ignore[arg-type]
    assert describe(client, "redis:7") == "present"  # type: ignore[arg-type]
    assert describe(client, missing) == "missing (buildable offline)"  # type: ignore[arg-type]
    assert describe(client, "mysql:8") == "missing"  # type: ignore[arg-type]


def test_build_images_skips_present(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    monkeypatch.setattr(images, "build_offline_image", lambda _c, ref, _p, **_kw: built.append(ref))
    present, missing = POSTGRES[-1], POSTGRES[0]
    client = FakeClient({present: {}})
    images.build_images(client, [present, missing, missing], lambda _m: None)  # type: ignore[arg-type]
    assert built == [missing]
    built.clear()
    images.build_images(client, [present], lambda _m: None, force=True)  # type: ignore[arg-type]
    assert built == [present]
    with pytest.raises(EnvError, match="mysql:8"):
        images.build_images(client, ["mysql:8"], lambda _m: None)  # type: ignore[arg-type]


def test_the_recipe_revision_is_recorded_in_the_image(monkeypatch: pytest.MonkeyPatch) -> None:
    for ref in OFFERED:
        recipe = offline.recipe_for(ref)
        assert recipe is not None
        label = f"LABEL {offline.RECIPE_LABEL}={json.dumps(recipe.revision)}"
        assert label in built_offline(ref, monkeypatch).changes, ref


def test_a_stand_in_built_by_an_older_recipe_is_rebuilt_and_doctor_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    monkeypatch.setattr(images, "build_offline_image", lambda _c, ref, _p, **_kw: built.append(ref))
    older = {offline.OFFLINE_LABEL: "true", offline.RECIPE_LABEL: "0"}
    unlabelled = {offline.OFFLINE_LABEL: "true"}  # built before recipes were numbered
    stale, old, fresh, theirs = POSTGRES[0], POSTGRES[1], POSTGRES[-1], "python:3.11-slim"
    client = FakeClient({stale: older, old: unlabelled, fresh: current(fresh), theirs: {}})
    said: list[str] = []
    images.build_images(client, [stale, old, fresh, theirs], said.append)  # type: ignore[arg-type]
    # A postgres stand-in without the label predates the locales; an image not built by parity
    # (pulled, or the user's own) is never replaced.
    assert built == [stale, old]
    assert any(stale in line and "older recipe" in line for line in said), said
    assert "older recipe" in images.describe_image(client, stale)  # type: ignore[arg-type]
    assert not offline.outdated(theirs, {}) and not offline.outdated(fresh, current(fresh))


@pytest.mark.parametrize(
    ("ref", "split"),
    [("postgres:15", ("postgres", "15")), ("postgres", ("postgres", "latest")),
     ("localhost:5000/app", ("localhost:5000/app", "latest")),
     ("localhost:5000/app:2", ("localhost:5000/app", "2"))],
)  # fmt: skip
def test_split_ref(ref: str, split: tuple[str, str]) -> None:
    assert images._split_ref(ref) == split


@pytest.mark.parametrize(
    ("volumes", "path", "over"),
    [({"/var/lib/postgresql": {}}, "/var/lib/postgresql/data", ["/var/lib/postgresql"]),
     ({"/var/lib/postgresql/data": {}}, "/var/lib/postgresql/data", ["/var/lib/postgresql/data"]),
     ({"/var/lib/postgresql": {}}, "/var/lib/parity-template", []),
     ({"/var/lib/postgresql": {}}, "/var/lib/postgresql-old/x", []),  # a prefix is not a parent
     ({"/": {}}, "/anything", ["/"]),
     (None, "/var/lib/postgresql/data", [])],
)  # fmt: skip
def test_volumes_over_a_path(volumes: dict[str, Any] | None, path: str, over: list[str]) -> None:
    assert images.volumes_over({"Config": {"Volumes": volumes}}, path) == over


def test_images_build_without_refs_builds_every_offline_image(monkeypatch: pytest.MonkeyPatch) -> None:
    # What `make images` runs: the Makefile names no image, parity's one list does.
    built: list[str] = []
    monkeypatch.setattr("parity.engine.client.docker_client", lambda: None)
    monkeypatch.setattr("parity.engine.images.build_images",
                        lambda _client, refs, _progress, force=False: built.extend(refs))
    commands.build_images([])
    assert built == recipes.offline_refs()


def test_images_build_help_names_every_offline_image() -> None:
    result = subprocess.run([sys.executable, "-m", "parity", "images", "build", "--help"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"(default: all of {recipes.offline_summary()})" in " ".join(result.stdout.split())
