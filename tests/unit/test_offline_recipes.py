"""Pure logic of the offline image recipes and image resolution (no engine, no network)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import docker.errors
import pytest

from parity import commands
from parity.engine import images, offline, recipes
from parity.errors import EnvError


def test_known_refs() -> None:
    assert recipes.offline_refs() == [
        "haproxy:2.6",
        "postgres:13",
        "postgres:15",
        "postgres:17",
        "postgres:18",
        "python:3.11-slim",
    ]
    for ref in recipes.offline_refs():
        assert recipes.can_build_offline(ref)


@pytest.mark.parametrize(
    ("ref", "suite"),
    [
        ("postgres:13", "bullseye"),
        ("postgres:15", "bookworm"),
        ("postgres:17", "trixie"),
        ("postgres:18", "sid"),
        ("python:3.11-slim", "bookworm"),
        ("haproxy:2.6", "bookworm"),
        ("docker.io/library/postgres:15", "bookworm"),
        ("library/postgres:17", "trixie"),
    ],
)
def test_suite_mapping(ref: str, suite: str) -> None:
    assert recipes.offline_suite(ref) == suite
    assert recipes.can_build_offline(ref)


@pytest.mark.parametrize(
    "ref",
    ["postgres:16", "postgres:19", "postgres", "postgres:latest", "postgres:15-alpine", "python:3.12-slim",
     "mysql:8", "ghcr.io/library/postgres:15", ""],
)  # fmt: skip
def test_unknown_refs(ref: str) -> None:
    assert not recipes.can_build_offline(ref)
    assert recipes.offline_suite(ref) is None


def test_summary_names_every_version() -> None:
    assert recipes.offline_summary() == "haproxy:2.6, postgres:13, 15, 17, 18 and python:3.11-slim"


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


def test_postgres_image_config() -> None:
    recipe = recipes.recipe_for("postgres:15")
    assert recipe is not None
    changes = offline._image_changes(recipe, "15.9-0+deb12u1", "")
    assert "ENV PATH=" + offline.BASE_PATH + ":/usr/lib/postgresql/15/bin" in changes
    assert 'ENTRYPOINT ["docker-entrypoint.sh"]' in changes
    assert 'CMD ["postgres"]' in changes
    assert "EXPOSE 5432" in changes
    assert f'LABEL {offline.OFFLINE_LABEL}="true"' in changes
    assert f'LABEL {offline.SUITE_LABEL}="bookworm"' in changes


def test_python_image_config() -> None:
    recipe = recipes.recipe_for("python:3.11-slim")
    assert recipe is not None
    changes = offline._image_changes(recipe, "3.11.2-6", "3.11.2")
    assert "ENV PYTHON_VERSION=3.11.2" in changes
    assert not any(c.startswith("ENTRYPOINT") for c in changes)
    assert any(c.startswith("ENV PATH=/usr/local/bin:") for c in changes)


def test_haproxy_image_config_follows_the_official_image() -> None:
    recipe = recipes.recipe_for("haproxy:2.6")
    assert recipe is not None and recipe.packages == ("haproxy",) and recipe.suite == "bookworm"
    changes = offline._image_changes(recipe, "2.6.12-1+deb12u4", "")
    assert "ENV HAPROXY_VERSION=2.6.12" in changes
    assert 'ENTRYPOINT ["docker-entrypoint.sh"]' in changes and "USER haproxy" in changes
    assert 'CMD ["haproxy", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]' in changes
    # SIGUSR1 is HAProxy's graceful stop (SIGTERM closes every connection at once).
    assert offline.STOP_SIGNALS["haproxy"] == "SIGUSR1"
    script = offline._customize_script(recipe, Path("/x/haproxy-entrypoint.sh"), Path("/x/v"))
    assert "usermod -u 99 -g 99 haproxy" in script and 'mkdir -p "$root/usr/local/etc/haproxy"' in script


def test_mmdebstrap_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(offline.MIRROR_ENV, "http://mirror.example/debian")
    monkeypatch.setenv(offline.SECURITY_MIRROR_ENV, "")
    recipe = recipes.recipe_for("postgres:13")
    assert recipe is not None
    cmd = offline._mmdebstrap_command(recipe, tmp_path / "r.tar", tmp_path / "h.sh", tmp_path)
    assert cmd[0] == "mmdebstrap"
    assert "--variant=minbase" in cmd
    assert "--include=postgresql-13" in cmd
    assert cmd[-4:] == [
        "bullseye",
        str(tmp_path / "r.tar"),
        "deb http://mirror.example/debian bullseye main",
        "deb http://mirror.example/debian bullseye-updates main",
    ]
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


def test_postgres_18_is_built_from_unstable_with_its_jit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(offline.MIRROR_ENV, raising=False)
    recipe = recipes.recipe_for("postgres:18")
    assert recipe is not None
    cmd = offline._mmdebstrap_command(recipe, tmp_path / "r.tar", tmp_path / "h.sh", tmp_path)
    assert "--include=postgresql-18,postgresql-18-jit" in cmd
    assert cmd[-3:] == ["sid", str(tmp_path / "r.tar"), "deb http://deb.debian.org/debian sid main"]


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


def test_build_unknown_ref_is_env_error() -> None:
    with pytest.raises(EnvError, match="cannot build postgres:16 offline") as info:
        offline.build_offline_image(None, "postgres:16", print)  # type: ignore[arg-type]
    assert info.value.fix is not None and "postgres:13, 15, 17, 18" in info.value.fix


def test_build_without_mmdebstrap_is_env_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(offline.shutil, "which", lambda _name: None)
    with pytest.raises(EnvError, match="mmdebstrap is not installed") as info:
        offline.build_offline_image(None, "postgres:15", print)  # type: ignore[arg-type]
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
    client = FakeClient({"postgres:15": {}})
    images.ensure_image(client, "postgres:15", print)  # type: ignore[arg-type]
    assert client.images.pulled == []


def test_ensure_image_unbuildable_names_ref_reason_and_fix() -> None:
    client = FakeClient({})
    with pytest.raises(EnvError) as info:
        images.ensure_image(client, "mysql:8", lambda _m: None)  # type: ignore[arg-type]
    assert client.images.pulled == [("mysql", "8")]
    assert "mysql:8" in info.value.message and "no such host" in info.value.message
    assert info.value.fix is not None and "postgres:13, 15, 17, 18" in info.value.fix
    assert "docker load" in info.value.fix


def test_ensure_image_falls_back_to_offline_build(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    monkeypatch.setattr(images, "build_offline_image", lambda _c, ref, _p, **_kw: built.append(ref))
    client = FakeClient({})
    images.ensure_image(client, "postgres:17", lambda _m: None, allow_pull=False)  # type: ignore[arg-type]
    assert client.images.pulled == [] and built == ["postgres:17"]


def test_describe_image() -> None:
    client = FakeClient({"postgres:15": {offline.OFFLINE_LABEL: "true"}, "redis:7": {}})
    describe = images.describe_image
    assert describe(client, "postgres:15") == "present (built offline)"  # type: ignore[arg-type]
    assert describe(client, "redis:7") == "present"  # type: ignore[arg-type]
    assert describe(client, "postgres:13") == "missing (buildable offline)"  # type: ignore[arg-type]
    assert describe(client, "mysql:8") == "missing"  # type: ignore[arg-type]


def test_build_images_skips_present(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    monkeypatch.setattr(images, "build_offline_image", lambda _c, ref, _p, **_kw: built.append(ref))
    client = FakeClient({"postgres:15": {}})
    refs = ["postgres:15", "postgres:13", "postgres:13"]
    images.build_images(client, refs, lambda _m: None)  # type: ignore[arg-type]
    assert built == ["postgres:13"]
    built.clear()
    images.build_images(client, ["postgres:15"], lambda _m: None, force=True)  # type: ignore[arg-type]
    assert built == ["postgres:15"]
    with pytest.raises(EnvError, match="mysql:8"):
        images.build_images(client, ["mysql:8"], lambda _m: None)  # type: ignore[arg-type]


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
