"""The official images parity can build offline, and from which Debian packages: the one list
that `parity images build` builds by default, its --help names, and `make images` asks for.

Stdlib only and no dataclass (a NamedTuple): `parity --help` builds the `images build` help
from this list, and --help loads nothing it does not need (tests/unit/test_imports.py). How
an image is built from its recipe is parity.engine.offline.
"""

from __future__ import annotations

import collections
from typing import NamedTuple


class Recipe(NamedTuple):
    """How to build one official image from one Debian suite."""

    ref: str  # the official tag we produce, e.g. "postgres:15"
    kind: str  # "postgres", "python", "haproxy" or "pgbouncer"; selects customisation and image config
    suite: str  # Debian release whose packages provide the software
    version: str  # major version ("15") or "3.11"
    packages: tuple[str, ...]
    estimate: str  # shown to the user before the wait starts

    @property
    def revision(self) -> str:
        """The revision of this kind's recipe, recorded in the image: an image built by an older
        one is rebuilt by `parity images build` (an image without the label is revision 1)."""
        return RECIPE_REVISIONS.get(self.kind, "1")

    @property
    def version_package(self) -> str:
        """The package whose version is recorded in the image (labels, PG_VERSION)."""
        return {"postgres": f"postgresql-{self.version}", "haproxy": "haproxy", "pgbouncer": "pgbouncer"}.get(
            self.kind, f"python{self.version}")

    @property
    def entrypoint_asset(self) -> str | None:
        """parity's own entrypoint for this kind of image (under parity/engine/assets), if any."""
        return {"postgres": "docker-entrypoint.sh", "haproxy": "haproxy-entrypoint.sh",
                "pgbouncer": "pgbouncer-entrypoint.sh"}.get(self.kind)

    @property
    def per_major_layout(self) -> bool:
        """True from postgres:18 on: the official image keeps PGDATA in a per-major directory."""
        return self.kind == "postgres" and int(self.version) >= 18

    @property
    def pgdata(self) -> str:
        """The official image's PGDATA: /var/lib/postgresql/data, or MAJOR/docker from 18 on."""
        if self.per_major_layout:
            # The pg_ctlcluster layout, so `pg_upgrade --link` works within one volume.
            return f"/var/lib/postgresql/{self.version}/docker"
        return "/var/lib/postgresql/data"

    @property
    def data_volume(self) -> str:
        """The official image's VOLUME: PGDATA itself, or from 18 on the parent of every major's."""
        return "/var/lib/postgresql" if self.per_major_layout else self.pgdata


# Bump a kind's revision whenever what its images contain or how they start changes.
# postgres 2: the official image's locales (en_US.UTF-8 generated, LANG en_US.utf8).
RECIPE_REVISIONS = {"postgres": "2"}

_RECIPES: dict[str, Recipe] = {
    r.ref: r
    for r in (
        Recipe("postgres:13", "postgres", "bullseye", "13", ("postgresql-13", "locales"), "about a minute"),
        Recipe("postgres:15", "postgres", "bookworm", "15", ("postgresql-15", "locales"), "about a minute"),
        Recipe("postgres:17", "postgres", "trixie", "17", ("postgresql-17", "locales"), "about a minute"),
        # No stable release ships 18 yet; unstable does. The official image installs the JIT,
        # a separate package from 18 on (our 13-17 get it inside postgresql-NN).
        Recipe("postgres:18", "postgres", "sid", "18", ("postgresql-18", "postgresql-18-jit", "locales"),
               "about a minute"),
        # The load balancer in front of replicas (app.replicas).
        Recipe("haproxy:2.6", "haproxy", "bookworm", "2.6", ("haproxy",), "about a minute"),
        # The pooler in front of Postgres (database.pooler), under the tag of the widely used
        # edoburu/pgbouncer image of the same PgBouncer release: trixie ships 1.24.1, which has
        # protocol-level prepared statements (>= 1.21; bookworm's 1.18 has not).
        Recipe("edoburu/pgbouncer:v1.24.1-p1", "pgbouncer", "trixie", "1.24.1", ("pgbouncer",),
               "about a minute"),
        Recipe(
            "python:3.11-slim",
            "python",
            "bookworm",
            "3.11",
            ("python3", "python3-venv", "python3-pip", "ca-certificates"),
            "about a minute",
        ),
    )
}


def normalize_ref(ref: str) -> str:
    """Drop the implicit Docker Hub prefixes so `docker.io/library/postgres:15` matches too."""
    ref = ref.strip()
    for prefix in ("docker.io/", "index.docker.io/", "registry-1.docker.io/"):
        if ref.startswith(prefix):
            ref = ref[len(prefix) :]
    return ref.removeprefix("library/")


def offline_refs() -> list[str]:
    """The official image refs parity knows how to build offline, in a stable order."""
    return sorted(_RECIPES)


def recipe_for(ref: str) -> Recipe | None:
    """The recipe that builds `ref`, or None when parity has none for it."""
    return _RECIPES.get(normalize_ref(ref))


def offline_suite(ref: str) -> str | None:
    """The Debian suite an offline `ref` is built from (None if not buildable)."""
    recipe = recipe_for(ref)
    return recipe.suite if recipe else None


def can_build_offline(ref: str) -> bool:
    """True when build_offline_image can produce `ref` (given mmdebstrap and a mirror)."""
    return recipe_for(ref) is not None


def offline_summary() -> str:
    """One phrase naming what can be built, e.g. "haproxy:2.6, postgres:13, 15, 17, 18 and python:3.11-slim"."""
    by_repo: dict[str, list[str]] = collections.defaultdict(list)
    for ref in offline_refs():
        repo, tag = ref.split(":", 1)
        by_repo[repo].append(tag)
    parts = [f"{repo}:{', '.join(tags)}" for repo, tags in by_repo.items()]
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)
